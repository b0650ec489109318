/* error: filling and formatting the error record (see error.h). */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void error_clear(struct error *err)
{
    memset(err, 0, sizeof *err);
}

int error_set(struct error *err, const char *file, int line, int col, const char *path,
              const char *fmt, ...)
{
    if (!err)
        return -1;
    /* Format into locals first: the arguments may point into *err itself (a caller adding
     * context to an earlier message). */
    struct error out = {.line = line > 0 ? line : 0, .col = col > 0 ? col : 0};
    snprintf(out.file, sizeof out.file, "%s", file ? file : "");
    snprintf(out.path, sizeof out.path, "%s", path ? path : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out.msg, sizeof out.msg, fmt, ap);
    va_end(ap);
    *err = out;
    return -1;
}

void error_format(const struct error *err, char *buf, size_t len)
{
    if (len == 0)
        return;
    char where[sizeof err->file + 32];
    int n = snprintf(where, sizeof where, "%s", err->file);
    if (err->line > 0) {
        n += snprintf(where + n, sizeof where - (size_t)n, "%s%d", n > 0 ? ":" : "", err->line);
        if (err->col > 0)
            snprintf(where + n, sizeof where - (size_t)n, ":%d", err->col);
    }
    snprintf(buf, len, "%s%s%s%s%s", where, where[0] ? ": " : "", err->path,
             err->path[0] ? ": " : "", err->msg);
}
