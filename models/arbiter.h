/* arbiter: the policy that decides where each request runs (DESIGN §5, docs/policies.md).
 *
 * A policy is a `struct arbiter_ops` row in the registry table of arbiter.c; adding one is
 * one file (arbiter_NAME.c) plus one row. A scenario names it and gives its parameters:
 *
 *   arbiter: cloud                                   # a name alone
 *   arbiter: {policy: cascade, to: cloud, auc: 0.8, threshold: 0.5, state_age_ms: 0}
 *
 * Common keys: `policy`; `to` (device | edge | cloud: the tier that "offload" means,
 * default cloud) and `state_age_ms` (how old the load figures a policy reads may be: the
 * orchestrator sees queue lengths refreshed at most that often; default 0, always fresh).
 * Each policy declares its own numeric parameters (name, range, default) in its ops; the
 * loader reads and checks them, so unknown keys and out-of-range values get the usual
 * located errors.
 *
 * Hooks, called by the request's journey (journey.c):
 *   decide            at the orchestrator, once: where the request runs, or
 *                     ARBITER_ASSESS: let the device's small model judge it first
 *   after_assessment  after that judgement (the device spent a short prefill and
 *                     `assess_tokens` output tokens on it): where the request runs
 *   escalate          after the device has answered: true sends the request on to the
 *                     remote tier as well (a cascade pays both)
 *   feedback          when the request has ended (learning and budget policies)
 * Hooks other than decide may be NULL.
 *
 * Difficulty judgements and confidence signals use the binormal equal-variance model of
 * signal detection (Green & Swets 1966): a score s = d'·[the device model is right] + z,
 * z ~ N(0, 1), separates right from wrong answers with AUC = Φ(d'/√2), so a stated AUC fixes
 * d' = √2 Φ⁻¹(AUC). z is a pure function of the request (rng_hash_u01), and whether the
 * device is right uses the request's own correctness uniform: every policy sees the same
 * requests the same way (common random numbers). */
#ifndef HAISIM_ARBITER_H
#define HAISIM_ARBITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "range.h"
#include "request.h"
#include "ydoc.h"

struct run;

/* decide's answer when the device should judge the request first. */
#define ARBITER_ASSESS LOCATION_COUNT
/* decide's answer for the remote tier with the device drafting (speculation.h); only from a
 * policy with decides_speculation, whose other answers to that tier are then plain. */
#define ARBITER_SPECULATE (LOCATION_COUNT + 1)

/* Bits of arbiter_ops.uses: tiers a policy may choose. ARBITER_USES_REMOTE stands for the
 * configured `to` tier. */
#define ARBITER_USES_DEVICE (1u << LOCATION_DEVICE)
#define ARBITER_USES_EDGE (1u << LOCATION_EDGE)
#define ARBITER_USES_CLOUD (1u << LOCATION_CLOUD)
#define ARBITER_USES_REMOTE (1u << LOCATION_COUNT)

enum { ARBITER_MAX_PARAMS = 8 };

/* One numeric parameter of a policy. */
struct arbiter_param {
    const char *name; /* the YAML key, with its unit */
    struct range range;
    double fallback; /* the default; NAN: required */
    const char *meaning;
};

struct arbiter_config;

/* What a hook sees. The run is mutable only through the functions of run.h. */
struct arbiter_call {
    const struct arbiter_config *cfg;
    struct run *run;
    const struct request *req;
};

struct arbiter_ops {
    const char *name;
    const char *summary;
    unsigned uses;
    bool needs_device_accuracy; /* judges the device's answers (self-assessed, cascade) */
    /* Chooses per request whether the remote tier's device drafting is used (otherwise every
     * request served by a tier with `drafter: device` speculates). */
    bool decides_speculation;
    const struct arbiter_param *params;
    size_t n_params;
    int (*decide)(const struct arbiter_call *c); /* a location, ARBITER_ASSESS or _SPECULATE */
    enum location (*after_assessment)(const struct arbiter_call *c);
    /* Output tokens the device's judgement costs (with after_assessment). */
    double (*assess_tokens)(const struct arbiter_config *cfg);
    bool (*escalate)(const struct arbiter_call *c);
    void (*feedback)(const struct arbiter_call *c);
};

/* A policy with its parameters, as a scenario gives it. */
struct arbiter_config {
    const struct arbiter_ops *ops;
    enum location remote; /* `to` */
    double state_age_s;
    double params[ARBITER_MAX_PARAMS]; /* in the order of ops->params */
};

/* The registry, in display order. */
extern const struct arbiter_ops *const arbiter_registry[];
extern const size_t arbiter_registry_len;

/* The arbiter named name, or NULL. */
const struct arbiter_ops *arbiter_find(const char *name);

/* Reads `arbiter` from the scenario root (default: device). An unknown name lists the known
 * ones and suggests the closest. present[loc] says which tiers the scenario has; a policy
 * that may choose a missing tier is an error, and so is one that judges the device's
 * answers when the device model has no accuracy (device_has_accuracy). */
int arbiter_load(struct arbiter_config *cfg, struct ydoc_node *root,
                 const bool present[LOCATION_COUNT], bool device_has_accuracy, struct error *err);

/* Parameter i of the configured policy. */
static inline double arbiter_param(const struct arbiter_call *c, size_t i)
{
    return c->cfg->params[i];
}

/* The binormal score of req (see the top of this file) for a signal with the given AUC:
 * d'·[device right] + z. */
double arbiter_binormal_score(const struct arbiter_call *c, double auc);

/* A uniform in (0, 1) that is a pure function of the request and a purpose tag. */
double arbiter_uniform(const struct arbiter_call *c, uint64_t purpose);

/* The policies (one file each). */
extern const struct arbiter_ops arbiter_device;
extern const struct arbiter_ops arbiter_edge;
extern const struct arbiter_ops arbiter_cloud;
extern const struct arbiter_ops arbiter_random;
extern const struct arbiter_ops arbiter_rules;
extern const struct arbiter_ops arbiter_self_assessed;
extern const struct arbiter_ops arbiter_cascade;
extern const struct arbiter_ops arbiter_budget;
extern const struct arbiter_ops arbiter_latency_aware;
extern const struct arbiter_ops arbiter_load_aware;
extern const struct arbiter_ops arbiter_battery_aware;
extern const struct arbiter_ops arbiter_oracle;
extern const struct arbiter_ops arbiter_speculative;

#endif
