/* run: one replication of a scenario (see run.h). */
#include "run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journey.h"
#include "rng.h"

/* Per-population arrival state: the payload of that population's arrival events. */
struct run_population {
    struct run *run;
    uint32_t index;
    gsl_rng *arrivals; /* "arrivals/<name>": adding a population never shifts another */
    gsl_rng *workload; /* "workload/<name>" */
    struct arrival_state arrival_state; /* open processes */
    struct arrival next;                /* the pending open-loop arrival */
    struct run_user *users;             /* closed loop: one per user */
    /* One outage process for all the population's links to a tier (outage.shared). */
    struct outage_state shared_outage[LOCATION_COUNT];
    gsl_rng *shared_outage_rng[LOCATION_COUNT];
};

/* A closed-loop user: the payload of its request events. */
struct run_user {
    struct run_population *population;
    uint32_t device;
};

static void run_arrival(struct sim *sim, void *payload);
static void run_user_request(struct sim *sim, void *payload);
static void run_schedule_arrival(struct run *run, struct run_population *p);

static int run_oom(struct run *run, struct error *err)
{
    run->out_of_memory = true;
    return error_set(err, NULL, 0, 0, NULL, "out of memory");
}

static gsl_rng *run_named_stream(uint64_t seed, uint32_t replication, const char *kind,
                                 const char *name)
{
    size_t len = strlen(kind) + strlen(name) + 2;
    char *full = malloc(len); /* names come from the scenario: any length */
    if (!full)
        return NULL;
    snprintf(full, len, "%s/%s", kind, name);
    gsl_rng *rng = rng_stream_new(seed, replication, full);
    free(full);
    return rng;
}

/* The links of a population's devices. Each outage process draws from its own stream
 * ("outage/<population>/<tier>[/<device>]"), so links' up and down periods do not depend on
 * how often any policy uses them (common random numbers). */
static int run_init_links(struct run *run, struct run_population *p, uint64_t seed,
                          uint32_t replication)
{
    const struct population_config *pop = &run->sc->populations[p->index];
    for (int loc = LOCATION_EDGE; loc < LOCATION_COUNT; loc++) {
        if (!pop->has_link[loc])
            continue;
        const struct netlink_config *cfg = &pop->link[loc];
        bool renewal = cfg->outage.kind == OUTAGE_RENEWAL;
        char name[512]; /* population names are at most 255 bytes (scenario.c) */
        if (cfg->outage.shared) {
            snprintf(name, sizeof name, "%s/%s", pop->name, location_name((enum location)loc));
            if (renewal &&
                !(p->shared_outage_rng[loc] = run_named_stream(seed, replication, "outage", name)))
                return -1;
            outage_state_init(&p->shared_outage[loc], &cfg->outage, p->shared_outage_rng[loc]);
        }
        for (int64_t d = 0; d < pop->count; d++) {
            struct device *dev = &run->devices[pop->first_device + d];
            if (renewal && !cfg->outage.shared) {
                snprintf(name, sizeof name, "%s/%s/%lld", pop->name,
                         location_name((enum location)loc), (long long)d);
                if (!(dev->outage_rng[loc] = run_named_stream(seed, replication, "outage", name)))
                    return -1;
            }
            netlink_state_init(&dev->link[loc], cfg, dev->outage_rng[loc]);
            if (cfg->outage.shared)
                dev->link[loc].shared_outage = &p->shared_outage[loc];
        }
    }
    return 0;
}

static int run_init_populations(struct run *run, uint64_t seed, uint32_t replication)
{
    const struct scenario *sc = run->sc;
    run->populations = calloc(sc->n_populations, sizeof run->populations[0]);
    if (!run->populations)
        return -1;
    for (size_t i = 0; i < sc->n_populations; i++) {
        const struct population_config *pop = &sc->populations[i];
        struct run_population *p = &run->populations[i];
        p->run = run;
        p->index = (uint32_t)i;
        p->arrivals = run_named_stream(seed, replication, "arrivals", pop->name);
        p->workload = run_named_stream(seed, replication, "workload", pop->name);
        if (!p->arrivals || !p->workload)
            return -1;
        for (int64_t d = 0; d < pop->count; d++) {
            struct device *dev = &run->devices[pop->first_device + d];
            dev->population = (uint32_t)i;
            battery_init(&dev->battery, &pop->power);
        }
        if (run_init_links(run, p, seed, replication) != 0)
            return -1;
        const struct arrival_config *acfg = &pop->workload.arrival;
        if (!arrival_is_closed(acfg)) {
            arrival_state_init(&p->arrival_state, acfg, (uint32_t)pop->count, p->arrivals);
            run->open_populations++;
            run_schedule_arrival(run, p);
            continue;
        }
        /* Closed loop: every user issues a first request, then one after each answer. */
        size_t n_users = (size_t)pop->count * arrival_users_per_device(acfg);
        p->users = calloc(n_users, sizeof p->users[0]);
        if (!p->users)
            return -1;
        for (size_t u = 0; u < n_users; u++) {
            p->users[u] = (struct run_user){p, pop->first_device +
                                                   (uint32_t)(u / arrival_users_per_device(acfg))};
            sim_at(&run->sim, arrival_closed_start_ns(acfg, p->arrivals), run_user_request,
                   &p->users[u]);
        }
    }
    return 0;
}

int run_init(struct run *run, const struct scenario *sc, uint64_t seed, uint32_t replication,
             struct error *err)
{
    *run = (struct run){.sc = sc, .seed = seed, .replication = replication};
    if (sim_init(&run->sim) != 0)
        return run_oom(run, err);
    request_pool_init(&run->pool);
    if (metrics_init(&run->metrics) != 0)
        return run_oom(run, err);
    run->metrics.slo_ttft_ms = sc->slo_ttft_ms;
    run->metrics.slo_tpot_ms = sc->slo_tpot_ms;
    run->metrics.slo_e2e_ms = sc->slo_e2e_ms;
    run->metrics.privacy = sc->privacy;
    for (int loc = 0; loc < LOCATION_COUNT; loc++)
        run->metrics.tier_trust[loc] = scenario_trust(sc, (enum location)loc);
    struct {
        gsl_rng **slot;
        const char *name;
    } streams[] = {
        {&run->rng.network, "network"},
        {&run->rng.rag, "rag"},
        {&run->rng.device, "device"},
        {&run->rng.server[LOCATION_EDGE], "edge"},
        {&run->rng.server[LOCATION_CLOUD], "cloud"},
    };
    for (size_t i = 0; i < sizeof streams / sizeof streams[0]; i++)
        if (!(*streams[i].slot = rng_stream_new(seed, replication, streams[i].name)))
            return run_oom(run, err);
    run->devices = calloc((size_t)sc->n_devices, sizeof run->devices[0]);
    if (!run->devices)
        return run_oom(run, err);
    for (int loc = LOCATION_EDGE; loc < LOCATION_COUNT; loc++) {
        if (!sc->tier[loc].present)
            continue;
        run->server[loc] = server_new(&sc->tier[loc].server, &run->sim,
                                      journey_server_callbacks(run), run->rng.server[loc]);
        if (!run->server[loc])
            return run_oom(run, err);
        /* Length predictions keyed by (seed, replication, request): the same on every tier
         * and under every policy (sched.h). */
        server_set_seed(run->server[loc], seed, replication);
    }
    run->warmup_ns = simtime_from_s(sc->run.warmup_s);
    run->horizon_ns = sc->run.duration_s > 0 ? simtime_from_s(sc->run.duration_s) : SIMTIME_NEVER;
    run->arrivals_end_ns = -1;
    if (run_init_populations(run, seed, replication) != 0)
        return run_oom(run, err);
    if (sc->has_edge_cloud_link) {
        if (sc->edge_cloud.outage.kind == OUTAGE_RENEWAL &&
            !(run->edge_cloud_outage_rng = rng_stream_new(seed, replication, "outage/edge-cloud")))
            return run_oom(run, err);
        netlink_state_init(&run->edge_cloud, &sc->edge_cloud, run->edge_cloud_outage_rng);
        if (sc->edge_cloud.outage.shared) {
            outage_state_init(&run->edge_cloud_outage, &sc->edge_cloud.outage,
                              run->edge_cloud_outage_rng);
            run->edge_cloud.shared_outage = &run->edge_cloud_outage;
        }
    }
    return 0;
}

void run_free(struct run *run)
{
    for (size_t i = 0; run->populations && i < run->sc->n_populations; i++) {
        struct run_population *p = &run->populations[i];
        gsl_rng *owned[] = {p->arrivals, p->workload, p->shared_outage_rng[LOCATION_EDGE],
                            p->shared_outage_rng[LOCATION_CLOUD]};
        for (size_t k = 0; k < sizeof owned / sizeof owned[0]; k++)
            if (owned[k])
                gsl_rng_free(owned[k]);
        free(p->users);
    }
    for (int64_t d = 0; run->devices && d < run->sc->n_devices; d++)
        for (int loc = 0; loc < LOCATION_COUNT; loc++)
            if (run->devices[d].outage_rng[loc])
                gsl_rng_free(run->devices[d].outage_rng[loc]);
    if (run->edge_cloud_outage_rng)
        gsl_rng_free(run->edge_cloud_outage_rng);
    free(run->populations);
    gsl_rng *streams[] = {run->rng.network, run->rng.rag, run->rng.device,
                          run->rng.server[LOCATION_EDGE], run->rng.server[LOCATION_CLOUD]};
    for (size_t i = 0; i < sizeof streams / sizeof streams[0]; i++)
        if (streams[i])
            gsl_rng_free(streams[i]);
    for (int loc = 0; loc < LOCATION_COUNT; loc++)
        server_free(run->server[loc]);
    free(run->devices);
    metrics_free(&run->metrics);
    request_pool_free(&run->pool);
    sim_free(&run->sim);
}

/* Arrivals end at the horizon or after run.requests in all; the last population to stop
 * sets the end of the measurement window. */
static bool run_arrivals_open(struct run *run)
{
    const struct scenario *sc = run->sc;
    if (run->sim.now_ns >= run->horizon_ns) {
        run->arrivals_end_ns = run->horizon_ns;
        return false;
    }
    if (sc->run.requests > 0 && run->arrivals >= (uint64_t)sc->run.requests) {
        if (run->arrivals_end_ns < 0)
            run->arrivals_end_ns = run->sim.now_ns;
        return false;
    }
    return true;
}

/* A new request from device `device` of population p, now. */
static void run_new_request(struct run *run, struct run_population *p, uint32_t device,
                            const struct arrival *arrival, struct run_user *user)
{
    const struct population_config *pop = &run->sc->populations[p->index];
    struct request *req = request_alloc(&run->pool);
    if (!req) {
        sim_out_of_memory(&run->sim);
        return;
    }
    req->id = run->arrivals++;
    req->arrival_ns = run->sim.now_ns;
    req->population = p->index;
    req->device = device;
    req->user = user;
    workload_fill_request(&pop->workload, arrival, p->workload, req);
    if (req->needs_rag && run->sc->rag.present) {
        const struct rag_config *rag = &run->sc->rag;
        double latency_ms = dist_sample(&rag->latency_ms, run->rng.rag);
        double tokens = round(dist_sample(&rag->context_tokens, run->rng.rag));
        req->rag_latency_ns = latency_ms > 0 ? simtime_from_s(latency_ms * 1e-3) : 0;
        req->rag_tokens = tokens > 0 ? (uint32_t)fmin(tokens, 1e9) : 0;
    }
    journey_start(run, req);
}

/* After one more arrival, whether arrivals stay open (run.requests); closes them if not. */
static bool run_arrivals_open_after_one(struct run *run)
{
    const struct scenario *sc = run->sc;
    if (sc->run.requests > 0 && run->arrivals + 1 >= (uint64_t)sc->run.requests) {
        run->arrivals_end_ns = run->sim.now_ns;
        return false;
    }
    return true;
}

/* Schedules p's next arrival; a finished process (a trace without loop) closes the
 * population, and the last one to close ends the arrivals. */
static void run_schedule_arrival(struct run *run, struct run_population *p)
{
    int64_t at = arrival_next(&p->arrival_state, p->arrivals, &p->next);
    if (at != SIMTIME_NEVER) {
        sim_at(&run->sim, at, run_arrival, p);
        return;
    }
    if (--run->open_populations == 0 && run->arrivals_end_ns < 0)
        run->arrivals_end_ns = run->sim.now_ns;
}

/* One pending arrival per open-loop population: each arrival schedules the next, so the
 * event queue holds O(requests in flight) events. */
static void run_arrival(struct sim *sim, void *payload)
{
    struct run_population *p = payload;
    struct run *run = p->run;
    if (!run_arrivals_open(run))
        return;
    struct arrival now = p->next;
    if (run_arrivals_open_after_one(run))
        run_schedule_arrival(run, p);
    run_new_request(run, p, run->sc->populations[p->index].first_device + now.device, &now, NULL);
}

/* A closed-loop user's next request. */
static void run_user_request(struct sim *sim, void *payload)
{
    struct run_user *user = payload;
    struct run *run = user->population->run;
    if (!run_arrivals_open(run))
        return;
    (void)run_arrivals_open_after_one(run);
    run_new_request(run, user->population, user->device, NULL, user);
}

void run_device_energy(struct run *run, struct request *req, double energy_j)
{
    struct device *dev = &run->devices[req->device];
    dev->energy_j += energy_j;
    req->energy_j += energy_j;
    battery_drain(&dev->battery, energy_j);
}

void run_request_end(struct run *run, struct request *req)
{
    if (req->arrival_ns >= run->warmup_ns)
        metrics_record(&run->metrics, req);
    if (run->observer && run->observer->request_end)
        run->observer->request_end(run->observer->ctx, run, req);
    struct run_user *user = req->user;
    if (user) {
        /* The user reads the answer, thinks, and asks again. */
        const struct arrival_config *acfg =
            &run->sc->populations[user->population->index].workload.arrival;
        int64_t at = req->end_ns + arrival_think_ns(acfg, user->population->arrivals);
        sim_at(&run->sim, at, run_user_request, user);
    }
    request_release(&run->pool, req);
}

/* A sampling instant: report, and sample again while anything can still happen. */
static void run_sample(struct sim *sim, void *payload)
{
    struct run *run = (struct run *)sim;
    run->observer->sample(run->observer->ctx, run);
    bool arrivals_to_come = run->arrivals_end_ns < 0;
    if (arrivals_to_come || run->pool.in_use > 0)
        sim_after(sim, run->observer->sample_every_ns, run_sample, NULL);
}

void run_observe(struct run *run, const struct run_observer *observer)
{
    run->observer = observer;
    if (observer && observer->sample && observer->sample_every_ns > 0)
        sim_at(&run->sim, 0, run_sample, NULL);
}

/* Device power and batteries at the end of the run: busy energy was charged as it was
 * spent; idle energy is idle power × (run length − busy time) per device. */
static void run_energy_context(struct run *run, int64_t end_ns, struct metrics_context *ctx)
{
    const struct scenario *sc = run->sc;
    double total_j = 0, min_frac = INFINITY, empty = 0;
    bool batteries = false;
    for (int64_t i = 0; i < sc->n_devices; i++) {
        struct device *dev = &run->devices[i];
        const struct energy_config *power = &sc->populations[dev->population].power;
        double idle_s = simtime_to_s(end_ns - dev->busy_ns);
        double idle_j = energy_idle_j(power, idle_s > 0 ? idle_s : 0);
        if (dev->radio_used) /* the tail after the last transfer */
            idle_j += energy_radio_tail_j(power, simtime_to_s(end_ns - dev->radio_last_ns));
        battery_drain(&dev->battery, idle_j);
        total_j += dev->energy_j + idle_j;
        if (dev->battery.capacity_j > 0) {
            batteries = true;
            double frac = battery_level_fraction(&dev->battery);
            min_frac = frac < min_frac ? frac : min_frac;
            empty += battery_is_empty(&dev->battery);
        }
    }
    ctx->device_power_w = total_j / ((double)sc->n_devices * simtime_to_s(end_ns));
    ctx->battery_min_frac = batteries ? min_frac : NAN;
    ctx->batteries_empty = batteries ? empty : NAN;
}

int run_execute(struct run *run, struct run_result *result, struct error *err)
{
    const struct scenario *sc = run->sc;
    if (sim_run(&run->sim, SIMTIME_NEVER) != 0 || run->out_of_memory || run->sim.out_of_memory)
        return run_oom(run, err);
    int64_t end_ns = run->sim.now_ns > 0 ? run->sim.now_ns : 1;
    struct metrics_context ctx = {0};
    ctx.window_s = simtime_to_s(run->arrivals_end_ns - run->warmup_ns);
    double device_busy_ns = 0;
    for (int64_t i = 0; i < sc->n_devices; i++)
        device_busy_ns += (double)run->devices[i].busy_ns;
    ctx.busy_fraction[LOCATION_DEVICE] = device_busy_ns / ((double)sc->n_devices * (double)end_ns);
    for (int loc = LOCATION_EDGE; loc < LOCATION_COUNT; loc++)
        ctx.busy_fraction[loc] =
            run->server[loc] ? server_busy_s(run->server[loc]) /
                                   (server_capacity(run->server[loc]) * simtime_to_s(end_ns))
                             : NAN;
    run_energy_context(run, end_ns, &ctx);
    for (int loc = 0; loc < LOCATION_COUNT; loc++) {
        ctx.batch_mean[loc] = NAN;
        if (!run->server[loc])
            continue;
        struct server_stats st = server_stats(run->server[loc]);
        if (sc->tier[loc].server.batching != SERVER_BATCH_NONE && st.iterations > 0)
            ctx.batch_mean[loc] = (double)st.batched_seqs / (double)st.iterations;
        ctx.preemptions += (double)st.preemptions;
        bild_stats_add(&ctx.bild, &st.bild);
    }
    for (int loc = LOCATION_EDGE; loc < LOCATION_COUNT; loc++)
        ctx.guiding |= sc->tier[loc].present && sc->tier[loc].guidance.enabled;
    for (int loc = LOCATION_EDGE; loc < LOCATION_COUNT; loc++)
        if (sc->tier[loc].present)
            ctx.provisioned_usd += (double)sc->tier[loc].server.replicas *
                                   cost_provisioned_usd(&sc->tier[loc].quality.price, ctx.window_s);
    metrics_finish(&run->metrics, &ctx, result->values);
    result->events = run->sim.events_handled;
    result->peak_requests_in_flight = run->pool.peak_in_use;
    result->sim_end_s = simtime_to_s(end_ns);
    return 0;
}

/* --- state that arbiters read --- */

bool run_link_is_up(struct run *run, const struct request *req, enum location to)
{
    if (to == LOCATION_DEVICE)
        return true;
    const struct population_config *pop = &run->sc->populations[req->population];
    return netlink_is_up(&pop->link[to], &run->devices[req->device].link[to], run->sim.now_ns);
}

double run_battery_frac(const struct run *run, const struct request *req)
{
    return battery_level_fraction(&run->devices[req->device].battery);
}

double run_remote_cost_usd(const struct run *run, const struct request *req, enum location to)
{
    if (to == LOCATION_DEVICE)
        return 0;
    return cost_request_usd(&run->sc->tier[to].quality.price, req->prompt_tokens,
                            req->output_tokens);
}

bool run_budget_charge(struct run *run, double cost_usd, double usd_per_hour)
{
    int64_t hour = run->sim.now_ns / (3600 * SIMTIME_NS_PER_S);
    if (hour != run->budget_hour) {
        run->budget_hour = hour;
        run->budget_spent_usd = 0;
    }
    if (run->budget_spent_usd + cost_usd > usd_per_hour)
        return false;
    run->budget_spent_usd += cost_usd;
    return true;
}

double run_view_waiting(struct run *run, enum location tier, double max_age_s)
{
    int64_t now = run->sim.now_ns;
    if (!run->view_valid || now - run->view_ns > simtime_from_s(max_age_s)) {
        for (int loc = LOCATION_EDGE; loc < LOCATION_COUNT; loc++)
            run->view_waiting[loc] = run->server[loc] ? server_waiting(run->server[loc]) : 0;
        run->view_ns = now;
        run->view_valid = true;
    }
    return tier == LOCATION_DEVICE ? 0 : (double)run->view_waiting[tier];
}

double run_estimate_device_s(const struct run *run, const struct request *req)
{
    const struct device *dev = &run->devices[req->device];
    const struct llm_perf *m = &run->sc->populations[req->population].model;
    double ahead = (double)dev->queue.len + (dev->serving ? 1.0 : 0.0);
    return (ahead + 1.0) *
           llm_single_stream(m, req->prompt_tokens, req->output_tokens, 0).last_token_s;
}

double run_estimate_remote_s(struct run *run, const struct request *req, enum location tier,
                             double max_age_s)
{
    if (tier == LOCATION_DEVICE)
        return run_estimate_device_s(run, req);
    const struct population_config *pop = &run->sc->populations[req->population];
    const struct server_config *server = &run->sc->tier[tier].server;
    double capacity = server_capacity(run->server[tier]);
    double service_s =
        llm_single_stream(&server->model, req->prompt_tokens, req->output_tokens, 0).last_token_s;
    double rtt_s = dist_mean(&pop->link[tier].rtt_ms) * 1e-3;
    return rtt_s + service_s * (run_view_waiting(run, tier, max_age_s) / capacity + 1.0);
}
