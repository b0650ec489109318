/* infile: opening input files (scenarios, traces, CSV data) that must be regular files.
 *
 * A device such as /dev/zero or /dev/urandom, or a FIFO, never ends: a loader that reads it
 * whole would grow without bound (found by fuzzing, docs/fuzzing.md). Directories give
 * confusing read errors. Both are refused here, before any byte is read. */
#ifndef HAISIM_INFILE_H
#define HAISIM_INFILE_H

#include <stdio.h>

/* fopen(path, mode) for a regular file. On failure returns NULL and sets *why to the
 * reason (strerror text, "is a directory" or "is not a regular file"). */
FILE *infile_open(const char *path, const char *mode, const char **why);

#endif
