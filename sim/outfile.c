/* outfile: write-then-rename output files (see outfile.h). */
#include "outfile.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int outfile_mkdirs(const char *dir, struct error *err)
{
    char path[1024];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return error_set(err, dir, 0, 0, NULL, "output directory path is too long");
    for (char *p = path + 1;; p++) {
        char c = *p;
        if (c != '/' && c != '\0')
            continue;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return error_set(err, path, 0, 0, NULL, "cannot create directory: %s", strerror(errno));
        *p = c;
        if (c == '\0')
            break;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return error_set(err, dir, 0, 0, NULL, "not a directory");
    return 0;
}

int outfile_open(struct outfile *out, const char *dir, const char *name, struct error *err)
{
    memset(out, 0, sizeof *out);
    if (snprintf(out->path, sizeof out->path, "%s/%s", dir, name) >= (int)sizeof out->path)
        return error_set(err, dir, 0, 0, NULL, "output path is too long");
    snprintf(out->partial, sizeof out->partial, "%s.partial", out->path);
    if (!(out->f = fopen(out->partial, "w")))
        return error_set(err, out->partial, 0, 0, NULL, "cannot write: %s", strerror(errno));
    return 0;
}

int outfile_commit(struct outfile *out, struct error *err)
{
    int failed = ferror(out->f) != 0;
    failed |= fclose(out->f) != 0;
    out->f = NULL;
    if (!failed && rename(out->partial, out->path) == 0)
        return 0;
    int saved = errno;
    unlink(out->partial);
    return error_set(err, out->path, 0, 0, NULL, "cannot write: %s", strerror(saved));
}

void outfile_abort(struct outfile *out)
{
    if (out->f) {
        fclose(out->f);
        out->f = NULL;
    }
    if (out->partial[0])
        unlink(out->partial);
}
