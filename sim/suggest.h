/* suggest: "did you mean" for misspelt names (scenario keys, policy names, ...).
 * Uses the optimal-string-alignment (Damerau-Levenshtein) distance. */
#ifndef HAISIM_SUGGEST_H
#define HAISIM_SUGGEST_H

#include <stddef.h>

/* Edit distance between a and b (insert, delete, substitute, swap adjacent), case-sensitive. */
size_t suggest_distance(const char *a, const char *b);

/* Returns the candidate closest to word, or NULL when none is close enough
 * (distance greater than max(2, strlen(word)/3)) or n is 0. Ties go to the earlier
 * candidate, so the answer is deterministic. */
const char *suggest_closest(const char *word, const char *const *candidates, size_t n);

#endif
