/* rag: retrieval-augmented generation — a retrieval step that adds latency and context
 * tokens to requests that need it (their task class's rag_share; tasks.h), on the device
 * or at the edge (DESIGN §4):
 *
 *   rag:
 *     at: edge                       # device | edge (default: edge if there is one)
 *     latency_ms: {dist: lognormal, mean: 40, cv: 0.5}   # retrieval time
 *     context_tokens: 800            # retrieved tokens added to the prompt
 *     personal: false                # true: the context is personal, so a public
 *                                    #   request becomes personal (trust.h)
 *
 * At `device`, retrieval runs on the device when the request arrives. At `edge`, it runs
 * when the request reaches the edge as its orchestrator; otherwise the device first asks
 * the edge (a query message up, retrieval, the context tokens down) and then proceeds.
 * Latency and context are drawn per request at arrival from the "rag" stream (arrival order,
 * so every variant sees the same draws). */
#ifndef HAISIM_RAG_H
#define HAISIM_RAG_H

#include <stdbool.h>

#include "dist.h"
#include "error.h"
#include "request.h"
#include "ydoc.h"

struct rag_config {
    bool present;
    enum location at; /* LOCATION_DEVICE or LOCATION_EDGE */
    struct dist latency_ms;
    struct dist context_tokens;
    bool personal;
};

/* Reads the optional top-level `rag` map; `has_edge` says whether `at: edge` is possible. */
int rag_config_load(struct rag_config *cfg, struct ydoc_node *root, bool has_edge,
                    struct error *err);
void rag_config_free(struct rag_config *cfg);

#endif
