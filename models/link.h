/* link: a network path between a device and a remote tier, one FIFO per direction.
 *
 * A message of b bytes sent at time t in a direction with bandwidth B bytes/s:
 *   start   = max(t, when the direction's transmitter is free)      (FIFO serialisation)
 *   done    = start + b / B
 *   arrival = max(done + one_way, previous arrival in this direction)
 * with one_way = rtt/2 drawn per message from `rtt_ms` (so jitter is possible), and the
 * last max keeping messages in order (a TCP-like stream delivers in order).
 * Each device has its own link (its own radio and access line); the cloud side is not a
 * bottleneck in this model. Message sizes: overhead_bytes per message (headers, TLS
 * framing) + bytes_per_token per token carried. */
#ifndef HAISIM_LINK_H
#define HAISIM_LINK_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

#include "dist.h"
#include "error.h"
#include "ydoc.h"

struct link_config {
    struct dist rtt_ms;
    double up_bytes_s;
    double down_bytes_s;
    double overhead_bytes;  /* per message */
    double bytes_per_token; /* text or token ids, per token carried */
};

/* One direction's state. */
struct link_direction {
    int64_t free_ns;         /* transmitter free from this time */
    int64_t last_arrival_ns; /* in-order delivery */
};

/* Reads rtt_ms (a distribution, required), up_mbps, down_mbps (required, > 0),
 * overhead_bytes (default 0) and bytes_per_token (default 4). */
int link_config_load(struct link_config *cfg, struct ydoc_node *map, struct error *err);
void link_config_free(struct link_config *cfg);

/* Sends `bytes` at `now_ns` over one direction; returns the arrival time. */
int64_t link_send(const struct link_config *cfg, struct link_direction *dir,
                  double bandwidth_bytes_s, int64_t now_ns, double bytes, gsl_rng *rng);

/* Size of a message carrying `tokens` tokens. */
static inline double link_message_bytes(const struct link_config *cfg, double tokens)
{
    return cfg->overhead_bytes + tokens * cfg->bytes_per_token;
}

#endif
