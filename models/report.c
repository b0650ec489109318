/* report: table, JSON and CSV renderings of experiment results (see report.h). */
#include "report.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "json.h"
#include "stats.h"

/* Mean and CI half-width of metric m of variant v across replications (NaNs skipped). */
static struct stats_ci report_ci(const struct experiment_results *res, size_t v, size_t m,
                                 double *scratch)
{
    size_t n = 0;
    for (size_t r = 0; r < res->n_reps; r++) {
        double x = experiment_value(res, v, r)[m];
        if (!isnan(x))
            scratch[n++] = x;
    }
    if (n == 0)
        return (struct stats_ci){NAN, NAN, 0};
    return stats_ci95(scratch, n);
}

/* A readable number: 4 significant digits, no exponent for everyday magnitudes. */
static void report_number(char *buf, size_t len, double x)
{
    if (isnan(x))
        snprintf(buf, len, "-");
    else if (fabs(x) >= 1e4 && fabs(x) < 1e12)
        snprintf(buf, len, "%.0f", x);
    else
        snprintf(buf, len, "%.4g", x);
}

/* The readable table leaves out rows with nothing to say: a metric no variant measured
 * (a tier no variant has) or a count of failures that is zero everywhere. JSON and CSV
 * keep every row. */
static bool report_row_is_empty(const struct experiment_results *res, size_t m,
                                struct metric_info mi)
{
    bool is_count = strcmp(mi.unit, "requests") == 0 && strcmp(mi.name, "requests_arrived") &&
                    strcmp(mi.name, "requests_completed");
    for (size_t v = 0; v < res->n_variants; v++)
        for (size_t r = 0; r < res->n_reps; r++) {
            double x = experiment_value(res, v, r)[m];
            if (!isnan(x) && !(is_count && x == 0))
                return false;
        }
    return true;
}

static void report_table(FILE *f, const struct experiment *ex, const struct experiment_results *res,
                         double *scratch)
{
    enum { UNIT_W = 9, COL_W = 22 };
    int name_w = 24; /* widened to the longest name shown, so columns stay aligned */
    for (size_t m = 0; m < METRIC_COUNT; m++) {
        struct metric_info mi = metric_info(m);
        if (mi.in_table && !report_row_is_empty(res, m, mi) && (int)strlen(mi.name) > name_w)
            name_w = (int)strlen(mi.name);
    }
    fprintf(f, "scenario %s, seed %llu, %zu replication%s%s\n", ex->name,
            (unsigned long long)ex->seed, res->n_reps, res->n_reps == 1 ? "" : "s",
            res->n_reps > 1 ? " (mean ± 95% CI half-width)" : "");
    fprintf(f, "%-*s %-*s", name_w, "metric", UNIT_W, "unit");
    for (size_t v = 0; v < res->n_variants; v++)
        fprintf(f, " %*s", COL_W, ex->variants[v].name);
    fputc('\n', f);
    for (size_t m = 0; m < METRIC_COUNT; m++) {
        struct metric_info mi = metric_info(m);
        if (!mi.in_table || report_row_is_empty(res, m, mi))
            continue;
        fprintf(f, "%-*s %-*s", name_w, mi.name, UNIT_W, mi.unit);
        for (size_t v = 0; v < res->n_variants; v++) {
            struct stats_ci ci = report_ci(res, v, m, scratch);
            char mean[32], hw[32], cell[80];
            report_number(mean, sizeof mean, ci.mean);
            if (res->n_reps > 1 && !isnan(ci.mean)) {
                /* Below the mean's 4 shown digits a half-width is rounding noise (e.g. a
                 * constant TPOT averaged in different orders); show it as 0. */
                double shown_hw = ci.half_width < 1e-6 * fabs(ci.mean) ? 0 : ci.half_width;
                report_number(hw, sizeof hw, shown_hw);
                snprintf(cell, sizeof cell, "%s ± %s", mean, hw);
            } else {
                snprintf(cell, sizeof cell, "%s", mean);
            }
            /* "±" is two bytes but one column wide: pad by display width. */
            int pad = COL_W - (int)strlen(cell) + (strstr(cell, "±") ? 1 : 0);
            fprintf(f, " %*s%s", pad > 0 ? pad : 0, "", cell);
        }
        fputc('\n', f);
    }
}

/* JSON has no NaN: unmeasured values are null. */
static void report_json_number(FILE *f, double x)
{
    if (isnan(x) || isinf(x))
        fputs("null", f);
    else
        fprintf(f, "%.10g", x);
}

static void report_json(FILE *f, const struct experiment *ex, const struct experiment_results *res,
                        double *scratch)
{
    fputs("{\n  \"scenario\": ", f);
    json_write_string(f, ex->name);
    fprintf(f, ",\n  \"seed\": %llu,\n  \"replications\": %zu,\n  \"variants\": [\n",
            (unsigned long long)ex->seed, res->n_reps);
    for (size_t v = 0; v < res->n_variants; v++) {
        fputs("    {\n      \"name\": ", f);
        json_write_string(f, ex->variants[v].name);
        fputs(",\n      \"metrics\": {\n", f);
        for (size_t m = 0; m < METRIC_COUNT; m++) {
            struct metric_info mi = metric_info(m);
            struct stats_ci ci = report_ci(res, v, m, scratch);
            fprintf(f, "        \"%s\": {\"unit\": \"%s\", \"mean\": ", mi.name, mi.unit);
            report_json_number(f, ci.mean);
            fputs(", \"ci95_half_width\": ", f);
            report_json_number(f, res->n_reps > 1 ? ci.half_width : NAN);
            fputs(", \"replications\": [", f);
            for (size_t r = 0; r < res->n_reps; r++) {
                fputs(r ? ", " : "", f);
                report_json_number(f, experiment_value(res, v, r)[m]);
            }
            fprintf(f, "]}%s\n", m + 1 < METRIC_COUNT ? "," : "");
        }
        fprintf(f, "      }\n    }%s\n", v + 1 < res->n_variants ? "," : "");
    }
    fputs("  ]\n}\n", f);
}

static void report_csv(FILE *f, const struct experiment *ex, const struct experiment_results *res,
                       double *scratch)
{
    fputs("variant,metric,unit,mean,ci95_half_width,replications\n", f);
    for (size_t v = 0; v < res->n_variants; v++) {
        for (size_t m = 0; m < METRIC_COUNT; m++) {
            struct metric_info mi = metric_info(m);
            struct stats_ci ci = report_ci(res, v, m, scratch);
            csv_write_field(f, ex->variants[v].name);
            fprintf(f, ",%s,%s,", mi.name, mi.unit);
            if (!isnan(ci.mean))
                fprintf(f, "%.10g", ci.mean);
            fputc(',', f);
            if (res->n_reps > 1 && !isnan(ci.half_width))
                fprintf(f, "%.10g", ci.half_width);
            fprintf(f, ",%zu\n", ci.n);
        }
    }
}

int report_write(FILE *f, enum report_format format, const struct experiment *ex,
                 const struct experiment_results *res)
{
    double *scratch = malloc((res->n_reps ? res->n_reps : 1) * sizeof *scratch);
    if (!scratch)
        return -1;
    if (format == REPORT_JSON)
        report_json(f, ex, res, scratch);
    else if (format == REPORT_CSV)
        report_csv(f, ex, res, scratch);
    else
        report_table(f, ex, res, scratch);
    free(scratch);
    return ferror(f) ? -1 : 0;
}
