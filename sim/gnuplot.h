/* gnuplot: running gnuplot (an external program) on a script inside a directory.
 * Charts are optional: a missing gnuplot is reported, not fatal, and the data and script
 * stay on disk so the user can draw them later. */
#ifndef HAISIM_GNUPLOT_H
#define HAISIM_GNUPLOT_H

#include "error.h"

enum gnuplot_status { GNUPLOT_OK = 0, GNUPLOT_MISSING = 1, GNUPLOT_FAILED = -1 };

/* Runs `gnuplot SCRIPT` with dir as the working directory; gnuplot's own messages go to
 * stderr. GNUPLOT_MISSING when the program cannot be found (err says so), GNUPLOT_FAILED
 * when it ran and failed. The program is $HAISIM_GNUPLOT or "gnuplot" on PATH. */
enum gnuplot_status gnuplot_run(const char *dir, const char *script, struct error *err);

#endif
