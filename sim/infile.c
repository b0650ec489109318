/* infile: opening regular input files (see infile.h). */
#include "infile.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

FILE *infile_open(const char *path, const char *mode, const char **why)
{
    FILE *f = fopen(path, mode);
    if (!f) {
        *why = strerror(errno);
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        *why = S_ISDIR(st.st_mode) ? "is a directory" : "is not a regular file";
        fclose(f);
        return NULL;
    }
    return f;
}
