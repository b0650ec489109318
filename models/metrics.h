/* metrics: what a run measures (DESIGN §6) and the catalogue of reported values.
 *
 * Definitions (times in ms, measured on requests that arrive after the warm-up):
 *   ttft        first output token at the user − arrival at the user
 *   ttft_server first output token produced by the model − arrival at its tier
 *   tpot        (last token at user − first token at user) / (output_tokens − 1);
 *               requests with one output token have no TPOT
 *   e2e         last output token at the user − arrival
 *   queue       service start − arrival at the serving tier (waiting for a device or slot)
 * each reported as mean, p50, p90, p95, p99 and max; plus throughput (completed requests
 * and output tokens per second of the measurement window), the share of requests served
 * at each location, utilisation of each tier, and bytes moved per request.
 *
 * The catalogue is a fixed list of named values (metric_count(), metric_info()); a run
 * fills one double per entry, so reports, CSV and JSON never disagree on names. */
#ifndef HAISIM_METRICS_H
#define HAISIM_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bild.h"
#include "request.h"
#include "stats.h"

/* Latency families, each reported with every statistic of METRIC_STATS. */
#define METRIC_LATENCIES(X)                                                                        \
    X(TTFT, "ttft_ms", "time to first token at the user")                                          \
    X(TTFT_SERVER, "ttft_server_ms", "time to first token at the serving tier")                    \
    X(TPOT, "tpot_ms", "time per output token after the first, at the user")                       \
    X(E2E, "e2e_ms", "end-to-end latency at the user")                                             \
    X(QUEUE, "queue_ms", "wait before service at the serving tier")

#define METRIC_STATS(X)                                                                            \
    X(MEAN, "mean") X(P50, "p50") X(P90, "p90") X(P95, "p95") X(P99, "p99") X(MAX, "max")

/* Scalar metrics: id, name, unit, description. */
#define METRIC_SCALARS(X)                                                                          \
    X(ARRIVED, "requests_arrived", "requests", "requests that arrived in the window")              \
    X(COMPLETED, "requests_completed", "requests",                                                 \
      "requests completed where the arbiter sent them")                                            \
    X(FALLBACK, "requests_fallback", "requests", "requests the device served after a link failed") \
    X(FAILED_NETWORK, "requests_failed_network", "requests", "requests lost to a link failure")    \
    X(REJECTED, "requests_rejected", "requests", "requests a server could not hold")               \
    X(REFUSED, "requests_refused", "requests",                                                     \
      "requests no tier their privacy class allows could take")                                    \
    X(ESCALATED, "requests_escalated", "requests", "requests the device answered, then sent on")   \
    X(THROUGHPUT_RPS, "throughput_rps", "req/s", "completed requests per second")                  \
    X(THROUGHPUT_TOK_S, "throughput_tok_s", "tok/s", "output tokens per second")                   \
    X(SHARE_DEVICE, "share_device", "fraction", "share of served requests run on the device")      \
    X(SHARE_EDGE, "share_edge", "fraction", "share of served requests run on the edge")            \
    X(SHARE_CLOUD, "share_cloud", "fraction", "share of served requests run in the cloud")         \
    X(GUIDED, "guided_share", "fraction",                                                          \
      "share of served requests a device finished from a tier's guidance (GKT)")                   \
    X(UTIL_DEVICE, "util_device", "fraction", "mean busy fraction of the devices")                 \
    X(UTIL_EDGE, "util_edge", "fraction", "busy fraction of the edge replicas")                    \
    X(UTIL_CLOUD, "util_cloud", "fraction", "busy fraction of the cloud replicas")                 \
    X(BYTES_UP, "bytes_up_per_req", "bytes", "bytes sent towards the cloud per request")           \
    X(BYTES_DOWN, "bytes_down_per_req", "bytes", "bytes sent towards the user per request")        \
    X(ACCURACY, "accuracy", "fraction", "share of scored answers that are correct")                \
    X(COST, "cost_usd_per_req", "USD", "server cost per served request (tokens + GPU time)")       \
    X(ENERGY, "energy_device_j_per_req", "J", "device compute and radio energy per request")       \
    X(POWER, "power_device_mean_w", "W", "mean power of a device over the run, idle included")     \
    X(BATTERY_MIN, "battery_min_frac", "fraction",                                                 \
      "lowest battery level of any device at the end")                                             \
    X(BATTERIES_EMPTY, "batteries_empty", "devices", "devices whose battery ran out")              \
    X(PRIVATE, "private_requests", "requests", "requests marked private")                          \
    X(PRIVATE_EXPOSED, "private_exposed_share", "fraction",                                        \
      "private requests whose prompt left the device")                                             \
    X(PRIVATE_CLOUD, "private_cloud_share", "fraction",                                            \
      "private requests whose prompt reached the cloud")                                           \
    X(PRIVATE_TOKENS, "private_tokens_exposed", "tokens",                                          \
      "prompt tokens of private requests that left the device")                                    \
    X(PRIVACY_REROUTED, "requests_privacy_rerouted", "requests",                                   \
      "requests the privacy rule kept from a tier below their floor")                              \
    X(PRIVACY_VIOLATIONS, "privacy_violations", "requests",                                        \
      "requests seen by a tier below their privacy class's floor")                                 \
    X(EXPOSED_REQUESTS_PRIVATE_CLOUD, "exposed_requests_private_cloud", "requests",                \
      "requests seen by private-cloud tiers (once per tier)")                                      \
    X(EXPOSED_REQUESTS_ENTERPRISE_EDGE, "exposed_requests_enterprise_edge", "requests",            \
      "requests seen by enterprise-edge tiers (once per tier)")                                    \
    X(EXPOSED_REQUESTS_THIRD_PARTY_API, "exposed_requests_third_party_api", "requests",            \
      "requests seen by third-party-api tiers (once per tier)")                                    \
    X(EXPOSED_TOKENS_PRIVATE_CLOUD, "exposed_tokens_private_cloud", "tokens",                      \
      "prompt tokens received by private-cloud tiers")                                             \
    X(EXPOSED_TOKENS_ENTERPRISE_EDGE, "exposed_tokens_enterprise_edge", "tokens",                  \
      "prompt tokens received by enterprise-edge tiers")                                           \
    X(EXPOSED_TOKENS_THIRD_PARTY_API, "exposed_tokens_third_party_api", "tokens",                  \
      "prompt tokens received by third-party-api tiers")                                           \
    X(SLO_ATTAINMENT, "slo_attainment", "fraction", "share of requests served within the slo")     \
    X(GOODPUT, "goodput_rps", "req/s", "requests served within the slo per second")                \
    X(BATCH_EDGE, "batch_mean_edge", "seqs", "mean sequences per edge iteration (batching)")       \
    X(BATCH_CLOUD, "batch_mean_cloud", "seqs", "mean sequences per cloud iteration (batching)")    \
    X(PREEMPTIONS, "preemptions", "requests", "requests preempted at the edge and cloud")          \
    X(SPEC_REQUESTS, "spec_requests", "requests", "served requests drafted by their device")       \
    X(SPEC_ACCEPTANCE, "spec_acceptance", "fraction", "measured per-token acceptance rate alpha")  \
    X(SPEC_TOKENS_PER_ROUND, "spec_tokens_per_round", "tokens",                                    \
      "tokens per verification round of device drafting")                                          \
    X(SPEC_GAMMA, "spec_gamma_mean", "tokens", "draft tokens per round of device drafting")        \
    X(BILD_FALLBACK, "bild_fallback_rate", "fraction",                                             \
      "Big-Little Decoder: fallbacks to the large model per output token")                         \
    X(BILD_ROLLBACK, "bild_rollback_rate", "fraction",                                             \
      "Big-Little Decoder: rollbacks per output token")                                            \
    X(BILD_SPEEDUP, "bild_speedup", "ratio",                                                       \
      "Big-Little Decoder: service time of the large model alone over that with BiLD")             \
    X(BILD_QUALITY_LOSS, "bild_quality_loss", "fraction",                                          \
      "Big-Little Decoder: kept small-model tokens the large model would not have chosen, per "    \
      "output token")

enum metric_latency {
#define METRIC_LATENCY_ENUM(id, name, desc) METRIC_LATENCY_##id,
    METRIC_LATENCIES(METRIC_LATENCY_ENUM)
#undef METRIC_LATENCY_ENUM
        METRIC_LATENCY_COUNT
};

enum metric_stat {
#define METRIC_STAT_ENUM(id, name) METRIC_STAT_##id,
    METRIC_STATS(METRIC_STAT_ENUM)
#undef METRIC_STAT_ENUM
        METRIC_STAT_COUNT
};

enum metric_scalar {
#define METRIC_SCALAR_ENUM(id, name, unit, desc) METRIC_##id,
    METRIC_SCALARS(METRIC_SCALAR_ENUM)
#undef METRIC_SCALAR_ENUM
        METRIC_SCALAR_COUNT
};

/* Index of a latency statistic or of a scalar in a metric vector. */
#define METRIC_INDEX_LATENCY(lat, stat) ((size_t)(lat)*METRIC_STAT_COUNT + (size_t)(stat))
#define METRIC_INDEX_SCALAR(s) ((size_t)METRIC_LATENCY_COUNT * METRIC_STAT_COUNT + (size_t)(s))
#define METRIC_COUNT METRIC_INDEX_SCALAR(METRIC_SCALAR_COUNT)

struct metric_info {
    char name[48];
    const char *unit;
    const char *description;
    bool in_table; /* shown in the default readable table */
};

/* The i-th catalogue entry (an empty name when i >= METRIC_COUNT). */
struct metric_info metric_info(size_t i);
/* Index of the metric named name, or -1. */
long metric_find(const char *name);

/* Collects per-request observations during one run. */
struct metrics {
    struct stats_stream latency[METRIC_LATENCY_COUNT];
    uint64_t outcomes[OUTCOME_COUNT];
    uint64_t served; /* completed or fallback: the requests with latencies */
    uint64_t scored, correct;
    double cost_usd, energy_j;
    uint64_t private_requests, private_exposed, private_cloud, escalated;
    double private_tokens;
    /* Exposure per trust level (trust.h): each request once per tier that saw it. */
    uint64_t exposed_requests[TRUST_COUNT];
    double exposed_tokens[TRUST_COUNT];
    uint64_t privacy_rerouted, privacy_violations;
    enum trust_level tier_trust[LOCATION_COUNT]; /* set by the run (scenario_trust) */
    struct trust_policy privacy;                 /* the floors; set by the run */
    uint64_t slo_met;
    double slo_ttft_ms, slo_tpot_ms, slo_e2e_ms; /* targets (INFINITY: none); set by the run */
    uint64_t output_tokens;
    uint64_t at_location[LOCATION_COUNT];
    uint64_t guided; /* served requests finished from a tier's guidance (guidance.h) */
    double bytes_up, bytes_down;
    /* device-drafted speculation, over served requests */
    uint64_t spec_requests, spec_rounds, spec_accepted, spec_drafted, spec_rejections;
    uint64_t spec_round_tokens;
};

int metrics_init(struct metrics *m);
void metrics_free(struct metrics *m);
/* Records an ended request: its outcome, and for a served one its latencies. */
void metrics_record(struct metrics *m, const struct request *req);

/* Utilisation and window figures that the run knows and the collector does not. */
struct metrics_context {
    double window_s;                      /* measurement window length */
    double busy_fraction[LOCATION_COUNT]; /* per tier */
    double provisioned_usd;               /* GPU-hour cost of the servers over the window */
    double device_power_w;                /* mean power per device over the run */
    double battery_min_frac;              /* NaN without batteries */
    double batteries_empty;
    double batch_mean[LOCATION_COUNT]; /* sequences per iteration; NaN without batching */
    double preemptions;
    struct bild_stats bild; /* summed over the edge and cloud tiers */
    bool guiding;           /* some tier guides (GKT); guided_share is NaN otherwise */
};

/* Fills values[METRIC_COUNT]; NaN where a metric has no observations. */
void metrics_finish(struct metrics *m, const struct metrics_context *ctx, double *values);

/* Quantile (ms) of a latency family at probability p, for CDF charts. */
double metrics_quantile(struct metrics *m, enum metric_latency lat, double p);

#endif
