/* netlink: a network link between two endpoints (device↔edge, device↔cloud, edge↔cloud)
 * with FIFO serialisation per direction, propagation with jitter, message loss with
 * retransmission, and outages.
 *
 * A message of b bytes handed to the link at time t in a direction with bandwidth B
 * bytes/s (B = mbps · 10⁶ / 8):
 *
 *   1. Outage (outage.h). The link state is checked once, at hand-off time t. If the link
 *      is down, `on_outage` decides:
 *        wait     t' = u, the next time the link is up (outage_next_up_ns)
 *        fail     the message fails at t
 *        timeout  t' = u if u − t <= timeout, else the message fails at t + timeout
 *      and waited = t' − t (t' = t when the link is up). Why at hand-off only: an accepted
 *      message is not interrupted by an outage that begins while it queues behind a
 *      backlog or is being transmitted. Checking at the simulation clock keeps outage
 *      queries monotone, so one O(1) process can serve both directions (and a whole
 *      device population when shared); messages here are KB and take ms to send while
 *      outages last seconds, so the approximation is small. A failed message leaves no
 *      trace on the link (it never reached the transmitter).
 *   2. Loss. Each transmission attempt is lost independently with probability p = `rate`,
 *      so the number of retransmissions K is geometric: P(K = k) = (1 − p) p^k,
 *      E[K] = p / (1 − p), Var[K] = p / (1 − p)². The whole message is resent (p is a
 *      per-message rate; for n packets each lost with probability q, p = 1 − (1 − q)^n).
 *   3. FIFO serialisation. start = max(t', free); every attempt, lost or not, occupies the
 *      transmitter for s = b / B, back to back:  free ← start + (K + 1)·s. During the
 *      retransmission waits the transmitter serves later messages (as TCP keeps sending
 *      new segments while a loss is outstanding); they cannot overtake at the receiver
 *      (step 5), which is TCP's head-of-line blocking.
 *   4. Retransmission delay. Each loss is detected R_k after the lost attempt ends
 *      (R_k i.i.d. from `retransmit_ms`, negative/NaN → 0), so the message's last bit
 *      leaves at  done = start + (K + 1)·s + Σ_{k=1..K} R_k.
 *      By Wald's identity the mean extra delay of loss is E[K]·(s + E[R]).
 *      Default R = 200 ms: Linux's minimum retransmission timeout TCP_RTO_MIN = HZ/5
 *      (include/net/tcp.h), the floor of the RTO on the most common server OS. RFC 6298
 *      §2.4 recommends a 1 s minimum (more conservative); RACK-TLP (RFC 8985 §7.2) probes
 *      a tail loss after PTO = 2·SRTT: set retransmit_ms to about twice the RTT for that.
 *   5. Propagation and order. one_way = rtt/2 drawn per message from `rtt_ms`
 *      (negative/NaN → 0), and delivered = max(done + one_way, previous delivery in this
 *      direction): the link delivers in order, like a TCP stream.
 *
 * With no loss and no outage this is exactly models/link.c's model, with the same draws
 * (one rtt sample per message). Draw order per delivered message: K (only when p > 0),
 * then R_1..R_K, then the rtt sample, all from the rng passed to netlink_send; outage
 * periods come from the generator given to netlink_state_init (see outage.h on common
 * random numbers).
 *
 * Message sizes: overhead_bytes per message (headers, TLS framing) + bytes_per_token per
 * token carried (≈ 4 B for text or a token id; reference-numbers §4.3).
 *
 * The caller decides what a failed message means (fall back to the device, or fail the
 * request). Radio bytes on the air for a delivered message are (K + 1)·b. */
#ifndef HAISIM_NETLINK_H
#define HAISIM_NETLINK_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stdint.h>

#include "dist.h"
#include "error.h"
#include "outage.h"
#include "ydoc.h"

enum netlink_direction { NETLINK_UP, NETLINK_DOWN };

enum netlink_on_outage {
    NETLINK_ON_OUTAGE_WAIT,
    NETLINK_ON_OUTAGE_FAIL,
    NETLINK_ON_OUTAGE_TIMEOUT
};

struct netlink_config {
    struct dist rtt_ms;
    double up_bytes_s, down_bytes_s; /* from up_mbps, down_mbps */
    double overhead_bytes;           /* per message */
    double bytes_per_token;          /* per token carried */
    double loss_rate;                /* per transmission attempt, in [0, 1) */
    struct dist retransmit_ms;       /* loss detection delay R */
    struct outage_config outage;
    enum netlink_on_outage on_outage;
    int64_t timeout_ns; /* for NETLINK_ON_OUTAGE_TIMEOUT; 0 when not given */
    /* Secure transport (`secure:`): a connection opened by the sending side pays
     * handshake_rtts round trips before its first message; it stays open while used at
     * least every idle_timeout_ns; every byte carries byte_overhead_frac more. */
    bool secure;
    double handshake_rtts;
    int64_t idle_timeout_ns;
    double byte_overhead_frac;
};

/* One direction's transmitter and receiver. */
struct netlink_dir {
    int64_t free_ns;          /* transmitter free from this time */
    int64_t last_delivery_ns; /* in-order delivery */
};

struct netlink_state {
    struct netlink_dir dir[2];          /* indexed by enum netlink_direction */
    bool connected;                     /* secure: a connection is open */
    int64_t connection_used_ns;         /* secure: its last message, either direction */
    struct outage_state outage;         /* this link's own outage process */
    struct outage_state *shared_outage; /* when set (outage.shared), used instead of outage */
};

enum netlink_status { NETLINK_DELIVERED, NETLINK_FAILED };

struct netlink_result {
    enum netlink_status status;
    int64_t time_ns;          /* delivery at the far end, or when the failure is known */
    unsigned retransmissions; /* K: lost attempts before the one that got through */
    int64_t waited_ns;        /* time spent waiting for the link to come back */
    int64_t handshake_ns;     /* secure: time spent opening a connection first */
};

/* Reads a link map: rtt_ms (distribution, required), up_mbps and down_mbps (required,
 * > 0), overhead_bytes (>= 0, default 0), bytes_per_token (>= 0, default 4),
 * loss {rate in [0, 1) default 0, retransmit_ms distribution default 200}, outage
 * (outage.h; absent = always up), on_outage (wait | fail | timeout, default wait),
 * timeout_ms (> 0; required for timeout, read and checked but unused otherwise so that a
 * sweep may switch on_outage). On error cfg is released and safe to free again. */
int netlink_config_load(struct netlink_config *cfg, struct ydoc_node *map, struct error *err);

/* Releases the distributions and the outage process. Safe on a zeroed struct. */
void netlink_config_free(struct netlink_config *cfg);

/* Empties both directions and starts the link's own outage process at time 0, drawing its
 * periods from outage_rng (borrowed; must outlive state; NULL is fine when cfg->outage is
 * not a renewal process). To share one process across a population (cfg->outage.shared),
 * point state->shared_outage at an outage_state the caller initialised and owns. */
void netlink_state_init(struct netlink_state *state, const struct netlink_config *cfg,
                        gsl_rng *outage_rng);

/* Hands a message of `bytes` bytes to the link at now_ns in direction dir (see the model
 * above); rng draws K, R_k and the rtt. now_ns must not decrease across calls that share
 * an outage process (it is the simulation clock). */
struct netlink_result netlink_send(const struct netlink_config *cfg, struct netlink_state *state,
                                   enum netlink_direction dir, int64_t now_ns, double bytes,
                                   gsl_rng *rng);

/* Whether the link is up at now_ns (for arbiters that read link state; monotone). */
bool netlink_is_up(const struct netlink_config *cfg, struct netlink_state *state, int64_t now_ns);

/* The outage process the link uses (its own, or the shared one). */
static inline struct outage_state *netlink_outage(struct netlink_state *state)
{
    return state->shared_outage ? state->shared_outage : &state->outage;
}

/* Size of a message carrying `tokens` tokens. */
static inline double netlink_message_bytes(const struct netlink_config *cfg, double tokens)
{
    return cfg->overhead_bytes + tokens * cfg->bytes_per_token;
}

#endif
