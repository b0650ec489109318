/* experiment: variants × replications of a scenario (see experiment.h). */
#include "experiment.h"

#include <stdlib.h>
#include <string.h>

#include "outputs.h"
#include "run.h"
#include "suggest.h"

/* Applies the command line's overrides; a variant's document leaves out those that edit
 * the variant list itself (it has none: see experiment_load_variants). */
static int experiment_apply_sets(struct ydoc *doc, const struct experiment_options *opt,
                                 bool variant, struct error *err)
{
    for (size_t i = 0; i < opt->n_sets; i++) {
        bool to_list = strncmp(opt->sets[i], "variants", 8) == 0 &&
                       strchr("=.[", opt->sets[i][8]) != NULL && opt->sets[i][8] != '\0';
        if (variant && to_list)
            continue;
        if (ydoc_set(doc, opt->sets[i], opt->sets_origin ? opt->sets_origin : "--set", err) != 0)
            return -1;
    }
    return 0;
}

/* Loads one variant's document into a scenario and rejects keys nobody read. */
static int experiment_load_variant(struct variant *v, struct error *err)
{
    v->loaded = true;
    if (scenario_load(&v->sc, v->doc, err) != 0)
        return -1;
    return ydoc_check_unused(v->doc, err);
}

/* Marks a whole subtree as read: the values under a variant's `set` are checked in the
 * variant's own document, where they land, not in the base. */
static void experiment_mark_read(struct ydoc_node *n)
{
    if (ydoc_kind(n) == YDOC_MAP)
        for (size_t i = 0; i < ydoc_len(n); i++)
            experiment_mark_read(ydoc_entry_value(n, i));
    else if (ydoc_kind(n) == YDOC_SEQ)
        for (size_t i = 0; i < ydoc_len(n); i++)
            experiment_mark_read(ydoc_item(n, i));
}

/* Reads the variant list of the base document (names and override maps) before any
 * variant document is cloned from it, so every clone sees the list fully read. */
static int experiment_read_variant_list(struct experiment *ex, struct ydoc_node *list,
                                        struct error *err)
{
    if (ydoc_expect(list, YDOC_SEQ, err) != 0)
        return -1;
    if (ydoc_len(list) == 0)
        return ydoc_error(list, err, "variants must list at least one variant");
    ex->n_variants = ydoc_len(list);
    ex->variants = calloc(ex->n_variants, sizeof ex->variants[0]);
    if (!ex->variants)
        return error_set(err, NULL, 0, 0, NULL, "out of memory");
    for (size_t i = 0; i < ex->n_variants; i++) {
        struct variant *v = &ex->variants[i];
        struct ydoc_node *item = ydoc_item(list, i), *name;
        if (ydoc_expect(item, YDOC_MAP, err) != 0 || ydoc_require(item, "name", &name, err) != 0 ||
            ydoc_read_str(item, "name", &v->name, err) != 0)
            return -1;
        static const char *const item_keys[] = {"name", "set"};
        for (size_t k = 0; k < ydoc_len(item); k++) {
            const char *key = ydoc_entry_key(item, k);
            if (strcmp(key, "name") != 0 && strcmp(key, "set") != 0) {
                const char *close = suggest_closest(key, item_keys, 2);
                return ydoc_error(
                    ydoc_entry_peek(item, k), err, "unknown key '%s' in a variant%s%s%s", key,
                    close ? " (did you mean '" : "", close ? close : "", close ? "'?)" : "");
            }
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(ex->variants[j].name, v->name) == 0)
                return ydoc_error(name, err, "variant name '%s' is used twice", v->name);
        if ((v->set = ydoc_get(item, "set")) != NULL) {
            if (ydoc_expect(v->set, YDOC_MAP, err) != 0)
                return -1;
            experiment_mark_read(v->set);
        }
    }
    return 0;
}

/* Keys that belong to the whole experiment: variants share one seed and replication count
 * (so they see the same requests) and cannot nest. Setting them in a variant would be
 * silently ignored, so it is an error. */
static int experiment_check_variant_key(struct ydoc_node *set, size_t k, struct error *err)
{
    static const char *const shared[] = {"seed", "replications", "name", "variants"};
    const char *key = ydoc_entry_key(set, k);
    for (size_t i = 0; i < sizeof shared / sizeof shared[0]; i++) {
        size_t n = strlen(shared[i]);
        if (strncmp(key, shared[i], n) == 0 && (key[n] == '\0' || key[n] == '.' || key[n] == '['))
            return ydoc_error(ydoc_entry_peek(set, k), err,
                              "a variant cannot set '%s': it belongs to the whole experiment "
                              "(variants share the seed and replications)",
                              key);
    }
    return 0;
}

/* Merges the profiles a document names (after all its overrides). */
static int experiment_expand(const struct experiment *ex, struct ydoc *doc, struct error *err)
{
    return profiles_expand(doc, ex->profiles.dirs, ex->profiles.n, err);
}

/* Builds each variant's document: the base, then its overrides, then the command line's,
 * then the profiles they name (so a variant can switch a profile). */
static int experiment_load_variants(struct experiment *ex, const struct experiment_options *opt,
                                    struct error *err)
{
    for (size_t i = 0; i < ex->n_variants; i++) {
        struct variant *v = &ex->variants[i];
        /* Each variant starts from the base without the variant list, so memory grows
         * with the number of variants, not with its square (found by fuzzing). */
        if (!(v->doc = ydoc_clone(ex->variant_base)))
            return error_set(err, NULL, 0, 0, NULL, "out of memory");
        for (size_t k = 0; v->set && k < ydoc_len(v->set); k++)
            if (experiment_check_variant_key(v->set, k, err) != 0 ||
                ydoc_set_node(v->doc, ydoc_entry_key(v->set, k), ydoc_entry_value(v->set, k),
                              err) != 0)
                return -1;
        if (experiment_apply_sets(v->doc, opt, true, err) != 0 ||
            experiment_expand(ex, v->doc, err) != 0)
            return -1;
        if (experiment_load_variant(v, err) != 0)
            return -1;
    }
    return 0;
}

/* Everything after the file has been read into ex->base. */
static int experiment_load_doc(struct experiment *ex, const char *path,
                               const struct experiment_options *opt, struct error *err)
{
    if (profiles_path_init(&ex->profiles, path, opt->profiles_env_path, opt->profiles_builtin_dir,
                           err) != 0 ||
        experiment_apply_sets(ex->base, opt, false, err) != 0)
        return -1;
    if (!(ex->base_expanded = ydoc_clone(ex->base)) || !(ex->variant_base = ydoc_clone(ex->base)))
        return error_set(err, NULL, 0, 0, NULL, "out of memory");
    if (ydoc_get(ydoc_root(ex->variant_base), "variants") &&
        ydoc_set(ex->variant_base, "variants=[]", "(variants)", err) != 0)
        return -1;
    if (experiment_expand(ex, ex->base_expanded, err) != 0)
        return -1;
    /* The base scenario must be valid on its own, and its check covers the variant list's
     * own keys (name, set) as well. */
    struct scenario base;
    int rc = scenario_load(&base, ex->base_expanded, err);
    if (rc == 0) {
        ex->name = base.name;
        ex->seed = opt->has_seed ? opt->seed : base.seed;
        ex->replications = opt->replications > 0 ? opt->replications : base.replications;
    }
    scenario_free(&base);
    if (rc != 0)
        return -1;
    /* The variant list is read from the document before profiles were expanded: a variant
     * that sets a map naming a profile gets that profile when its own document expands. */
    struct ydoc_node *list = ydoc_get(ydoc_root(ex->base), "variants");
    struct ydoc_node *expanded_list = ydoc_get(ydoc_root(ex->base_expanded), "variants");
    if (list) {
        experiment_mark_read(expanded_list);
        if (experiment_read_variant_list(ex, list, err) != 0 ||
            ydoc_check_unused(ex->base_expanded, err) != 0 ||
            experiment_load_variants(ex, opt, err) != 0)
            return -1;
        return 0;
    }
    if (ydoc_check_unused(ex->base_expanded, err) != 0)
        return -1;
    ex->n_variants = 1;
    ex->variants = calloc(1, sizeof ex->variants[0]);
    if (!ex->variants)
        return error_set(err, NULL, 0, 0, NULL, "out of memory");
    ex->variants[0].name = ex->name;
    return experiment_load_variants(ex, opt, err);
}

int experiment_load(struct experiment *ex, const char *path, const struct experiment_options *opt,
                    struct error *err)
{
    memset(ex, 0, sizeof *ex);
    if (!(ex->base = ydoc_load_file(path, err)))
        return -1;
    return experiment_load_doc(ex, path, opt, err);
}

int experiment_load_text(struct experiment *ex, const char *text, const char *name,
                         const struct experiment_options *opt, struct error *err)
{
    memset(ex, 0, sizeof *ex);
    if (!(ex->base = ydoc_load_string(text, name, err)))
        return -1;
    return experiment_load_doc(ex, NULL, opt, err);
}

void experiment_free(struct experiment *ex)
{
    for (size_t i = 0; i < ex->n_variants; i++) {
        if (ex->variants[i].loaded)
            scenario_free(&ex->variants[i].sc);
        ydoc_free(ex->variants[i].doc);
    }
    free(ex->variants);
    ydoc_free(ex->base_expanded);
    ydoc_free(ex->variant_base);
    ydoc_free(ex->base);
    profiles_path_free(&ex->profiles);
    memset(ex, 0, sizeof *ex);
}

static void experiment_keep_cdf(struct run *run, const struct experiment_results *res,
                                size_t variant)
{
    for (size_t lat = 0; lat < METRIC_LATENCY_COUNT; lat++) {
        double *cdf = experiment_cdf(res, variant, lat);
        for (size_t k = 0; k < EXPERIMENT_CDF_POINTS; k++)
            cdf[k] = metrics_quantile(&run->metrics, (enum metric_latency)lat,
                                      (double)(k + 1) / EXPERIMENT_CDF_POINTS);
    }
}

bool experiment_wants_outputs(const struct experiment *ex)
{
    for (size_t v = 0; v < ex->n_variants; v++)
        if (outputs_wanted(&ex->variants[v].sc.outputs))
            return true;
    return false;
}

/* One replication of one variant, observed for detailed outputs when asked. */
static int experiment_run_one(const struct experiment *ex, size_t v, uint32_t r,
                              struct experiment_results *res, struct outputs *out,
                              struct error *err)
{
    const struct scenario *sc = &ex->variants[v].sc;
    struct run run;
    struct run_result result;
    struct run_observer observer = {0};
    int rc = run_init(&run, sc, ex->seed, r, err);
    if (rc == 0 && ex->output_dir && outputs_wanted(&sc->outputs) &&
        outputs_covers(&sc->outputs, r)) {
        rc = outputs_open(out, ex->output_dir, &sc->outputs, err);
        out->variant = ex->variants[v].name;
        out->replication = r;
        out->cfg = &sc->outputs;
        observer = (struct run_observer){
            .request_end = outputs_request_end,
            .sample = sc->outputs.timeseries_s > 0 ? outputs_sample : NULL,
            .sample_every_ns = simtime_from_s(sc->outputs.timeseries_s),
            .ctx = out,
        };
        run_observe(&run, &observer);
    }
    if (rc == 0)
        rc = run_execute(&run, &result, err);
    if (rc == 0) {
        memcpy(experiment_value(res, v, r), result.values, sizeof result.values);
        res->events += result.events;
        if (r == 0)
            experiment_keep_cdf(&run, res, v);
    }
    run_free(&run);
    return rc;
}

int experiment_run(const struct experiment *ex, struct experiment_results *res, struct error *err)
{
    *res = (struct experiment_results){.n_variants = ex->n_variants,
                                       .n_reps = (size_t)ex->replications};
    res->values = calloc(res->n_variants * res->n_reps * METRIC_COUNT, sizeof res->values[0]);
    res->cdf =
        calloc(res->n_variants * METRIC_LATENCY_COUNT * EXPERIMENT_CDF_POINTS, sizeof res->cdf[0]);
    if (!res->values || !res->cdf)
        return error_set(err, NULL, 0, 0, NULL, "out of memory");
    struct outputs out = {0};
    int rc = 0;
    for (size_t v = 0; rc == 0 && v < res->n_variants; v++)
        for (size_t r = 0; rc == 0 && r < res->n_reps; r++)
            rc = experiment_run_one(ex, v, (uint32_t)r, res, &out, err);
    /* Detailed outputs appear only when the whole experiment has succeeded. */
    if (outputs_close(&out, rc == 0, rc == 0 ? err : &(struct error){0}) != 0)
        rc = -1;
    return rc == 0 ? 0 : -1;
}

void experiment_results_free(struct experiment_results *res)
{
    free(res->values);
    free(res->cdf);
    memset(res, 0, sizeof *res);
}
