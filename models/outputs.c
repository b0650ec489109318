/* outputs: requests.csv, timeseries.csv and trace.json (see outputs.h). */
#include "outputs.h"

#include <math.h>
#include <string.h>

#include "csv.h"
#include "json.h"
#include "run.h"

int outputs_config_load(struct outputs_config *cfg, struct ydoc_node *root, struct error *err)
{
    static const char *const which[] = {"first", "all"};
    struct ydoc_node *map = ydoc_get(root, "outputs"), *trace;
    int all = 0;
    memset(cfg, 0, sizeof *cfg);
    if (!map)
        return 0;
    if (ydoc_expect(map, YDOC_MAP, err) != 0 ||
        ydoc_read_bool(map, "requests", &cfg->requests, err) != 0 ||
        ydoc_read_f64(map, "timeseries_s", RANGE_NONNEGATIVE, &cfg->timeseries_s, err) != 0 ||
        ydoc_read_enum(map, "replications", which, 2, &all, err) != 0)
        return -1;
    cfg->all_replications = all == 1;
    if (cfg->timeseries_s > 0 && cfg->timeseries_s < 1e-3)
        return ydoc_error(ydoc_get(map, "timeseries_s"), err,
                          "timeseries_s must be 0 (none) or at least 0.001");
    if ((trace = ydoc_get(map, "trace")) != NULL) {
        if (ydoc_expect(trace, YDOC_MAP, err) != 0 ||
            ydoc_require(trace, "from_s", &(struct ydoc_node *){NULL}, err) != 0 ||
            ydoc_require(trace, "to_s", &(struct ydoc_node *){NULL}, err) != 0 ||
            ydoc_read_f64(trace, "from_s", RANGE_NONNEGATIVE, &cfg->trace_from_s, err) != 0 ||
            ydoc_read_f64(trace, "to_s", RANGE_NONNEGATIVE, &cfg->trace_to_s, err) != 0)
            return -1;
        if (cfg->trace_to_s <= cfg->trace_from_s)
            return ydoc_error(ydoc_get(trace, "to_s"), err, "to_s must be after from_s");
        cfg->trace = true;
    }
    return 0;
}

bool outputs_wanted(const struct outputs_config *cfg)
{
    return cfg->requests || cfg->timeseries_s > 0 || cfg->trace;
}

bool outputs_covers(const struct outputs_config *cfg, uint32_t replication)
{
    return cfg->all_replications || replication == 0;
}

static const char requests_header[] =
    "variant,replication,id,population,device,task,prompt_tokens,output_tokens,private,"
    "outcome,location,arrival_s,decided_s,tier_arrival_s,service_start_s,first_token_tier_s,"
    "last_token_tier_s,first_token_user_s,last_token_user_s,end_s,ttft_ms,e2e_ms,bytes_up,"
    "bytes_down,energy_j,cost_usd,correct,privacy,seen_by,lowest_trust,refused_because\n";

static const char timeseries_header[] =
    "variant,replication,time_s,in_flight,devices_busy,device_queue,edge_waiting,edge_running,"
    "cloud_waiting,cloud_running,battery_mean_frac\n";

/* Chrome trace processes (pid = index + 1). */
enum { OUTPUTS_TRACE_USERS = 1, OUTPUTS_TRACE_NETWORK = 2, OUTPUTS_TRACE_PLACES = 5 };
static const char *const outputs_trace_places[OUTPUTS_TRACE_PLACES] = {"users", "network", "device",
                                                                       "edge", "cloud"};

int outputs_open(struct outputs *o, const char *dir, const struct outputs_config *cfg,
                 struct error *err)
{
    o->dir = dir;
    if (outfile_mkdirs(dir, err) != 0)
        return -1;
    if (cfg->requests && !o->requests_open) {
        if (outfile_open(&o->requests, dir, "requests.csv", err) != 0)
            return -1;
        o->requests_open = true;
        fputs(requests_header, o->requests.f);
    }
    if (cfg->timeseries_s > 0 && !o->timeseries_open) {
        if (outfile_open(&o->timeseries, dir, "timeseries.csv", err) != 0)
            return -1;
        o->timeseries_open = true;
        fputs(timeseries_header, o->timeseries.f);
    }
    if (cfg->trace && !o->trace_open) {
        if (outfile_open(&o->trace, dir, "trace.json", err) != 0)
            return -1;
        o->trace_open = true;
        fputs("{\"displayTimeUnit\": \"ms\", \"traceEvents\": [\n", o->trace.f);
        /* Numeric process ids with names: one track group per place. */
        for (int pid = 0; pid < OUTPUTS_TRACE_PLACES; pid++)
            fprintf(o->trace.f,
                    "%s{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": %d, "
                    "\"args\": {\"name\": \"%s\"}}",
                    o->trace_events++ ? ",\n" : "", pid + 1, outputs_trace_places[pid]);
    }
    return 0;
}

/* A timestamp in seconds with ns precision, or empty when not reached. */
static void outputs_time(FILE *f, int64_t ns)
{
    if (ns < 0)
        fputs(",", f);
    else
        fprintf(f, ",%lld.%09lld", (long long)(ns / 1000000000), (long long)(ns % 1000000000));
}

/* The privacy columns: the request's class, the tiers its prompt reached ("edge+cloud"),
 * the lowest trust level that saw it, and why it was refused. */
static void outputs_privacy(FILE *f, const struct run *run, const struct request *req)
{
    fprintf(f, ",%s,", trust_class_name(req->privacy));
    const char *sep = "";
    for (int loc = LOCATION_EDGE; loc < LOCATION_COUNT; loc++)
        if (request_seen_by(req, (enum location)loc)) {
            fprintf(f, "%s%s", sep, location_name((enum location)loc));
            sep = "+";
        }
    fprintf(f, ",%s,%s", trust_level_name(scenario_lowest_trust_seen(run->sc, req)),
            refusal_name(req->refusal));
}

static void outputs_request_row(struct outputs *o, const struct run *run, const struct request *req)
{
    FILE *f = o->requests.f;
    csv_write_field(f, o->variant);
    fprintf(f, ",%u,%llu,%u,%u,%u,%u,%u,%d,%s,%s", o->replication + 1, (unsigned long long)req->id,
            req->population, req->device, req->task, req->prompt_tokens, req->output_tokens,
            request_is_private(req) ? 1 : 0, outcome_name(req->outcome),
            location_name(req->location));
    int64_t times[] = {req->arrival_ns,          req->decided_ns,          req->tier_arrival_ns,
                       req->service_start_ns,    req->first_token_tier_ns, req->last_token_tier_ns,
                       req->first_token_user_ns, req->last_token_user_ns,  req->end_ns};
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++)
        outputs_time(f, times[i]);
    bool served = req->outcome == OUTCOME_COMPLETED || req->outcome == OUTCOME_FALLBACK;
    if (served)
        fprintf(f, ",%.6f,%.6f", request_ttft_ms(req), request_e2e_ms(req));
    else
        fputs(",,", f);
    fprintf(f, ",%.10g,%.10g,%.10g,%.10g,", req->bytes_up, req->bytes_down, req->energy_j,
            req->cost_usd);
    if (req->scored)
        fputc(req->correct ? '1' : '0', f);
    outputs_privacy(f, run, req);
    fputc('\n', f);
}

/* The trace process of a tier. */
static int outputs_trace_tier(enum location loc)
{
    return 3 + (int)loc; /* device 3, edge 4, cloud 5 */
}

/* One Chrome trace "complete" event (ph X): ts and dur in µs with ns precision. */
static void outputs_trace_span(struct outputs *o, const char *name, int process, uint32_t thread,
                               int64_t from_ns, int64_t to_ns, const struct request *req)
{
    if (from_ns < 0 || to_ns < from_ns)
        return;
    FILE *f = o->trace.f;
    fprintf(f,
            "%s{\"name\": \"%s\", \"cat\": \"%s\", \"ph\": \"X\", \"pid\": %d, \"tid\": %u, "
            "\"ts\": %.3f, \"dur\": %.3f, \"args\": {\"request\": %llu, \"variant\": ",
            o->trace_events++ ? ",\n" : "", name, location_name(req->location), process, thread,
            (double)from_ns / 1000.0, (double)(to_ns - from_ns) / 1000.0,
            (unsigned long long)req->id);
    json_write_string(f, o->variant);
    fprintf(f, ", \"replication\": %u, \"prompt_tokens\": %u, \"output_tokens\": %u}}",
            o->replication + 1, req->prompt_tokens, req->output_tokens);
}

static void outputs_trace_request(struct outputs *o, const struct request *req)
{
    int64_t from = simtime_from_s(o->cfg->trace_from_s), to = simtime_from_s(o->cfg->trace_to_s);
    if (req->arrival_ns < from || req->arrival_ns >= to)
        return;
    bool on_device = req->location == LOCATION_DEVICE;
    int tier = outputs_trace_tier(req->location);
    uint32_t thread = on_device ? req->device : req->srv.replica_index;
    /* The user's view on the device's track; the tier's work on the tier's track. */
    outputs_trace_span(o, "request", OUTPUTS_TRACE_USERS, req->device, req->arrival_ns,
                       req->end_ns >= 0 ? req->end_ns : req->arrival_ns, req);
    if (!on_device)
        outputs_trace_span(o, "to tier", OUTPUTS_TRACE_NETWORK, req->device, req->arrival_ns,
                           req->tier_arrival_ns, req);
    outputs_trace_span(o, "queue", tier, thread, req->tier_arrival_ns, req->service_start_ns, req);
    outputs_trace_span(o, "prefill", tier, thread, req->service_start_ns, req->first_token_tier_ns,
                       req);
    outputs_trace_span(o, "decode", tier, thread, req->first_token_tier_ns, req->last_token_tier_ns,
                       req);
    if (!on_device)
        outputs_trace_span(o, "to user", OUTPUTS_TRACE_NETWORK, req->device,
                           req->last_token_tier_ns, req->last_token_user_ns, req);
}

void outputs_request_end(void *ctx, const struct run *run, const struct request *req)
{
    struct outputs *o = ctx;
    if (o->cfg->requests)
        outputs_request_row(o, run, req);
    if (o->cfg->trace)
        outputs_trace_request(o, req);
}

void outputs_sample(void *ctx, const struct run *run)
{
    struct outputs *o = ctx;
    const struct scenario *sc = run->sc;
    uint64_t busy = 0, queued = 0;
    double battery = 0;
    int64_t with_battery = 0;
    for (int64_t i = 0; i < sc->n_devices; i++) {
        const struct device *dev = &run->devices[i];
        busy += dev->serving != NULL;
        queued += dev->queue.len;
        if (dev->battery.capacity_j > 0) {
            battery += battery_level_fraction(&dev->battery);
            with_battery++;
        }
    }
    FILE *f = o->timeseries.f;
    csv_write_field(f, o->variant);
    fprintf(f, ",%u", o->replication + 1);
    outputs_time(f, run->sim.now_ns);
    fprintf(f, ",%zu,%llu,%llu", run->pool.in_use, (unsigned long long)busy,
            (unsigned long long)queued);
    for (int loc = LOCATION_EDGE; loc < LOCATION_COUNT; loc++) {
        if (run->server[loc])
            fprintf(f, ",%llu,%llu", (unsigned long long)server_waiting(run->server[loc]),
                    (unsigned long long)server_running(run->server[loc]));
        else
            fputs(",,", f);
    }
    if (with_battery > 0)
        fprintf(f, ",%.6f\n", battery / (double)with_battery);
    else
        fputs(",\n", f);
}

int outputs_close(struct outputs *o, bool ok, struct error *err)
{
    struct outfile *files[] = {&o->requests, &o->timeseries, &o->trace};
    bool open[] = {o->requests_open, o->timeseries_open, o->trace_open};
    if (o->trace_open)
        fputs("\n]}\n", o->trace.f);
    int rc = 0;
    for (size_t i = 0; i < 3; i++) {
        if (!open[i])
            continue;
        if (ok && rc == 0)
            rc = outfile_commit(files[i], err);
        else
            outfile_abort(files[i]);
    }
    o->requests_open = o->timeseries_open = o->trace_open = false;
    return rc;
}
