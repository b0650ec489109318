/* plot_kinds: the registry of chart kinds behind plot.h, one `struct plot_kind` row each
 * (STYLE rule 3: adding a kind is one data writer, one template in plots/ and one row).
 *
 * A kind writes its data file and the gnuplot variables its template reads; plot.c adds the
 * common variables (datafile, outfile, terminal_name, terminal_size, chart_title), copies the
 * template after them and runs gnuplot. */
#ifndef HAISIM_PLOT_KINDS_H
#define HAISIM_PLOT_KINDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "error.h"
#include "plot.h"
#include "sweep_table.h"

/* gnuplot variable assignments, built as text. */
struct plot_vars {
    char *s;
    size_t len, cap;
    bool oom;
};

void plot_vars_printf(struct plot_vars *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* name = 'value' (a gnuplot single-quoted string: quotes doubled). */
void plot_vars_str(struct plot_vars *v, const char *name, const char *value);
/* array name[n]; name[i] = 'value' (1-based, as gnuplot counts). */
void plot_vars_array(struct plot_vars *v, const char *name, const char *const *values, size_t n);
void plot_vars_free(struct plot_vars *v);

/* What a kind needs from its request (checked by plot_check). */
enum {
    PLOT_NEEDS_METRIC = 1,    /* metric */
    PLOT_NEEDS_X_AXIS = 2,    /* x: a swept key (line: optional, default the first) */
    PLOT_NEEDS_Y_AXIS = 4,    /* y: a swept key */
    PLOT_NEEDS_XY_METRIC = 8, /* x and y: metrics */
    PLOT_NEEDS_TABLE = 16,    /* a sweep's results (all but timeline) */
};

struct plot_kind {
    const char *name;
    const char *template_name; /* plots/NAME.gp */
    const char *size;          /* default terminal size, pixels "W,H" */
    unsigned needs;
    /* Writes the data and the kind's variables (the title among them). t is NULL when the
     * results are not a sweep's (timeline only). */
    int (*write)(const struct plot_request *r, const struct sweep_table *t, const char *results_dir,
                 FILE *data, struct plot_vars *vars, struct error *err);
};

const struct plot_kind *plot_kind_find(const char *name);
size_t plot_kind_count(void);
const struct plot_kind *plot_kind_at(size_t i);

/* True when table point p is selected by the request: complete, the requested point (if
 * any), and its axis values among `where`. */
bool plot_point_selected(const struct plot_request *r, const struct sweep_table *t, size_t p);

#endif
