/* error: the error record that library code fills and only main() prints.
 *
 * Errors are values (STYLE rule 4): a function that can fail on user input returns
 * a negative status and fills a struct error with the message, where it was found
 * (file:line:column, 1-based; 0 when unknown) and the key path inside the scenario
 * ("cloud.slots", "variants[1].set"). Nothing here allocates. */
#ifndef HAISIM_ERROR_H
#define HAISIM_ERROR_H

#include <stddef.h>

struct error {
    char file[256]; /* source of the bad input; "" when not from a file */
    int line;       /* 1-based; 0 when unknown */
    int col;        /* 1-based; 0 when unknown */
    char path[256]; /* key path inside the document; "" when none */
    char msg[768];  /* what was expected and what was found */
};

/* Clears the record (an empty msg means "no error"). */
void error_clear(struct error *err);

/* Fills the record; file and path may be NULL. Always returns -1 so that callers can
 * write `return error_set(err, ...);`. */
int error_set(struct error *err, const char *file, int line, int col, const char *path,
              const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Formats "FILE:LINE:COL: PATH: MSG" (omitting the parts that are unknown) into buf. */
void error_format(const struct error *err, char *buf, size_t len);

#endif
