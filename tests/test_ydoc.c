/* Tests of the YAML document tree: loading, marks and paths, typed readers, --set,
 * unknown-key detection, cloning; and of the error record and range phrases it uses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "range.h"
#include "ydoc.h"

/* Lines and columns below are 1-based and counted by hand from these texts. */
static const char demo_text[] = "name: demo\n"
                                "workload:\n"
                                "  prompt_tokens: {dist: lognormal, mean: 200}\n"
                                "  rate: 2.5\n"
                                "variants:\n"
                                "  - name: a\n"
                                "    set: {x: 1}\n"
                                "  - name: b\n";

static struct ydoc *load(const char *text)
{
    struct error err;
    error_clear(&err);
    struct ydoc *doc = ydoc_load_string(text, "test.yaml", &err);
    if (!doc)
        print_error("unexpected load error: %s:%d:%d: %s\n", err.file, err.line, err.col, err.msg);
    assert_non_null(doc);
    return doc;
}

/* Loads text that must fail and returns the error. */
static struct error load_error(const char *text)
{
    struct error err;
    error_clear(&err);
    struct ydoc *doc = ydoc_load_string(text, "bad.yaml", &err);
    assert_null(doc);
    assert_true(err.msg[0] != '\0');
    return err;
}

static void assert_error(const struct error *err, const char *file, int line, int col,
                         const char *path, const char *msg)
{
    assert_string_equal(err->file, file);
    assert_int_equal(err->line, line);
    assert_int_equal(err->col, col);
    assert_string_equal(err->path, path);
    assert_string_equal(err->msg, msg);
}

static void assert_path(const struct ydoc_node *n, const char *want)
{
    char buf[256];
    ydoc_path(n, buf, sizeof buf);
    assert_string_equal(buf, want);
}

static void assert_mark(const struct ydoc_node *n, const char *file, int line, int col)
{
    assert_non_null(n);
    assert_string_equal(ydoc_file(n), file);
    assert_int_equal(ydoc_line(n), line);
    assert_int_equal(ydoc_col(n), col);
}

static struct ydoc_node *at(struct ydoc *doc, const char *a, const char *b)
{
    struct ydoc_node *n = ydoc_get(ydoc_root(doc), a);
    return b ? ydoc_get(n, b) : n;
}

/* --- loading, marks, paths --- */

static void loads_a_tree_with_marks_and_paths(void **state)
{
    (void)state;
    struct ydoc *doc = load(demo_text);
    struct ydoc_node *root = ydoc_root(doc);
    assert_int_equal(ydoc_kind(root), YDOC_MAP);
    assert_int_equal(ydoc_len(root), 3);
    assert_string_equal(ydoc_entry_key(root, 0), "name");
    assert_string_equal(ydoc_entry_key(root, 1), "workload");
    assert_string_equal(ydoc_entry_key(root, 2), "variants");
    assert_null(ydoc_entry_key(root, 3));
    assert_mark(root, "test.yaml", 1, 1);
    assert_path(root, "");

    struct ydoc_node *name = ydoc_get(root, "name");
    assert_int_equal(ydoc_kind(name), YDOC_SCALAR);
    assert_string_equal(ydoc_text(name), "demo");
    assert_mark(name, "test.yaml", 1, 7);

    struct ydoc_node *workload = ydoc_get(root, "workload");
    assert_mark(workload, "test.yaml", 3, 3); /* a block map starts at its first key */
    struct ydoc_node *prompt = ydoc_get(workload, "prompt_tokens");
    assert_mark(prompt, "test.yaml", 3, 18);
    assert_path(prompt, "workload.prompt_tokens");
    assert_null(ydoc_text(prompt));
    struct ydoc_node *mean = ydoc_get(prompt, "mean");
    assert_mark(mean, "test.yaml", 3, 42);
    assert_path(mean, "workload.prompt_tokens.mean");
    assert_mark(ydoc_get(workload, "rate"), "test.yaml", 4, 9);

    struct ydoc_node *variants = ydoc_get(root, "variants");
    assert_int_equal(ydoc_kind(variants), YDOC_SEQ);
    assert_int_equal(ydoc_len(variants), 2);
    assert_mark(variants, "test.yaml", 6, 3);
    struct ydoc_node *v0 = ydoc_item(variants, 0), *v1 = ydoc_item(variants, 1);
    assert_null(ydoc_item(variants, 2));
    assert_path(v0, "variants[0]");
    assert_mark(v0, "test.yaml", 6, 5);
    assert_path(ydoc_get(v0, "name"), "variants[0].name");
    assert_mark(ydoc_get(v0, "name"), "test.yaml", 6, 11);
    assert_path(ydoc_get(ydoc_get(v0, "set"), "x"), "variants[0].set.x");
    assert_string_equal(ydoc_text(ydoc_get(v1, "name")), "b");
    assert_path(ydoc_get(v1, "name"), "variants[1].name");
    ydoc_free(doc);
}

static void kinds_have_names_and_nothing_reads_as_empty(void **state)
{
    (void)state;
    assert_string_equal(ydoc_kind_name(YDOC_SCALAR), "a scalar");
    assert_string_equal(ydoc_kind_name(YDOC_SEQ), "a list");
    assert_string_equal(ydoc_kind_name(YDOC_MAP), "a map");
    struct ydoc *doc = load("list: [1, 2]\nscalar: x\n");
    struct ydoc_node *list = at(doc, "list", NULL), *scalar = at(doc, "scalar", NULL);
    assert_null(ydoc_text(list));
    assert_int_equal(ydoc_len(scalar), 0);
    assert_null(ydoc_item(scalar, 0));
    assert_null(ydoc_entry_key(list, 0));
    assert_null(ydoc_entry_value(list, 0));
    assert_null(ydoc_get(list, "x")); /* not a map: reads as absent */
    assert_int_equal(ydoc_len(NULL), 0);
    assert_null(ydoc_text(NULL));
    assert_int_equal(ydoc_line(NULL), 0);
    assert_string_equal(ydoc_file(NULL), "");
    ydoc_free(doc);
}

static void path_is_truncated_to_the_buffer(void **state)
{
    (void)state;
    struct ydoc *doc = load("workload:\n  prompt_tokens: 3\n");
    char buf[9];
    memset(buf, 'x', sizeof buf);
    ydoc_path(at(doc, "workload", "prompt_tokens"), buf, sizeof buf);
    assert_string_equal(buf, "workload");
    ydoc_free(doc);
}

static void loads_a_file_and_reports_its_directory(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_ydoc.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/scenario.yaml", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("# a comment\nseed: 42\ncloud:\n  slots: 8\n", f);
    fclose(f);

    struct error err;
    error_clear(&err);
    struct ydoc *doc = ydoc_load_file(path, &err);
    assert_non_null(doc);
    struct ydoc_node *slots = at(doc, "cloud", "slots");
    assert_mark(slots, path, 4, 10);
    char buf[256];
    ydoc_dir(slots, buf, sizeof buf);
    assert_string_equal(buf, dir);
    ydoc_free(doc);
    unlink(path);
    rmdir(dir);

    doc = load("a: 1\n");
    ydoc_dir(ydoc_root(doc), buf, sizeof buf);
    assert_string_equal(buf, ".");
    ydoc_free(doc);
    doc = ydoc_load_string("a: 1\n", "/top.yaml", &err);
    assert_non_null(doc);
    ydoc_dir(ydoc_root(doc), buf, sizeof buf);
    assert_string_equal(buf, "/");
    ydoc_free(doc);
    ydoc_dir(NULL, buf, sizeof buf);
    assert_string_equal(buf, ".");
}

static void missing_file_is_an_error_naming_it(void **state)
{
    (void)state;
    struct error err;
    error_clear(&err);
    assert_null(ydoc_load_file("/nonexistent/haisim.yaml", &err));
    assert_error(&err, "/nonexistent/haisim.yaml", 0, 0, "",
                 "cannot open: No such file or directory");
    assert_null(ydoc_load_file("/tmp", &err)); /* a directory is refused before reading */
    assert_string_equal(err.file, "/tmp");
    assert_string_equal(err.msg, "cannot open: is a directory");
    /* A device never ends: refused before a byte is read (it would grow without bound). */
    assert_null(ydoc_load_file("/dev/zero", &err));
    assert_string_equal(err.msg, "cannot open: is not a regular file");
}

static void empty_document_is_an_error(void **state)
{
    (void)state;
    struct error err = load_error("");
    assert_error(&err, "bad.yaml", 0, 0, "", "empty document");
    err = load_error("# nothing but a comment\n\n");
    assert_string_equal(err.msg, "empty document");
    err = load_error("---\n");
    assert_string_equal(err.msg, "empty document");
    /* An explicitly quoted empty string is a document, though. */
    struct ydoc *doc = load("''\n");
    assert_string_equal(ydoc_text(ydoc_root(doc)), "");
    ydoc_free(doc);
}

static void several_documents_are_an_error(void **state)
{
    (void)state;
    struct error err = load_error("a: 1\n---\nb: 2\n");
    assert_error(&err, "bad.yaml", 2, 1, "", "a second document starts here; only one is allowed");
    err = load_error("--- 1\n--- 2\n");
    assert_int_equal(err.line, 2);
}

static void syntax_error_carries_line_and_column(void **state)
{
    (void)state;
    struct error err = load_error("a: 1\nb: [1, 2\nc: 3\n");
    assert_string_equal(err.file, "bad.yaml");
    /* libyaml notices the unclosed list where "c: 3" cannot continue it. */
    assert_int_equal(err.line, 3);
    assert_int_equal(err.col, 2);
    assert_non_null(strstr(err.msg, "(while parsing a flow sequence at line 2, column 4)"));
    err = load_error("a: b: c\n");
    assert_int_equal(err.line, 1);
    assert_int_equal(err.col, 5);
    assert_string_equal(err.msg, "mapping values are not allowed in this context");
    char buf[1024];
    error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "bad.yaml:1:5: mapping values are not allowed in this context");
}

static void invalid_utf8_is_located(void **state)
{
    (void)state;
    struct error err = load_error("a: 1\nbb: \xff\n");
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 5);
    assert_non_null(strstr(err.msg, "UTF-8"));
}

static void duplicate_key_is_an_error_at_the_second_key(void **state)
{
    (void)state;
    struct error err = load_error("cloud:\n  slots: 1\n  model: x\n  slots: 2\n");
    assert_error(&err, "bad.yaml", 4, 3, "cloud.slots",
                 "duplicate key 'slots' (first at line 2, column 3)");
    err = load_error("{a: 1, b: 2, a: 3}\n");
    assert_error(&err, "bad.yaml", 1, 14, "a", "duplicate key 'a' (first at line 1, column 2)");
}

static void non_scalar_key_is_an_error(void **state)
{
    (void)state;
    struct error err = load_error("? [1, 2]\n: x\n");
    assert_error(&err, "bad.yaml", 1, 3, "", "a map key must be a scalar, got a list");
    err = load_error("a:\n  ? {b: 1}\n  : x\n");
    assert_error(&err, "bad.yaml", 2, 5, "", "a map key must be a scalar, got a map");
}

static void aliases_are_resolved_by_copying(void **state)
{
    (void)state;
    struct ydoc *doc = load("base: &b {rate: 2, cv: 0.5}\n"
                            "other: *b\n"
                            "name: &n demo\n"
                            "again: *n\n"
                            "*n : keyed\n");
    struct ydoc_node *base = at(doc, "base", NULL), *other = at(doc, "other", NULL);
    assert_ptr_not_equal(base, other);
    assert_int_equal(ydoc_kind(other), YDOC_MAP);
    assert_string_equal(ydoc_text(ydoc_get(other, "rate")), "2");
    assert_mark(other, "test.yaml", 2, 8);                    /* the copy sits at the alias */
    assert_mark(ydoc_get(other, "rate"), "test.yaml", 1, 17); /* its text is at the anchor */
    assert_path(ydoc_get(other, "rate"), "other.rate");
    assert_string_equal(ydoc_text(at(doc, "again", NULL)), "demo");
    assert_string_equal(ydoc_text(at(doc, "demo", NULL)), "keyed");

    /* The copy is independent of the original. */
    struct error err;
    assert_int_equal(ydoc_set(doc, "other.rate=9", "--set", &err), 0);
    assert_string_equal(ydoc_text(ydoc_get(base, "rate")), "2");
    assert_string_equal(ydoc_text(ydoc_get(other, "rate")), "9");
    ydoc_free(doc);
}

static void bad_aliases_are_errors(void **state)
{
    (void)state;
    struct error err = load_error("a: *nowhere\n");
    assert_error(&err, "bad.yaml", 1, 4, "", "unknown alias '*nowhere'");
    err = load_error("a: &x [1, *x]\n");
    assert_error(&err, "bad.yaml", 1, 11, "", "alias '*x' refers to a node that contains it");
    err = load_error("a: &x [1]\n*x : 2\n");
    assert_error(&err, "bad.yaml", 2, 1, "", "a map key must be a scalar, got a list");
}

static void alias_bombs_and_deep_nesting_are_refused(void **state)
{
    (void)state;
    /* Each level doubles: 2^25 nodes if expanded. */
    char text[4096];
    int n = snprintf(text, sizeof text, "l0: &l0 [x, x]\n");
    for (int i = 1; i < 25; i++)
        n += snprintf(text + n, sizeof text - (size_t)n, "l%d: &l%d [*l%d, *l%d]\n", i, i, i - 1,
                      i - 1);
    struct error err = load_error(text);
    assert_non_null(strstr(err.msg, "aliases expand to more than"));

    char deep[1024];
    memset(deep, '[', 300);
    memset(deep + 300, ']', 300);
    deep[600] = '\0';
    err = load_error(deep);
    assert_error(&err, "bad.yaml", 1, 257, "", "nesting is deeper than 256 levels");
}

/* --- typed readers --- */

static void read_f64_accepts_decimal_numbers(void **state)
{
    (void)state;
    struct ydoc *doc = load("a: 3\nb: -0.5\nc: .5\nd: 1e-3\ne: '2.5'\nf: +4.\ng: 1E+2\n");
    struct ydoc_node *root = ydoc_root(doc);
    struct error err;
    const char *keys[] = {"a", "b", "c", "d", "e", "f", "g"};
    const double want[] = {3, -0.5, 0.5, 1e-3, 2.5, 4, 100};
    for (size_t i = 0; i < 7; i++) {
        double x = -99;
        assert_int_equal(ydoc_read_f64(root, keys[i], RANGE_ANY, &x, &err), 0);
        assert_true(x == want[i]);
    }
    ydoc_free(doc);
}

static void readers_leave_absent_keys_and_null_maps_alone(void **state)
{
    (void)state;
    struct ydoc *doc = load("present: 1\n");
    struct error err;
    error_clear(&err);
    struct ydoc_node *maps[] = {ydoc_root(doc), NULL};
    for (size_t m = 0; m < 2; m++) {
        double f = 7.5;
        int64_t i = 42;
        bool b = true;
        const char *s = "default";
        int e = 3;
        const char *const names[] = {"x", "y"};
        assert_int_equal(ydoc_read_f64(maps[m], "absent", RANGE_POSITIVE, &f, &err), 0);
        assert_int_equal(ydoc_read_i64(maps[m], "absent", 0, 10, &i, &err), 0);
        assert_int_equal(ydoc_read_bool(maps[m], "absent", &b, &err), 0);
        assert_int_equal(ydoc_read_str(maps[m], "absent", &s, &err), 0);
        assert_int_equal(ydoc_read_enum(maps[m], "absent", names, 2, &e, &err), 0);
        assert_true(f == 7.5);
        assert_int_equal(i, 42);
        assert_true(b);
        assert_string_equal(s, "default");
        assert_int_equal(e, 3);
        assert_null(ydoc_get(maps[m], "absent"));
    }
    assert_string_equal(err.msg, "");
    ydoc_free(doc);
}

static void read_f64_rejects_wrong_types_and_ranges(void **state)
{
    (void)state;
    struct ydoc *doc = load("net:\n"
                            "  rate: -3\n"
                            "  word: fast\n"
                            "  list: [1]\n"
                            "  share: 1.5\n"
                            "  open: 0\n"
                            "  neg: 5\n"
                            "  map: {a: 1}\n");
    struct ydoc_node *net = at(doc, "net", NULL);
    struct error err;
    double x = 11;
    assert_int_equal(ydoc_read_f64(net, "rate", RANGE_POSITIVE, &x, &err), -1);
    assert_error(&err, "test.yaml", 2, 9, "net.rate", "expected a number > 0, got '-3'");
    assert_int_equal(ydoc_read_f64(net, "word", RANGE_NONNEGATIVE, &x, &err), -1);
    assert_error(&err, "test.yaml", 3, 9, "net.word", "expected a number >= 0, got 'fast'");
    assert_int_equal(ydoc_read_f64(net, "list", RANGE_ANY, &x, &err), -1);
    assert_error(&err, "test.yaml", 4, 9, "net.list", "expected a number, got a list");
    assert_int_equal(ydoc_read_f64(net, "map", RANGE_ANY, &x, &err), -1);
    assert_string_equal(err.msg, "expected a number, got a map");
    assert_int_equal(ydoc_read_f64(net, "share", RANGE_UNIT, &x, &err), -1);
    assert_error(&err, "test.yaml", 5, 10, "net.share", "expected a number in [0, 1], got '1.5'");
    struct range half_open = {0, 1, true, false};
    assert_int_equal(ydoc_read_f64(net, "open", half_open, &x, &err), -1);
    assert_string_equal(err.msg, "expected a number in (0, 1], got '0'");
    struct range below = {-INFINITY, 2.5, false, true};
    assert_int_equal(ydoc_read_f64(net, "neg", below, &x, &err), -1);
    assert_string_equal(err.msg, "expected a number < 2.5, got '5'");
    assert_true(x == 11); /* untouched by every failure */
    ydoc_free(doc);
}

static void non_decimal_and_non_finite_numbers_are_rejected(void **state)
{
    (void)state;
    const char *bad[] = {"nan",  "NaN",   "inf",   "-inf",     ".inf", "infinity",
                         "0x10", "1_000", "1e999", "1,5",      "",     "1e",
                         "e3",   ".",     "+",     "3 apples", "' 3'"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[64];
        snprintf(text, sizeof text, "v: %s\n", bad[i]);
        struct ydoc *doc = load(text);
        struct error err;
        error_clear(&err);
        double x = 5;
        if (ydoc_read_f64(ydoc_root(doc), "v", RANGE_ANY, &x, &err) != -1)
            fail_msg("'%s' was accepted as %g", bad[i], x);
        assert_non_null(strstr(err.msg, "expected a number, got '"));
        assert_true(x == 5);
        ydoc_free(doc);
    }
}

static void long_texts_are_shortened_in_messages(void **state)
{
    (void)state;
    char text[256] = "v: ";
    memset(text + 3, 'z', 200);
    text[203] = '\0';
    struct ydoc *doc = load(text);
    struct error err;
    double x;
    assert_int_equal(ydoc_read_f64(ydoc_root(doc), "v", RANGE_ANY, &x, &err), -1);
    char want[128] = "expected a number, got '";
    memset(want + strlen(want), 'z', 77);
    strcpy(want + 24 + 77, "...'");
    assert_string_equal(err.msg, want);
    ydoc_free(doc);
}

static void read_i64_accepts_decimal_integers_only(void **state)
{
    (void)state;
    struct ydoc *doc = load("a: 42\nb: -7\nc: +3\nd: '12'\ne: 1.5\nf: 1e3\ng: 9223372036854775808\n"
                            "h: 0\ni: 11\nj: 9223372036854775807\nk: 1.0\n");
    struct ydoc_node *root = ydoc_root(doc);
    struct error err;
    int64_t v = 0;
    assert_int_equal(ydoc_read_i64(root, "a", INT64_MIN, INT64_MAX, &v, &err), 0);
    assert_int_equal(v, 42);
    assert_int_equal(ydoc_read_i64(root, "b", INT64_MIN, INT64_MAX, &v, &err), 0);
    assert_int_equal(v, -7);
    assert_int_equal(ydoc_read_i64(root, "c", INT64_MIN, INT64_MAX, &v, &err), 0);
    assert_int_equal(v, 3);
    assert_int_equal(ydoc_read_i64(root, "d", INT64_MIN, INT64_MAX, &v, &err), 0);
    assert_int_equal(v, 12);
    assert_int_equal(ydoc_read_i64(root, "j", 0, INT64_MAX, &v, &err), 0);
    assert_true(v == INT64_MAX);

    v = 5;
    assert_int_equal(ydoc_read_i64(root, "e", 1, 10, &v, &err), -1);
    assert_error(&err, "test.yaml", 5, 4, "e", "expected an integer in [1, 10], got '1.5'");
    assert_int_equal(ydoc_read_i64(root, "f", INT64_MIN, INT64_MAX, &v, &err), -1);
    assert_string_equal(err.msg, "expected an integer, got '1e3'");
    assert_int_equal(ydoc_read_i64(root, "k", INT64_MIN, INT64_MAX, &v, &err), -1);
    assert_string_equal(err.msg, "expected an integer, got '1.0'");
    assert_int_equal(ydoc_read_i64(root, "g", 0, INT64_MAX, &v, &err), -1);
    assert_string_equal(err.msg, "expected an integer >= 0, got '9223372036854775808'");
    assert_int_equal(ydoc_read_i64(root, "h", 1, INT64_MAX, &v, &err), -1);
    assert_string_equal(err.msg, "expected an integer >= 1, got '0'");
    assert_int_equal(ydoc_read_i64(root, "i", INT64_MIN, 10, &v, &err), -1);
    assert_string_equal(err.msg, "expected an integer <= 10, got '11'");
    assert_int_equal(v, 5);
    ydoc_free(doc);
}

static void read_bool_accepts_yaml_1_2_words_only(void **state)
{
    (void)state;
    struct ydoc *doc = load("a: true\nb: False\nc: TRUE\nd: yes\ne: 1\nf: [true]\ng: false\n");
    struct ydoc_node *root = ydoc_root(doc);
    struct error err;
    bool b = false;
    assert_int_equal(ydoc_read_bool(root, "a", &b, &err), 0);
    assert_true(b);
    assert_int_equal(ydoc_read_bool(root, "b", &b, &err), 0);
    assert_false(b);
    assert_int_equal(ydoc_read_bool(root, "c", &b, &err), 0);
    assert_true(b);
    assert_int_equal(ydoc_read_bool(root, "g", &b, &err), 0);
    assert_false(b);
    assert_int_equal(ydoc_read_bool(root, "d", &b, &err), -1);
    assert_error(&err, "test.yaml", 4, 4, "d", "expected true or false, got 'yes'");
    assert_int_equal(ydoc_read_bool(root, "e", &b, &err), -1);
    assert_string_equal(err.msg, "expected true or false, got '1'");
    assert_int_equal(ydoc_read_bool(root, "f", &b, &err), -1);
    assert_string_equal(err.msg, "expected true or false, got a list");
    assert_false(b);
    ydoc_free(doc);
}

static void read_str_returns_scalar_text(void **state)
{
    (void)state;
    struct ydoc *doc = load("name: \"quoted: text\"\nnum: 3\nlist: [a]\n");
    struct ydoc_node *root = ydoc_root(doc);
    struct error err;
    const char *s = NULL;
    assert_int_equal(ydoc_read_str(root, "name", &s, &err), 0);
    assert_string_equal(s, "quoted: text");
    assert_ptr_equal(s, ydoc_text(ydoc_get(root, "name")));
    assert_int_equal(ydoc_read_str(root, "num", &s, &err), 0);
    assert_string_equal(s, "3");
    assert_int_equal(ydoc_read_str(root, "list", &s, &err), -1);
    assert_error(&err, "test.yaml", 3, 7, "list", "expected a string, got a list");
    assert_string_equal(s, "3");
    ydoc_free(doc);
}

static void read_enum_finds_the_index_or_suggests(void **state)
{
    (void)state;
    struct ydoc *doc = load("a: uniform\nb: poison\nc: zzz\nd: {x: 1}\n");
    struct ydoc_node *root = ydoc_root(doc);
    const char *const names[] = {"poisson", "uniform", "trace"};
    struct error err;
    int e = -1;
    assert_int_equal(ydoc_read_enum(root, "a", names, 3, &e, &err), 0);
    assert_int_equal(e, 1);
    assert_int_equal(ydoc_read_enum(root, "b", names, 3, &e, &err), -1);
    assert_error(&err, "test.yaml", 2, 4, "b",
                 "expected one of poisson, uniform, trace, got 'poison' (did you mean 'poisson'?)");
    assert_int_equal(ydoc_read_enum(root, "c", names, 3, &e, &err), -1);
    assert_string_equal(err.msg, "expected one of poisson, uniform, trace, got 'zzz'");
    assert_int_equal(ydoc_read_enum(root, "d", names, 3, &e, &err), -1);
    assert_string_equal(err.msg, "expected one of poisson, uniform, trace, got a map");
    assert_int_equal(e, 1);
    ydoc_free(doc);
}

static void require_names_a_misspelt_key_rather_than_a_missing_one(void **state)
{
    (void)state;
    struct ydoc *doc = load("arrival:\n  process: poisson\n  rate_rsp: 2\n");
    struct ydoc_node *arrival = at(doc, "arrival", NULL), *out = NULL;
    struct error err;
    assert_int_equal(ydoc_require(arrival, "rate_rps", &out, &err), -1);
    assert_null(out);
    assert_error(&err, "test.yaml", 3, 3, "arrival.rate_rsp",
                 "unknown key 'rate_rsp' (did you mean 'rate_rps'?)");
    /* An entry already read is not a misspelling of another key. */
    assert_non_null(ydoc_get(arrival, "rate_rsp"));
    assert_int_equal(ydoc_require(arrival, "rate_rps", &out, &err), -1);
    assert_string_equal(err.msg, "missing required key 'rate_rps'");
    ydoc_free(doc);
}

static void require_and_expect_name_what_is_missing(void **state)
{
    (void)state;
    struct ydoc *doc = load("workload:\n  arrival: {process: poisson}\n  list: [1]\n  n: 3\n");
    struct ydoc_node *workload = at(doc, "workload", NULL), *arrival, *out = NULL;
    struct error err;
    assert_int_equal(ydoc_require(workload, "arrival", &arrival, &err), 0);
    assert_int_equal(ydoc_expect(arrival, YDOC_MAP, &err), 0);
    assert_int_equal(ydoc_require(arrival, "rate_rps", &out, &err), -1);
    assert_null(out);
    assert_error(&err, "test.yaml", 2, 12, "workload.arrival", "missing required key 'rate_rps'");
    assert_int_equal(ydoc_require(NULL, "rate_rps", &out, &err), -1);
    assert_error(&err, "", 0, 0, "", "missing required key 'rate_rps'");

    assert_int_equal(ydoc_expect(ydoc_get(workload, "list"), YDOC_MAP, &err), -1);
    assert_error(&err, "test.yaml", 3, 9, "workload.list", "expected a map, got a list");
    assert_int_equal(ydoc_expect(ydoc_get(workload, "n"), YDOC_SEQ, &err), -1);
    assert_string_equal(err.msg, "expected a list, got '3'");
    assert_int_equal(ydoc_expect(workload, YDOC_SCALAR, &err), -1);
    assert_string_equal(err.msg, "expected a scalar, got a map");
    ydoc_free(doc);
}

static void converters_read_list_items(void **state)
{
    (void)state;
    struct ydoc *doc = load("values: [1.5, 2, x, -4]\n");
    struct ydoc_node *values = at(doc, "values", NULL);
    struct error err;
    double x = 0;
    int64_t i = 0;
    assert_int_equal(ydoc_as_f64(ydoc_item(values, 0), RANGE_POSITIVE, &x, &err), 0);
    assert_true(x == 1.5);
    assert_int_equal(ydoc_as_i64(ydoc_item(values, 1), 0, 10, &i, &err), 0);
    assert_int_equal(i, 2);
    assert_int_equal(ydoc_as_f64(ydoc_item(values, 2), RANGE_POSITIVE, &x, &err), -1);
    assert_error(&err, "test.yaml", 1, 18, "values[2]", "expected a number > 0, got 'x'");
    assert_int_equal(ydoc_as_i64(ydoc_item(values, 3), 0, 10, &i, &err), -1);
    assert_error(&err, "test.yaml", 1, 21, "values[3]", "expected an integer in [0, 10], got '-4'");
    assert_int_equal(ydoc_as_f64(values, RANGE_ANY, &x, &err), -1);
    assert_string_equal(err.msg, "expected a number, got a list");
    assert_true(x == 1.5);
    assert_int_equal(i, 2);
    ydoc_free(doc);
}

/* --- ydoc_set and ydoc_set_node --- */

static void set_replaces_a_value_and_reports_its_origin(void **state)
{
    (void)state;
    struct ydoc *doc = load("cloud:\n  slots: 256\n");
    struct error err;
    assert_int_equal(ydoc_set(doc, "cloud.slots=8", "--set", &err), 0);
    struct ydoc_node *slots = at(doc, "cloud", "slots");
    assert_string_equal(ydoc_text(slots), "8");
    assert_mark(slots, "--set", 1, 13);
    assert_path(slots, "cloud.slots");
    assert_int_equal(ydoc_len(at(doc, "cloud", NULL)), 1);
    ydoc_free(doc);
}

static void set_parses_the_value_as_yaml(void **state)
{
    (void)state;
    struct ydoc *doc = load("workload:\n  prompt_tokens: 200\n");
    struct error err;
    assert_int_equal(
        ydoc_set(doc, "workload.prompt_tokens={dist: exponential, mean: 3}", "--set", &err), 0);
    struct ydoc_node *prompt = at(doc, "workload", "prompt_tokens");
    assert_int_equal(ydoc_kind(prompt), YDOC_MAP);
    assert_mark(prompt, "--set", 1, 24);
    assert_string_equal(ydoc_text(ydoc_get(prompt, "dist")), "exponential");
    assert_mark(ydoc_get(prompt, "mean"), "--set", 1, 50);
    assert_path(ydoc_get(prompt, "mean"), "workload.prompt_tokens.mean");

    assert_int_equal(ydoc_set(doc, "workload.values=[1, 2]", "--set", &err), 0);
    assert_int_equal(ydoc_kind(at(doc, "workload", "values")), YDOC_SEQ);
    assert_int_equal(ydoc_len(at(doc, "workload", "values")), 2);
    assert_int_equal(ydoc_set(doc, "workload.label=a=b", "--set", &err), 0);
    assert_string_equal(ydoc_text(at(doc, "workload", "label")), "a=b");
    ydoc_free(doc);
}

static void set_with_empty_value_makes_an_empty_string(void **state)
{
    (void)state;
    struct ydoc *doc = load("name: demo\n");
    struct error err;
    assert_int_equal(ydoc_set(doc, "name=", "cli", &err), 0);
    struct ydoc_node *name = at(doc, "name", NULL);
    assert_int_equal(ydoc_kind(name), YDOC_SCALAR);
    assert_string_equal(ydoc_text(name), "");
    assert_mark(name, "cli", 1, 6);
    ydoc_free(doc);
}

static void set_creates_missing_maps(void **state)
{
    (void)state;
    struct ydoc *doc = load("seed: 1\n");
    struct error err;
    assert_int_equal(ydoc_set(doc, "cloud.model.decode_tok_s=81", "--set", &err), 0);
    struct ydoc_node *cloud = at(doc, "cloud", NULL);
    assert_int_equal(ydoc_kind(cloud), YDOC_MAP);
    struct ydoc_node *decode = ydoc_get(ydoc_get(cloud, "model"), "decode_tok_s");
    assert_string_equal(ydoc_text(decode), "81");
    assert_path(decode, "cloud.model.decode_tok_s");
    assert_mark(decode, "--set", 1, 26);
    /* Nobody read "cloud" in the original, so it is reported, at its place in the --set. */
    struct ydoc *fresh = load("seed: 1\n");
    assert_int_equal(ydoc_set(fresh, "cloud.slots=3", "--set", &err), 0);
    ydoc_get(ydoc_root(fresh), "seed");
    assert_int_equal(ydoc_check_unused(fresh, &err), -1);
    assert_error(&err, "--set", 1, 1, "cloud", "unknown key 'cloud'");
    ydoc_get(ydoc_root(fresh), "cloud");
    assert_int_equal(ydoc_check_unused(fresh, &err), -1);
    assert_error(&err, "--set", 1, 7, "cloud.slots", "unknown key 'slots'");
    ydoc_free(fresh);
    ydoc_free(doc);
}

static void set_indexes_existing_list_items_only(void **state)
{
    (void)state;
    struct ydoc *doc = load("variants:\n  - name: a\n  - name: b\nlist: [1, 2]\n");
    struct error err;
    assert_int_equal(ydoc_set(doc, "variants[1].name=z", "--set", &err), 0);
    assert_string_equal(ydoc_text(ydoc_get(ydoc_item(at(doc, "variants", NULL), 1), "name")), "z");
    assert_int_equal(ydoc_set(doc, "list[0]=9", "--set", &err), 0);
    assert_string_equal(ydoc_text(ydoc_item(at(doc, "list", NULL), 0)), "9");
    assert_path(ydoc_item(at(doc, "list", NULL), 0), "list[0]");

    assert_int_equal(ydoc_set(doc, "variants[2].name=z", "--set", &err), -1);
    assert_error(&err, "--set", 1, 9, "", "'variants' has 2 items, cannot set 'variants[2].name'");
    assert_int_equal(ydoc_set(doc, "missing[0]=1", "--set", &err), -1);
    assert_error(&err, "--set", 1, 1, "", "'missing' does not exist, cannot set 'missing[0]'");
    assert_int_equal(ydoc_set(doc, "variants.name=z", "--set", &err), -1);
    assert_error(&err, "--set", 1, 10, "", "'variants' is a list, cannot set 'variants.name'");
    assert_int_equal(ydoc_set(doc, "variants[0][1]=z", "--set", &err), -1);
    assert_error(&err, "--set", 1, 12, "", "'variants[0]' is a map, cannot set 'variants[0][1]'");
    ydoc_free(doc);
}

static void set_refuses_to_go_through_a_scalar(void **state)
{
    (void)state;
    struct ydoc *doc = load("cloud: 5\n");
    struct error err;
    assert_int_equal(ydoc_set(doc, "cloud.slots=8", "--set", &err), -1);
    assert_error(&err, "--set", 1, 7, "", "'cloud' is a scalar, cannot set 'cloud.slots'");
    assert_string_equal(ydoc_text(at(doc, "cloud", NULL)), "5");
    ydoc_free(doc);

    doc = load("[1, 2]\n");
    assert_int_equal(ydoc_set(doc, "a=1", "--set", &err), -1);
    assert_string_equal(err.msg, "the document root is a list, cannot set 'a'");
    ydoc_free(doc);
}

static void set_rejects_malformed_assignments(void **state)
{
    (void)state;
    struct ydoc *doc = load("a: {b: 1}\n");
    struct error err;
    const struct {
        const char *text;
        int col;
        const char *msg;
    } cases[] = {
        {"a.b", 1, "expected PATH=VALUE (such as cloud.slots=8), got 'a.b'"},
        {"=3", 1, "expected PATH=VALUE (such as cloud.slots=8), got '=3'"},
        {"a..b=1", 3, "malformed key path 'a..b': expected a key"},
        {"a.=1", 3, "malformed key path 'a.': expected a key"},
        {".a=1", 1, "malformed key path '.a': expected a key"},
        {"a[x]=1", 3, "malformed key path 'a[x]': expected [INDEX] with a decimal index"},
        {"a[1=1", 4, "malformed key path 'a[1': expected [INDEX] with a decimal index"},
        {"a[]=1", 3, "malformed key path 'a[]': expected [INDEX] with a decimal index"},
        {"a]=1", 2, "malformed key path 'a]': expected '.' or '['"},
        {"a[0]b=1", 5, "malformed key path 'a[0]b': expected '.' or '['"},
        {"[0]=1", 1, "malformed key path '[0]': expected a key"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        error_clear(&err);
        assert_int_equal(ydoc_set(doc, cases[i].text, "--set", &err), -1);
        assert_error(&err, "--set", 1, cases[i].col, "", cases[i].msg);
    }
    assert_int_equal(ydoc_len(ydoc_root(doc)), 1);
    assert_string_equal(ydoc_text(at(doc, "a", "b")), "1");
    ydoc_free(doc);
}

static void set_value_syntax_error_is_located_in_the_assignment(void **state)
{
    (void)state;
    struct ydoc *doc = load("a: 1\n");
    struct error err;
    assert_int_equal(ydoc_set(doc, "a.b={c: [1}", "--set", &err), -1);
    assert_string_equal(err.file, "--set");
    assert_string_equal(err.path, "a.b");
    assert_int_equal(err.line, 1);
    assert_int_equal(err.col, 11); /* the '}' that cannot close the list */
    assert_non_null(strstr(err.msg, "(while parsing a flow sequence at line 1, column 9)"));
    assert_int_equal(ydoc_set(doc, "a=  ", "--set", &err), -1);
    assert_error(&err, "--set", 0, 0, "a", "empty document");
    assert_string_equal(ydoc_text(at(doc, "a", NULL)), "1");
    ydoc_free(doc);
}

static void set_node_copies_from_another_document(void **state)
{
    (void)state;
    struct ydoc *doc = load("cloud:\n  slots: 256\n");
    struct error err;
    error_clear(&err);
    struct ydoc *other =
        ydoc_load_string("model: {decode_tok_s: 81}\nslots: 4\n", "variant.yaml", &err);
    assert_non_null(other);
    struct ydoc_node *model = at(other, "model", NULL);
    assert_int_equal(ydoc_set_node(doc, "cloud.model", model, &err), 0);
    assert_int_equal(ydoc_set_node(doc, "cloud.slots", at(other, "slots", NULL), &err), 0);
    assert_int_equal(ydoc_set_node(doc, "edge.model", model, &err), 0);
    ydoc_free(other); /* the copies must not depend on it */

    struct ydoc_node *copy = at(doc, "cloud", "model");
    assert_int_equal(ydoc_kind(copy), YDOC_MAP);
    assert_mark(copy, "variant.yaml", 1, 8);
    assert_path(copy, "cloud.model");
    struct ydoc_node *decode = ydoc_get(copy, "decode_tok_s");
    assert_string_equal(ydoc_text(decode), "81");
    assert_mark(decode, "variant.yaml", 1, 23);
    assert_path(decode, "cloud.model.decode_tok_s");
    assert_string_equal(ydoc_text(at(doc, "cloud", "slots")), "4");
    assert_mark(at(doc, "cloud", "slots"), "variant.yaml", 2, 8);
    assert_string_equal(ydoc_text(ydoc_get(at(doc, "edge", "model"), "decode_tok_s")), "81");
    ydoc_free(doc);
}

static void set_node_errors_are_located_at_the_value(void **state)
{
    (void)state;
    struct ydoc *doc = load("cloud: 5\n");
    struct ydoc *variants = load("variants:\n  - set: {cloud.slots: 8, a..b: 1}\n");
    struct ydoc_node *set = ydoc_get(ydoc_item(at(variants, "variants", NULL), 0), "set");
    struct error err;
    assert_int_equal(ydoc_set_node(doc, ydoc_entry_key(set, 0), ydoc_entry_value(set, 0), &err),
                     -1);
    assert_error(&err, "test.yaml", 2, 24, "variants[0].set.cloud.slots",
                 "'cloud' is a scalar, cannot set 'cloud.slots'");
    assert_int_equal(ydoc_set_node(doc, ydoc_entry_key(set, 1), ydoc_entry_value(set, 1), &err),
                     -1);
    assert_error(&err, "test.yaml", 2, 33, "variants[0].set.a..b",
                 "malformed key path 'a..b': expected a key at character 3");
    assert_string_equal(ydoc_text(at(doc, "cloud", NULL)), "5");
    ydoc_free(variants);
    ydoc_free(doc);
}

/* --- unknown keys --- */

static void check_unused_suggests_a_known_key(void **state)
{
    (void)state;
    struct ydoc *doc = load("seed: 1\nnetwork:\n  up_mbps: 6\n  rtt_sm: 50\n");
    struct ydoc_node *root = ydoc_root(doc);
    struct error err;
    ydoc_get(root, "seed");
    struct ydoc_node *net = ydoc_get(root, "network");
    ydoc_get(net, "up_mbps");
    ydoc_get(net, "rtt_ms");
    ydoc_get(net, "down_mbps");
    assert_int_equal(ydoc_check_unused(doc, &err), -1);
    assert_error(&err, "test.yaml", 4, 3, "network.rtt_sm",
                 "unknown key 'rtt_sm' (did you mean 'rtt_ms'?)");
    char buf[1024];
    error_format(&err, buf, sizeof buf);
    assert_string_equal(
        buf, "test.yaml:4:3: network.rtt_sm: unknown key 'rtt_sm' (did you mean 'rtt_ms'?)");
    ydoc_free(doc);
}

static void check_unused_without_a_close_key_has_no_suggestion(void **state)
{
    (void)state;
    struct ydoc *doc = load("seed: 1\nbanana: 2\n");
    ydoc_get(ydoc_root(doc), "seed");
    struct error err;
    assert_int_equal(ydoc_check_unused(doc, &err), -1);
    assert_error(&err, "test.yaml", 2, 1, "banana", "unknown key 'banana'");
    ydoc_free(doc);
}

static void check_unused_reports_the_outermost_first_in_document_order(void **state)
{
    (void)state;
    struct ydoc *doc = load("a: 1\n"
                            "extra:\n"
                            "  inner: 2\n"
                            "b: {cost: 1, zone: 2}\n"
                            "later: 3\n");
    struct ydoc_node *root = ydoc_root(doc);
    struct error err;
    ydoc_get(root, "a");
    ydoc_get(ydoc_get(root, "b"), "cost");
    /* "extra" comes first and is reported itself, not its entry "inner". */
    assert_int_equal(ydoc_check_unused(doc, &err), -1);
    assert_error(&err, "test.yaml", 2, 1, "extra", "unknown key 'extra'");
    /* Once "extra" is read, the walk descends into it. */
    ydoc_get(root, "extra");
    assert_int_equal(ydoc_check_unused(doc, &err), -1);
    assert_error(&err, "test.yaml", 3, 3, "extra.inner", "unknown key 'inner'");
    ydoc_get(at(doc, "extra", NULL), "inner");
    assert_int_equal(ydoc_check_unused(doc, &err), -1);
    assert_error(&err, "test.yaml", 4, 14, "b.zone", "unknown key 'zone'");
    ydoc_get(at(doc, "b", NULL), "zone");
    assert_int_equal(ydoc_check_unused(doc, &err), -1);
    assert_error(&err, "test.yaml", 5, 1, "later", "unknown key 'later'");
    ydoc_get(root, "later");
    error_clear(&err);
    assert_int_equal(ydoc_check_unused(doc, &err), 0);
    assert_string_equal(err.msg, "");
    ydoc_free(doc);
}

static void check_unused_descends_into_list_items(void **state)
{
    (void)state;
    struct ydoc *doc = load("variants:\n  - name: a\n  - name: b\n    nmae: c\n");
    struct ydoc_node *list = at(doc, "variants", NULL);
    for (size_t i = 0; i < ydoc_len(list); i++)
        ydoc_get(ydoc_item(list, i), "name");
    struct error err;
    assert_int_equal(ydoc_check_unused(doc, &err), -1);
    assert_error(&err, "test.yaml", 4, 5, "variants[1].nmae",
                 "unknown key 'nmae' (did you mean 'name'?)");
    ydoc_free(doc);
}

static void entry_value_marks_used_but_entry_key_does_not(void **state)
{
    (void)state;
    struct ydoc *doc = load("set: {a: 1, b: 2}\n");
    struct ydoc_node *set = at(doc, "set", NULL);
    struct error err;
    assert_string_equal(ydoc_entry_key(set, 0), "a");
    assert_string_equal(ydoc_entry_key(set, 1), "b");
    assert_int_equal(ydoc_check_unused(doc, &err), -1);
    assert_string_equal(err.path, "set.a");
    assert_string_equal(ydoc_text(ydoc_entry_value(set, 0)), "1");
    assert_int_equal(ydoc_check_unused(doc, &err), -1);
    assert_string_equal(err.path, "set.b");
    assert_string_equal(ydoc_text(ydoc_entry_value(set, 1)), "2");
    assert_null(ydoc_entry_value(set, 2));
    assert_int_equal(ydoc_check_unused(doc, &err), 0);
    ydoc_free(doc);
}

static void merge_keys_are_reported_as_unknown(void **state)
{
    (void)state;
    struct ydoc *doc = load("base: &b {x: 1}\nuse:\n  <<: *b\n  yield: 2\n");
    ydoc_get(ydoc_root(doc), "base");
    ydoc_get(ydoc_root(doc), "use");
    ydoc_get(at(doc, "base", NULL), "x");
    ydoc_get(at(doc, "use", NULL), "yield");
    struct error err;
    assert_int_equal(ydoc_check_unused(doc, &err), -1);
    assert_error(&err, "test.yaml", 3, 3, "use.<<", "unknown key '<<'");
    ydoc_free(doc);
}

/* --- clone --- */

static void clone_is_deep_and_independent(void **state)
{
    (void)state;
    struct ydoc *doc = load(demo_text);
    struct ydoc_node *root = ydoc_root(doc);
    ydoc_get(root, "name");
    ydoc_get(ydoc_get(root, "workload"), "rat"); /* known but absent: drives the suggestion */
    struct ydoc *copy = ydoc_clone(doc);
    assert_non_null(copy);
    assert_ptr_not_equal(ydoc_root(copy), root);
    struct error err;
    assert_int_equal(ydoc_set(copy, "workload.rate=9", "--set", &err), 0);
    assert_string_equal(ydoc_text(at(doc, "workload", "rate")), "2.5");
    ydoc_free(doc); /* the copy must not share anything with the original */

    /* Marks and paths came along. */
    struct ydoc_node *mean = ydoc_get(at(copy, "workload", "prompt_tokens"), "mean");
    assert_mark(mean, "test.yaml", 3, 42);
    assert_path(mean, "workload.prompt_tokens.mean");
    assert_string_equal(ydoc_text(at(copy, "workload", "rate")), "9");
    ydoc_free(copy);
}

static void clone_keeps_used_flags_and_known_keys(void **state)
{
    (void)state;
    struct ydoc *doc = load("name: x\nnetwork: {rtt_sm: 1}\n");
    ydoc_get(ydoc_root(doc), "name");
    ydoc_get(ydoc_root(doc), "network");
    ydoc_get(at(doc, "network", NULL), "rtt_ms");
    struct ydoc *copy = ydoc_clone(doc);
    assert_non_null(copy);
    ydoc_free(doc);
    /* Nothing read on the copy, yet "name" and "network" count as used and "rtt_ms" is
     * still known on the network map. */
    struct error err;
    assert_int_equal(ydoc_check_unused(copy, &err), -1);
    assert_error(&err, "test.yaml", 2, 11, "network.rtt_sm",
                 "unknown key 'rtt_sm' (did you mean 'rtt_ms'?)");
    ydoc_free(copy);
}

/* --- the error record and range phrases, as ydoc messages use them --- */

static void error_format_omits_unknown_parts(void **state)
{
    (void)state;
    struct error err;
    char buf[1200];
    assert_int_equal(error_set(&err, "a.yaml", 3, 7, "cloud.slots", "bad %d", 5), -1);
    error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "a.yaml:3:7: cloud.slots: bad 5");
    error_set(&err, "a.yaml", 3, 0, NULL, "no column");
    error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "a.yaml:3: no column");
    error_set(&err, "a.yaml", 0, 0, "", "no line");
    error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "a.yaml: no line");
    error_set(&err, NULL, 0, 0, "seed", "no file");
    error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "seed: no file");
    error_set(&err, NULL, 0, 0, NULL, "just the message");
    error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "just the message");
    char small[8];
    error_set(&err, "a.yaml", 3, 7, NULL, "long");
    error_format(&err, small, sizeof small);
    assert_string_equal(small, "a.yaml:");
    error_clear(&err);
    assert_string_equal(err.msg, "");
    assert_int_equal(err.line, 0);
}

static void error_set_may_quote_the_record_it_fills(void **state)
{
    (void)state;
    struct error err;
    error_set(&err, "a.yaml", 1, 2, "p", "inner");
    error_set(&err, err.file, err.line, err.col, err.path, "outer: %s", err.msg);
    assert_error(&err, "a.yaml", 1, 2, "p", "outer: inner");
}

static void range_phrases_and_membership(void **state)
{
    (void)state;
    char buf[64];
    range_describe(RANGE_POSITIVE, buf, sizeof buf);
    assert_string_equal(buf, "a number > 0");
    range_describe(RANGE_NONNEGATIVE, buf, sizeof buf);
    assert_string_equal(buf, "a number >= 0");
    range_describe(RANGE_UNIT, buf, sizeof buf);
    assert_string_equal(buf, "a number in [0, 1]");
    range_describe((struct range){0, 1, true, false}, buf, sizeof buf);
    assert_string_equal(buf, "a number in (0, 1]");
    range_describe((struct range){0.5, 1e6, false, true}, buf, sizeof buf);
    assert_string_equal(buf, "a number in [0.5, 1e+06)");
    range_describe(RANGE_ANY, buf, sizeof buf);
    assert_string_equal(buf, "any number");
    range_describe((struct range){-INFINITY, 3, false, false}, buf, sizeof buf);
    assert_string_equal(buf, "a number <= 3");

    assert_false(range_contains(RANGE_POSITIVE, 0));
    assert_true(range_contains(RANGE_POSITIVE, 1e-300));
    assert_true(range_contains(RANGE_NONNEGATIVE, 0));
    assert_true(range_contains(RANGE_UNIT, 1));
    assert_false(range_contains(RANGE_UNIT, 1.0000001));
    assert_false(range_contains((struct range){0, 1, false, true}, 1));
    assert_false(range_contains(RANGE_ANY, NAN));
    assert_true(range_contains(RANGE_ANY, INFINITY));
    assert_false(range_contains((struct range){0, INFINITY, false, true}, INFINITY));
    assert_true(range_contains(RANGE_CLOSED(-2, 2), -2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loads_a_tree_with_marks_and_paths),
        cmocka_unit_test(kinds_have_names_and_nothing_reads_as_empty),
        cmocka_unit_test(path_is_truncated_to_the_buffer),
        cmocka_unit_test(loads_a_file_and_reports_its_directory),
        cmocka_unit_test(missing_file_is_an_error_naming_it),
        cmocka_unit_test(empty_document_is_an_error),
        cmocka_unit_test(several_documents_are_an_error),
        cmocka_unit_test(syntax_error_carries_line_and_column),
        cmocka_unit_test(invalid_utf8_is_located),
        cmocka_unit_test(duplicate_key_is_an_error_at_the_second_key),
        cmocka_unit_test(non_scalar_key_is_an_error),
        cmocka_unit_test(aliases_are_resolved_by_copying),
        cmocka_unit_test(bad_aliases_are_errors),
        cmocka_unit_test(alias_bombs_and_deep_nesting_are_refused),
        cmocka_unit_test(read_f64_accepts_decimal_numbers),
        cmocka_unit_test(readers_leave_absent_keys_and_null_maps_alone),
        cmocka_unit_test(read_f64_rejects_wrong_types_and_ranges),
        cmocka_unit_test(non_decimal_and_non_finite_numbers_are_rejected),
        cmocka_unit_test(long_texts_are_shortened_in_messages),
        cmocka_unit_test(read_i64_accepts_decimal_integers_only),
        cmocka_unit_test(read_bool_accepts_yaml_1_2_words_only),
        cmocka_unit_test(read_str_returns_scalar_text),
        cmocka_unit_test(read_enum_finds_the_index_or_suggests),
        cmocka_unit_test(require_and_expect_name_what_is_missing),
        cmocka_unit_test(require_names_a_misspelt_key_rather_than_a_missing_one),
        cmocka_unit_test(converters_read_list_items),
        cmocka_unit_test(set_replaces_a_value_and_reports_its_origin),
        cmocka_unit_test(set_parses_the_value_as_yaml),
        cmocka_unit_test(set_with_empty_value_makes_an_empty_string),
        cmocka_unit_test(set_creates_missing_maps),
        cmocka_unit_test(set_indexes_existing_list_items_only),
        cmocka_unit_test(set_refuses_to_go_through_a_scalar),
        cmocka_unit_test(set_rejects_malformed_assignments),
        cmocka_unit_test(set_value_syntax_error_is_located_in_the_assignment),
        cmocka_unit_test(set_node_copies_from_another_document),
        cmocka_unit_test(set_node_errors_are_located_at_the_value),
        cmocka_unit_test(check_unused_suggests_a_known_key),
        cmocka_unit_test(check_unused_without_a_close_key_has_no_suggestion),
        cmocka_unit_test(check_unused_reports_the_outermost_first_in_document_order),
        cmocka_unit_test(check_unused_descends_into_list_items),
        cmocka_unit_test(entry_value_marks_used_but_entry_key_does_not),
        cmocka_unit_test(merge_keys_are_reported_as_unknown),
        cmocka_unit_test(clone_is_deep_and_independent),
        cmocka_unit_test(clone_keeps_used_flags_and_known_keys),
        cmocka_unit_test(error_format_omits_unknown_parts),
        cmocka_unit_test(error_set_may_quote_the_record_it_fills),
        cmocka_unit_test(range_phrases_and_membership),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
