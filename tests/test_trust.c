/* Tests of trust levels and privacy classes (models/trust.c, their enforcement in
 * models/journey.c and their metrics): the order and defaults, bad input, the refusal path,
 * a property test over random scenarios (no request is ever seen by a tier below its
 * class's floor, under any arbiter, orchestrator, retrieval and link failures), and the
 * conservation of exposure counts cross-checked against requests.csv.
 *
 * What the property test checks is recorded where every message to a server tier is
 * delivered (journey_transmit: a request's tiers_seen), not where the rule is enforced,
 * so a path that forgot the rule would show up; the same scenarios with the rule off must
 * show violations, so the check is not vacuous. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "experiment.h"
#include "rng.h"
#include "run.h"

/* --- helpers --- */

static void fail_with(const struct error *err)
{
    char buf[2048];
    error_format(err, buf, sizeof buf);
    fail_msg("%s", buf);
}

/* Loads text with the `--set` overrides sets[0..n_sets). */
static void load_text_with(struct experiment *ex, const char *text, const char *const *sets,
                           size_t n_sets)
{
    struct experiment_options opt = {.sets = sets, .n_sets = n_sets};
    struct error err;
    error_clear(&err);
    if (experiment_load_text(ex, text, "trust.yaml", &opt, &err) != 0) {
        printf("%s\n", text);
        fail_with(&err);
    }
}

static void load_text(struct experiment *ex, const char *text)
{
    load_text_with(ex, text, NULL, 0);
}

static double metric(const double *values, const char *name)
{
    long m = metric_find(name);
    if (m < 0)
        fail_msg("no metric named '%s'", name);
    return values[m];
}

/* Runs replication 0 of a variant through the run API with an observer; values gets the
 * metric vector, and the number of requests created is returned. */
static uint64_t run_observed(const struct experiment *ex, size_t variant,
                             const struct run_observer *observer, double *values)
{
    struct run run;
    struct run_result res;
    struct error err;
    error_clear(&err);
    int rc = run_init(&run, &ex->variants[variant].sc, ex->seed, 0, &err);
    if (rc == 0) {
        run_observe(&run, observer);
        rc = run_execute(&run, &res, &err);
    }
    uint64_t arrivals = run.arrivals;
    run_free(&run);
    if (rc != 0)
        fail_with(&err);
    memcpy(values, res.values, sizeof res.values);
    return arrivals;
}

/* A minimal scenario with a device, an edge and a cloud: edge_keys go into the edge's map
 * (from line 14), `extra` at the end (from line 19 + the lines of edge_keys). */
static void small_scenario(char *buf, size_t len, const char *edge_keys, const char *extra)
{
    snprintf(buf, len,
             "name: trust\nseed: 3\nrun: {requests: 10}\n"
             "devices:\n  model: {prefill_tok_s: 100, decode_tok_s: 10}\n"
             "  workload:\n    arrival: {process: poisson, rate_rps: 1}\n"
             "    prompt_tokens: 10\n    output_tokens: 2\n"
             "  network:\n    edge: {rtt_ms: 10, up_mbps: 10, down_mbps: 10}\n"
             "    cloud: {rtt_ms: 50, up_mbps: 10, down_mbps: 10}\n"
             "edge:\n%s  model: {prefill_tok_s: 1000, decode_tok_s: 100}\n"
             "  network:\n    cloud: {rtt_ms: 20, up_mbps: 100, down_mbps: 100}\n"
             "cloud:\n  model: {prefill_tok_s: 1000, decode_tok_s: 100}\n%s",
             edge_keys, extra);
}

/* Loading must fail with a message containing `msg`, located at line:col and `path`. */
static void load_fails(const char *edge_keys, const char *extra, const char *msg, int line, int col,
                       const char *path)
{
    char text[4096];
    small_scenario(text, sizeof text, edge_keys, extra);
    struct experiment ex;
    struct experiment_options none = {0};
    struct error err;
    error_clear(&err);
    int rc = experiment_load_text(&ex, text, "trust.yaml", &none, &err);
    experiment_free(&ex); /* freeable after a failed load too */
    printf("    %d:%d %s: %s\n", err.line, err.col, err.path, err.msg);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err.msg, msg));
    assert_int_equal(err.line, line);
    assert_int_equal(err.col, col);
    assert_string_equal(err.path, path);
}

/* --- the order, the names and the defaults --- */

static void trust_levels_are_ordered_and_the_defaults_hold(void **state)
{
    (void)state;
    /* Least trusted first: the enum's order is the order of trust. */
    assert_true(TRUST_THIRD_PARTY_API < TRUST_ENTERPRISE_EDGE);
    assert_true(TRUST_ENTERPRISE_EDGE < TRUST_PRIVATE_CLOUD);
    assert_true(TRUST_PRIVATE_CLOUD < TRUST_DEVICE);
    assert_string_equal(trust_level_name(TRUST_PRIVATE_CLOUD), "private-cloud");
    assert_string_equal(trust_class_name(PRIVACY_CONFIDENTIAL), "confidential");

    char text[4096];
    small_scenario(text, sizeof text, "", "");
    struct experiment ex;
    load_text(&ex, text);
    const struct scenario *sc = &ex.variants[0].sc;
    assert_true(sc->privacy.enforce);
    assert_int_equal(sc->tier[LOCATION_EDGE].trust, TRUST_ENTERPRISE_EDGE);
    assert_int_equal(sc->tier[LOCATION_CLOUD].trust, TRUST_THIRD_PARTY_API);
    assert_int_equal(scenario_trust(sc, LOCATION_DEVICE), TRUST_DEVICE);
    /* public: anyone; personal: not a third-party API; confidential: the device only. */
    const struct trust_policy *p = &sc->privacy;
    for (int t = 0; t < TRUST_COUNT; t++) {
        assert_true(trust_allows(p, PRIVACY_PUBLIC, (enum trust_level)t));
        assert_true(trust_allows(p, PRIVACY_PERSONAL, (enum trust_level)t) ==
                    (t >= TRUST_ENTERPRISE_EDGE));
        assert_true(trust_allows(p, PRIVACY_CONFIDENTIAL, (enum trust_level)t) ==
                    (t == TRUST_DEVICE));
    }
    experiment_free(&ex);

    static const char *const sets[] = {"cloud.trust=private-cloud", "cloud.attestation_ms=25",
                                       "edge.attestation_ms=25", "privacy.enforce=false",
                                       "privacy.lowest_trust.personal=private-cloud"};
    load_text_with(&ex, text, sets, sizeof sets / sizeof sets[0]);
    sc = &ex.variants[0].sc;
    assert_false(sc->privacy.enforce);
    assert_int_equal(sc->privacy.lowest_trust[PRIVACY_PUBLIC], TRUST_THIRD_PARTY_API);
    assert_int_equal(sc->privacy.lowest_trust[PRIVACY_PERSONAL], TRUST_PRIVATE_CLOUD);
    assert_int_equal(sc->privacy.lowest_trust[PRIVACY_CONFIDENTIAL], TRUST_DEVICE);
    assert_int_equal(sc->tier[LOCATION_CLOUD].trust, TRUST_PRIVATE_CLOUD);
    assert_true(sc->tier[LOCATION_CLOUD].attestation_ns == 25000000);
    assert_true(sc->tier[LOCATION_EDGE].attestation_ns == 0);
    experiment_free(&ex);
}

/* --- bad input --- */

static void bad_input_is_located(void **state)
{
    (void)state;
    load_fails("", "privacy: {enforce: maybe}\n", "true or false", 19, 20, "privacy.enforce");
    load_fails("", "privacy: strict\n", "expected a map", 19, 10, "privacy");
    load_fails("", "privacy: {lowest_trust: {personal: partner}}\n", "expected one of", 19, 36,
               "privacy.lowest_trust.personal");
    load_fails("",
               "privacy: {lowest_trust: {personal: third-party-api, public: enterprise-edge}}\n",
               "is below lowest_trust.public", 19, 25, "privacy.lowest_trust");
    load_fails("", "privacy: {lowest_trust: {secret: device}}\n", "unknown key 'secret'", 19, 26,
               "privacy.lowest_trust.secret");
    load_fails("", "privacy: {enforced: true}\n", "did you mean 'enforce'", 19, 11,
               "privacy.enforced");
    load_fails("  trust: device\n", "", "expected one of", 14, 10, "edge.trust");
    load_fails("  trust: private_cloud\n", "", "did you mean 'private-cloud'", 14, 10,
               "edge.trust");
    load_fails("  attestation_ms: -5\n", "", "[0, 60000]", 14, 19, "edge.attestation_ms");
    load_fails("  atestation_ms: 5\n", "", "did you mean 'attestation_ms'", 14, 3,
               "edge.atestation_ms");
    /* Personal documents at an edge that may not see personal requests. */
    load_fails("",
               "rag: {at: edge, latency_ms: 5, context_tokens: 5, personal: true}\n"
               "privacy: {lowest_trust: {personal: private-cloud}}\n",
               "needs an edge trusted with personal data", 19, 61, "rag.personal");
}

/* --- refusal --- */

/* Counts per privacy class and per outcome, with the refusal invariants. */
struct class_tally {
    uint64_t by_class[PRIVACY_CLASS_COUNT], refused_by_class[PRIVACY_CLASS_COUNT];
    uint64_t bad;
};

static void class_tally_end(void *ctx, const struct run *run, const struct request *req)
{
    struct class_tally *t = ctx;
    t->by_class[req->privacy]++;
    if (req->outcome != OUTCOME_REFUSED) {
        t->bad += req->refusal != REFUSAL_NONE;
        return;
    }
    t->refused_by_class[req->privacy]++;
    /* Refused at its device on arrival: nothing sent, nothing spent, nothing measured. */
    t->bad += req->refusal != REFUSAL_ORCHESTRATOR || req->tiers_seen != 0 || req->bytes_up != 0 ||
              req->bytes_down != 0 || req->energy_j != 0 || req->cost_usd != 0 || req->scored ||
              req->end_ns != req->arrival_ns || req->decided_ns != -1 ||
              req->first_token_user_ns != -1 || run->sc->orchestrator != LOCATION_CLOUD;
}

/* A cloud-centric system: the cloud orchestrates, so the prompt goes up before anything is
 * decided. 2000 requests, 30 % personal and 10 % confidential. Whatever the arbiter says,
 * a request the orchestrator may not see is refused, and only those:
 *   third-party cloud, default floors     personal and confidential refused
 *   personal allowed down to third-party  confidential refused
 *   the cloud is a private cloud          confidential refused (personal ≥ enterprise-edge)
 *   the rule off                          none refused; every private request is a violation */
static void refused_requests_are_those_the_orchestrator_may_not_see(void **state)
{
    (void)state;
    char text[4096];
    snprintf(text, sizeof text,
             "name: refusal\nseed: 5\nrun: {requests: 2000}\n"
             "devices:\n  count: 50\n  model: {prefill_tok_s: 1000, decode_tok_s: 50}\n"
             "  workload:\n    arrival: {process: poisson, rate_rps: 20}\n"
             "    tasks: [{name: t, share: 1, prompt_tokens: 100, output_tokens: 10,\n"
             "             privacy: {personal: 0.3, confidential: 0.1}}]\n"
             "  network:\n    cloud: {rtt_ms: 40, up_mbps: 20, down_mbps: 50}\n"
             "cloud:\n  slots: 100\n  model: {prefill_tok_s: 10000, decode_tok_s: 100}\n"
             "orchestrator: cloud\narbiter: {policy: random, share: 0.5}\n"
             "variants:\n"
             "  - {name: default}\n"
             "  - {name: personal-ok, set: {privacy.lowest_trust.personal: third-party-api}}\n"
             "  - {name: private-cloud, set: {cloud.trust: private-cloud}}\n"
             "  - {name: off, set: {privacy.enforce: false}}\n");
    struct experiment ex;
    load_text(&ex, text);
    static const bool refused[4][PRIVACY_CLASS_COUNT] = {
        {false, true, true}, {false, false, true}, {false, false, true}, {false, false, false}};
    for (size_t v = 0; v < 4; v++) {
        struct class_tally t = {.bad = 0};
        struct run_observer observer = {.request_end = class_tally_end, .ctx = &t};
        double x[METRIC_COUNT];
        uint64_t arrivals = run_observed(&ex, v, &observer, x);
        uint64_t want_refused = 0, private_requests = 0;
        for (int c = 0; c < PRIVACY_CLASS_COUNT; c++) {
            assert_true(t.refused_by_class[c] == (refused[v][c] ? t.by_class[c] : 0));
            want_refused += t.refused_by_class[c];
            private_requests += c == PRIVACY_PUBLIC ? 0 : t.by_class[c];
        }
        double served = metric(x, "requests_completed") + metric(x, "requests_fallback");
        printf("  %-13s %4.0f arrived: %4llu public, %4llu personal, %4llu confidential; "
               "%4.0f refused, %4.0f served, %4.0f seen in the cloud, %.0f violations\n",
               ex.variants[v].name, metric(x, "requests_arrived"),
               (unsigned long long)t.by_class[0], (unsigned long long)t.by_class[1],
               (unsigned long long)t.by_class[2], metric(x, "requests_refused"), served,
               metric(x, "exposed_requests_third_party_api") +
                   metric(x, "exposed_requests_private_cloud"),
               metric(x, "privacy_violations"));
        assert_true(t.bad == 0);
        assert_true(arrivals == 2000 && metric(x, "requests_arrived") == 2000);
        assert_true(metric(x, "requests_refused") == (double)want_refused);
        assert_true(served + metric(x, "requests_refused") == 2000);
        /* Every request that was not refused reached the orchestrator in the cloud. */
        assert_true(metric(x, "exposed_requests_third_party_api") +
                        metric(x, "exposed_requests_private_cloud") ==
                    2000.0 - (double)want_refused);
        assert_true(metric(x, "privacy_violations") == (v == 3 ? (double)private_requests : 0));
        assert_true(want_refused > 0 || v == 3); /* the check is not vacuous */
    }
    experiment_free(&ex);
}

/* --- the property: never seen below the floor --- */

/* Appends printf-style text to a buffer. */
struct text {
    char buf[8192];
    size_t len;
};

static void put(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, sizeof t->buf - t->len, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < sizeof t->buf - t->len);
    t->len += (size_t)n;
}

static size_t pick(gsl_rng *rng, size_t n)
{
    return (size_t)gsl_rng_uniform_int(rng, n);
}

static const char *const remote_trust[] = {"third-party-api", "enterprise-edge", "private-cloud"};
static const char *const all_trust[] = {"third-party-api", "enterprise-edge", "private-cloud",
                                        "device"};

/* A link, with outages that fail or time out messages half the time. */
static void put_link(struct text *t, gsl_rng *rng, double rtt_ms, bool failures)
{
    put(t,
        "{rtt_ms: {dist: uniform, min: %g, max: %g}, up_mbps: %g, down_mbps: 50, "
        "overhead_bytes: 100",
        rtt_ms / 2, rtt_ms * 1.5, 5.0 + 20.0 * gsl_rng_uniform(rng));
    if (failures && gsl_rng_uniform(rng) < 0.5) {
        static const char *const modes[] = {"fail", "timeout", "wait"};
        put(t,
            ", outage: {up_s: {dist: exponential, mean: %g}, down_s: {dist: exponential, "
            "mean: %g}, start: stationary}, on_outage: %s, timeout_ms: 300",
            1.0 + 4.0 * gsl_rng_uniform(rng), 0.2 + gsl_rng_uniform(rng), modes[pick(rng, 3)]);
    }
    put(t, "}");
}

/* A random small scenario (see the property test): its text goes to t. */
static void random_scenario(struct text *t, gsl_rng *rng, uint64_t seed)
{
    bool edge = gsl_rng_uniform(rng) < 0.7, cloud = !edge || gsl_rng_uniform(rng) < 0.7;
    bool failures = gsl_rng_uniform(rng) < 0.5;
    size_t edge_trust = pick(rng, 3), cloud_trust = pick(rng, 3);
    size_t floors[3] = {pick(rng, 4), pick(rng, 4), pick(rng, 4)};
    for (int i = 0; i < 3; i++) /* sorted: floors never decrease (trust.h) */
        for (int j = i + 1; j < 3; j++)
            if (floors[j] < floors[i]) {
                size_t x = floors[i];
                floors[i] = floors[j];
                floors[j] = x;
            }
    /* Tiers present, the orchestrator among them, the arbiter and its remote tier. */
    enum location tiers[3] = {LOCATION_DEVICE};
    size_t n_tiers = 1;
    if (edge)
        tiers[n_tiers++] = LOCATION_EDGE;
    if (cloud)
        tiers[n_tiers++] = LOCATION_CLOUD;
    enum location orchestrator = tiers[pick(rng, n_tiers)];
    enum location to = tiers[1 + pick(rng, n_tiers - 1)];
    const struct arbiter_ops *ops = arbiter_registry[pick(rng, arbiter_registry_len)];
    if (strcmp(ops->name, "edge") == 0 && !edge)
        ops = arbiter_find("cloud");
    if (strcmp(ops->name, "cloud") == 0 && !cloud)
        ops = arbiter_find("edge");
    if (ops->after_assessment) /* self-assessment needs the device to orchestrate */
        orchestrator = LOCATION_DEVICE;
    /* Device-drafted speculation at a tier (the speculative arbiter needs it at `to`): its
     * rounds send drafts up, which the exposure record must see too. */
    bool drafting[LOCATION_COUNT] = {false, gsl_rng_uniform(rng) < 0.3, gsl_rng_uniform(rng) < 0.3};
    if (ops->decides_speculation)
        drafting[to] = true;
    static const char *const drafting_maps[] = {
        "  speculation: {drafter: device, gamma: 3, alpha: 0.7}\n",
        "  speculation: {drafter: device, gamma: 3, alpha: 0.5, adaptive: true, "
        "stop_when_slower: true}\n"};
    const char *drafting_map = drafting_maps[pick(rng, 2)];
    /* GKT guidance at a tier without drafting (the two are exclusive). */
    bool guiding[LOCATION_COUNT] = {false, gsl_rng_uniform(rng) < 0.3, gsl_rng_uniform(rng) < 0.3};
    static const char guidance_map[] = "  guidance: {tokens: 5, half_tokens: 10}\n";
    int rag = edge ? (int)pick(rng, 3) : (int)pick(rng, 2); /* none, device, edge */
    bool personal = gsl_rng_uniform(rng) < 0.5;
    if (rag == 2 && personal && edge_trust < floors[PRIVACY_PERSONAL])
        personal = false; /* personal documents need an edge trusted with them (scenario.c) */

    put(t, "name: random\nseed: %llu\nrun: {requests: %d}\n", (unsigned long long)seed,
        60 + (int)pick(rng, 100));
    put(t,
        "privacy: {enforce: true, lowest_trust: {public: %s, personal: %s, confidential: "
        "%s}}\n",
        all_trust[floors[0]], all_trust[floors[1]], all_trust[floors[2]]);
    put(t,
        "devices:\n  count: %d\n  model: {prefill_tok_s: 2000, decode_tok_s: 40, accuracy: "
        "{skill: 0}}\n",
        1 + (int)pick(rng, 20));
    put(t, "  power: {active_w: 5, idle_w: 0.5, battery_wh: 0.05}\n");
    put(t, "  workload:\n    arrival: {process: poisson, rate_rps: %g}\n    tasks:\n",
        2.0 + 20.0 * gsl_rng_uniform(rng));
    for (int c = 0; c < 2; c++) {
        double personal_share = 0.5 * gsl_rng_uniform(rng);
        double confidential_share = (1 - personal_share) * 0.5 * gsl_rng_uniform(rng);
        put(t,
            "      - {name: c%d, share: %d, prompt_tokens: {dist: uniform, min: 10, max: 300}, "
            "output_tokens: {dist: uniform, min: 1, max: 30}, difficulty: {dist: normal, "
            "mean: 0, sd: 1.5}, privacy: {personal: %.3f, confidential: %.3f}, rag_share: "
            "%.2f}\n",
            c, 1 + c, personal_share, confidential_share, gsl_rng_uniform(rng));
    }
    put(t, "  network:\n    on_failure: %s\n", gsl_rng_uniform(rng) < 0.5 ? "fallback" : "fail");
    if (edge) {
        put(t, "    edge: ");
        put_link(t, rng, 10, failures);
        put(t, "\n");
    }
    if (cloud) {
        put(t, "    cloud: ");
        put_link(t, rng, 60, failures);
        put(t, "\n");
    }
    if (edge) {
        put(t, "edge:\n  slots: 4\n  trust: %s\n  attestation_ms: %g\n", remote_trust[edge_trust],
            20.0 * gsl_rng_uniform(rng));
        put(t, "  model: {prefill_tok_s: 20000, decode_tok_s: 200, accuracy: {skill: 1}}\n");
        if (drafting[LOCATION_EDGE])
            put(t, drafting_map);
        else if (guiding[LOCATION_EDGE])
            put(t, guidance_map);
        if (cloud) {
            put(t, "  network:\n    cloud: ");
            put_link(t, rng, 30, failures);
            put(t, "\n");
        }
    }
    if (cloud) {
        /* The cloud serves slots or a continuous batch whose KV cache is small enough to
         * preempt and reject, under a random scheduler; slots may run the Big-Little Decoder
         * instead of drafting or guidance. */
        bool continuous = gsl_rng_uniform(rng) < 0.5;
        static const char *const cont_scheds[] = {"fcfs", "spf", "psrf", "s3"};
        static const char *const slot_scheds[] = {"fcfs", "spf"};
        put(t, "cloud:\n  trust: %s\n  attestation_ms: %g\n", remote_trust[cloud_trust],
            50.0 * gsl_rng_uniform(rng));
        if (continuous)
            put(t,
                "  batching: {mode: continuous}\n  scheduler: {policy: %s}\n"
                "  model: {prefill_tok_s: 50000, decode_tok_s: 500, max_batch: %d, "
                "kv_cache_tokens: %d, ",
                cont_scheds[pick(rng, 4)], 2 + (int)pick(rng, 30), 300 + (int)pick(rng, 3000));
        else
            put(t,
                "  slots: 16\n  scheduler: {policy: %s}\n"
                "  model: {prefill_tok_s: 50000, decode_tok_s: 500, ",
                slot_scheds[pick(rng, 2)]);
        put(t, "accuracy: {skill: 2}, price: {input_usd_per_mtok: 3, output_usd_per_mtok: 15}}\n");
        if (drafting[LOCATION_CLOUD])
            put(t, drafting_map);
        else if (guiding[LOCATION_CLOUD])
            put(t, guidance_map);
        else if (!continuous && gsl_rng_uniform(rng) < 0.3)
            put(t, "  big_little: {calibration: aligned, fallback_threshold: 0.5}\n");
    }
    put(t, "orchestrator: %s\n", location_name(orchestrator));
    put(t, "arbiter: {policy: %s, to: %s", ops->name, location_name(to));
    if (strcmp(ops->name, "budget") == 0)
        put(t, ", usd_per_hour: %g", 0.01 * gsl_rng_uniform(rng));
    put(t, "}\n");
    if (rag > 0)
        put(t,
            "rag: {at: %s, latency_ms: {dist: uniform, min: 5, max: 50}, context_tokens: 40, "
            "personal: %s}\n",
            rag == 1 ? "device" : "edge", personal ? "true" : "false");
    put(t, "variants:\n  - {name: enforced}\n  - {name: off, set: {privacy.enforce: false}}\n");
}

/* Per-request checks and sums, from the request records as they end. */
struct exposure_audit {
    uint64_t ended, outcomes[OUTCOME_COUNT];
    uint64_t below_floor;                            /* seen by a tier below its floor */
    uint64_t seen_by_level[TRUST_COUNT], tiers_seen; /* Σ requests per level; Σ tiers */
    double tokens_by_level[TRUST_COUNT];
    uint64_t rerouted;
    uint64_t violations;
    char first_violation[300];
};

static void audit_fail(struct exposure_audit *a, const struct request *req, const char *what)
{
    if (a->violations++ == 0)
        snprintf(a->first_violation, sizeof a->first_violation, "request %llu (%s, %s at %s): %s",
                 (unsigned long long)req->id, trust_class_name(req->privacy),
                 outcome_name(req->outcome), location_name(req->location), what);
}

static void exposure_audit_end(void *ctx, const struct run *run, const struct request *req)
{
    struct exposure_audit *a = ctx;
    const struct scenario *sc = run->sc;
    const struct trust_policy *rule = &sc->privacy;
    enum trust_level floor = rule->lowest_trust[req->privacy];
    a->ended++;
    a->outcomes[req->outcome]++;
    a->rerouted += req->privacy_rerouted;
    /* The property: the least trusted tier that saw the request is at or above its floor. */
    if (scenario_lowest_trust_seen(sc, req) < floor) {
        a->below_floor++;
        if (rule->enforce)
            audit_fail(a, req, "seen by a tier below its floor");
    }
    bool served = req->outcome == OUTCOME_COMPLETED || req->outcome == OUTCOME_FALLBACK;
    if (rule->enforce && served && scenario_trust(sc, req->location) < floor)
        audit_fail(a, req, "served by a tier below its floor");
    /* Independent evidence of where the prompt went: only prompts and queries go up. */
    if ((req->bytes_up > 0) != (req->tiers_seen != 0))
        audit_fail(a, req, "bytes went up without a tier seeing it, or the reverse");
    if (req->outcome == OUTCOME_COMPLETED && req->location != LOCATION_DEVICE &&
        !request_seen_by(req, req->location))
        audit_fail(a, req, "served remotely by a tier that never received it");
    if (req->outcome == OUTCOME_COMPLETED && sc->orchestrator != LOCATION_DEVICE &&
        !request_seen_by(req, sc->orchestrator))
        audit_fail(a, req, "completed without reaching its orchestrator");
    /* A request that personal documents would make personal is refused, before anything
     * moves, on the personal floor when its own is lower. */
    enum trust_level refusal_floor = floor;
    if (req->needs_rag && sc->rag.present && sc->rag.personal &&
        rule->lowest_trust[PRIVACY_PERSONAL] > refusal_floor)
        refusal_floor = rule->lowest_trust[PRIVACY_PERSONAL];
    if (req->outcome == OUTCOME_REFUSED &&
        (!rule->enforce || req->tiers_seen != 0 || req->refusal != REFUSAL_ORCHESTRATOR ||
         scenario_trust(sc, sc->orchestrator) >= refusal_floor))
        audit_fail(a, req, "refused although its orchestrator may see it, or after moving");
    if ((req->outcome == OUTCOME_REFUSED) != (req->refusal != REFUSAL_NONE))
        audit_fail(a, req, "a refusal reason without the outcome, or the reverse");
    if (!rule->enforce && (req->privacy_rerouted || req->outcome == OUTCOME_REFUSED))
        audit_fail(a, req, "the rule acted while it was off");
    for (int loc = LOCATION_EDGE; loc < LOCATION_COUNT; loc++)
        if (request_seen_by(req, (enum location)loc)) {
            enum trust_level level = sc->tier[loc].trust;
            a->seen_by_level[level]++;
            a->tiers_seen++;
            a->tokens_by_level[level] += req->tokens_seen[loc];
            if (req->tokens_seen[loc] == 0 || req->tokens_seen[loc] > req->prompt_tokens)
                audit_fail(a, req, "a tier saw no tokens, or more than the prompt");
        } else if (req->tokens_seen[loc] != 0) {
            audit_fail(a, req, "tokens seen by a tier that did not see it");
        }
}

static const char *const exposed_requests[TRUST_COUNT] = {"exposed_requests_third_party_api",
                                                          "exposed_requests_enterprise_edge",
                                                          "exposed_requests_private_cloud", NULL};
static const char *const exposed_tokens[TRUST_COUNT] = {"exposed_tokens_third_party_api",
                                                        "exposed_tokens_enterprise_edge",
                                                        "exposed_tokens_private_cloud", NULL};

/* The summary agrees with the records: outcomes add up to the arrivals, exposure is each
 * request once per tier that saw it. */
static void exposure_audit_check(const struct exposure_audit *a, const double *x, uint64_t arrivals,
                                 const char *text)
{
    if (a->violations) {
        printf("%s\n", text);
        fail_msg("%llu violations; first: %s", (unsigned long long)a->violations,
                 a->first_violation);
    }
    static const char *const outcomes[OUTCOME_COUNT] = {NULL,
                                                        "requests_completed",
                                                        "requests_fallback",
                                                        "requests_failed_network",
                                                        "requests_rejected",
                                                        "requests_refused"};
    double sum = 0;
    assert_true(a->outcomes[OUTCOME_PENDING] == 0);
    for (int o = 1; o < OUTCOME_COUNT; o++) {
        assert_true(metric(x, outcomes[o]) == (double)a->outcomes[o]);
        sum += metric(x, outcomes[o]);
    }
    if (a->ended != arrivals) {
        printf("%s\n", text);
        fail_msg("%llu of %llu requests ended", (unsigned long long)a->ended,
                 (unsigned long long)arrivals);
    }
    assert_true(sum == (double)arrivals && metric(x, "requests_arrived") == (double)arrivals);
    double exposed = 0;
    for (int level = 0; level < TRUST_DEVICE; level++) {
        assert_true(metric(x, exposed_requests[level]) == (double)a->seen_by_level[level]);
        assert_true(metric(x, exposed_tokens[level]) == a->tokens_by_level[level]);
        exposed += metric(x, exposed_requests[level]);
    }
    assert_true(exposed == (double)a->tiers_seen);
    assert_true(metric(x, "privacy_violations") == (double)a->below_floor);
    assert_true(metric(x, "requests_privacy_rerouted") == (double)a->rerouted);
}

/* 150 random small scenarios (any registered arbiter with its remote tier, random tiers
 * and trust levels, device drafting or GKT guidance at some tiers, a cloud of slots (perhaps
 * a Big-Little Decoder) or a continuous batch with a small KV cache under a random scheduler,
 * floors, class shares, orchestrator, retrieval on the device or at the edge, personal or not, link
 * outages that fail or time out, fallback or fail), each run with the rule on and off on the same
 * seed. On: no request is ever seen by a tier below its class's floor, nor served there; off: some
 * are (summed over all scenarios), so the check could fail. Both: every request ends once and the
 * outcomes add up to the arrivals; the exposure metrics are the request records' sums. */
static void no_request_is_seen_below_its_floor_under_any_arbiter(void **state)
{
    (void)state;
    enum { SCENARIOS = 150 };
    gsl_rng *rng = rng_stream_new(2024, 0, "trust-property");
    assert_non_null(rng);
    uint64_t below_off = 0, refused = 0, rerouted = 0, requests = 0, failed = 0;
    bool arbiter_seen[32] = {false};
    for (int s = 0; s < SCENARIOS; s++) {
        struct text *t = calloc(1, sizeof *t);
        assert_non_null(t);
        random_scenario(t, rng, (uint64_t)s + 1);
        struct experiment ex;
        load_text(&ex, t->buf);
        for (size_t i = 0; i < arbiter_registry_len; i++)
            arbiter_seen[i] |= ex.variants[0].sc.arbiter.ops == arbiter_registry[i];
        for (size_t v = 0; v < 2; v++) {
            struct exposure_audit a = {0};
            struct run_observer observer = {.request_end = exposure_audit_end, .ctx = &a};
            double x[METRIC_COUNT];
            uint64_t arrivals = run_observed(&ex, v, &observer, x);
            exposure_audit_check(&a, x, arrivals, t->buf);
            if (v == 0) {
                refused += a.outcomes[OUTCOME_REFUSED];
                rerouted += a.rerouted;
                requests += arrivals;
                failed += a.outcomes[OUTCOME_FAILED_NETWORK] + a.outcomes[OUTCOME_FALLBACK];
            } else {
                below_off += a.below_floor;
            }
        }
        experiment_free(&ex);
        free(t);
    }
    gsl_rng_free(rng);
    printf("  %d scenarios, %llu requests with the rule on: %llu refused, %llu kept from a "
           "tier, %llu fell back or failed on a link; with it off %llu were seen below their "
           "floor\n",
           SCENARIOS, (unsigned long long)requests, (unsigned long long)refused,
           (unsigned long long)rerouted, (unsigned long long)failed, (unsigned long long)below_off);
    /* Not vacuous: the rule had work to do, and every arbiter was drawn. */
    assert_true(below_off > 0 && refused > 0 && rerouted > 0 && failed > 0);
    for (size_t i = 0; i < arbiter_registry_len; i++)
        if (!arbiter_seen[i])
            fail_msg("arbiter '%s' was never drawn", arbiter_registry[i]->name);
}

/* --- exposure conservation against requests.csv --- */

/* The columns this test reads from requests.csv (outputs.c's header). */
struct csv_row {
    unsigned prompt_tokens;
    char privacy[16], outcome[24], location[8], seen_by[24], lowest[24], refused[24];
};

static size_t read_rows(const char *path, struct csv_row *rows, size_t max)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[4096];
    assert_non_null(fgets(line, sizeof line, f));
    assert_non_null(strstr(line, ",correct,privacy,seen_by,lowest_trust,refused_because\n"));
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *fields[40];
        size_t k = 0;
        for (char *p = line, *tok; k < 40 && (tok = strsep(&p, ",")) != NULL;)
            fields[k++] = tok;
        assert_int_equal(k, 31);
        assert_true(n < max);
        struct csv_row *r = &rows[n++];
        r->prompt_tokens = (unsigned)strtoul(fields[6], NULL, 10);
        snprintf(r->outcome, sizeof r->outcome, "%s", fields[9]);
        snprintf(r->location, sizeof r->location, "%s", fields[10]);
        snprintf(r->privacy, sizeof r->privacy, "%s", fields[27]);
        snprintf(r->seen_by, sizeof r->seen_by, "%s", fields[28]);
        snprintf(r->lowest, sizeof r->lowest, "%s", fields[29]);
        snprintf(r->refused, sizeof r->refused, "%s", fields[30]);
    }
    fclose(f);
    return n;
}

/* An enterprise edge orchestrates and retrieves 50 context tokens for every request; a
 * random router sends half to a third-party cloud. 20 % of requests are personal (the edge
 * may see them, the cloud not), 10 % confidential (the edge may not: refused). With no
 * failures, by hand:
 *   every request not refused is seen by the edge, once, with its prompt P (before the
 *   context): exposed_requests_enterprise_edge = arrived − refused, its tokens Σ P
 *   = Σ (prompt_tokens − 50) over those rows (the rows carry the prompt with its context);
 *   the public requests the router sends up are seen by the cloud with P + 50:
 *   exposed_requests_third_party_api = rows served in the cloud, tokens Σ their prompt;
 *   Σ exposed requests = Σ over rows of the tiers in seen_by.
 * requests.csv is read back and each figure recounted from its rows. */
static void exposure_counts_match_the_rows_of_requests_csv(void **state)
{
    (void)state;
    const char *text =
        "name: exposure\nseed: 8\nrun: {requests: 3000}\n"
        "devices:\n  count: 30\n  model: {prefill_tok_s: 2000, decode_tok_s: 40}\n"
        "  workload:\n    arrival: {process: poisson, rate_rps: 20}\n"
        "    tasks: [{name: t, share: 1, prompt_tokens: {dist: uniform, min: 20, max: 400},\n"
        "             output_tokens: 8, privacy: {personal: 0.2, confidential: 0.1},\n"
        "             rag_share: 1}]\n"
        "  network:\n    edge: {rtt_ms: 8, up_mbps: 50, down_mbps: 50}\n"
        "    cloud: {rtt_ms: 60, up_mbps: 20, down_mbps: 50}\n"
        "edge:\n  slots: 32\n  model: {prefill_tok_s: 20000, decode_tok_s: 200}\n"
        "  network:\n    cloud: {rtt_ms: 30, up_mbps: 1000, down_mbps: 1000}\n"
        "cloud:\n  slots: 64\n  model: {prefill_tok_s: 50000, decode_tok_s: 500}\n"
        "orchestrator: edge\narbiter: {policy: random, share: 0.5}\n"
        "rag: {at: edge, latency_ms: 20, context_tokens: 50}\n"
        "outputs: {requests: true}\n";
    char dir[] = "/tmp/haisim-trust-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct experiment ex;
    struct experiment_results res;
    struct error err;
    error_clear(&err);
    load_text(&ex, text);
    ex.output_dir = dir;
    if (experiment_run(&ex, &res, &err) != 0)
        fail_with(&err);
    const double *x = experiment_value(&res, 0, 0);
    char csv[1200];
    snprintf(csv, sizeof csv, "%s/requests.csv", dir);
    struct csv_row *rows = calloc(4000, sizeof rows[0]);
    assert_non_null(rows);
    size_t n = read_rows(csv, rows, 4000);

    double refused = 0, edge = 0, edge_tokens = 0, cloud = 0, cloud_tokens = 0, tiers = 0;
    double confidential = 0, personal_in_cloud = 0;
    for (size_t i = 0; i < n; i++) {
        const struct csv_row *r = &rows[i];
        bool in_edge = strstr(r->seen_by, "edge") != NULL;
        bool in_cloud = strstr(r->seen_by, "cloud") != NULL;
        confidential += strcmp(r->privacy, "confidential") == 0;
        if (strcmp(r->outcome, "refused") == 0) {
            refused++;
            assert_string_equal(r->refused, "orchestrator");
            assert_string_equal(r->privacy, "confidential");
            assert_string_equal(r->seen_by, "");
            assert_string_equal(r->lowest, "device");
            continue;
        }
        assert_string_equal(r->outcome, "completed");
        assert_string_equal(r->refused, "");
        assert_true(in_edge); /* the orchestrator */
        assert_true(in_cloud == (strcmp(r->location, "cloud") == 0));
        assert_string_equal(r->lowest, in_cloud ? "third-party-api" : "enterprise-edge");
        personal_in_cloud += in_cloud && strcmp(r->privacy, "public") != 0;
        edge++;
        edge_tokens += r->prompt_tokens - 50.0;
        cloud += in_cloud;
        cloud_tokens += in_cloud ? r->prompt_tokens : 0;
        tiers += in_edge + in_cloud;
    }
    printf("  %zu rows: %.0f refused (all confidential: %.0f), seen by the edge %.0f (%.0f "
           "tokens), by the cloud %.0f (%.0f tokens); summary %.0f / %.0f / %.0f\n",
           n, refused, confidential, edge, edge_tokens, cloud, cloud_tokens,
           metric(x, "requests_refused"), metric(x, "exposed_requests_enterprise_edge"),
           metric(x, "exposed_requests_third_party_api"));
    assert_true(n == 3000 && metric(x, "requests_arrived") == 3000);
    assert_true(refused == confidential && refused > 0);
    assert_true(personal_in_cloud == 0);
    assert_true(metric(x, "requests_refused") == refused);
    assert_true(metric(x, "requests_completed") == 3000 - refused);
    assert_true(metric(x, "exposed_requests_enterprise_edge") == edge);
    assert_true(metric(x, "exposed_tokens_enterprise_edge") == edge_tokens);
    assert_true(metric(x, "exposed_requests_third_party_api") == cloud);
    assert_true(metric(x, "exposed_tokens_third_party_api") == cloud_tokens);
    assert_true(metric(x, "exposed_requests_private_cloud") == 0);
    assert_true(metric(x, "exposed_requests_enterprise_edge") +
                    metric(x, "exposed_requests_third_party_api") ==
                tiers);
    assert_true(fabs(metric(x, "share_cloud") * (3000 - refused) - cloud) < 1e-6);
    assert_true(metric(x, "privacy_violations") == 0);
    free(rows);
    unlink(csv);
    rmdir(dir);
    experiment_results_free(&res);
    experiment_free(&ex);
}

/* --- the shipped comparison --- */

/* scenarios/gallery/privacy-trust.yaml, whose figures docs/policies.md reports: the
 * directions the text draws from them must hold. The variants see the same requests; the
 * rule keeps every private request from the third-party API (and costs latency and
 * accuracy, saves money); a private cloud takes the personal ones back, leaving the
 * confidential share (0.6 · 0 + 0.3 · 0.1 + 0.1 · 0.7 = 0.10 of requests) on the phone; a
 * cloud-centric design refuses every private request. */
static void the_gallery_comparison_shows_what_privacy_costs(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/scenarios/gallery/privacy-trust.yaml", HAISIM_SOURCE_DIR);
    struct experiment_options opt = {.profiles_builtin_dir = HAISIM_PROFILES_DIR};
    struct experiment ex;
    struct experiment_results res;
    struct error err;
    error_clear(&err);
    if (experiment_load(&ex, path, &opt, &err) != 0 || experiment_run(&ex, &res, &err) != 0)
        fail_with(&err);
    enum { NO_RULE, RULE, PRIVATE_CLOUD, CLOUD_CENTRIC };
    assert_int_equal(ex.n_variants, 4);
    for (size_t r = 0; r < res.n_reps; r++) {
        const double *x[4];
        for (size_t v = 0; v < 4; v++)
            x[v] = experiment_value(&res, v, r);
        double arrived = metric(x[0], "requests_arrived"), priv = metric(x[0], "private_requests");
        for (size_t v = 1; v < 4; v++) {
            assert_true(metric(x[v], "requests_arrived") == arrived);
            assert_true(metric(x[v], "private_requests") == priv);
        }
        printf("  rep %zu: e2e %.0f / %.0f / %.0f ms, accuracy %.3f / %.3f / %.3f, USD %.5f / "
               "%.5f / %.5f, on the device %.4f with a private cloud, %.0f of %.0f refused "
               "cloud-centric\n",
               r + 1, metric(x[NO_RULE], "e2e_ms_mean"), metric(x[PRIVATE_CLOUD], "e2e_ms_mean"),
               metric(x[RULE], "e2e_ms_mean"), metric(x[NO_RULE], "accuracy"),
               metric(x[PRIVATE_CLOUD], "accuracy"), metric(x[RULE], "accuracy"),
               metric(x[NO_RULE], "cost_usd_per_req"), metric(x[PRIVATE_CLOUD], "cost_usd_per_req"),
               metric(x[RULE], "cost_usd_per_req"), metric(x[PRIVATE_CLOUD], "share_device"),
               metric(x[CLOUD_CENTRIC], "requests_refused"), arrived);
        assert_true(metric(x[NO_RULE], "privacy_violations") == priv && priv > 0);
        assert_true(metric(x[NO_RULE], "exposed_requests_third_party_api") == arrived);
        for (size_t v = RULE; v <= CLOUD_CENTRIC; v++)
            assert_true(metric(x[v], "privacy_violations") == 0);
        assert_true(metric(x[RULE], "requests_privacy_rerouted") == priv);
        assert_true(metric(x[RULE], "exposed_requests_third_party_api") == arrived - priv);
        assert_true(metric(x[PRIVATE_CLOUD], "exposed_requests_third_party_api") == 0);
        assert_true(metric(x[PRIVATE_CLOUD], "exposed_requests_private_cloud") > arrived - priv);
        assert_true(metric(x[CLOUD_CENTRIC], "requests_refused") == priv);
        double device = metric(x[PRIVATE_CLOUD], "share_device");
        assert_true(fabs(device - 0.10) < 4 * sqrt(0.1 * 0.9 / arrived));
        /* Latency and accuracy paid, money saved; the private cloud in between. */
        assert_true(metric(x[NO_RULE], "e2e_ms_mean") < metric(x[PRIVATE_CLOUD], "e2e_ms_mean"));
        assert_true(metric(x[PRIVATE_CLOUD], "e2e_ms_mean") < metric(x[RULE], "e2e_ms_mean"));
        assert_true(metric(x[RULE], "accuracy") < metric(x[PRIVATE_CLOUD], "accuracy"));
        assert_true(metric(x[PRIVATE_CLOUD], "accuracy") < metric(x[NO_RULE], "accuracy"));
        assert_true(metric(x[RULE], "cost_usd_per_req") <
                    metric(x[PRIVATE_CLOUD], "cost_usd_per_req"));
        assert_true(metric(x[PRIVATE_CLOUD], "cost_usd_per_req") <
                    metric(x[NO_RULE], "cost_usd_per_req"));
    }
    experiment_results_free(&res);
    experiment_free(&ex);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(trust_levels_are_ordered_and_the_defaults_hold),
        cmocka_unit_test(bad_input_is_located),
        cmocka_unit_test(refused_requests_are_those_the_orchestrator_may_not_see),
        cmocka_unit_test(no_request_is_seen_below_its_floor_under_any_arbiter),
        cmocka_unit_test(exposure_counts_match_the_rows_of_requests_csv),
        cmocka_unit_test(the_gallery_comparison_shows_what_privacy_costs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
