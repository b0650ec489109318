/* System tests: whole scenarios through the real loader, run and metrics code
 * (experiment.c, run.c, journey.c, device.c, server.c, metrics.c), checked against
 * conservation laws, hand-worked timelines and closed-form figures. Each scenario file
 * (tests/scenarios/sys_*.yaml) states its inputs and derivations in its header; the
 * comments here repeat the arithmetic that each assertion rests on.
 *
 * Tests marked "Regression" reproduce defects found while writing these tests (now fixed);
 * they keep them fixed. A reproducer that could crash the engine runs in a child process,
 * so that one crash does not hide the other results. */
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "experiment.h"
#include "run.h"
#include "server.h"
#include "simtime.h"

/* --- helpers --- */

static void fail_with(const struct error *err)
{
    char buf[2048];
    error_format(err, buf, sizeof buf);
    fail_msg("%s", buf);
}

/* Experiments and results a test allocates, freed by the teardown even when an assertion
 * fails halfway (so a failing test reports its failure, not leaks). */
struct fixture {
    struct experiment *ex[4];
    struct experiment_results *res[4];
    size_t n_ex, n_res;
};

static int fixture_setup(void **state)
{
    *state = calloc(1, sizeof(struct fixture));
    return *state ? 0 : -1;
}

static int fixture_teardown(void **state)
{
    struct fixture *f = *state;
    for (size_t i = 0; i < f->n_res; i++) {
        experiment_results_free(f->res[i]);
        free(f->res[i]);
    }
    for (size_t i = 0; i < f->n_ex; i++) {
        experiment_free(f->ex[i]);
        free(f->ex[i]);
    }
    free(f);
    return 0;
}

static struct experiment *new_experiment(void **state)
{
    struct fixture *f = *state;
    assert_true(f->n_ex < sizeof f->ex / sizeof f->ex[0]);
    struct experiment *ex = calloc(1, sizeof *ex);
    assert_non_null(ex);
    return f->ex[f->n_ex++] = ex;
}

static struct experiment_results *new_results(void **state)
{
    struct fixture *f = *state;
    assert_true(f->n_res < sizeof f->res / sizeof f->res[0]);
    struct experiment_results *res = calloc(1, sizeof *res);
    assert_non_null(res);
    return f->res[f->n_res++] = res;
}

static void load_scenario(struct experiment *ex, const char *name,
                          const struct experiment_options *opt)
{
    char path[1024];
    struct experiment_options none = {0};
    struct error err;
    error_clear(&err);
    snprintf(path, sizeof path, "%s/tests/scenarios/%s", HAISIM_SOURCE_DIR, name);
    if (experiment_load(ex, path, opt ? opt : &none, &err) != 0)
        fail_with(&err);
}

static void load_text(struct experiment *ex, const char *text, const char *name)
{
    struct experiment_options none = {0};
    struct error err;
    error_clear(&err);
    if (experiment_load_text(ex, text, name, &none, &err) != 0)
        fail_with(&err);
}

static void run_experiment(const struct experiment *ex, struct experiment_results *res)
{
    struct error err;
    error_clear(&err);
    if (experiment_run(ex, res, &err) != 0)
        fail_with(&err);
}

/* Value of the named metric in a metric vector. */
static double metric(const double *values, const char *name)
{
    long m = metric_find(name);
    if (m < 0)
        fail_msg("no metric named '%s'", name);
    return values[m];
}

static double value(const struct experiment_results *res, size_t v, const char *name)
{
    return metric(experiment_value(res, v, 0), name);
}

static size_t variant_index(const struct experiment *ex, const char *name)
{
    for (size_t v = 0; v < ex->n_variants; v++)
        if (strcmp(ex->variants[v].name, name) == 0)
            return v;
    fail_msg("no variant named '%s'", name);
    return 0;
}

/* One replication through the run API, keeping what the metric vector does not show. */
struct one_run {
    double v[METRIC_COUNT];
    double window_s;  /* arrivals end − warm-up: the throughput window */
    double sim_end_s; /* the last event */
    uint64_t arrivals;
    size_t in_use; /* requests still allocated after the run */
    bool has_server[LOCATION_COUNT];
    struct server_stats stats[LOCATION_COUNT];
};

static void run_observed(const struct experiment *ex, size_t variant, uint32_t rep,
                         const struct run_observer *observer, struct one_run *out)
{
    struct run run;
    struct run_result res;
    struct error err;
    error_clear(&err);
    int rc = run_init(&run, &ex->variants[variant].sc, ex->seed, rep, &err);
    if (rc == 0) {
        run_observe(&run, observer);
        rc = run_execute(&run, &res, &err);
    }
    if (rc != 0) {
        run_free(&run);
        fail_with(&err);
    }
    *out = (struct one_run){0};
    memcpy(out->v, res.values, sizeof out->v);
    out->window_s = simtime_to_s(run.arrivals_end_ns - run.warmup_ns);
    out->sim_end_s = res.sim_end_s;
    out->arrivals = run.arrivals;
    out->in_use = run.pool.in_use;
    for (int loc = LOCATION_EDGE; loc < LOCATION_COUNT; loc++)
        if (run.server[loc]) {
            out->has_server[loc] = true;
            out->stats[loc] = server_stats(run.server[loc]);
        }
    run_free(&run);
}

static void run_one(const struct experiment *ex, size_t variant, uint32_t rep, struct one_run *out)
{
    run_observed(ex, variant, rep, NULL, out);
}

static bool close_rel(double got, double want, double rel)
{
    return fabs(got - want) <= rel * fmax(fabs(want), 1e-300);
}

/* --- 1. conservation over a rich scenario --- */

/* An independent tally of every request as it ends (run.h's observer): per-request
 * invariants, and the sums from which the metric vector must follow. */
struct audit {
    uint64_t n_ids;
    uint8_t *seen; /* times each request id ended */
    uint64_t ended, measured, outcomes[OUTCOME_COUNT];
    uint64_t served, at[LOCATION_COUNT], output_tokens, n_tpot;
    double ttft_ms, ttft_server_ms, tpot_ms, e2e_ms, queue_ms, e2e_max_ms;
    double bytes_up, bytes_down, energy_j;
    uint64_t violations;
    char first_violation[256];
    uint64_t one_token_without_last; /* one-token requests ended with last_token_tier −1 */
};

static void audit_violation(struct audit *a, const struct request *req, const char *what)
{
    if (a->violations++ == 0)
        snprintf(a->first_violation, sizeof a->first_violation, "request %llu: %s",
                 (unsigned long long)req->id, what);
}

static void audit_request_end(void *ctx, const struct run *run, const struct request *req)
{
    struct audit *a = ctx;
    const struct scenario *sc = run->sc;
    const struct population_config *pop = &sc->populations[req->population];
    a->ended++;
    if (req->id >= a->n_ids || a->seen[req->id]++ != 0)
        audit_violation(a, req, "id out of range or ended twice");
    if (req->outcome == OUTCOME_PENDING || req->outcome >= OUTCOME_COUNT)
        audit_violation(a, req, "ended without an outcome");
    if (req->device < pop->first_device || req->device >= pop->first_device + pop->count)
        audit_violation(a, req, "device outside its population");
    if (req->outcome == OUTCOME_FALLBACK &&
        (req->location != LOCATION_DEVICE || !req->fell_back || pop->fail_on_link_failure))
        audit_violation(a, req, "fallback not on the device, or where on_failure is fail");
    if (req->outcome == OUTCOME_REJECTED) {
        const struct tier_config *t = &sc->tier[req->location];
        if (req->location == LOCATION_DEVICE || !t->present ||
            (int64_t)req->prompt_tokens + req->output_tokens <= t->server.kv_cache_tokens)
            audit_violation(a, req, "rejected although it fits the cache");
    }
    if (req->energy_j < 0 || req->bytes_up < 0 || req->bytes_down < 0)
        audit_violation(a, req, "negative energy or bytes");
    bool served = req->outcome == OUTCOME_COMPLETED || req->outcome == OUTCOME_FALLBACK;
    if (served) {
        /* Along the way: arrival ≤ tier ≤ service ≤ first token ≤ last token, and each
         * token reaches the user no earlier than the model produced it. */
        int64_t last_tier = req->last_token_tier_ns;
        if (req->output_tokens == 1 && last_tier == -1) {
            /* Regression (see static_batch_one_token_request_is_not_touched_after_it_ends):
             * a one-token request once ended before its server recorded its last token;
             * tallied here and required to be zero below. */
            a->one_token_without_last++;
            last_tier = req->first_token_tier_ns;
        }
        int64_t t[] = {req->arrival_ns,
                       req->tier_arrival_ns,
                       req->service_start_ns,
                       req->first_token_tier_ns,
                       last_tier,
                       req->last_token_user_ns};
        static const char *const names[] = {"arrival",
                                            "tier arrival",
                                            "service start",
                                            "first token at the tier",
                                            "last token at the tier",
                                            "last token at the user"};
        for (size_t i = 1; i < sizeof t / sizeof t[0]; i++)
            if (t[i] < t[i - 1]) {
                char what[200];
                snprintf(what, sizeof what, "%s %lld ns before %s %lld ns (%s, %s)", names[i],
                         (long long)t[i], names[i - 1], (long long)t[i - 1],
                         location_name(req->location), outcome_name(req->outcome));
                audit_violation(a, req, what);
            }
        if (req->first_token_user_ns < req->first_token_tier_ns ||
            req->last_token_user_ns < req->first_token_user_ns)
            audit_violation(a, req, "a token reached the user before it was produced");
        if (req->outcome == OUTCOME_COMPLETED && req->end_ns != req->last_token_user_ns)
            audit_violation(a, req, "completed before its last token reached the user");
        if (req->outcome == OUTCOME_COMPLETED && req->location != LOCATION_DEVICE &&
            !request_seen_by(req, req->location))
            audit_violation(a, req, "served remotely but the prompt never reached that tier");
    }
    if (req->arrival_ns < run->warmup_ns)
        return;
    a->measured++;
    a->outcomes[req->outcome]++;
    a->bytes_up += req->bytes_up;
    a->bytes_down += req->bytes_down;
    a->energy_j += req->energy_j;
    if (!served)
        return;
    double e2e = simtime_to_ms(req->last_token_user_ns - req->arrival_ns);
    a->served++;
    a->at[req->location]++;
    a->output_tokens += req->output_tokens;
    a->ttft_ms += simtime_to_ms(req->first_token_user_ns - req->arrival_ns);
    a->ttft_server_ms += simtime_to_ms(req->first_token_tier_ns - req->tier_arrival_ns);
    a->e2e_ms += e2e;
    a->e2e_max_ms = fmax(a->e2e_max_ms, e2e);
    a->queue_ms += simtime_to_ms(req->service_start_ns - req->tier_arrival_ns);
    if (req->output_tokens > 1) {
        a->n_tpot++;
        a->tpot_ms += simtime_to_ms(req->last_token_user_ns - req->first_token_user_ns) /
                      (req->output_tokens - 1.0);
    }
}

/* The metric vector follows from the tally. */
static void audit_check(const struct audit *a, const struct one_run *o)
{
    const double *x = o->v;
    if (a->violations)
        fail_msg("%llu violations; first: %s", (unsigned long long)a->violations,
                 a->first_violation);
    assert_true(a->ended == o->arrivals); /* every request created ended once */
    for (uint64_t id = 0; id < a->n_ids && id < o->arrivals; id++)
        assert_int_equal(a->seen[id], 1);
    const char *names[] = {NULL,
                           "requests_completed",
                           "requests_fallback",
                           "requests_failed_network",
                           "requests_rejected",
                           "requests_refused"};
    assert_true(metric(x, "requests_arrived") == (double)a->measured);
    assert_true(a->outcomes[OUTCOME_PENDING] == 0);
    for (int k = 1; k < OUTCOME_COUNT; k++)
        assert_true(metric(x, names[k]) == (double)a->outcomes[k]);
    double n = (double)a->served, arrived = (double)a->measured;
    /* Σ output tokens of served requests = tok/s × window (variable lengths). */
    assert_true(
        close_rel(metric(x, "throughput_tok_s") * o->window_s, (double)a->output_tokens, 1e-12));
    assert_true(close_rel(metric(x, "throughput_rps") * o->window_s, n, 1e-12));
    const char *share[] = {"share_device", "share_edge", "share_cloud"};
    for (int loc = 0; loc < LOCATION_COUNT; loc++)
        assert_true(fabs(metric(x, share[loc]) * n - (double)a->at[loc]) <= 1e-9);
    assert_true(close_rel(metric(x, "ttft_ms_mean"), a->ttft_ms / n, 1e-9));
    assert_true(close_rel(metric(x, "ttft_server_ms_mean"), a->ttft_server_ms / n, 1e-9));
    assert_true(close_rel(metric(x, "e2e_ms_mean"), a->e2e_ms / n, 1e-9));
    assert_true(close_rel(metric(x, "tpot_ms_mean"), a->tpot_ms / (double)a->n_tpot, 1e-9));
    assert_true(fabs(metric(x, "queue_ms_mean") - a->queue_ms / n) <= 1e-9 * (1 + a->queue_ms / n));
    assert_true(close_rel(metric(x, "e2e_ms_max"), a->e2e_max_ms, 1e-12));
    assert_true(close_rel(metric(x, "bytes_up_per_req") * arrived, a->bytes_up, 1e-12));
    assert_true(close_rel(metric(x, "bytes_down_per_req") * arrived, a->bytes_down, 1e-12));
    assert_true(close_rel(metric(x, "energy_device_j_per_req") * arrived, a->energy_j, 1e-12));
}

/* tests/scenarios/sys_rich.yaml: run.requests = 1500, no warm-up, so every request that
 * arrives is measured and must end in exactly one outcome. An observer tallies every
 * request as it ends (audit above), so the metric vector is also checked against sums
 * taken independently of metrics.c: Σ output tokens = throughput_tok_s × window with
 * variable lengths, the latency means, bytes and energy per request. */
static void every_request_ends_once_in_every_replication_of_the_rich_scenario(void **state)
{
    const double n_requests = 1500;
    struct experiment *ex = new_experiment(state);
    load_scenario(ex, "sys_rich.yaml", NULL);
    assert_int_equal(ex->n_variants, 6);
    assert_true(ex->replications >= 2);
    double fallback = 0, failed = 0, rejected = 0, preempted = 0, served_at[LOCATION_COUNT] = {0};
    for (size_t v = 0; v < ex->n_variants; v++) {
        const char *name = ex->variants[v].name;
        for (uint32_t r = 0; r < (uint32_t)ex->replications; r++) {
            struct one_run o;
            uint8_t seen[1500] = {0};
            struct audit audit = {.n_ids = 1500, .seen = seen};
            struct run_observer observer = {.request_end = audit_request_end, .ctx = &audit};
            run_observed(ex, v, r, &observer, &o);
            const double *x = o.v;
            double arrived = metric(x, "requests_arrived");
            double completed = metric(x, "requests_completed");
            double fb = metric(x, "requests_fallback");
            double fl = metric(x, "requests_failed_network");
            double rj = metric(x, "requests_rejected");
            double served = completed + fb;
            double sd = metric(x, "share_device"), se = metric(x, "share_edge"),
                   scl = metric(x, "share_cloud");
            uint64_t pre = 0;
            for (int loc = LOCATION_EDGE; loc < LOCATION_COUNT; loc++)
                pre += o.stats[loc].preemptions;
            printf("  %-16s rep %u: %4.0f arrived = %4.0f completed + %3.0f fallback + %3.0f "
                   "failed + %2.0f rejected; shares %.4f/%.4f/%.4f; %llu preemptions; window "
                   "%.2f s\n",
                   name, r, arrived, completed, fb, fl, rj, sd, se, scl, (unsigned long long)pre,
                   o.window_s);
            if (audit.one_token_without_last)
                printf("    %llu one-token requests ended with no last token at the tier "
                       "(last_token_tier_ns = -1)\n",
                       (unsigned long long)audit.one_token_without_last);
            assert_int_equal(audit.one_token_without_last, 0);
            audit_check(&audit, &o);
            /* Every arrival is measured (no warm-up) and every request ended and was
             * released: none is lost or counted twice. */
            assert_true(o.arrivals == (uint64_t)n_requests);
            assert_true(arrived == n_requests);
            assert_int_equal(o.in_use, 0);
            assert_true(arrived == completed + fb + fl + rj);
            /* Served requests are somewhere, and only where the arbiter sends them or, after
             * a link failure, on the device: share_device × served = fallbacks. */
            assert_true(served > 0);
            assert_true(fabs(sd + se + scl - 1.0) <= 1e-12);
            assert_true(fabs(sd * served - fb) <= 1e-9);
            /* The tier the variant's arbiter sends requests to: "...-to-edge", "static-edge". */
            size_t len = strlen(name);
            enum location target =
                len >= 4 && strcmp(name + len - 4, "edge") == 0 ? LOCATION_EDGE : LOCATION_CLOUD;
            assert_true((target == LOCATION_EDGE ? scl : se) == 0.0);
            /* Throughput is served requests over the window: rps × window = served. */
            assert_true(close_rel(metric(x, "throughput_rps") * o.window_s, served, 1e-12));
            /* Utilisations are busy fractions. */
            for (int i = 0; i < 3; i++) {
                const char *u = (const char *[]){"util_device", "util_edge", "util_cloud"}[i];
                assert_true(metric(x, u) >= 0.0 && metric(x, u) <= 1.0);
            }
            assert_true(metric(x, "ttft_ms_mean") <= metric(x, "e2e_ms_mean"));
            assert_true(metric(x, "ttft_ms_max") <= metric(x, "e2e_ms_max"));
            assert_true(metric(x, "queue_ms_mean") >= 0.0);
            if (strcmp(name, "constant-lengths") == 0) {
                /* O = 40 for every request: tok/s = 40 × req/s, i.e. tok/s × window = Σ O. */
                assert_true(close_rel(metric(x, "throughput_tok_s"),
                                      40.0 * metric(x, "throughput_rps"), 1e-12));
                assert_true(
                    close_rel(metric(x, "throughput_tok_s") * o.window_s, 40.0 * served, 1e-12));
                assert_true(rj == 0); /* P + O = 340 fits every cache */
            }
            fallback += fb;
            failed += fl;
            rejected += rj;
            preempted += (double)pre;
            served_at[LOCATION_DEVICE] += sd * served;
            served_at[LOCATION_EDGE] += se * served;
            served_at[LOCATION_CLOUD] += scl * served;
        }
    }
    /* The scenario exercises what it claims: every outcome and every tier occurs. */
    assert_true(fallback > 0 && failed > 0 && rejected > 0 && preempted > 0);
    assert_true(served_at[LOCATION_DEVICE] > 0 && served_at[LOCATION_EDGE] > 0 &&
                served_at[LOCATION_CLOUD] > 0);
}

/* --- 2. device energy, power and battery --- */

/* tests/scenarios/sys_energy.yaml: 30 requests, each 0.5 s of prefill at 8 W and 2 s of
 * decode at 4 W: E = 8 × 200/400 + 4 × (51 − 1)/25 = 4 + 8 = 12 J; the device draws 4.8 W on
 * average while busy (12 J / 2.5 s) and 0.5 W idle. */
static void device_energy_power_and_battery_match_the_hand_computation(void **state)
{
    const double e_req = 8.0 * 200 / 400 + 4.0 * (51 - 1) / 25, busy_s = 2.5, idle_w = 0.5;
    const double n_req = 30, battery_j = 3600.0; /* 1 Wh */
    struct experiment *ex = new_experiment(state);
    load_scenario(ex, "sys_energy.yaml", NULL);

    struct one_run o;
    run_one(ex, variant_index(ex, "one-device"), 0, &o);
    double energy = metric(o.v, "energy_device_j_per_req"), util = metric(o.v, "util_device");
    double power = metric(o.v, "power_device_mean_w"), T = o.sim_end_s;
    /* Busy time: 30 × 2.5 s over the run. */
    double want_power = (n_req * e_req + idle_w * (T - n_req * busy_s)) / T;
    double drained = n_req * e_req + idle_w * (T - n_req * busy_s);
    printf("  one device: %.12g J/req (want %g), util %.6f = %g s busy of %.3f s, power %.9f W "
           "(want %.9f), battery %.9f (want %.9f)\n",
           energy, e_req, util, n_req * busy_s, T, power, want_power,
           metric(o.v, "battery_min_frac"), 1 - drained / battery_j);
    assert_true(close_rel(energy, e_req, 1e-12));
    assert_true(close_rel(util * T, n_req * busy_s, 1e-9));
    assert_true(close_rel(power, want_power, 1e-9));
    /* Mean power = util × busy power + (1 − util) × idle power, from reported figures only. */
    assert_true(close_rel(power, util * (e_req / busy_s) + (1 - util) * idle_w, 1e-9));
    assert_true(close_rel(metric(o.v, "battery_min_frac"), 1 - drained / battery_j, 1e-9));
    assert_true(metric(o.v, "batteries_empty") == 0);

    /* 0.05 Wh = 180 J < 360 J of requests: flat, and counted once. The device keeps
     * serving when flat (energy is still charged; the deficit is not a metric). */
    run_one(ex, variant_index(ex, "small-battery"), 0, &o);
    assert_true(metric(o.v, "battery_min_frac") == 0.0);
    assert_true(metric(o.v, "batteries_empty") == 1.0);
    assert_true(close_rel(metric(o.v, "energy_device_j_per_req"), e_req, 1e-12));
    assert_true(metric(o.v, "requests_completed") == n_req);

    /* Four devices share the same work: power is per device over all four, and the
     * least-charged device has drained at least the average and at most everything. */
    run_one(ex, variant_index(ex, "four-devices"), 0, &o);
    util = metric(o.v, "util_device");
    power = metric(o.v, "power_device_mean_w");
    T = o.sim_end_s;
    double total_j = n_req * e_req + idle_w * (4 * T - n_req * busy_s);
    double min_frac = metric(o.v, "battery_min_frac");
    printf("  four devices: util %.6f, power %.9f W (want %.9f), battery min %.6f in [%.6f, "
           "%.6f]\n",
           util, power, total_j / (4 * T), min_frac, 1 - (n_req * e_req + idle_w * T) / battery_j,
           1 - total_j / 4 / battery_j);
    assert_true(close_rel(util * 4 * T, n_req * busy_s, 1e-9));
    assert_true(close_rel(power, total_j / (4 * T), 1e-9));
    assert_true(close_rel(power, util * (e_req / busy_s) + (1 - util) * idle_w, 1e-9));
    assert_true(min_frac <= 1 - total_j / 4 / battery_j + 1e-12);
    assert_true(min_frac >= 1 - (n_req * e_req + idle_w * T) / battery_j - 1e-12);
}

/* --- 3. radio energy --- */

/* tests/scenarios/sys_radio.yaml: E = 8 (bytes_up · 400 + bytes_down · 100) 10⁻⁹ J per
 * request, exactly, whatever the bytes (loss resends whole messages, and every attempt is
 * on the air). Without loss: 700 B up, 21 × 304 = 6384 B down → 7.3472 mJ. */
static void radio_energy_is_bits_times_energy_per_bit(void **state)
{
    const double tx = 400, rx = 100, p = 0.2, n = 2000;
    struct experiment *ex = new_experiment(state);
    struct experiment_results *res = new_results(state);
    load_scenario(ex, "sys_radio.yaml", NULL);
    run_experiment(ex, res);
    size_t clean = variant_index(ex, "no-loss"), lossy = variant_index(ex, "loss");
    assert_true(value(res, clean, "bytes_up_per_req") == 700);
    assert_true(value(res, clean, "bytes_down_per_req") == 6384);
    assert_true(close_rel(value(res, clean, "energy_device_j_per_req"), 7.3472e-3, 1e-12));
    for (size_t v = 0; v < 2; v++) {
        double up = value(res, v, "bytes_up_per_req"), down = value(res, v, "bytes_down_per_req");
        double e = value(res, v, "energy_device_j_per_req");
        printf("  %-8s %8.2f B up, %8.2f B down, %.10f J (want %.10f)\n", ex->variants[v].name, up,
               down, e, 8 * (up * tx + down * rx) * 1e-9);
        assert_true(value(res, v, "requests_completed") == n);
        assert_true(close_rel(e, 8 * (up * tx + down * rx) * 1e-9, 1e-12));
    }
    /* Loss: attempts per message 1 + K, K geometric: E = 1/(1 − p) = 1.25, sd(K) =
     * √p/(1 − p) = 0.559; the prompt (700 B) is one message per request. */
    double up = value(res, lossy, "bytes_up_per_req");
    double se = 700 * sqrt(p) / (1 - p) / sqrt(n);
    printf("  prompt bytes with loss %.2f (want %.2f ± %.2f); token bytes %.2f (first and last "
           "messages resent: %.0f; every message: %.0f)\n",
           up, 700 / (1 - p), se, value(res, lossy, "bytes_down_per_req"), 304 * (2 / (1 - p) + 19),
           304 * 21 / (1 - p));
    assert_true(fabs(up - 700 / (1 - p)) <= 4 * se);
}

/* --- 4. cost --- */

/* tests/scenarios/sys_cost.yaml: per token 1000 × 2.5e-6 + 500 × 10e-6 = $0.0075 per
 * request; per GPU-hour 2 replicas × 4 GPUs × $3 × 90 s / 3600 = $0.60 over the window,
 * shared by the served requests. */
static void cost_per_request_matches_prices(void **state)
{
    struct experiment *ex = new_experiment(state);
    load_scenario(ex, "sys_cost.yaml", NULL);
    struct one_run o;
    run_one(ex, variant_index(ex, "per-token"), 0, &o);
    double cost = metric(o.v, "cost_usd_per_req");
    printf("  per token: $%.12f per request (want $0.0075)\n", cost);
    assert_true(metric(o.v, "requests_completed") > 0);
    assert_true(close_rel(cost, (1000 * 2.5 + 500 * 10.0) / 1e6, 1e-12));

    run_one(ex, variant_index(ex, "gpu-hour"), 0, &o);
    double served = metric(o.v, "requests_completed") + metric(o.v, "requests_fallback");
    double provisioned = 2 * 4 * 3.0 * 90 / 3600;
    cost = metric(o.v, "cost_usd_per_req");
    printf("  GPU-hour: $%.12f per request × %.0f served = $%.12f (want $%.2f over %.3f s)\n", cost,
           served, cost * served, provisioned, o.window_s);
    assert_true(close_rel(o.window_s, 90.0, 1e-12));
    assert_true(served > 0);
    assert_true(close_rel(cost * served, provisioned, 1e-12));
}

/* --- 5. accuracy --- */

/* E_b[1 / (1 + exp(−(θ − b)))] for b ~ N(mu, sd²), by Simpson's rule over ±12 sd. */
static double logistic_mean(double skill, double mu, double sd)
{
    const int n = 4000; /* even */
    double a = mu - 12 * sd, h = 24 * sd / n, sum = 0;
    for (int i = 0; i <= n; i++) {
        double b = a + i * h, z = (b - mu) / sd;
        double f = exp(-0.5 * z * z) / (sd * sqrt(2 * M_PI)) / (1 + exp(-(skill - b)));
        sum += f * (i == 0 || i == n ? 1 : i % 2 ? 4 : 2);
    }
    return sum * h / 3;
}

/* tests/scenarios/sys_accuracy.yaml: 20,000 requests, b ~ N(0, 1); skill 0 on the device,
 * skill 2 in the cloud. Each request's correctness is a Bernoulli draw of mean E_b[p], so
 * the accuracy is binomial: within 4 standard errors of the integral. */
static void logistic_accuracy_matches_its_expectation_and_the_cloud_dominates(void **state)
{
    struct experiment *ex = new_experiment(state);
    struct experiment_results *res = new_results(state);
    load_scenario(ex, "sys_accuracy.yaml", NULL);
    run_experiment(ex, res);
    double n = value(res, 0, "requests_completed");
    assert_true(n == 20000 && value(res, 1, "requests_completed") == n);
    double dev = value(res, variant_index(ex, "device-only"), "accuracy");
    double cloud = value(res, variant_index(ex, "cloud-only"), "accuracy");
    double want_dev = logistic_mean(0, 0, 1), want_cloud = logistic_mean(2, 0, 1);
    double se_dev = sqrt(want_dev * (1 - want_dev) / n),
           se_cloud = sqrt(want_cloud * (1 - want_cloud) / n);
    printf("  device %.4f (E = %.4f ± %.4f), cloud %.4f (E = %.4f ± %.4f)\n", dev, want_dev, se_dev,
           cloud, want_cloud, se_cloud);
    assert_true(fabs(want_dev - 0.5) < 1e-9); /* symmetry: a check of the integrator */
    assert_true(fabs(dev - want_dev) <= 4 * se_dev);
    assert_true(fabs(cloud - want_cloud) <= 4 * se_cloud);
    /* Same requests, same uniforms, p_cloud > p_device for every b: every request the
     * device gets right the cloud gets right. */
    assert_true(cloud >= dev);
}

/* RouteLLM's MMLU results (../shared/data/routellm/mmlu.csv): 14,042 questions; Mixtral
 * 8x7B right on 9,560 (68.08 %), GPT-4-1106 on 11,315 (80.58 %). Each request replays a
 * uniformly drawn row, so the accuracy is binomial around those shares. */
static void replayed_mmlu_accuracy_matches_the_published_shares(void **state)
{
    char csv[1024], text[4096];
    snprintf(csv, sizeof csv, "%s/routellm/mmlu.csv", HAISIM_SHARED_DATA_DIR);
    FILE *f = fopen(csv, "r");
    if (!f) {
        printf("  SKIPPED: %s is absent\n", csv);
        skip();
    }
    fclose(f);
    snprintf(text, sizeof text,
             "name: sys-replay\n"
             "seed: 37\n"
             "run: {requests: 20000}\n"
             "devices:\n"
             "  count: 2000\n"
             "  model: {prefill_tok_s: 1000, decode_tok_s: 100,\n"
             "          accuracy: {replay: {file: '%s', column: mixtral_8x7b}}}\n"
             "  workload: {arrival: {process: poisson, rate_rps: 100}, prompt_tokens: 50,\n"
             "             output_tokens: 5}\n"
             "  network: {cloud: {rtt_ms: 0, up_mbps: 1.0e9, down_mbps: 1.0e9}}\n"
             "cloud:\n"
             "  slots: 1000\n"
             "  model: {prefill_tok_s: 100000, decode_tok_s: 1000,\n"
             "          accuracy: {replay: {file: '%s', column: gpt_4_1106}}}\n"
             "variants:\n"
             "  - {name: device-only, set: {arbiter: device}}\n"
             "  - {name: cloud-only, set: {arbiter: cloud}}\n",
             csv, csv);
    struct experiment *ex = new_experiment(state);
    struct experiment_results *res = new_results(state);
    load_text(ex, text, "sys-replay.yaml");
    run_experiment(ex, res);
    const double n = 20000, weak = 9560.0 / 14042, strong = 11315.0 / 14042;
    double dev = value(res, 0, "accuracy"), cloud = value(res, 1, "accuracy");
    double se_w = sqrt(weak * (1 - weak) / n), se_s = sqrt(strong * (1 - strong) / n);
    printf("  Mixtral on device %.4f (published %.4f ± %.4f), GPT-4 in the cloud %.4f "
           "(published %.4f ± %.4f)\n",
           dev, weak, se_w, cloud, strong, se_s);
    assert_true(value(res, 0, "requests_completed") == n);
    assert_true(fabs(dev - weak) <= 4 * se_w);
    assert_true(fabs(cloud - strong) <= 4 * se_s);
}

/* --- 6. privacy --- */

/* tests/scenarios/sys_privacy.yaml: private_share 0.3 of 4000 requests; the header lists
 * the exposure each placement must give, without and with the privacy rule. With it, the
 * private requests are either kept on the device (rerouted) or, when the orchestrator may
 * not see them, refused; the public ones go where the policy sends them. */
static void private_prompts_are_exposed_exactly_where_they_travel(void **state)
{
    static const struct {
        const char *variant;
        double exposed, cloud;
        bool rerouted, refused; /* all private requests, none of the others */
    } want[] = {
        {"device/device", 0, 0, false, false},  {"device/cloud", 1, 1, false, false},
        {"device/edge", 1, 0, false, false},    {"edge/device", 1, 0, false, false},
        {"edge/cloud", 1, 1, false, false},     {"device/cloud kept", 0, 0, true, false},
        {"edge/cloud kept", 1, 0, true, false}, {"cloud/cloud kept", 0, 0, false, true},
    };
    struct experiment *ex = new_experiment(state);
    struct experiment_results *res = new_results(state);
    load_scenario(ex, "sys_privacy.yaml", NULL);
    run_experiment(ex, res);
    double private0 = value(res, 0, "private_requests");
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        size_t v = variant_index(ex, want[i].variant);
        double arrived = value(res, v, "requests_arrived");
        double priv = value(res, v, "private_requests");
        double exposed = value(res, v, "private_exposed_share");
        double cloud = value(res, v, "private_cloud_share");
        double se = sqrt(0.3 * 0.7 / arrived);
        printf("  %-13s %4.0f of %4.0f private (%.4f, want 0.3 ± %.4f); exposed %.3f, cloud "
               "%.3f\n",
               want[i].variant, priv, arrived, priv / arrived, se, exposed, cloud);
        assert_true(arrived == 4000);
        assert_true(priv == private0); /* the same requests are private in every variant */
        assert_true(fabs(priv / arrived - 0.3) <= 4 * se);
        assert_true(exposed == want[i].exposed);
        assert_true(cloud == want[i].cloud);
        assert_true(value(res, v, "requests_privacy_rerouted") == (want[i].rerouted ? priv : 0));
        assert_true(value(res, v, "requests_refused") == (want[i].refused ? priv : 0));
        if (want[i].rerouted || want[i].refused) /* the public requests still go up */
            assert_true(fabs(value(res, v, "share_cloud") * value(res, v, "requests_completed") -
                             (arrived - priv)) < 1e-6);
    }
}

/* --- 7. retrieval --- */

struct expected_rag {
    const char *variant;
    double ttft_ms, e2e_ms, ttft_server_ms, bytes_up, bytes_down;
};

/* tests/scenarios/sys_rag.yaml. Times in ms; one-way d-e 5, d-c 50, e-c 20; L = 30; the
 * prompt becomes 150 tokens (prompt message 700 B), context message 300 B, token 104 B.
 *  edge/cloud     up 5, retrieve at the edge 35, forward 150 tok +20 = 55, prefill 15 → 70;
 *                 first 70+20+5 = 95; last 70+10 = 80, +25 = 105.
 *                 up 500 + 700; down 11 tokens on two hops 22 × 104 = 2288
 *  device/cloud   query up 5, retrieve 35, context down 40, prompt to the cloud 90, prefill
 *                 105, first 155; last 115 + 50 = 165. up 500 + 700; down 300 + 11 × 104
 *  device/device  query 5, retrieve 35, context 40; device prefill 1500 → 1540; last 2540.
 *                 up 500, down 300
 *  edge/device    up 5, retrieve 35, control with the context down 40; then as above
 *  edge/edge      up 5, retrieve 35, prefill 150 → 185, first 190; last 285 + 5 = 290.
 *                 up 500; down 11 × 104 = 1144
 *  device/edge    context at the device at 40, prompt up again 45, prefill 195, first 200;
 *                 last 295 + 5 = 300. up 500 + 700, down 300 + 1144
 *  on-device/cloud  retrieval on the device 30, prompt up 80, prefill 95, first 145; last
 *                 105 + 50 = 155. up 700, down 1144
 *  personal/cloud as device/cloud; the context is personal, so the request is private
 * ttft_server = prefill of 150 tokens at the serving tier: 15 ms cloud, 150 ms edge,
 * 1500 ms device — the retrieved context reached the prompt. */
static const struct expected_rag rag_paths[] = {
    {"edge/cloud", 95, 105, 15, 1200, 2288},       {"device/cloud", 155, 165, 15, 1200, 1444},
    {"device/device", 1540, 2540, 1500, 500, 300}, {"edge/device", 1540, 2540, 1500, 500, 300},
    {"edge/edge", 190, 290, 150, 500, 1144},       {"device/edge", 200, 300, 150, 1200, 1444},
    {"on-device/cloud", 145, 155, 15, 700, 1144},  {"personal/cloud", 155, 165, 15, 1200, 1444},
    {"personal/kept", 1540, 2540, 1500, 500, 300},
};

static void retrieval_paths_match_their_hand_worked_timelines(void **state)
{
    struct experiment *ex = new_experiment(state);
    struct experiment_results *res = new_results(state);
    load_scenario(ex, "sys_rag.yaml", NULL);
    run_experiment(ex, res);
    assert_int_equal(ex->n_variants, sizeof rag_paths / sizeof rag_paths[0]);
    for (size_t i = 0; i < ex->n_variants; i++) {
        const struct expected_rag *w = &rag_paths[i];
        size_t v = variant_index(ex, w->variant);
        double ttft = value(res, v, "ttft_ms_mean"), e2e = value(res, v, "e2e_ms_mean");
        double server = value(res, v, "ttft_server_ms_mean");
        double up = value(res, v, "bytes_up_per_req"), down = value(res, v, "bytes_down_per_req");
        printf("  %-16s ttft %8.3f (want %5.0f)  e2e %8.3f (want %5.0f)  server %7.3f  bytes "
               "%5.0f up %5.0f down\n",
               w->variant, ttft, w->ttft_ms, e2e, w->e2e_ms, server, up, down);
        assert_true(value(res, v, "requests_completed") == 1);
        assert_true(fabs(ttft - w->ttft_ms) < 1e-5);
        assert_true(fabs(e2e - w->e2e_ms) < 1e-5);
        assert_true(fabs(server - w->ttft_server_ms) < 1e-5);
        assert_true(fabs(up - w->bytes_up) < 1e-9);
        assert_true(fabs(down - w->bytes_down) < 1e-9);
    }
    size_t personal = variant_index(ex, "personal/cloud");
    assert_true(value(res, personal, "private_requests") == 1);
    assert_true(value(res, personal, "private_exposed_share") == 1);
    assert_true(value(res, personal, "private_cloud_share") == 1);
    assert_true(value(res, variant_index(ex, "device/cloud"), "private_requests") == 0);
    /* With the privacy rule on, the personal request is kept on the device (the timeline
     * of device/device): the edge saw its query, the cloud nothing. */
    size_t kept = variant_index(ex, "personal/kept");
    assert_true(value(res, kept, "share_device") == 1);
    assert_true(value(res, kept, "requests_privacy_rerouted") == 1);
    assert_true(value(res, kept, "private_cloud_share") == 0);
    assert_true(value(res, kept, "exposed_requests_enterprise_edge") == 1);
    assert_true(value(res, kept, "exposed_requests_third_party_api") == 0);
    assert_true(value(res, personal, "exposed_requests_third_party_api") == 1);
    assert_true(value(res, personal, "exposed_tokens_third_party_api") == 150);
    assert_true(value(res, personal, "exposed_tokens_enterprise_edge") == 100);
    assert_true(value(res, personal, "privacy_violations") == 1);
    assert_true(value(res, kept, "privacy_violations") == 0);
}

/* --- outages at known instants --- */

/* tests/scenarios/sys_outage.yaml (its header works out each request). Served: 110, 1600
 * (fallback), 610, 110, 600, 110 ms to the first token; 120, 2600, 620, 120, 600, 120 ms to
 * the last; TPOT (ms per token over 10 tokens): 1, 100, 1, 1, 0, 1. Bytes: six prompts of
 * 500 B went up (the one that timed out left no trace); 11 token messages of 104 B came
 * down for each of the five served in the cloud, and the 9 middle tokens of the request
 * whose first and last token messages failed are counted too (tokens between the first
 * and the last are counted, not simulated: journey.h). */
static void outages_with_timeouts_match_the_hand_worked_timeline(void **state)
{
    struct experiment *ex = new_experiment(state);
    load_scenario(ex, "sys_outage.yaml", NULL);
    struct one_run o;
    uint8_t seen[7] = {0};
    struct audit audit = {.n_ids = 7, .seen = seen};
    struct run_observer observer = {.request_end = audit_request_end, .ctx = &audit};
    run_observed(ex, 0, 0, &observer, &o);
    audit_check(&audit, &o);
    const double *x = o.v;
    printf("  ttft mean %.6f (want %.6f), e2e mean %.6f (want %.6f), tpot mean %.6f (want "
           "%.6f); %.0f completed, %.0f fallback, %.0f failed\n",
           metric(x, "ttft_ms_mean"), 3140.0 / 6, metric(x, "e2e_ms_mean"), 4180.0 / 6,
           metric(x, "tpot_ms_mean"), 104.0 / 6, metric(x, "requests_completed"),
           metric(x, "requests_fallback"), metric(x, "requests_failed_network"));
    assert_true(metric(x, "requests_arrived") == 7);
    assert_true(metric(x, "requests_completed") == 5);
    assert_true(metric(x, "requests_fallback") == 1);
    assert_true(metric(x, "requests_failed_network") == 1);
    assert_true(fabs(metric(x, "ttft_ms_mean") - 3140.0 / 6) < 1e-6);
    assert_true(fabs(metric(x, "ttft_ms_max") - 1600) < 1e-6);
    assert_true(fabs(metric(x, "e2e_ms_mean") - 4180.0 / 6) < 1e-6);
    assert_true(fabs(metric(x, "e2e_ms_max") - 2600) < 1e-6);
    assert_true(fabs(metric(x, "tpot_ms_mean") - 104.0 / 6) < 1e-6);
    assert_true(fabs(metric(x, "share_device") - 1.0 / 6) < 1e-12);
    assert_true(close_rel(metric(x, "bytes_up_per_req"), 6 * 500.0 / 7, 1e-12));
    assert_true(
        close_rel(metric(x, "bytes_down_per_req"), (5 * 11 * 104.0 + 9 * 104.0) / 7, 1e-12));
    /* The trace ended at 9.96 s: that closes the window. */
    assert_true(close_rel(o.window_s, 9.96, 1e-12));
}

/* --- 8. thermal throttling --- */

/* Busy time t after which a device that starts cold (h0 = 0) has done `work_s` of
 * full-speed work: W(t) = f t + (1 − f) τ (1 − e^(−t/τ)) = work_s (thermal.h), by bisection
 * on [w, w/f]. */
static double thermal_time_s(double work_s, double f, double tau)
{
    double lo = work_s, hi = work_s / f;
    for (int i = 0; i < 200; i++) {
        double mid = 0.5 * (lo + hi);
        double w = f * mid + (1 - f) * tau * -expm1(-mid / tau);
        if (w < work_s)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

/* tests/scenarios/sys_thermal.yaml: 40 requests of 1 s of work all arrive at t = 0; the
 * k-th ends at t_k with W(t_k) = k s. Unthrottled t_k = k: mean e2e 20.5 s, max 40 s.
 * Throttled (f = 0.5, τ = 10 s) the mean lies between 20.5 s and the fully hot bound
 * 20.5 / f = 41 s; the last ends near 2 (40 − 5) = 70 s. */
static void throttled_device_slows_down_as_its_closed_form_says(void **state)
{
    const int n = 40;
    const double s = 1.0, f = 0.5, tau = 10.0;
    struct experiment *ex = new_experiment(state);
    load_scenario(ex, "sys_thermal.yaml", NULL);
    struct one_run hot, cold;
    run_one(ex, variant_index(ex, "throttled"), 0, &hot);
    run_one(ex, variant_index(ex, "unthrottled"), 0, &cold);
    double mean_t = 0;
    for (int k = 1; k <= n; k++)
        mean_t += thermal_time_s(k * s, f, tau) / n;
    double last_t = thermal_time_s(n * s, f, tau);
    double hot_mean = metric(hot.v, "e2e_ms_mean"), hot_max = metric(hot.v, "e2e_ms_max");
    double cold_mean = metric(cold.v, "e2e_ms_mean"), cold_max = metric(cold.v, "e2e_ms_max");
    printf("  unthrottled: mean e2e %.3f ms (want 20500), max %.3f (want 40000)\n", cold_mean,
           cold_max);
    printf("  throttled:   mean e2e %.3f ms (closed form %.3f), max %.3f (%.3f); bounds [%.0f, "
           "%.0f]\n",
           hot_mean, 1e3 * mean_t, hot_max, 1e3 * last_t, 1e3 * s * (n + 1) / 2,
           1e3 * s * (n + 1) / (2 * f));
    assert_true(metric(hot.v, "requests_completed") == n);
    assert_true(fabs(cold_mean - 1e3 * s * (n + 1) / 2) < 1e-6);
    assert_true(fabs(cold_max - 1e3 * s * n) < 1e-6);
    /* Each request's end is rounded to the ns once: 40 ns at most over the run. */
    assert_true(fabs(hot_mean - 1e3 * mean_t) < 1e-3);
    assert_true(fabs(hot_max - 1e3 * last_t) < 1e-3);
    assert_true(fabs(hot.sim_end_s - last_t) < 1e-6);
    assert_true(hot_mean > cold_mean && hot_max > cold_max);
    assert_true(hot_mean <= 1e3 * s * (n + 1) / (2 * f));
    /* Back to back, the device never idles. */
    assert_true(fabs(metric(hot.v, "util_device") - 1) < 1e-9);
    assert_true(fabs(metric(cold.v, "util_device") - 1) < 1e-9);
}

/* --- 9. continuous batching --- */

/* tests/scenarios/sys_batching.yaml: step(b) = 20 + 2 b ms, so TPOT grows with the batch
 * and the batch with load (header: b ≈ 2.5, 6.6 and 38 at 1, 2 and 4 req/s). Every TPOT
 * is at least one step of one sequence, 22 ms. */
static void time_per_output_token_grows_with_load_under_continuous_batching(void **state)
{
    struct experiment *ex = new_experiment(state);
    load_scenario(ex, "sys_batching.yaml", NULL);
    const char *rates[] = {"rate-1", "rate-2", "rate-4"};
    double prev = 0;
    for (size_t i = 0; i < 3; i++) {
        struct one_run o;
        run_one(ex, variant_index(ex, rates[i]), 0, &o);
        double tpot = metric(o.v, "tpot_ms_mean"), util = metric(o.v, "util_cloud");
        const struct server_stats *st = &o.stats[LOCATION_CLOUD];
        printf("  %s: tpot %.3f ms, util_cloud %.4f, %llu iterations, mean decode batch >= "
               "%.2f, %.0f completed\n",
               rates[i], tpot, util, (unsigned long long)st->iterations,
               (double)st->batched_seqs / (double)st->iterations,
               metric(o.v, "requests_completed"));
        assert_true(tpot >= 22.0);
        assert_true(tpot > prev);
        assert_true(util > 0 && util <= 1.0);
        prev = tpot;
    }
}

/* Same arrivals at 2 req/s, a 2400-token cache: reserving P + O = 300 admits 8 sequences;
 * allocating on demand admits one per P + 1 = 201 free tokens and preempts when decoding
 * fills the cache, so more requests start sooner. */
static void on_demand_kv_admits_more_than_reserving_the_output(void **state)
{
    struct experiment *ex = new_experiment(state);
    load_scenario(ex, "sys_batching.yaml", NULL);
    struct one_run reserve, demand;
    run_one(ex, variant_index(ex, "kv-reserve"), 0, &reserve);
    run_one(ex, variant_index(ex, "kv-on-demand"), 0, &demand);
    const struct server_stats *r = &reserve.stats[LOCATION_CLOUD],
                              *d = &demand.stats[LOCATION_CLOUD];
    printf("  reserve_output: queue %.1f ms, e2e %.1f ms, %llu preemptions, peak KV %llu\n",
           metric(reserve.v, "queue_ms_mean"), metric(reserve.v, "e2e_ms_mean"),
           (unsigned long long)r->preemptions, (unsigned long long)r->peak_kv_tokens);
    printf("  on_demand:      queue %.1f ms, e2e %.1f ms, %llu preemptions (%llu tokens "
           "recomputed), peak KV %llu\n",
           metric(demand.v, "queue_ms_mean"), metric(demand.v, "e2e_ms_mean"),
           (unsigned long long)d->preemptions, (unsigned long long)d->recomputed_tokens,
           (unsigned long long)d->peak_kv_tokens);
    assert_true(metric(reserve.v, "requests_completed") == metric(demand.v, "requests_completed"));
    assert_true(metric(demand.v, "queue_ms_mean") < metric(reserve.v, "queue_ms_mean"));
    assert_true(r->preemptions == 0 && d->preemptions > 0);
    assert_true(r->peak_kv_tokens <= 2400 && d->peak_kv_tokens <= 2400);
    assert_true(metric(reserve.v, "util_cloud") <= 1.0 && metric(demand.v, "util_cloud") <= 1.0);
}

/* --- 10. determinism --- */

static void rich_scenario_is_bitwise_reproducible_and_seed_dependent(void **state)
{
    struct experiment *a = new_experiment(state), *b = new_experiment(state),
                      *c = new_experiment(state);
    struct experiment_results *ra = new_results(state), *rb = new_results(state),
                              *rc = new_results(state);
    struct experiment_options other = {.has_seed = true, .seed = 12};
    load_scenario(a, "sys_rich.yaml", NULL);
    load_scenario(b, "sys_rich.yaml", NULL);
    load_scenario(c, "sys_rich.yaml", &other);
    run_experiment(a, ra);
    run_experiment(b, rb);
    run_experiment(c, rc);
    size_t n = ra->n_variants * ra->n_reps * METRIC_COUNT;
    assert_int_equal(n, rb->n_variants * rb->n_reps * METRIC_COUNT);
    assert_int_equal(n, rc->n_variants * rc->n_reps * METRIC_COUNT);
    /* Bitwise: NaNs (metrics without observations) included. */
    assert_memory_equal(ra->values, rb->values, n * sizeof ra->values[0]);
    assert_true(ra->events == rb->events);
    size_t differ = 0;
    for (size_t i = 0; i < n; i++)
        differ += memcmp(&ra->values[i], &rc->values[i], sizeof ra->values[i]) != 0;
    printf("  same seed: %zu values identical, %llu events; seed 12: %zu of %zu values differ\n", n,
           (unsigned long long)ra->events, differ, n);
    assert_true(differ > n / 4);
    assert_true(value(ra, 0, "e2e_ms_mean") != value(rc, 0, "e2e_ms_mean"));
}

/* --- reproducers of bugs --- */

/* Runs `text` in a child process; returns its wait status (0: loaded and ran; exit status
 * 3: an error was reported; killed by a signal: the engine crashed). */
static int run_text_in_child(const char *text)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        /* cmocka catches these signals and would go on running the other tests in the
         * child: let them kill the child instead, so the parent sees the crash. */
        int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
        for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
            signal(fatal[i], SIG_DFL);
        struct experiment ex;
        struct experiment_results res;
        struct experiment_options none = {0};
        struct error err;
        error_clear(&err);
        int rc = experiment_load_text(&ex, text, "child.yaml", &none, &err);
        if (rc == 0)
            rc = experiment_run(&ex, &res, &err);
        _exit(rc == 0 ? 0 : 3);
    }
    int status = -1;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        fail_msg("fork/waitpid failed");
    return status;
}

/* Says what became of a child run that did not succeed. */
static void report_child(const char *what, int status)
{
    if (WIFSIGNALED(status))
        printf("  BUG: %s crashes the run (signal %d)\n", what, WTERMSIG(status));
    else if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
        printf("  BUG: %s makes the run report an error\n", what);
    else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        printf("  BUG: %s crashes the run (a sanitizer stopped it: exit status %d)\n", what,
               WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* Regression (fixed): a renewal outage with `shared: true` crashes the run (NULL generator).
 * run_init_links passes dev->outage_rng[loc], which is NULL for a shared process, to
 * netlink_state_init, which starts the link's own (unused) outage process with it and
 * draws its first period from NULL. */
static void shared_renewal_outage_runs(void **state)
{
    static const char text[] =
        "run: {duration_s: 10}\n"
        "devices:\n"
        "  count: 2\n"
        "  model: {prefill_tok_s: 1000, decode_tok_s: 100}\n"
        "  workload: {arrival: {process: poisson, rate_rps: 5}, prompt_tokens: 10, "
        "output_tokens: 5}\n"
        "  network:\n"
        "    cloud: {rtt_ms: 50, up_mbps: 10, down_mbps: 10,\n"
        "            outage: {up_s: {dist: exponential, mean: 3}, down_s: 1, shared: true},\n"
        "            on_outage: fail}\n"
        "cloud: {slots: 10, model: {prefill_tok_s: 10000, decode_tok_s: 100}}\n"
        "arbiter: cloud\n";
    int status = run_text_in_child(text);
    report_child("a shared renewal outage", status);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Regression (fixed): a one-token request in a static batch is touched after it has ended.
 * server_static_prefill_end calls on_first_token for every member; journey.c ends a
 * one-token request there (its first token is its last) and recycles its struct; the
 * server then schedules server_static_member_done for it at the same instant. If another
 * request is allocated in between (an arrival at that instant), it gets the recycled struct,
 * and member_done runs on the new request: here its srv.replica is still NULL and the run
 * crashes (server.c: member access within null pointer); had it reached a replica, the new
 * request would be ended early. The same ordering leaves last_token_tier_ns = −1 on every
 * one-token request a server serves (the audit of the rich scenario counts them).
 * Trace (tests/data/sys_static_o1.csv): three requests of P = 100, O = 1 at 0, 0.5 and 1 s;
 * the first one's prefill (100 tokens at 100 tok/s) ends at 1 s, when the third arrives. */
static void static_batch_one_token_request_is_not_touched_after_it_ends(void **state)
{
    char text[2048];
    snprintf(text, sizeof text,
             "run: {duration_s: 10}\n"
             "devices:\n"
             "  model: {prefill_tok_s: 100, decode_tok_s: 10}\n"
             "  workload: {arrival: {process: trace, file: '%s/tests/data/sys_static_o1.csv'}}\n"
             "  network: {cloud: {rtt_ms: 0, up_mbps: 1.0e9, down_mbps: 1.0e9,\n"
             "                    overhead_bytes: 0, bytes_per_token: 0}}\n"
             "cloud:\n"
             "  model: {prefill_tok_s: 100, decode_tok_s: 10, max_batch: 2}\n"
             "  batching: {mode: static, max_wait_ms: 0}\n"
             "arbiter: cloud\n",
             HAISIM_SOURCE_DIR);
    int status = run_text_in_child(text);
    report_child("a one-token request in a static batch", status);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Regression (fixed): `power.radio.profile: wifi` (docs/keys/accuracy-cost-energy.md, energy.h)
 * never reaches the energy loader: the profiles expander (profiles.h) treats `profile` as a
 * reserved key in every map and looks for a profile file named "wifi". Expected: wifi's
 * 283 / 137 nJ per bit, i.e. the same energy as explicit tx/rx values. */
static void radio_technology_key_reaches_the_energy_model(void **state)
{
    static const char text[] =
        "run: {requests: 10}\n"
        "devices:\n"
        "  model: {prefill_tok_s: 1000, decode_tok_s: 100}\n"
        "  power: {active_w: 1, radio: {technology: wifi}}\n"
        "  workload: {arrival: {process: poisson, rate_rps: 5}, prompt_tokens: 100, "
        "output_tokens: 1}\n"
        "  network: {cloud: {rtt_ms: 50, up_mbps: 10, down_mbps: 10, overhead_bytes: 100}}\n"
        "cloud: {model: {prefill_tok_s: 10000, decode_tok_s: 100}}\n"
        "arbiter: cloud\n";
    struct experiment *ex = new_experiment(state);
    struct experiment_options none = {0};
    struct error err;
    error_clear(&err);
    if (experiment_load_text(ex, text, "radio-profile.yaml", &none, &err) != 0) {
        char buf[2048];
        error_format(&err, buf, sizeof buf);
        printf("  BUG: radio.profile is taken for a scenario profile: %s\n", buf);
        fail_msg("power.radio.profile: wifi is refused");
    }
    struct experiment_results *res = new_results(state);
    run_experiment(ex, res);
    /* 500 B up, one 104 B token down: 8 (500 · 283 + 104 · 137) 1e-9 J. */
    double e = value(res, 0, "energy_device_j_per_req");
    assert_true(close_rel(e, 8 * (500 * 283.0 + 104 * 137.0) * 1e-9, 1e-12));
}

/* Regression (fixed): the radio tail (power.radio.tail_w, tail_s; energy.h, docs/keys/
 * accuracy-cost-energy.md) is read but never charged: nothing in the engine calls
 * energy_radio_tail_j. One request to the cloud: between the prompt's upload and the first
 * token's arrival (about 110 ms: 50 ms each way and the cloud's prefill) the radio is in its
 * tail, so the device must spend at least 1 W × 0.1 s more with a 1 W tail than without
 * one. */
static void radio_tail_energy_is_charged(void **state)
{
    static const char text[] =
        "run: {requests: 1}\n"
        "devices:\n"
        "  model: {prefill_tok_s: 1000, decode_tok_s: 100}\n"
        "  power: {active_w: 1, radio: {tx_nj_per_bit: 400, rx_nj_per_bit: 100}}\n"
        "  workload: {arrival: {process: poisson, rate_rps: 1}, prompt_tokens: 100, "
        "output_tokens: 11}\n"
        "  network: {cloud: {rtt_ms: 50, up_mbps: 10, down_mbps: 10, overhead_bytes: 100}}\n"
        "cloud: {model: {prefill_tok_s: 10000, decode_tok_s: 100}}\n"
        "arbiter: cloud\n"
        "variants:\n"
        "  - {name: no-tail, set: {}}\n"
        "  - {name: tail, set: {devices.power.radio.tail_w: 1, devices.power.radio.tail_s: 5}}\n";
    struct experiment *ex = new_experiment(state);
    struct experiment_results *res = new_results(state);
    load_text(ex, text, "radio-tail.yaml");
    run_experiment(ex, res);
    double without = value(res, 0, "energy_device_j_per_req"),
           with = value(res, 1, "energy_device_j_per_req");
    double p_without = value(res, 0, "power_device_mean_w"),
           p_with = value(res, 1, "power_device_mean_w");
    printf("  energy per request %.9f J without a tail, %.9f J with a 1 W tail; mean power "
           "%.9f W / %.9f W%s\n",
           without, with, p_without, p_with, with == without ? "  <- BUG: tail not charged" : "");
    assert_true(with >= without + 0.1);
    assert_true(p_with > p_without);
}

/* A trace replay that ends before run.duration_s closes its population, and the measurement
 * window ends with its last arrival (run.c; this was NaN throughput before the engine's
 * "a trace that ends closes its population" change). tests/data/sys_trace3.csv: 3 requests
 * at 0, 1 and 2 s, duration 100 s: window 2 s, 1.5 req/s. */
static void finite_trace_ends_the_window_at_its_last_arrival(void **state)
{
    char text[2048];
    snprintf(text, sizeof text,
             "run: {duration_s: 100}\n"
             "devices:\n"
             "  model: {prefill_tok_s: 1000, decode_tok_s: 100}\n"
             "  workload: {arrival: {process: trace, file: '%s/tests/data/sys_trace3.csv'}}\n"
             "arbiter: device\n",
             HAISIM_SOURCE_DIR);
    struct experiment *ex = new_experiment(state);
    struct experiment_results *res = new_results(state);
    load_text(ex, text, "trace-end.yaml");
    run_experiment(ex, res);
    double rps = value(res, 0, "throughput_rps");
    printf("  3 requests served, throughput %g req/s (want 3 / 2 s)\n", rps);
    assert_true(value(res, 0, "requests_completed") == 3);
    assert_true(close_rel(rps, 1.5, 1e-12));
}

/* Device service intervals seen as requests end (one device: they end in service order). */
struct device_intervals {
    int64_t last_end_ns;
    uint64_t served, overlaps;
};

static void device_intervals_end(void *ctx, const struct run *run, const struct request *req)
{
    struct device_intervals *d = ctx;
    if (req->location != LOCATION_DEVICE || req->outcome != OUTCOME_COMPLETED)
        return;
    d->served++;
    d->overlaps += req->service_start_ns < d->last_end_ns;
    d->last_end_ns = req->last_token_tier_ns;
}

/* A request the device has judged and keeps joins the device's queue behind the requests
 * already waiting: the device serves one request at a time. (It once started the judged
 * request beside the one it took from its queue, so answers overlapped.) */
static void a_judged_request_queues_behind_waiting_ones(void **state)
{
    static const char text[] =
        "name: judged\nseed: 3\nrun: {requests: 3000}\n"
        "devices:\n  count: 1\n"
        "  model: {prefill_tok_s: 1.0e9, decode_tok_s: 100, accuracy: {skill: 0}}\n"
        "  workload: {arrival: {rate_rps: 8}, prompt_tokens: 1, output_tokens: 11}\n"
        "  network: {cloud: {rtt_ms: 0, up_mbps: 1.0e9, down_mbps: 1.0e9}}\n"
        "cloud:\n  model: {prefill_tok_s: 1.0e9, decode_tok_s: 100, accuracy: {skill: 1}}\n"
        "arbiter: {policy: self-assessed, auc: 0.8, threshold: -100, assess_tokens: 2}\n";
    struct experiment *ex = new_experiment(state);
    load_text(ex, text, "judged.yaml");
    struct device_intervals d = {0};
    struct run_observer observer = {.request_end = device_intervals_end, .ctx = &d};
    struct one_run out;
    run_observed(ex, 0, 0, &observer, &out);
    printf("  %llu answers on one device at 88 %% load, %llu overlapping the previous one\n",
           (unsigned long long)d.served, (unsigned long long)d.overlaps);
    assert_true(d.served == 3000);
    assert_true(d.overlaps == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            every_request_ends_once_in_every_replication_of_the_rich_scenario, fixture_setup,
            fixture_teardown),
        cmocka_unit_test_setup_teardown(device_energy_power_and_battery_match_the_hand_computation,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(radio_energy_is_bits_times_energy_per_bit, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(cost_per_request_matches_prices, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(
            logistic_accuracy_matches_its_expectation_and_the_cloud_dominates, fixture_setup,
            fixture_teardown),
        cmocka_unit_test_setup_teardown(replayed_mmlu_accuracy_matches_the_published_shares,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(private_prompts_are_exposed_exactly_where_they_travel,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(retrieval_paths_match_their_hand_worked_timelines,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(outages_with_timeouts_match_the_hand_worked_timeline,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(throttled_device_slows_down_as_its_closed_form_says,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(
            time_per_output_token_grows_with_load_under_continuous_batching, fixture_setup,
            fixture_teardown),
        cmocka_unit_test_setup_teardown(on_demand_kv_admits_more_than_reserving_the_output,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(rich_scenario_is_bitwise_reproducible_and_seed_dependent,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(shared_renewal_outage_runs, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(static_batch_one_token_request_is_not_touched_after_it_ends,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(radio_technology_key_reaches_the_energy_model,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(radio_tail_energy_is_charged, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(finite_trace_ends_the_window_at_its_last_arrival,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(a_judged_request_queues_behind_waiting_ones, fixture_setup,
                                        fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
