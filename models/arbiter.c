/* arbiter: the registry of arbiter policies and their loading (see arbiter.h). */
#include "arbiter.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <string.h>

#include "journey.h"
#include "rng.h"
#include "run.h"
#include "suggest.h"

const struct arbiter_ops *const arbiter_registry[] = {
    &arbiter_device,        &arbiter_edge,          &arbiter_cloud,         &arbiter_random,
    &arbiter_rules,         &arbiter_self_assessed, &arbiter_cascade,       &arbiter_budget,
    &arbiter_latency_aware, &arbiter_load_aware,    &arbiter_battery_aware, &arbiter_oracle,
    &arbiter_speculative,
};
const size_t arbiter_registry_len = sizeof arbiter_registry / sizeof arbiter_registry[0];

const struct arbiter_ops *arbiter_find(const char *name)
{
    for (size_t i = 0; i < arbiter_registry_len; i++)
        if (strcmp(arbiter_registry[i]->name, name) == 0)
            return arbiter_registry[i];
    return NULL;
}

static int arbiter_unknown(struct ydoc_node *at, const char *name, struct error *err)
{
    const char *names[sizeof arbiter_registry / sizeof arbiter_registry[0]];
    char known[512] = "";
    for (size_t i = 0; i < arbiter_registry_len; i++) {
        names[i] = arbiter_registry[i]->name;
        strncat(known, i ? ", " : "", sizeof known - strlen(known) - 1);
        strncat(known, names[i], sizeof known - strlen(known) - 1);
    }
    const char *close = suggest_closest(name, names, arbiter_registry_len);
    if (close)
        return ydoc_error(at, err, "unknown arbiter '%s' (did you mean '%s'?); known: %s", name,
                          close, known);
    return ydoc_error(at, err, "unknown arbiter '%s'; known: %s", name, known);
}

/* The policy's own parameters, from the arbiter map (absent map: all defaults). */
static int arbiter_load_params(struct arbiter_config *cfg, struct ydoc_node *map, struct error *err)
{
    const struct arbiter_ops *ops = cfg->ops;
    for (size_t i = 0; i < ops->n_params; i++) {
        const struct arbiter_param *p = &ops->params[i];
        cfg->params[i] = p->fallback;
        if (isnan(p->fallback) && !ydoc_get(map, p->name))
            return ydoc_error(map, err, "arbiter '%s' needs '%s' (%s)", ops->name, p->name,
                              p->meaning);
        if (ydoc_read_f64(map, p->name, p->range, &cfg->params[i], err) != 0)
            return -1;
    }
    return 0;
}

int arbiter_load(struct arbiter_config *cfg, struct ydoc_node *root,
                 const bool present[LOCATION_COUNT], bool device_has_accuracy, struct error *err)
{
    static const char *const tiers[] = {"device", "edge", "cloud"};
    int to = LOCATION_CLOUD;
    double age_ms = 0;
    *cfg = (struct arbiter_config){.ops = &arbiter_device, .remote = LOCATION_CLOUD};
    struct ydoc_node *node = ydoc_get(root, "arbiter");
    if (!node)
        return 0;
    struct ydoc_node *name_node = node, *map = NULL;
    if (ydoc_kind(node) == YDOC_MAP) {
        map = node;
        if (ydoc_require(map, "policy", &name_node, err) != 0 ||
            ydoc_read_enum(map, "to", tiers, 3, &to, err) != 0 ||
            ydoc_read_f64(map, "state_age_ms", RANGE_NONNEGATIVE, &age_ms, err) != 0)
            return -1;
    }
    if (ydoc_expect(name_node, YDOC_SCALAR, err) != 0)
        return -1;
    const struct arbiter_ops *ops = arbiter_find(ydoc_text(name_node));
    if (!ops)
        return arbiter_unknown(name_node, ydoc_text(name_node), err);
    cfg->ops = ops;
    cfg->remote = (enum location)to;
    cfg->state_age_s = age_ms * 1e-3;
    if (arbiter_load_params(cfg, map, err) != 0)
        return -1;
    unsigned uses = ops->uses;
    if (uses & ARBITER_USES_REMOTE)
        uses |= 1u << cfg->remote;
    for (int loc = 0; loc < LOCATION_COUNT; loc++)
        if ((uses & (1u << loc)) && !present[loc])
            return ydoc_error(name_node, err,
                              "arbiter '%s' sends requests to the %s, but the scenario has no "
                              "'%s' tier",
                              ops->name, location_name((enum location)loc),
                              location_name((enum location)loc));
    if (ops->needs_device_accuracy && !device_has_accuracy)
        return ydoc_error(name_node, err,
                          "arbiter '%s' judges the device model's answers: give the device "
                          "model an 'accuracy' map",
                          ops->name);
    return 0;
}

double arbiter_uniform(const struct arbiter_call *c, uint64_t purpose)
{
    return rng_hash_u01(c->run->seed, c->run->replication, c->req->id, purpose);
}

double arbiter_binormal_score(const struct arbiter_call *c, double auc)
{
    enum { PURPOSE_SCORE_NOISE = 0x73636f7265 }; /* "score" */
    double d_prime = M_SQRT2 * gsl_cdf_ugaussian_Pinv(auc);
    double z = gsl_cdf_ugaussian_Pinv(arbiter_uniform(c, PURPOSE_SCORE_NOISE));
    return d_prime * (journey_correct_on(c->run, c->req, LOCATION_DEVICE) ? 1.0 : 0.0) + z;
}
