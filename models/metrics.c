/* metrics: per-request observations and the catalogue of reported values (see metrics.h). */
#include "metrics.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "simtime.h"

static const struct {
    const char *name, *description;
} metric_latency_defs[METRIC_LATENCY_COUNT] = {
#define METRIC_LATENCY_DEF(id, name, desc) {name, desc},
    METRIC_LATENCIES(METRIC_LATENCY_DEF)
#undef METRIC_LATENCY_DEF
};

static const char *const metric_stat_names[METRIC_STAT_COUNT] = {
#define METRIC_STAT_NAME(id, name) name,
    METRIC_STATS(METRIC_STAT_NAME)
#undef METRIC_STAT_NAME
};

static const double metric_stat_p[METRIC_STAT_COUNT] = {NAN, 0.50, 0.90, 0.95, 0.99, 1.0};

static const struct {
    const char *name, *unit, *description;
} metric_scalar_defs[METRIC_SCALAR_COUNT] = {
#define METRIC_SCALAR_DEF(id, name, unit, desc) {name, unit, desc},
    METRIC_SCALARS(METRIC_SCALAR_DEF)
#undef METRIC_SCALAR_DEF
};

/* The readable table shows the headline figures; JSON and CSV carry everything. */
static bool metric_in_table(size_t i)
{
    if (i >= METRIC_INDEX_SCALAR(0)) {
        size_t s = i - METRIC_INDEX_SCALAR(0);
        /* Exposure in tokens stays in JSON and CSV; the table shows exposure in requests. */
        return s != METRIC_BYTES_UP && s != METRIC_BYTES_DOWN &&
               s != METRIC_EXPOSED_TOKENS_PRIVATE_CLOUD &&
               s != METRIC_EXPOSED_TOKENS_ENTERPRISE_EDGE &&
               s != METRIC_EXPOSED_TOKENS_THIRD_PARTY_API;
    }
    size_t lat = i / METRIC_STAT_COUNT, stat = i % METRIC_STAT_COUNT;
    if (lat == METRIC_LATENCY_TTFT_SERVER)
        return false;
    if (lat == METRIC_LATENCY_TPOT || lat == METRIC_LATENCY_QUEUE)
        return stat == METRIC_STAT_MEAN || stat == METRIC_STAT_P99;
    return stat != METRIC_STAT_P95;
}

struct metric_info metric_info(size_t i)
{
    struct metric_info mi = {.unit = "", .description = ""};
    if (i < METRIC_INDEX_SCALAR(0)) {
        size_t lat = i / METRIC_STAT_COUNT, stat = i % METRIC_STAT_COUNT;
        snprintf(mi.name, sizeof mi.name, "%s_%s", metric_latency_defs[lat].name,
                 metric_stat_names[stat]);
        mi.unit = "ms";
        mi.description = metric_latency_defs[lat].description;
    } else if (i < METRIC_COUNT) {
        size_t s = i - METRIC_INDEX_SCALAR(0);
        snprintf(mi.name, sizeof mi.name, "%s", metric_scalar_defs[s].name);
        mi.unit = metric_scalar_defs[s].unit;
        mi.description = metric_scalar_defs[s].description;
    }
    mi.in_table = i < METRIC_COUNT && metric_in_table(i);
    return mi;
}

long metric_find(const char *name)
{
    for (size_t i = 0; i < METRIC_COUNT; i++)
        if (strcmp(metric_info(i).name, name) == 0)
            return (long)i;
    return -1;
}

int metrics_init(struct metrics *m)
{
    *m = (struct metrics){.slo_ttft_ms = INFINITY, .slo_tpot_ms = INFINITY, .slo_e2e_ms = INFINITY};
    for (size_t i = 0; i < METRIC_LATENCY_COUNT; i++)
        if (stats_stream_init(&m->latency[i]) != 0)
            return -1;
    return 0;
}

void metrics_free(struct metrics *m)
{
    for (size_t i = 0; i < METRIC_LATENCY_COUNT; i++)
        stats_stream_free(&m->latency[i]);
}

void metrics_record(struct metrics *m, const struct request *req)
{
    m->outcomes[req->outcome]++;
    m->bytes_up += req->bytes_up;
    m->bytes_down += req->bytes_down;
    m->energy_j += req->energy_j;
    m->escalated += req->escalated;
    m->cost_usd += req->cost_usd;
    bool left = request_left_device(req);
    if (request_is_private(req)) {
        m->private_requests++;
        m->private_exposed += left;
        m->private_cloud += request_seen_by(req, LOCATION_CLOUD);
        if (left)
            m->private_tokens += req->prompt_tokens;
    }
    m->privacy_rerouted += req->privacy_rerouted;
    bool violated = false;
    for (int loc = LOCATION_EDGE; left && loc < LOCATION_COUNT; loc++)
        if (request_seen_by(req, (enum location)loc)) {
            enum trust_level t = m->tier_trust[loc];
            m->exposed_requests[t]++;
            m->exposed_tokens[t] += req->tokens_seen[loc];
            violated = violated || !trust_allows(&m->privacy, req->privacy, t);
        }
    m->privacy_violations += violated;
    if (req->scored) {
        m->scored++;
        m->correct += req->correct;
    }
    if (req->outcome != OUTCOME_COMPLETED && req->outcome != OUTCOME_FALLBACK)
        return;
    struct stats_stream *lat = m->latency;
    double ttft = request_ttft_ms(req), e2e = request_e2e_ms(req), tpot = request_tpot_ms(req);
    stats_stream_add(&lat[METRIC_LATENCY_TTFT], ttft);
    stats_stream_add(&lat[METRIC_LATENCY_TTFT_SERVER],
                     simtime_to_ms(req->first_token_tier_ns - req->tier_arrival_ns));
    if (!isnan(tpot)) /* a one-token answer has no TPOT */
        stats_stream_add(&lat[METRIC_LATENCY_TPOT], tpot);
    stats_stream_add(&lat[METRIC_LATENCY_E2E], e2e);
    stats_stream_add(&lat[METRIC_LATENCY_QUEUE],
                     simtime_to_ms(req->service_start_ns - req->tier_arrival_ns));
    m->served++;
    m->output_tokens += req->output_tokens;
    if (ttft <= m->slo_ttft_ms && (isnan(tpot) || tpot <= m->slo_tpot_ms) && e2e <= m->slo_e2e_ms)
        m->slo_met++;
    m->at_location[req->location]++;
    if (req->spec.on && req->outcome == OUTCOME_COMPLETED) {
        m->spec_requests++;
        m->spec_rounds += req->spec.rounds;
        m->spec_accepted += req->spec.accepted;
        m->spec_drafted += req->spec.drafted;
        m->spec_rejections += req->spec.rejections;
        m->spec_round_tokens += req->spec.tokens_at_user - 1u; /* the rounds' (not the prefill's) */
    }
    m->guided += req->guidance_tokens > 0;
}

double metrics_quantile(struct metrics *m, enum metric_latency lat, double p)
{
    return qsketch_quantile(m->latency[lat].q, p);
}

void metrics_finish(struct metrics *m, const struct metrics_context *ctx, double *values)
{
    for (size_t lat = 0; lat < METRIC_LATENCY_COUNT; lat++) {
        struct stats_stream *s = &m->latency[lat];
        for (size_t stat = 0; stat < METRIC_STAT_COUNT; stat++) {
            double v = NAN;
            if (s->acc.n > 0) {
                if (stat == METRIC_STAT_MEAN)
                    v = s->acc.mean;
                else if (stat == METRIC_STAT_MAX)
                    v = s->acc.max; /* exact, not the sketch's bucket value */
                else
                    v = qsketch_quantile(s->q, metric_stat_p[stat]);
            }
            values[METRIC_INDEX_LATENCY(lat, stat)] = v;
        }
    }
    double n = (double)m->served, arrived = 0;
    for (int o = 0; o < OUTCOME_COUNT; o++)
        arrived += (double)m->outcomes[o];
    double *scalar = values + METRIC_INDEX_SCALAR(0);
    scalar[METRIC_ARRIVED] = arrived;
    scalar[METRIC_COMPLETED] = (double)m->outcomes[OUTCOME_COMPLETED];
    scalar[METRIC_FALLBACK] = (double)m->outcomes[OUTCOME_FALLBACK];
    scalar[METRIC_FAILED_NETWORK] = (double)m->outcomes[OUTCOME_FAILED_NETWORK];
    scalar[METRIC_REJECTED] = (double)m->outcomes[OUTCOME_REJECTED];
    scalar[METRIC_REFUSED] = (double)m->outcomes[OUTCOME_REFUSED];
    scalar[METRIC_ESCALATED] = (double)m->escalated;
    scalar[METRIC_THROUGHPUT_RPS] = ctx->window_s > 0 ? n / ctx->window_s : NAN;
    scalar[METRIC_THROUGHPUT_TOK_S] =
        ctx->window_s > 0 ? (double)m->output_tokens / ctx->window_s : NAN;
    scalar[METRIC_SHARE_DEVICE] = n > 0 ? (double)m->at_location[LOCATION_DEVICE] / n : NAN;
    scalar[METRIC_SHARE_EDGE] = n > 0 ? (double)m->at_location[LOCATION_EDGE] / n : NAN;
    scalar[METRIC_SHARE_CLOUD] = n > 0 ? (double)m->at_location[LOCATION_CLOUD] / n : NAN;
    scalar[METRIC_GUIDED] = ctx->guiding && n > 0 ? (double)m->guided / n : NAN;
    scalar[METRIC_UTIL_DEVICE] = ctx->busy_fraction[LOCATION_DEVICE];
    scalar[METRIC_UTIL_EDGE] = ctx->busy_fraction[LOCATION_EDGE];
    scalar[METRIC_UTIL_CLOUD] = ctx->busy_fraction[LOCATION_CLOUD];
    scalar[METRIC_BYTES_UP] = arrived > 0 ? m->bytes_up / arrived : NAN;
    scalar[METRIC_BYTES_DOWN] = arrived > 0 ? m->bytes_down / arrived : NAN;
    scalar[METRIC_ACCURACY] = m->scored > 0 ? (double)m->correct / (double)m->scored : NAN;
    scalar[METRIC_COST] = n > 0 ? (m->cost_usd + ctx->provisioned_usd) / n : NAN;
    scalar[METRIC_ENERGY] = arrived > 0 ? m->energy_j / arrived : NAN;
    scalar[METRIC_POWER] = ctx->device_power_w;
    scalar[METRIC_BATTERY_MIN] = ctx->battery_min_frac;
    scalar[METRIC_BATTERIES_EMPTY] = ctx->batteries_empty;
    double priv = (double)m->private_requests;
    scalar[METRIC_PRIVATE] = priv;
    scalar[METRIC_PRIVATE_EXPOSED] = priv > 0 ? (double)m->private_exposed / priv : NAN;
    scalar[METRIC_PRIVATE_CLOUD] = priv > 0 ? (double)m->private_cloud / priv : NAN;
    scalar[METRIC_PRIVATE_TOKENS] = priv > 0 ? m->private_tokens : NAN;
    scalar[METRIC_PRIVACY_REROUTED] = (double)m->privacy_rerouted;
    scalar[METRIC_PRIVACY_VIOLATIONS] = (double)m->privacy_violations;
    static const struct {
        enum trust_level level;
        enum metric_scalar requests, tokens;
    } exposure[] = {
        {TRUST_PRIVATE_CLOUD, METRIC_EXPOSED_REQUESTS_PRIVATE_CLOUD,
         METRIC_EXPOSED_TOKENS_PRIVATE_CLOUD},
        {TRUST_ENTERPRISE_EDGE, METRIC_EXPOSED_REQUESTS_ENTERPRISE_EDGE,
         METRIC_EXPOSED_TOKENS_ENTERPRISE_EDGE},
        {TRUST_THIRD_PARTY_API, METRIC_EXPOSED_REQUESTS_THIRD_PARTY_API,
         METRIC_EXPOSED_TOKENS_THIRD_PARTY_API},
    };
    for (size_t i = 0; i < sizeof exposure / sizeof exposure[0]; i++) {
        scalar[exposure[i].requests] = (double)m->exposed_requests[exposure[i].level];
        scalar[exposure[i].tokens] = m->exposed_tokens[exposure[i].level];
    }
    bool slo = isfinite(m->slo_ttft_ms) || isfinite(m->slo_tpot_ms) || isfinite(m->slo_e2e_ms);
    scalar[METRIC_SLO_ATTAINMENT] = slo && arrived > 0 ? (double)m->slo_met / arrived : NAN;
    scalar[METRIC_GOODPUT] = slo && ctx->window_s > 0 ? (double)m->slo_met / ctx->window_s : NAN;
    scalar[METRIC_BATCH_EDGE] = ctx->batch_mean[LOCATION_EDGE];
    scalar[METRIC_BATCH_CLOUD] = ctx->batch_mean[LOCATION_CLOUD];
    scalar[METRIC_PREEMPTIONS] = ctx->preemptions;
    double rounds = (double)m->spec_rounds;
    scalar[METRIC_SPEC_REQUESTS] = (double)m->spec_requests;
    /* alpha's maximum-likelihood estimate from capped geometric counts: accepted tokens per
     * accepted-or-rejected token (a round cut by gamma tells no rejection). */
    double judged = (double)(m->spec_accepted + m->spec_rejections);
    scalar[METRIC_SPEC_ACCEPTANCE] = judged > 0 ? (double)m->spec_accepted / judged : NAN;
    scalar[METRIC_SPEC_TOKENS_PER_ROUND] = rounds > 0 ? (double)m->spec_round_tokens / rounds : NAN;
    scalar[METRIC_SPEC_GAMMA] = rounds > 0 ? (double)m->spec_drafted / rounds : NAN;
    scalar[METRIC_BILD_FALLBACK] = bild_fallback_rate(&ctx->bild);
    scalar[METRIC_BILD_ROLLBACK] = bild_rollback_rate(&ctx->bild);
    scalar[METRIC_BILD_SPEEDUP] = bild_speedup(&ctx->bild);
    scalar[METRIC_BILD_QUALITY_LOSS] = bild_quality_loss(&ctx->bild);
}
