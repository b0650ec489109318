/* report: an experiment's results as a readable table, JSON or CSV.
 * Across replications each metric is reported as its mean and the half-width of its
 * Student-t 95 % confidence interval (stats_ci95). Output is a pure function of the
 * results: no times, hosts or paths, so reruns are byte-identical. */
#ifndef HAISIM_REPORT_H
#define HAISIM_REPORT_H

#include <stdio.h>

#include "experiment.h"

enum report_format { REPORT_TABLE, REPORT_JSON, REPORT_CSV };

/* Returns -1 on out-of-memory or a write error. */
int report_write(FILE *f, enum report_format format, const struct experiment *ex,
                 const struct experiment_results *res);

#endif
