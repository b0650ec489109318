/* journey: the path of a request through the system — to the orchestrator, the arbiter's
 * decision, on to the serving tier, and its tokens back to the user — and how it ends.
 *
 * Hops (each a link with FIFO directions, loss and outages; netlink.h):
 *   device ↔ edge    the device's own link to the edge       (population network.edge)
 *   device ↔ cloud   the device's own link to the cloud      (population network.cloud)
 *   edge ↔ cloud     one link shared by all requests          (edge.network.cloud)
 * Forward path, orchestrator O to serving tier S:
 *   O = device   the device decides at arrival; the prompt goes straight to S
 *   O = edge     the prompt goes up to the edge first; S = device gets a control message
 *                back down, S = cloud gets the prompt forwarded over edge → cloud
 *   O = cloud    the prompt goes up to the cloud first; S = device gets a control message,
 *                S = edge gets the prompt over cloud → edge
 * Response path: the first token and the last token each travel as one message from S to
 * the user along the way the request came: edge → device, cloud → device, or
 * cloud → edge → device when the edge orchestrated a request served in the cloud. Tokens
 * between the first and the last are counted in bytes but not timed (decoding is much
 * slower than the links; docs/model.md). Device-drafted rounds (speculation.h) and GKT
 * guidance (guidance.h) travel between S and the device on the device's own link to S,
 * whoever orchestrated; every round's messages are timed.
 * Message sizes: prompt overhead + P × bytes_per_token; token overhead + bytes_per_token;
 * control overhead only.
 * Privacy (trust.h): with the scenario's rule enforced, every move is checked against the
 * request's floor — a remote orchestrator below it refuses the request, a serving tier
 * below it is replaced by the device, an escalation or edge retrieval below it is skipped —
 * and every message delivered to a server tier records that the tier saw the request
 * (request.tiers_seen), adding a private cloud's attestation on the first. */
#ifndef HAISIM_JOURNEY_H
#define HAISIM_JOURNEY_H

#include "run.h"

/* A request has arrived at its device: start its journey. */
void journey_start(struct run *run, struct request *req);

/* The device has produced req's last token (device.c). */
void journey_device_done(struct run *run, struct request *req);

/* Whether the model at tier loc answers req correctly (false when it has no accuracy
 * model): the request's own uniform against that model's probability (accuracy.h). */
bool journey_correct_on(const struct run *run, const struct request *req, enum location loc);

/* That probability: P(correct) of the model at tier loc on req (which must have one). */
double journey_p_correct(const struct run *run, const struct request *req, enum location loc);

/* Settles req's outcome and ends it (scores a served request; arbiter feedback). */
void journey_end(struct run *run, struct request *req, enum request_outcome outcome);

/* Sends a one-token message from tier `from` straight down to the user, now; its arrival
 * time, or -1 when the link gave up (req is then marked response_failed). */
int64_t journey_send_to_user(struct run *run, struct request *req, enum location from);

/* Counts `messages` one-token messages from tier `from` down the device's own link: their
 * bytes and radio energy, not their timing (tokens streamed between two timed ones). */
void journey_count_tokens_down(struct run *run, struct request *req, enum location from,
                               double messages);

/* For drafting.c, the rounds of device-drafted speculation: */
/* Sends a message of `bytes` bytes carrying `tokens` tokens from tier `from` to tier `to`,
 * now, counted in req->messages_in_flight until on_arrival or on_failure runs. */
void journey_send_tracked(struct run *run, struct request *req, enum location from,
                          enum location to, double tokens, double bytes, sim_handler on_arrival,
                          sim_handler on_failure);
/* req's last token reached the user at at_ns (or was lost: -1); it ends if nothing else is
 * pending (journey_try_end). */
void journey_last_delivered(struct run *run, struct request *req, int64_t at_ns);
/* Ends req when its tier is done with it, its answer has arrived or was lost, no message of
 * it travels and no device job runs for it. */
void journey_try_end(struct run *run, struct request *req);

/* Callbacks for the edge and cloud servers (server.h); ctx is the run. */
struct server_callbacks journey_server_callbacks(struct run *run);

#endif
