/* tasks: task classes of a workload and the per-request draw (see tasks.h). */
#include "tasks.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "load_util.h"

#define TASK_POSITIVE ((struct range){0.0, INFINITY, true, true})
#define TASK_DEFAULT_MAX_TOKENS 1000000

/* Rounds a length to whole tokens, at least 1 and at most max_tokens (NaN gives 1). */
static uint32_t task_tokens(double tokens, int64_t max_tokens)
{
    double x = round(tokens);
    if (!(x >= 1.0))
        return 1;
    return x > (double)max_tokens ? (uint32_t)max_tokens : (uint32_t)x;
}

/* Reads the required length distribution `key` of map into *d or, when lengths come from the
 * arrivals, refuses the key (d keeps its constant 1). */
static int task_read_length(struct ydoc_node *map, const char *key, bool lengths_from_arrivals,
                            struct dist *d, struct error *err)
{
    struct ydoc_node *n = ydoc_get(map, key);
    if (lengths_from_arrivals) {
        if (n)
            return ydoc_error(n, err,
                              "the arrival process (a trace) gives each request's lengths: "
                              "remove %s",
                              key);
        return 0;
    }
    if (!n)
        return ydoc_require(map, key, &n, err); /* the "missing required key" error */
    return dist_parse(d, n, err);
}

/* `privacy: {personal: p, confidential: q}` (p + q <= 1, the rest public), or the older
 * `private_share: p`, which means `privacy: {personal: p}`. */
static int task_read_privacy(struct task_class *c, struct ydoc_node *item, struct error *err)
{
    struct ydoc_node *map = ydoc_get(item, "privacy"), *legacy = ydoc_get(item, "private_share");
    double *share = c->privacy_share;
    if (map && legacy)
        return ydoc_error(legacy, err,
                          "give privacy or private_share, not both (private_share: p means "
                          "privacy: {personal: p})");
    if (legacy)
        return ydoc_read_f64(item, "private_share", RANGE_UNIT, &share[PRIVACY_PERSONAL], err);
    if (!map)
        return 0;
    if (ydoc_expect(map, YDOC_MAP, err) != 0 ||
        ydoc_read_f64(map, "personal", RANGE_UNIT, &share[PRIVACY_PERSONAL], err) != 0 ||
        ydoc_read_f64(map, "confidential", RANGE_UNIT, &share[PRIVACY_CONFIDENTIAL], err) != 0)
        return -1;
    if (share[PRIVACY_PERSONAL] + share[PRIVACY_CONFIDENTIAL] > 1.0 + 1e-12)
        return ydoc_error(map, err,
                          "personal (%g) and confidential (%g) shares add up to more than 1 (the "
                          "rest of the class is public)",
                          share[PRIVACY_PERSONAL], share[PRIVACY_CONFIDENTIAL]);
    return 0;
}

/* Reads one class from a map of the `tasks` list. */
static int task_read_class(struct task_class *c, struct ydoc_node *item, bool lengths_from_arrivals,
                           struct error *err)
{
    struct ydoc_node *name_node, *difficulty;
    const char *name;
    if (ydoc_expect(item, YDOC_MAP, err) != 0 || ydoc_require(item, "name", &name_node, err) != 0 ||
        ydoc_read_str(item, "name", &name, err) != 0)
        return -1;
    if (name[0] == '\0')
        return ydoc_error(name_node, err, "a task name must not be empty");
    if (!(c->name = strdup(name)))
        return ydoc_error(name_node, err, "out of memory");
    if (load_required_f64(item, "share", TASK_POSITIVE, &c->share, err) != 0 ||
        task_read_length(item, "prompt_tokens", lengths_from_arrivals, &c->prompt_tokens, err) ||
        task_read_length(item, "output_tokens", lengths_from_arrivals, &c->output_tokens, err))
        return -1;
    if ((difficulty = ydoc_get(item, "difficulty")) &&
        dist_parse(&c->difficulty, difficulty, err) != 0)
        return -1;
    return task_read_privacy(c, item, err) ||
           ydoc_read_f64(item, "rag_share", RANGE_UNIT, &c->rag_share, err);
}

/* Makes n classes with the defaults (lengths constant 1, difficulty 0, shares 0). */
static int task_alloc(struct task_set *set, size_t n)
{
    set->classes = calloc(n, sizeof set->classes[0]);
    if (!set->classes)
        return -1;
    set->n_classes = n;
    for (size_t i = 0; i < n; i++) {
        dist_constant(&set->classes[i].prompt_tokens, 1.0);
        dist_constant(&set->classes[i].output_tokens, 1.0);
        dist_constant(&set->classes[i].difficulty, 0.0);
    }
    return 0;
}

static int task_read_list(struct task_set *set, struct ydoc_node *list, struct error *err)
{
    if (ydoc_expect(list, YDOC_SEQ, err) != 0)
        return -1;
    size_t n = ydoc_len(list);
    if (n == 0)
        return ydoc_error(list, err, "expected at least one task class");
    if (task_alloc(set, n) != 0)
        return ydoc_error(list, err, "out of memory");
    for (size_t i = 0; i < n; i++) {
        struct ydoc_node *item = ydoc_item(list, i);
        if (task_read_class(&set->classes[i], item, set->lengths_from_arrivals, err) != 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(set->classes[j].name, set->classes[i].name) == 0)
                return ydoc_error(ydoc_get(item, "name"), err,
                                  "duplicate task name '%s' (also tasks[%zu], line %d)",
                                  set->classes[i].name, j,
                                  ydoc_line(ydoc_get(ydoc_item(list, j), "name")));
    }
    return 0;
}

/* Without `tasks`: one class "default" from the workload-level lengths. */
static int task_read_single(struct task_set *set, struct ydoc_node *workload, struct error *err)
{
    if (task_alloc(set, 1) != 0 || !(set->classes[0].name = strdup("default")))
        return ydoc_error(workload, err, "out of memory");
    set->classes[0].share = 1.0;
    return task_read_length(workload, "prompt_tokens", set->lengths_from_arrivals,
                            &set->classes[0].prompt_tokens, err) ||
           task_read_length(workload, "output_tokens", set->lengths_from_arrivals,
                            &set->classes[0].output_tokens, err);
}

int task_set_load(struct task_set *set, struct ydoc_node *workload, bool lengths_from_arrivals,
                  struct error *err)
{
    *set = (struct task_set){.max_prompt_tokens = TASK_DEFAULT_MAX_TOKENS,
                             .max_output_tokens = TASK_DEFAULT_MAX_TOKENS,
                             .lengths_from_arrivals = lengths_from_arrivals};
    if (ydoc_expect(workload, YDOC_MAP, err) != 0)
        return -1;
    struct ydoc_node *list = ydoc_get(workload, "tasks");
    int rc;
    if (list) {
        /* Workload-level lengths next to `tasks` would be silently ignored: refuse them. */
        static const char *const single_keys[] = {"prompt_tokens", "output_tokens"};
        for (size_t i = 0; i < 2; i++) {
            struct ydoc_node *extra = ydoc_get(workload, single_keys[i]);
            if (extra)
                return ydoc_error(extra, err,
                                  "%s at the workload level cannot be combined with tasks: give "
                                  "it in each task",
                                  single_keys[i]);
        }
        rc = task_read_list(set, list, err);
    } else {
        rc = task_read_single(set, workload, err);
    }
    if (rc != 0 ||
        ydoc_read_i64(workload, "max_prompt_tokens", 1, INT32_MAX, &set->max_prompt_tokens, err) !=
            0 ||
        ydoc_read_i64(workload, "max_output_tokens", 1, INT32_MAX, &set->max_output_tokens, err) !=
            0) {
        task_set_free(set);
        return -1;
    }
    double total = 0.0, cumulative = 0.0;
    for (size_t i = 0; i < set->n_classes; i++)
        total += set->classes[i].share;
    for (size_t i = 0; i < set->n_classes; i++) {
        set->classes[i].share /= total;
        cumulative += set->classes[i].share;
        set->classes[i].cumulative_share = cumulative;
    }
    set->classes[set->n_classes - 1].cumulative_share = 1.0; /* no rounding gap at the top */
    return 0;
}

void task_set_free(struct task_set *set)
{
    for (size_t i = 0; i < set->n_classes; i++) {
        free(set->classes[i].name);
        dist_free(&set->classes[i].prompt_tokens);
        dist_free(&set->classes[i].output_tokens);
        dist_free(&set->classes[i].difficulty);
    }
    free(set->classes);
    *set = (struct task_set){0};
}

/* The class whose cumulative-share interval holds u ∈ [0, 1): the first with u < cumulative. */
static uint32_t task_pick(const struct task_set *set, double u)
{
    size_t lo = 0, hi = set->n_classes - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (u < set->classes[mid].cumulative_share)
            hi = mid;
        else
            lo = mid + 1;
    }
    return (uint32_t)lo;
}

void task_draw(const struct task_set *set, gsl_rng *rng, struct task_draw *out)
{
    uint32_t index = task_pick(set, gsl_rng_uniform(rng));
    const struct task_class *c = &set->classes[index];
    out->class_index = index;
    out->prompt_tokens = task_tokens(dist_sample(&c->prompt_tokens, rng), set->max_prompt_tokens);
    out->output_tokens = task_tokens(dist_sample(&c->output_tokens, rng), set->max_output_tokens);
    out->difficulty = dist_sample(&c->difficulty, rng);
    double u_private = gsl_rng_uniform(rng), u_rag = gsl_rng_uniform(rng);
    /* [0, p) personal, [p, p + q) confidential: adding confidential requests to a class
     * leaves its personal ones as they were. */
    double personal = c->privacy_share[PRIVACY_PERSONAL];
    out->privacy = u_private < personal ? PRIVACY_PERSONAL
                   : u_private < personal + c->privacy_share[PRIVACY_CONFIDENTIAL]
                       ? PRIVACY_CONFIDENTIAL
                       : PRIVACY_PUBLIC;
    out->needs_rag = u_rag < c->rag_share;
}

void task_draw_set_lengths(const struct task_set *set, int64_t prompt_tokens, int64_t output_tokens,
                           struct task_draw *out)
{
    if (prompt_tokens >= 0)
        out->prompt_tokens = task_tokens((double)prompt_tokens, set->max_prompt_tokens);
    if (output_tokens >= 0)
        out->output_tokens = task_tokens((double)output_tokens, set->max_output_tokens);
}

int task_find(const struct task_set *set, const char *name)
{
    for (size_t i = 0; i < set->n_classes; i++)
        if (strcmp(set->classes[i].name, name) == 0)
            return (int)i;
    return -1;
}
