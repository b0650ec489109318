/* Tests of "did you mean": optimal-string-alignment distance and the closest candidate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "suggest.h"

static void identical_strings_are_at_distance_zero(void **state)
{
    (void)state;
    assert_int_equal(suggest_distance("", ""), 0);
    assert_int_equal(suggest_distance("rtt_ms", "rtt_ms"), 0);
}

static void distance_counts_insertions_deletions_and_substitutions(void **state)
{
    (void)state;
    assert_int_equal(suggest_distance("", "abc"), 3);
    assert_int_equal(suggest_distance("abc", ""), 3);
    assert_int_equal(suggest_distance("kitten", "sitting"), 3);
    assert_int_equal(suggest_distance("flaw", "lawn"), 2);
    assert_int_equal(suggest_distance("slots", "slot"), 1);
    assert_int_equal(suggest_distance("slot", "slots"), 1);
    assert_int_equal(suggest_distance("slots", "slits"), 1);
}

static void adjacent_swap_costs_one_edit(void **state)
{
    (void)state;
    assert_int_equal(suggest_distance("ab", "ba"), 1);
    assert_int_equal(suggest_distance("rtt_sm", "rtt_ms"), 1);
    assert_int_equal(suggest_distance("poisosn", "poisson"), 1);
    /* Two separate swaps are two edits. */
    assert_int_equal(suggest_distance("abcd", "badc"), 2);
    /* Optimal string alignment edits no substring twice: "ca" -> "abc" is 3, not the
     * unrestricted Damerau-Levenshtein 2. */
    assert_int_equal(suggest_distance("ca", "abc"), 3);
}

static void distance_is_symmetric_and_case_sensitive(void **state)
{
    (void)state;
    assert_int_equal(suggest_distance("Slots", "slots"), 1);
    assert_int_equal(suggest_distance("SLOTS", "slots"), 5);
    assert_int_equal(suggest_distance("decode_tok_s", "prefill_tok_s"),
                     suggest_distance("prefill_tok_s", "decode_tok_s"));
}

static void distance_handles_long_strings(void **state)
{
    (void)state;
    /* Longer than the stack rows, so the heap path is taken. */
    char a[201], b[201];
    memset(a, 'a', 200);
    memset(b, 'a', 200);
    a[200] = b[200] = '\0';
    b[100] = 'b';
    assert_int_equal(suggest_distance(a, b), 1);
    a[150] = 'x';
    a[151] = 'y';
    b[150] = 'y';
    b[151] = 'x';
    assert_int_equal(suggest_distance(a, b), 2);
    memset(b, 'b', 200);
    assert_int_equal(suggest_distance(a, b), 200);
    assert_int_equal(suggest_distance(a, "a"), 199);
}

static void closest_picks_the_nearest_candidate(void **state)
{
    (void)state;
    const char *const keys[] = {"count", "slots", "model"};
    assert_ptr_equal(suggest_closest("slotz", keys, 3), keys[1]);
    assert_ptr_equal(suggest_closest("modle", keys, 3), keys[2]);
    assert_ptr_equal(suggest_closest("count", keys, 3), keys[0]);
}

static void closest_is_null_beyond_the_threshold(void **state)
{
    (void)state;
    /* Short words allow distance 2. */
    const char *const two[] = {"xy"};
    assert_ptr_equal(suggest_closest("ab", two, 1), two[0]);
    const char *const three[] = {"xyz"};
    assert_null(suggest_closest("ab", three, 1));
    assert_null(suggest_closest("xyz", (const char *const[]){"abcdef"}, 1));
    /* A 12-letter word allows 12/3 = 4 edits, not 5. */
    const char *const four[] = {"abcdefghWXYZ"};
    assert_ptr_equal(suggest_closest("abcdefghijkl", four, 1), four[0]);
    const char *const five[] = {"abcdefgVWXYZ"};
    assert_null(suggest_closest("abcdefghijkl", five, 1));
    /* Below 6 letters the floor of 2 applies: 5/3 would be 1. */
    const char *const floor2[] = {"slXts2"};
    assert_int_equal(suggest_distance("slots", floor2[0]), 2);
    assert_ptr_equal(suggest_closest("slots", floor2, 1), floor2[0]);
}

static void ties_go_to_the_earlier_candidate(void **state)
{
    (void)state;
    const char *const ab[] = {"bat", "hat"};
    const char *const ba[] = {"hat", "bat"};
    assert_ptr_equal(suggest_closest("cat", ab, 2), ab[0]);
    assert_ptr_equal(suggest_closest("cat", ba, 2), ba[0]);
    /* A strictly closer later candidate still wins. */
    const char *const later[] = {"cut", "cab", "cats"};
    assert_int_equal(suggest_distance("cas", later[0]), 2);
    assert_ptr_equal(suggest_closest("cas", later, 3), later[1]);
}

static void no_candidates_means_no_suggestion(void **state)
{
    (void)state;
    assert_null(suggest_closest("slots", NULL, 0));
    const char *const one[] = {"slots"};
    assert_null(suggest_closest("slots", one, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(identical_strings_are_at_distance_zero),
        cmocka_unit_test(distance_counts_insertions_deletions_and_substitutions),
        cmocka_unit_test(adjacent_swap_costs_one_edit),
        cmocka_unit_test(distance_is_symmetric_and_case_sensitive),
        cmocka_unit_test(distance_handles_long_strings),
        cmocka_unit_test(closest_picks_the_nearest_candidate),
        cmocka_unit_test(closest_is_null_beyond_the_threshold),
        cmocka_unit_test(ties_go_to_the_earlier_candidate),
        cmocka_unit_test(no_candidates_means_no_suggestion),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
