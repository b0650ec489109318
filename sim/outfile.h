/* outfile: output files that appear complete or not at all.
 *
 * Content is written to "NAME.partial" beside the final path and renamed over it only
 * after a successful flush and close, so an interrupted or failed run never leaves a file
 * that looks complete; outfile_abort removes the partial file. */
#ifndef HAISIM_OUTFILE_H
#define HAISIM_OUTFILE_H

#include <stdio.h>

#include "error.h"

struct outfile {
    FILE *f;
    char path[1024];
    char partial[1040];
};

/* Creates dir (and its parents) if needed; -1 with err filled on failure. */
int outfile_mkdirs(const char *dir, struct error *err);

/* Opens dir/name for writing through a partial file. */
int outfile_open(struct outfile *out, const char *dir, const char *name, struct error *err);
/* Flushes, closes and renames into place; -1 (and the partial file removed) on I/O error. */
int outfile_commit(struct outfile *out, struct error *err);
/* Closes and removes the partial file. Safe to call on a never-opened (zeroed) outfile. */
void outfile_abort(struct outfile *out);

#endif
