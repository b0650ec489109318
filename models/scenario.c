/* scenario: loading a scenario document into a struct scenario (see scenario.h). */
#include "scenario.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "load_util.h"

static int scenario_load_run(struct run_config *run, struct ydoc_node *root, struct error *err)
{
    struct ydoc_node *map;
    *run = (struct run_config){.duration_s = 0, .warmup_s = 0, .requests = 0};
    if (ydoc_require(root, "run", &map, err) != 0 || ydoc_expect(map, YDOC_MAP, err) != 0 ||
        ydoc_read_f64(map, "duration_s", RANGE_NONNEGATIVE, &run->duration_s, err) != 0 ||
        ydoc_read_f64(map, "warmup_s", RANGE_NONNEGATIVE, &run->warmup_s, err) != 0 ||
        ydoc_read_i64(map, "requests", 0, INT64_C(1) << 40, &run->requests, err) != 0)
        return -1;
    if (run->duration_s == 0 && run->requests == 0)
        return ydoc_error(map, err, "set duration_s or requests (or both) so the run ends");
    if (run->duration_s > 0 && run->warmup_s >= run->duration_s)
        return ydoc_error(ydoc_get(map, "warmup_s"), err,
                          "warmup_s (%g) must be shorter than duration_s (%g)", run->warmup_s,
                          run->duration_s);
    return 0;
}

/* A server tier: absent is allowed (the arbiter and orchestrator checks say when a tier
 * is needed). */
static int scenario_load_tier(struct scenario *sc, struct tier_config *tier, struct ydoc_node *root,
                              const char *key, struct error *err)
{
    struct ydoc_node *map = ydoc_get(root, key);
    /* An edge is by default the enterprise's own server, a cloud a third party's API. */
    enum trust_level trust =
        strcmp(key, "edge") == 0 ? TRUST_ENTERPRISE_EDGE : TRUST_THIRD_PARTY_API;
    tier->present = map != NULL;
    tier->trust = trust;
    if (!map)
        return 0;
    if (ydoc_expect(map, YDOC_MAP, err) != 0 || server_config_load(&tier->server, map, err) != 0 ||
        guidance_load(&tier->guidance, map, err) != 0 ||
        trust_tier_load(map, trust, &tier->trust, &tier->attestation_ns, err) != 0)
        return -1;
    if (tier->guidance.enabled && tier->server.speculation.from_device)
        return ydoc_error(ydoc_get(map, "guidance"), err,
                          "guidance and device-drafted speculation on one tier are not modelled "
                          "together");
    return llm_quality_load(&tier->quality, ydoc_get(map, "model"), sc->datasets, err);
}

/* The links of a population: `network: {cloud: LINK, edge: LINK}`, one per tier present. */
static int scenario_load_population_links(struct population_config *pop, struct ydoc_node *map,
                                          const struct scenario *sc, struct error *err)
{
    static const char *const tier_key[LOCATION_COUNT] = {NULL, "edge", "cloud"};
    static const char *const on_failure[] = {"fallback", "fail"};
    struct ydoc_node *network = ydoc_get(map, "network");
    int fail = 0;
    if (network && (ydoc_expect(network, YDOC_MAP, err) != 0 ||
                    ydoc_read_enum(network, "on_failure", on_failure, 2, &fail, err) != 0))
        return -1;
    pop->fail_on_link_failure = fail == 1;
    for (int loc = LOCATION_EDGE; loc < LOCATION_COUNT; loc++) {
        struct ydoc_node *link = ydoc_get(network, tier_key[loc]);
        if (!sc->tier[loc].present) {
            if (link)
                return ydoc_error(link, err, "a link to the %s, but the scenario has no '%s' tier",
                                  tier_key[loc], tier_key[loc]);
            continue;
        }
        if (!link)
            return ydoc_error(network ? network : map, err,
                              "missing the devices' link to the %s: network.%s", tier_key[loc],
                              tier_key[loc]);
        pop->has_link[loc] = true; /* before loading, so a partial load is freed */
        if (ydoc_expect(link, YDOC_MAP, err) != 0 ||
            netlink_config_load(&pop->link[loc], link, err) != 0)
            return -1;
    }
    return 0;
}

static int scenario_load_population(struct population_config *pop, struct ydoc_node *map,
                                    const struct scenario *sc, struct error *err)
{
    struct ydoc_node *model, *workload;
    pop->count = 1;
    pop->name = "devices";
    /* In a list each population needs a name (reports show it); one population is
     * "devices" unless named. */
    if (ydoc_expect(map, YDOC_MAP, err) != 0 ||
        (sc->n_populations > 1 && ydoc_require(map, "name", &model, err) != 0) ||
        ydoc_read_str(map, "name", &pop->name, err) != 0 ||
        ydoc_read_i64(map, "count", 1, 10000000, &pop->count, err) != 0 ||
        ydoc_require(map, "model", &model, err) != 0 || ydoc_expect(model, YDOC_MAP, err) != 0 ||
        llm_perf_load(&pop->model, model, err) != 0 ||
        llm_quality_load(&pop->quality, model, sc->datasets, err) != 0)
        return -1;
    struct ydoc_node *power = ydoc_get(map, "power");
    if ((power && ydoc_expect(power, YDOC_MAP, err) != 0) ||
        energy_load(&pop->power, power, err) != 0 ||
        thermal_load(&pop->thermal, ydoc_get(map, "thermal"), err) != 0)
        return -1;
    if (strlen(pop->name) == 0 || strlen(pop->name) > 255 || strchr(pop->name, '/'))
        return ydoc_error(ydoc_get(map, "name"), err,
                          "a population name has 1 to 255 characters and no '/'");
    if (ydoc_require(map, "workload", &workload, err) != 0 ||
        ydoc_expect(workload, YDOC_MAP, err) != 0 ||
        workload_config_load(&pop->workload, workload, err) != 0)
        return -1;
    return scenario_load_population_links(pop, map, sc, err);
}

/* `devices` is one population (a map) or a list of them. */
static int scenario_load_populations(struct scenario *sc, struct ydoc_node *root, struct error *err)
{
    struct ydoc_node *devices;
    if (ydoc_require(root, "devices", &devices, err) != 0)
        return -1;
    bool list = ydoc_kind(devices) == YDOC_SEQ;
    if (list && ydoc_len(devices) == 0)
        return ydoc_error(devices, err, "devices must list at least one population");
    sc->n_populations = list ? ydoc_len(devices) : 1;
    sc->populations = calloc(sc->n_populations, sizeof sc->populations[0]);
    if (!sc->populations)
        return error_set(err, NULL, 0, 0, NULL, "out of memory");
    for (size_t i = 0; i < sc->n_populations; i++) {
        struct population_config *pop = &sc->populations[i];
        struct ydoc_node *map = list ? ydoc_item(devices, i) : devices;
        if (scenario_load_population(pop, map, sc, err) != 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(sc->populations[j].name, pop->name) == 0)
                return ydoc_error(ydoc_get(map, "name"), err, "population name '%s' is used twice",
                                  pop->name);
        pop->first_device = (uint32_t)sc->n_devices;
        sc->n_devices += pop->count;
        if (sc->n_devices > 10000000)
            return ydoc_error(map, err, "more than 10,000,000 devices in all");
    }
    return 0;
}

/* The edge's link to the cloud, under edge.network.cloud, when both tiers exist. */
static int scenario_load_edge_cloud(struct scenario *sc, struct ydoc_node *root, struct error *err)
{
    struct ydoc_node *edge = ydoc_get(root, "edge");
    struct ydoc_node *network = ydoc_get(edge, "network"), *link;
    if (network && ydoc_expect(network, YDOC_MAP, err) != 0)
        return -1;
    link = ydoc_get(network, "cloud");
    if (!sc->tier[LOCATION_EDGE].present || !sc->tier[LOCATION_CLOUD].present) {
        if (link)
            return ydoc_error(link, err, "an edge-cloud link needs both an edge and a cloud tier");
        return 0;
    }
    if (!link)
        return ydoc_error(network ? network : edge, err,
                          "missing the edge's link to the cloud: edge.network.cloud");
    sc->has_edge_cloud_link = true; /* before loading, so a partial load is freed */
    return ydoc_expect(link, YDOC_MAP, err) || netlink_config_load(&sc->edge_cloud, link, err) ? -1
                                                                                               : 0;
}

/* `slo: {ttft_ms, tpot_ms, e2e_ms}`: the targets of slo_attainment and goodput_rps. */
static int scenario_load_slo(struct scenario *sc, struct ydoc_node *root, struct error *err)
{
    struct ydoc_node *slo = ydoc_get(root, "slo");
    sc->slo_ttft_ms = sc->slo_tpot_ms = sc->slo_e2e_ms = INFINITY;
    if (!slo)
        return 0;
    if (ydoc_expect(slo, YDOC_MAP, err) != 0 ||
        ydoc_read_f64(slo, "ttft_ms", RANGE_POSITIVE, &sc->slo_ttft_ms, err) != 0 ||
        ydoc_read_f64(slo, "tpot_ms", RANGE_POSITIVE, &sc->slo_tpot_ms, err) != 0 ||
        ydoc_read_f64(slo, "e2e_ms", RANGE_POSITIVE, &sc->slo_e2e_ms, err) != 0)
        return -1;
    if (isinf(sc->slo_ttft_ms) && isinf(sc->slo_tpot_ms) && isinf(sc->slo_e2e_ms))
        return ydoc_error(slo, err, "an slo needs at least one of ttft_ms, tpot_ms, e2e_ms");
    return 0;
}

static int scenario_load_orchestrator(struct scenario *sc, struct ydoc_node *root,
                                      struct error *err)
{
    static const char *const names[] = {"device", "edge", "cloud"};
    int loc = LOCATION_DEVICE;
    if (ydoc_read_enum(root, "orchestrator", names, 3, &loc, err) != 0)
        return -1;
    sc->orchestrator = (enum location)loc;
    if (loc != LOCATION_DEVICE && !sc->tier[loc].present)
        return ydoc_error(ydoc_get(root, "orchestrator"), err,
                          "the orchestrator runs in the %s, but the scenario has no '%s' tier",
                          names[loc], names[loc]);
    return 0;
}

/* Whether population p lists the same task classes as the first, in the same order: what a
 * table keyed by class names for a server tier needs. */
static bool scenario_same_classes(const struct scenario *sc, size_t p)
{
    const struct task_set *ts = &sc->populations[p].workload.tasks;
    const struct task_set *first = &sc->populations[0].workload.tasks;
    bool same = ts->n_classes == first->n_classes;
    for (size_t i = 0; same && i < ts->n_classes; i++)
        same = strcmp(ts->classes[i].name, first->classes[i].name) == 0;
    return same;
}

/* Speculation's alpha_by_class names task classes, like a per-class accuracy table below.
 * (Device drafting needs each population to reach the tier: every population has a link to
 * every tier present, checked with the links.) */
static int scenario_bind_speculation(struct scenario *sc, size_t p, const char *const *names,
                                     size_t n, struct error *err)
{
    for (int loc = LOCATION_EDGE; loc < LOCATION_COUNT; loc++) {
        struct speculation_config *spec = &sc->tier[loc].server.speculation;
        if (!sc->tier[loc].present || !spec->alpha_by_class_node)
            continue;
        if (!scenario_same_classes(sc, p))
            return ydoc_error(spec->alpha_by_class_node, err,
                              "alpha_by_class needs every device population to list the same "
                              "task classes in the same order");
        if (p == 0 && speculation_bind_classes(spec, names, n, err) != 0)
            return -1;
    }
    return 0;
}

/* Per-class accuracy tables name task classes: bind each device model to its population's
 * classes, and each server model to the classes of every population (which must then agree
 * on their class names, so one table serves them all). */
static int scenario_bind_population(struct scenario *sc, size_t p, const char *const *names,
                                    size_t n, struct error *err)
{
    struct llm_quality *q = &sc->populations[p].quality;
    if (q->has_accuracy && accuracy_bind_classes(&q->accuracy, names, n, err) != 0)
        return -1;
    for (int loc = LOCATION_EDGE; loc < LOCATION_COUNT; loc++) {
        struct llm_quality *tq = &sc->tier[loc].quality;
        if (!sc->tier[loc].present || !tq->has_accuracy || tq->accuracy.kind != ACCURACY_BY_CLASS)
            continue;
        if (!scenario_same_classes(sc, p))
            return ydoc_error(tq->accuracy_node, err,
                              "a per-class accuracy table on the %s needs every device "
                              "population to list the same task classes in the same order",
                              location_name((enum location)loc));
        if (p == 0 && accuracy_bind_classes(&tq->accuracy, names, n, err) != 0)
            return -1;
    }
    return scenario_bind_speculation(sc, p, names, n, err);
}

static int scenario_bind_classes(struct scenario *sc, struct error *err)
{
    for (size_t p = 0; p < sc->n_populations; p++) {
        const struct task_set *ts = &sc->populations[p].workload.tasks;
        size_t n = ts->n_classes;
        const char **names = malloc(n * sizeof names[0]);
        if (!names)
            return error_set(err, NULL, 0, 0, NULL, "out of memory");
        for (size_t i = 0; i < n; i++)
            names[i] = ts->classes[i].name;
        int rc = scenario_bind_population(sc, p, names, n, err);
        free(names);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* Personal context kept at the edge means the edge holds personal data: under an enforced
 * rule it must be trusted with it. (Otherwise a request that was public when it reached the
 * edge would turn personal there, below its new floor; trust.h.) */
static int scenario_check_rag_trust(const struct scenario *sc, struct ydoc_node *root,
                                    struct error *err)
{
    const struct trust_policy *p = &sc->privacy;
    if (!sc->rag.present || !sc->rag.personal || sc->rag.at != LOCATION_EDGE || !p->enforce ||
        trust_allows(p, PRIVACY_PERSONAL, sc->tier[LOCATION_EDGE].trust))
        return 0;
    return ydoc_error(ydoc_get(ydoc_get(root, "rag"), "personal"), err,
                      "personal retrieved context at the edge needs an edge trusted with personal "
                      "data: the edge is %s, below privacy.lowest_trust.personal (%s)",
                      trust_level_name(sc->tier[LOCATION_EDGE].trust),
                      trust_level_name(p->lowest_trust[PRIVACY_PERSONAL]));
}

int scenario_load(struct scenario *sc, struct ydoc *doc, struct error *err)
{
    struct ydoc_node *root = ydoc_root(doc);
    int64_t seed = 1;
    memset(sc, 0, sizeof *sc);
    sc->name = "scenario";
    sc->replications = 1;
    if (ydoc_expect(root, YDOC_MAP, err) != 0 || ydoc_read_str(root, "name", &sc->name, err) != 0 ||
        ydoc_read_str(root, "description", &(const char *){NULL}, err) != 0 ||
        ydoc_read_i64(root, "seed", 0, INT64_MAX, &seed, err) != 0 ||
        ydoc_read_i64(root, "replications", 1, 100000, &sc->replications, err) != 0)
        return -1;
    sc->seed = (uint64_t)seed;
    /* `variants` belongs to the experiment layer (experiment.c); mark it as known here. */
    (void)ydoc_get(root, "variants");
    /* `expect` (pass/fail thresholds, expect.h) is checked by `run --expect`-style callers;
     * here it is validated and marked read. */
    if (expect_validate(ydoc_get(root, "expect"), err) != 0)
        return -1;
    if (!(sc->datasets = accuracy_datasets_new()))
        return error_set(err, NULL, 0, 0, NULL, "out of memory");
    if (scenario_load_run(&sc->run, root, err) != 0 ||
        scenario_load_tier(sc, &sc->tier[LOCATION_EDGE], root, "edge", err) != 0 ||
        scenario_load_tier(sc, &sc->tier[LOCATION_CLOUD], root, "cloud", err) != 0 ||
        scenario_load_populations(sc, root, err) != 0 ||
        scenario_load_edge_cloud(sc, root, err) != 0 ||
        scenario_load_orchestrator(sc, root, err) != 0 ||
        rag_config_load(&sc->rag, root, sc->tier[LOCATION_EDGE].present, err) != 0 ||
        trust_policy_load(&sc->privacy, root, err) != 0 ||
        scenario_check_rag_trust(sc, root, err) != 0 ||
        outputs_config_load(&sc->outputs, root, err) != 0 ||
        scenario_load_slo(sc, root, err) != 0 || scenario_bind_classes(sc, err) != 0)
        return -1;
    bool present[LOCATION_COUNT] = {true, sc->tier[LOCATION_EDGE].present,
                                    sc->tier[LOCATION_CLOUD].present};
    bool device_accuracy = true;
    for (size_t i = 0; i < sc->n_populations; i++)
        device_accuracy = device_accuracy && sc->populations[i].quality.has_accuracy;
    if (arbiter_load(&sc->arbiter, root, present, device_accuracy, err) != 0)
        return -1;
    const struct speculation_config *remote_spec = &sc->tier[sc->arbiter.remote].server.speculation;
    if (sc->arbiter.ops->decides_speculation && !remote_spec->from_device)
        return ydoc_error(ydoc_get(root, "arbiter"), err,
                          "arbiter '%s' chooses device drafting per request, so the %s needs "
                          "speculation: {drafter: device}",
                          sc->arbiter.ops->name, location_name(sc->arbiter.remote));
    if (sc->arbiter.ops->after_assessment && sc->orchestrator != LOCATION_DEVICE)
        return ydoc_error(ydoc_get(root, "arbiter"), err,
                          "arbiter '%s' asks the device's model to judge each request, so the "
                          "orchestrator must be the device",
                          sc->arbiter.ops->name);
    return 0;
}

void scenario_free(struct scenario *sc)
{
    for (size_t i = 0; i < sc->n_populations; i++) {
        struct population_config *pop = &sc->populations[i];
        llm_perf_free(&pop->model);
        llm_quality_free(&pop->quality);
        energy_free(&pop->power);
        workload_config_free(&pop->workload);
        for (int loc = 0; loc < LOCATION_COUNT; loc++)
            if (pop->has_link[loc])
                netlink_config_free(&pop->link[loc]);
    }
    free(sc->populations);
    for (int loc = LOCATION_EDGE; loc < LOCATION_COUNT; loc++)
        if (sc->tier[loc].present) {
            server_config_free(&sc->tier[loc].server);
            llm_quality_free(&sc->tier[loc].quality);
        }
    rag_config_free(&sc->rag);
    accuracy_datasets_free(sc->datasets);
    if (sc->has_edge_cloud_link)
        netlink_config_free(&sc->edge_cloud);
    memset(sc, 0, sizeof *sc);
}
