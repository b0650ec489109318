/* suggest: optimal-string-alignment distance and "did you mean" (see suggest.h). */
#include "suggest.h"

#include <stdlib.h>
#include <string.h>

static size_t suggest_min3(size_t a, size_t b, size_t c)
{
    size_t m = a < b ? a : b;
    return m < c ? m : c;
}

size_t suggest_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la == 0 || lb == 0)
        return la + lb;
    /* Three rolling rows of the dynamic-programming table: i-2, i-1 and i. Names are short,
     * so a stack buffer covers the usual case. */
    enum { SMALL = 64 };
    size_t small[3 * SMALL];
    size_t *rows = lb + 1 <= SMALL ? small : malloc(3 * (lb + 1) * sizeof rows[0]);
    if (!rows)
        return la > lb ? la : lb; /* out of memory: an upper bound, never a false match */
    size_t *two = rows, *prev = rows + (lb + 1), *cur = rows + 2 * (lb + 1);
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            cur[j] = suggest_min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
            /* OSA: a swap of two adjacent characters costs one edit. */
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                two[j - 2] + 1 < cur[j])
                cur[j] = two[j - 2] + 1;
        }
        size_t *t = two;
        two = prev;
        prev = cur;
        cur = t;
    }
    size_t d = prev[lb];
    if (rows != small)
        free(rows);
    return d;
}

const char *suggest_closest(const char *word, const char *const *candidates, size_t n)
{
    size_t limit = strlen(word) / 3;
    if (limit < 2)
        limit = 2;
    const char *best = NULL;
    size_t best_d = limit + 1;
    for (size_t i = 0; i < n; i++) {
        if (!candidates[i])
            continue;
        size_t d = suggest_distance(word, candidates[i]);
        if (d < best_d) { /* strict: ties keep the earlier candidate */
            best = candidates[i];
            best_d = d;
        }
    }
    return best;
}
