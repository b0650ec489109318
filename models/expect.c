/* expect: expectations on results (see expect.h). */
#include "expect.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "suggest.h"

static const char *const expect_op_names[] = {"<", "<=", ">", ">=", "==", "!="};
static const char *const expect_aggregate_names[] = {"mean", "ci_upper", "ci_lower", "every"};

static int expect_oom(struct error *err)
{
    return error_set(err, NULL, 0, 0, NULL, "out of memory");
}

/* The metric catalogue's names, for "did you mean". */
static int expect_check_metric(struct ydoc_node *node, const char *name, struct error *err)
{
    if (metric_find(name) >= 0)
        return 0;
    size_t n = 0;
    while (metric_info(n).name[0])
        n++;
    struct metric_info *infos = calloc(n, sizeof infos[0]);
    const char **names = calloc(n, sizeof names[0]);
    if (!infos || !names) {
        free(infos);
        free(names);
        return expect_oom(err);
    }
    for (size_t i = 0; i < n; i++) {
        infos[i] = metric_info(i);
        names[i] = infos[i].name;
    }
    const char *close = suggest_closest(name, names, n);
    char hint[96] = "";
    if (close)
        snprintf(hint, sizeof hint, " (did you mean '%s'?)", close);
    ydoc_error(node, err, "unknown metric '%s'%s; the metrics are the rows of summary.csv", name,
               hint);
    free(infos);
    free(names);
    return -1;
}

/* A name or a list of names (scalars) into a newly allocated array. */
static int expect_read_names(struct ydoc_node *node, const char ***out, size_t *n,
                             struct error *err)
{
    bool is_list = ydoc_kind(node) == YDOC_SEQ;
    size_t count = is_list ? ydoc_len(node) : 1;
    if (is_list && count == 0)
        return ydoc_error(node, err, "expected at least one value");
    if (!(*out = calloc(count, sizeof(*out)[0])))
        return expect_oom(err);
    *n = count;
    for (size_t i = 0; i < count; i++) {
        struct ydoc_node *item = is_list ? ydoc_item(node, i) : node;
        if (ydoc_kind(item) != YDOC_SCALAR)
            return ydoc_error(item, err, "expected a name or a number, got %s",
                              ydoc_kind_name(ydoc_kind(item)));
        (*out)[i] = ydoc_text(item);
    }
    return 0;
}

static void expect_format_number(char *buf, size_t len, double x)
{
    snprintf(buf, len, "%.6g", x);
}

static int expect_load_one(struct expect *e, struct ydoc_node *item, struct error *err)
{
    struct ydoc_node *metric, *op, *threshold, *variants, *where;
    const char *name = NULL;
    int op_index = 0, aggregate = EXPECT_MEAN;
    e->node = item;
    if (ydoc_expect(item, YDOC_MAP, err) != 0 || ydoc_require(item, "metric", &metric, err) != 0 ||
        ydoc_require(item, "op", &op, err) != 0 ||
        ydoc_require(item, "threshold", &threshold, err) != 0 ||
        ydoc_read_str(item, "metric", &e->metric, err) != 0 ||
        expect_check_metric(metric, e->metric, err) != 0 ||
        ydoc_read_enum(item, "op", expect_op_names, 6, &op_index, err) != 0 ||
        ydoc_read_f64(item, "threshold", RANGE_ANY, &e->threshold, err) != 0 ||
        ydoc_read_enum(item, "aggregate", expect_aggregate_names, 4, &aggregate, err) != 0 ||
        ydoc_read_str(item, "name", &name, err) != 0)
        return -1;
    e->op = (enum expect_op)op_index;
    e->aggregate = (enum expect_aggregate)aggregate;
    if ((variants = ydoc_get(item, "variants")) != NULL &&
        expect_read_names(variants, &e->variants, &e->n_variants, err) != 0)
        return -1;
    if ((where = ydoc_get(item, "where")) != NULL) {
        if (ydoc_expect(where, YDOC_MAP, err) != 0)
            return -1;
        if (ydoc_len(where) == 0)
            return ydoc_error(where, err, "where needs at least one key: value");
        if (!(e->where = calloc(ydoc_len(where), sizeof e->where[0])))
            return expect_oom(err);
        e->n_where = ydoc_len(where);
        for (size_t i = 0; i < e->n_where; i++) {
            struct expect_where *w = &e->where[i];
            w->key = ydoc_entry_key(where, i);
            w->node = ydoc_entry_value(where, i);
            if (expect_read_names(w->node, &w->values, &w->n_values, err) != 0)
                return -1;
        }
    }
    char number[64];
    expect_format_number(number, sizeof number, e->threshold);
    if (name && *name)
        snprintf(e->label, sizeof e->label, "%s", name);
    else
        snprintf(e->label, sizeof e->label, "%s %s %s", e->metric, expect_op_names[e->op], number);
    return 0;
}

int expect_load(struct expect_list *l, struct ydoc_node *list, struct error *err)
{
    memset(l, 0, sizeof *l);
    if (!list)
        return 0;
    if (ydoc_expect(list, YDOC_SEQ, err) != 0)
        return -1;
    if (ydoc_len(list) == 0)
        return 0;
    if (!(l->items = calloc(ydoc_len(list), sizeof l->items[0])))
        return expect_oom(err);
    for (; l->n < ydoc_len(list); l->n++)
        if (expect_load_one(&l->items[l->n], ydoc_item(list, l->n), err) != 0) {
            l->n++; /* free what the failed item allocated */
            return -1;
        }
    return 0;
}

int expect_load_file(struct expect_list *l, const char *path, struct error *err)
{
    memset(l, 0, sizeof *l);
    struct ydoc *doc = ydoc_load_file(path, err);
    struct ydoc_node *list;
    if (!doc)
        return -1;
    int rc = ydoc_expect(ydoc_root(doc), YDOC_MAP, err);
    if (rc == 0)
        rc = ydoc_require(ydoc_root(doc), "expect", &list, err);
    if (rc == 0)
        rc = expect_load(l, list, err);
    if (rc == 0)
        rc = ydoc_check_unused(doc, err);
    l->doc = doc;
    return rc;
}

int expect_validate(struct ydoc_node *list, struct error *err)
{
    struct expect_list l;
    int rc = expect_load(&l, list, err);
    expect_list_free(&l);
    return rc;
}

void expect_list_free(struct expect_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        struct expect *e = &l->items[i];
        free(e->variants);
        for (size_t w = 0; w < e->n_where; w++)
            free(e->where[w].values);
        free(e->where);
    }
    free(l->items);
    ydoc_free(l->doc);
    memset(l, 0, sizeof *l);
}

static bool expect_in(const char *name, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(name, names[i]) == 0)
            return true;
    return false;
}

int expect_check_names(const struct expect_list *l, const char *const *axis_keys, size_t n_axes,
                       const char *const *variants, size_t n_variants, struct error *err)
{
    for (size_t i = 0; i < l->n; i++) {
        const struct expect *e = &l->items[i];
        for (size_t w = 0; w < e->n_where; w++) {
            if (n_axes == 0)
                return ydoc_error(e->where[w].node, err,
                                  "where selects points of a sweep; a run has no swept keys");
            if (!expect_in(e->where[w].key, axis_keys, n_axes)) {
                const char *close = suggest_closest(e->where[w].key, axis_keys, n_axes);
                return ydoc_error(e->where[w].node, err,
                                  "'%s' is not a swept key%s%s%s (where names keys of axes:)",
                                  e->where[w].key, close ? " (did you mean '" : "",
                                  close ? close : "", close ? "'?)" : "");
            }
        }
        for (size_t v = 0; variants && v < e->n_variants; v++)
            if (!expect_in(e->variants[v], variants, n_variants)) {
                const char *close = suggest_closest(e->variants[v], variants, n_variants);
                return ydoc_error(ydoc_get(e->node, "variants"), err, "no variant named '%s'%s%s%s",
                                  e->variants[v], close ? " (did you mean '" : "",
                                  close ? close : "", close ? "'?)" : "");
            }
    }
    return 0;
}

/* --- evaluation --- */

static bool expect_compare(enum expect_op op, double x, double t)
{
    switch (op) {
    case EXPECT_LT:
        return x < t;
    case EXPECT_LE:
        return x <= t;
    case EXPECT_GT:
        return x > t;
    case EXPECT_GE:
        return x >= t;
    case EXPECT_EQ:
        return x == t;
    case EXPECT_NE:
        return x != t;
    }
    return false;
}

static bool expect_selects_point(const struct expect *e, const struct sweep_table *t, size_t p)
{
    for (size_t w = 0; w < e->n_where; w++) {
        long a = sweep_table_axis(t, e->where[w].key);
        if (a < 0)
            return false;
        bool any = false;
        for (size_t k = 0; k < e->where[w].n_values && !any; k++)
            any = sweep_table_value_matches(sweep_table_point_value(t, p, (size_t)a),
                                            e->where[w].values[k]);
        if (!any)
            return false;
    }
    return true;
}

/* Appends printf text to a fixed buffer, keeping it terminated. */
static void expect_append(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void expect_append(char *buf, size_t len, const char *fmt, ...)
{
    size_t used = strlen(buf);
    if (used + 1 >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, len - used, fmt, ap);
    va_end(ap);
}

/* Checks one variant at one point; false with the reason appended to detail. */
static bool expect_variant_passes(const struct expect *e, const struct sweep_table *t, size_t p,
                                  size_t v, size_t m, char *detail, size_t len)
{
    char x[64], thr[64], hw[64];
    const char *sep = detail[0] ? "; " : "";
    const char *op = expect_op_names[e->op];
    expect_format_number(thr, sizeof thr, e->threshold);
    if (t->reps[p * t->n_variants + v] == 0) {
        expect_append(detail, len, "%s%s: did not run at this point", sep, t->variants[v]);
        return false;
    }
    if (e->aggregate == EXPECT_EVERY) {
        for (size_t r = 0; r < t->reps[p * t->n_variants + v]; r++) {
            double val = sweep_table_value(t, p, v, r, m);
            if (isnan(val) || !expect_compare(e->op, val, e->threshold)) {
                expect_format_number(x, sizeof x, val);
                expect_append(detail, len, "%s%s: replication %zu: %s, needs %s %s", sep,
                              t->variants[v], r + 1, isnan(val) ? "no value" : x, op, thr);
                return false;
            }
        }
        return true;
    }
    struct stats_ci ci = sweep_table_ci(t, p, v, m);
    double val = ci.mean;
    if (e->aggregate == EXPECT_CI_UPPER)
        val = ci.mean + ci.half_width;
    else if (e->aggregate == EXPECT_CI_LOWER)
        val = ci.mean - ci.half_width;
    if (!isnan(val) && expect_compare(e->op, val, e->threshold))
        return true;
    if (isnan(val)) {
        expect_append(detail, len, "%s%s: no value (%s was not measured)", sep, t->variants[v],
                      e->metric);
        return false;
    }
    expect_format_number(x, sizeof x, ci.mean);
    expect_format_number(hw, sizeof hw, ci.half_width);
    if (e->aggregate == EXPECT_MEAN)
        expect_append(detail, len, "%s%s: mean %s", sep, t->variants[v], x);
    else
        expect_append(detail, len, "%s%s: mean %s ± %s, %s %.6g", sep, t->variants[v], x, hw,
                      expect_aggregate_names[e->aggregate], val);
    if (ci.n > 1 && e->aggregate == EXPECT_MEAN)
        expect_append(detail, len, " (95%% CI ± %s)", hw);
    expect_append(detail, len, ", needs %s %s", op, thr);
    return false;
}

static void expect_run_check(const struct expect *e, const struct sweep_table *t,
                             struct expect_check *c)
{
    size_t p = c->point;
    long m = sweep_table_metric(t, e->metric);
    c->passed = true;
    c->detail[0] = '\0';
    if (t->points[p].status != SWEEP_POINT_DONE) {
        c->passed = false;
        snprintf(c->detail, sizeof c->detail, "the point %s%s",
                 t->points[p].status == SWEEP_POINT_FAILED ? "failed: " : "has no results",
                 t->points[p].status == SWEEP_POINT_FAILED && t->points[p].error
                     ? t->points[p].error
                     : "");
        return;
    }
    if (m < 0) {
        c->passed = false;
        snprintf(c->detail, sizeof c->detail, "the results have no metric '%s'", e->metric);
        return;
    }
    if (e->n_variants == 0) {
        for (size_t v = 0; v < t->n_variants; v++)
            if (t->reps[p * t->n_variants + v] > 0 &&
                !expect_variant_passes(e, t, p, v, (size_t)m, c->detail, sizeof c->detail))
                c->passed = false;
        return;
    }
    for (size_t i = 0; i < e->n_variants; i++) {
        long v = sweep_table_variant(t, e->variants[i]);
        if (v < 0) {
            c->passed = false;
            expect_append(c->detail, sizeof c->detail, "%sno variant named '%s'",
                          c->detail[0] ? "; " : "", e->variants[i]);
        } else if (!expect_variant_passes(e, t, p, (size_t)v, (size_t)m, c->detail,
                                          sizeof c->detail)) {
            c->passed = false;
        }
    }
}

int expect_evaluate(const struct expect_list *l, const struct sweep_table *t,
                    struct expect_report *out, struct error *err)
{
    memset(out, 0, sizeof *out);
    size_t cap = l->n * t->n_points;
    if (cap == 0)
        return 0;
    if (!(out->checks = calloc(cap, sizeof out->checks[0])))
        return expect_oom(err);
    for (size_t i = 0; i < l->n; i++)
        for (size_t p = 0; p < t->n_points; p++) {
            if (!expect_selects_point(&l->items[i], t, p))
                continue;
            struct expect_check *c = &out->checks[out->n_checks++];
            c->expectation = i;
            c->point = p;
            expect_run_check(&l->items[i], t, c);
            out->n_failed += !c->passed;
        }
    return 0;
}

void expect_report_free(struct expect_report *r)
{
    free(r->checks);
    memset(r, 0, sizeof *r);
}

/* "(mean; cloud-only, device-only)": how the expectation is applied, for the report. */
static void expect_scope(const struct expect *e, char *buf, size_t len)
{
    snprintf(buf, len, " (%s", expect_aggregate_names[e->aggregate]);
    for (size_t v = 0; v < e->n_variants; v++)
        expect_append(buf, len, "%s%s", v ? ", " : "; ", e->variants[v]);
    expect_append(buf, len, ")");
}

void expect_report_print(FILE *f, const struct expect_list *l, const struct sweep_table *t,
                         const struct expect_report *r)
{
    if (l->n == 0)
        return;
    size_t failed_expectations = 0;
    for (size_t i = 0; i < l->n; i++) {
        size_t total = 0, passed = 0;
        for (size_t c = 0; c < r->n_checks; c++)
            if (r->checks[c].expectation == i) {
                total++;
                passed += r->checks[c].passed;
            }
        bool ok = passed == total && total > 0;
        failed_expectations += !ok;
        char scope[320];
        expect_scope(&l->items[i], scope, sizeof scope);
        fprintf(f, "  %-5s %s%s", ok ? "ok" : "FAIL", l->items[i].label, scope);
        if (t->n_axes > 0)
            fprintf(f, ": %zu of %zu point%s", passed, total, total == 1 ? "" : "s");
        else if (total == 0)
            fputs(": nothing to check", f);
        fputc('\n', f);
        for (size_t c = 0; c < r->n_checks; c++) {
            const struct expect_check *ch = &r->checks[c];
            if (ch->expectation != i || ch->passed)
                continue;
            if (t->n_axes > 0) {
                char where[512];
                sweep_table_describe(t, ch->point, where, sizeof where);
                fprintf(f, "          point %zu (%s): %s\n", t->points[ch->point].number, where,
                        ch->detail);
            } else {
                fprintf(f, "          %s\n", ch->detail);
            }
        }
    }
    fprintf(f, "expectations: %zu of %zu met (%zu of %zu checks failed)\n",
            l->n - failed_expectations, l->n, r->n_failed, r->n_checks);
}

/* Text as XML character data or attribute value. */
static void expect_xml(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&apos;", f);
            break;
        default:
            /* XML 1.0 forbids most control characters, even escaped. */
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                fputc('?', f);
            else
                fputc(c, f);
        }
    }
}

int expect_write_junit(FILE *f, const struct expect_list *l, const struct sweep_table *t,
                       const struct expect_report *r)
{
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
    fprintf(f, "<testsuites name=\"haisim\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n",
            r->n_checks, r->n_failed);
    fputs("  <testsuite name=\"", f);
    expect_xml(f, t->name);
    fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\" time=\"0\">\n",
            r->n_checks, r->n_failed);
    for (size_t c = 0; c < r->n_checks; c++) {
        const struct expect_check *ch = &r->checks[c];
        const struct expect *e = &l->items[ch->expectation];
        char name[1024], scope[320];
        expect_scope(e, scope, sizeof scope);
        snprintf(name, sizeof name, "%s%s", e->label, scope);
        if (t->n_axes > 0) {
            char where[512];
            sweep_table_describe(t, ch->point, where, sizeof where);
            expect_append(name, sizeof name, " @ point %zu (%s)", t->points[ch->point].number,
                          where);
        }
        fputs("    <testcase classname=\"", f);
        expect_xml(f, t->name);
        fputs("\" name=\"", f);
        expect_xml(f, name);
        fputs("\" time=\"0\"", f);
        if (ch->passed) {
            fputs("/>\n", f);
            continue;
        }
        fputs(">\n      <failure type=\"expectation\" message=\"", f);
        expect_xml(f, ch->detail);
        fputs("\">", f);
        expect_xml(f, e->label);
        fputs(": ", f);
        expect_xml(f, ch->detail);
        fputs("</failure>\n    </testcase>\n", f);
    }
    fputs("  </testsuite>\n</testsuites>\n", f);
    return ferror(f) ? -1 : 0;
}
