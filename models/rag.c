/* rag: the retrieval step's configuration (see rag.h). */
#include "rag.h"

#include <string.h>

int rag_config_load(struct rag_config *cfg, struct ydoc_node *root, bool has_edge,
                    struct error *err)
{
    static const char *const places[] = {"device", "edge"};
    struct ydoc_node *map = ydoc_get(root, "rag"), *latency, *context;
    int at = has_edge ? 1 : 0; /* the edge when there is one */
    memset(cfg, 0, sizeof *cfg);
    dist_constant(&cfg->latency_ms, 0);
    dist_constant(&cfg->context_tokens, 0);
    if (!map)
        return 0;
    cfg->present = true;
    if (ydoc_expect(map, YDOC_MAP, err) != 0 ||
        ydoc_read_enum(map, "at", places, 2, &at, err) != 0 ||
        ydoc_require(map, "latency_ms", &latency, err) != 0 ||
        dist_parse(&cfg->latency_ms, latency, err) != 0 ||
        ydoc_require(map, "context_tokens", &context, err) != 0 ||
        dist_parse(&cfg->context_tokens, context, err) != 0 ||
        ydoc_read_bool(map, "personal", &cfg->personal, err) != 0)
        return -1;
    cfg->at = at == 0 ? LOCATION_DEVICE : LOCATION_EDGE;
    if (cfg->at == LOCATION_EDGE && !has_edge)
        return ydoc_error(ydoc_get(map, "at") ? ydoc_get(map, "at") : map, err,
                          "retrieval at the edge needs an 'edge' tier (or say at: device)");
    return 0;
}

void rag_config_free(struct rag_config *cfg)
{
    dist_free(&cfg->latency_ms);
    dist_free(&cfg->context_tokens);
}
