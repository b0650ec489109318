/* chart: the charts `haisim run -o DIR` draws from an experiment, through gnuplot
 * templates in plots/. Each chart writes NAME.dat (data), NAME.gp (the template with its
 * variables filled in) and, when gnuplot is available, NAME.png. */
#ifndef HAISIM_CHART_H
#define HAISIM_CHART_H

#include "error.h"
#include "experiment.h"

/* Latency CDFs (TTFT and end to end) per variant: DIR/latency_cdf.{dat,gp,png}.
 * Returns 0 when the PNG was drawn, 1 when gnuplot is missing (err explains; data and
 * script written), -1 on failure. */
int chart_latency_cdf(const char *dir, const struct experiment *ex,
                      const struct experiment_results *res, struct error *err);

#endif
