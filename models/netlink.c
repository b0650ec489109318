/* netlink: FIFO serialisation, loss with retransmission, propagation and outages per
 * direction of a link (see netlink.h). */
#include "netlink.h"

#include <math.h>

#include <gsl/gsl_randist.h>

#include "load_util.h"
#include "simtime.h"

/* Default loss-detection delay: Linux's TCP_RTO_MIN (netlink.h, step 4). */
#define NETLINK_DEFAULT_RETRANSMIT_MS 200.0

static int netlink_load_loss(struct netlink_config *cfg, struct ydoc_node *map, struct error *err)
{
    struct ydoc_node *loss = ydoc_get(map, "loss");
    if (!loss)
        return 0;
    if (ydoc_expect(loss, YDOC_MAP, err) != 0 ||
        ydoc_read_f64(loss, "rate", (struct range){0.0, 1.0, false, true}, &cfg->loss_rate, err) !=
            0)
        return -1;
    struct ydoc_node *retransmit = ydoc_get(loss, "retransmit_ms");
    return retransmit ? dist_parse(&cfg->retransmit_ms, retransmit, err) : 0;
}

static int netlink_load_outage(struct netlink_config *cfg, struct ydoc_node *map, struct error *err)
{
    static const char *const modes[] = {"wait", "fail", "timeout"};
    int mode = NETLINK_ON_OUTAGE_WAIT;
    double timeout_ms = 0;
    if (outage_config_load(&cfg->outage, ydoc_get(map, "outage"), err) != 0 ||
        ydoc_read_enum(map, "on_outage", modes, 3, &mode, err) != 0 ||
        ydoc_read_f64(map, "timeout_ms", (struct range){0.0, INFINITY, true, true}, &timeout_ms,
                      err) != 0)
        return -1;
    cfg->on_outage = (enum netlink_on_outage)mode;
    if (cfg->on_outage == NETLINK_ON_OUTAGE_TIMEOUT && !ydoc_get(map, "timeout_ms"))
        return ydoc_error(ydoc_get(map, "on_outage"), err,
                          "on_outage: timeout needs timeout_ms, the longest wait for the link "
                          "to come back (ms, > 0)");
    cfg->timeout_ns = simtime_from_s(timeout_ms * 1e-3);
    return 0;
}

/* `secure: {handshake_rtts, idle_timeout_s, byte_overhead_frac}`. Defaults: TCP's
 * three-way handshake (1 RTT, RFC 9293 §3.5) plus TLS 1.3's full handshake (1 RTT,
 * RFC 8446 §2) = 2 round trips; connections closed after 60 s idle (a common HTTP
 * keep-alive setting; assumed); no per-byte overhead beyond overhead_bytes (TLS 1.3 adds
 * 22 bytes per record of up to 16 KB, < 0.2 %). */
static int netlink_load_secure(struct netlink_config *cfg, struct ydoc_node *map, struct error *err)
{
    struct ydoc_node *secure = ydoc_get(map, "secure");
    double idle_s = 60;
    cfg->handshake_rtts = 2;
    if (!secure)
        return 0;
    cfg->secure = true;
    if (ydoc_expect(secure, YDOC_MAP, err) != 0 ||
        ydoc_read_f64(secure, "handshake_rtts", RANGE_CLOSED(0, 10), &cfg->handshake_rtts, err) !=
            0 ||
        ydoc_read_f64(secure, "idle_timeout_s", RANGE_NONNEGATIVE, &idle_s, err) != 0 ||
        ydoc_read_f64(secure, "byte_overhead_frac", RANGE_UNIT, &cfg->byte_overhead_frac, err) != 0)
        return -1;
    cfg->idle_timeout_ns = simtime_from_s(idle_s);
    return 0;
}

int netlink_config_load(struct netlink_config *cfg, struct ydoc_node *map, struct error *err)
{
    *cfg = (struct netlink_config){.overhead_bytes = 0, .bytes_per_token = 4};
    dist_constant(&cfg->rtt_ms, 0.0);
    dist_constant(&cfg->retransmit_ms, NETLINK_DEFAULT_RETRANSMIT_MS);
    outage_config_load(&cfg->outage, NULL, err); /* always up; cannot fail */
    double up_mbps = 0, down_mbps = 0;
    struct ydoc_node *rtt;
    if (ydoc_expect(map, YDOC_MAP, err) != 0 || ydoc_require(map, "rtt_ms", &rtt, err) != 0 ||
        dist_parse(&cfg->rtt_ms, rtt, err) != 0 ||
        load_required_f64(map, "up_mbps", RANGE_POSITIVE, &up_mbps, err) != 0 ||
        load_required_f64(map, "down_mbps", RANGE_POSITIVE, &down_mbps, err) != 0 ||
        ydoc_read_f64(map, "overhead_bytes", RANGE_NONNEGATIVE, &cfg->overhead_bytes, err) != 0 ||
        ydoc_read_f64(map, "bytes_per_token", RANGE_NONNEGATIVE, &cfg->bytes_per_token, err) != 0 ||
        netlink_load_loss(cfg, map, err) != 0 || netlink_load_outage(cfg, map, err) != 0 ||
        netlink_load_secure(cfg, map, err) != 0) {
        netlink_config_free(cfg);
        return -1;
    }
    cfg->up_bytes_s = up_mbps * 1e6 / 8.0;
    cfg->down_bytes_s = down_mbps * 1e6 / 8.0;
    return 0;
}

void netlink_config_free(struct netlink_config *cfg)
{
    dist_free(&cfg->rtt_ms);
    dist_free(&cfg->retransmit_ms);
    outage_config_free(&cfg->outage);
}

void netlink_state_init(struct netlink_state *state, const struct netlink_config *cfg,
                        gsl_rng *outage_rng)
{
    *state = (struct netlink_state){.shared_outage = NULL};
    /* A shared process belongs to the caller (state->shared_outage); the link's own one is
     * never queried and must not draw from a generator it was not given. */
    if (cfg->outage.shared)
        state->outage = (struct outage_state){.up = true, .period_end_ns = SIMTIME_NEVER};
    else
        outage_state_init(&state->outage, &cfg->outage, outage_rng);
}

bool netlink_is_up(const struct netlink_config *cfg, struct netlink_state *state, int64_t now_ns)
{
    return outage_is_up(netlink_outage(state), &cfg->outage, now_ns);
}

/* scale × a duration drawn in milliseconds, as nanoseconds; negative and NaN draws give
 * 0. The scale is applied before rounding (one rounding per hop, as in link.c). */
static int64_t netlink_draw_ms(const struct dist *d, double scale, gsl_rng *rng)
{
    return simtime_from_s(scale * dist_sample(d, rng) * 1e-3);
}

struct netlink_result netlink_send(const struct netlink_config *cfg, struct netlink_state *state,
                                   enum netlink_direction dir, int64_t now_ns, double bytes,
                                   gsl_rng *rng)
{
    struct netlink_result result = {NETLINK_DELIVERED, now_ns, 0, 0, 0};
    /* 1. Outage, checked at hand-off. */
    struct outage_state *outage = netlink_outage(state);
    if (cfg->outage.kind != OUTAGE_NONE && !outage_is_up(outage, &cfg->outage, now_ns)) {
        if (cfg->on_outage == NETLINK_ON_OUTAGE_FAIL) {
            result.status = NETLINK_FAILED;
            return result;
        }
        int64_t up_ns = outage_next_up_ns(outage, &cfg->outage, now_ns);
        if (cfg->on_outage == NETLINK_ON_OUTAGE_TIMEOUT && up_ns - now_ns > cfg->timeout_ns) {
            result.status = NETLINK_FAILED;
            result.time_ns = now_ns + cfg->timeout_ns;
            result.waited_ns = cfg->timeout_ns;
            return result;
        }
        result.waited_ns = up_ns - now_ns;
    }
    /* 1b. Secure transport: the device side opens a connection when it has none (never
     * opened, or idle for longer than the timeout), paying the handshake's round trips
     * before the message can go; a reply travels on the connection its request opened. */
    if (cfg->secure) {
        int64_t ready = now_ns + result.waited_ns;
        bool open = state->connected && ready - state->connection_used_ns <= cfg->idle_timeout_ns;
        if (!open && dir == NETLINK_UP) {
            double rtts_ms = 0;
            for (double i = 0; i < cfg->handshake_rtts; i++)
                rtts_ms += fmin(1.0, cfg->handshake_rtts - i) * dist_sample(&cfg->rtt_ms, rng);
            result.handshake_ns = simtime_from_s(rtts_ms > 0 ? rtts_ms * 1e-3 : 0);
            state->connected = true;
        }
        bytes *= 1.0 + cfg->byte_overhead_frac;
    }
    /* 2. Loss: K ~ geometric; GSL counts trials to the first success (>= 1). */
    unsigned k = 0;
    if (cfg->loss_rate > 0)
        k = gsl_ran_geometric(rng, 1.0 - cfg->loss_rate) - 1;
    /* 3. FIFO serialisation: every attempt occupies the transmitter. */
    struct netlink_dir *d = &state->dir[dir];
    double bandwidth_bytes_s = dir == NETLINK_UP ? cfg->up_bytes_s : cfg->down_bytes_s;
    int64_t ready_ns = now_ns + result.waited_ns + result.handshake_ns;
    int64_t start_ns = ready_ns > d->free_ns ? ready_ns : d->free_ns;
    int64_t serialise_ns = simtime_from_s(bytes / bandwidth_bytes_s);
    d->free_ns = start_ns + (int64_t)(k + 1) * serialise_ns;
    /* 4. Loss detection delays. */
    int64_t done_ns = d->free_ns;
    for (unsigned i = 0; i < k; i++)
        done_ns += netlink_draw_ms(&cfg->retransmit_ms, 1.0, rng);
    /* 5. Propagation (one way = rtt / 2) and in-order delivery. */
    int64_t delivered_ns = done_ns + netlink_draw_ms(&cfg->rtt_ms, 0.5, rng);
    if (delivered_ns < d->last_delivery_ns)
        delivered_ns = d->last_delivery_ns;
    d->last_delivery_ns = delivered_ns;
    if (cfg->secure)
        state->connection_used_ns = delivered_ns;
    result.time_ns = delivered_ns;
    result.retransmissions = k;
    return result;
}
