/* load_util: small helpers shared by the scenario loaders of models/. */
#ifndef HAISIM_LOAD_UTIL_H
#define HAISIM_LOAD_UTIL_H

#include "ydoc.h"

/* A required number: missing key and bad value are both errors. */
static inline int load_required_f64(struct ydoc_node *map, const char *key, struct range r,
                                    double *out, struct error *err)
{
    struct ydoc_node *node;
    if (ydoc_require(map, key, &node, err) != 0)
        return -1;
    return ydoc_read_f64(map, key, r, out, err);
}

/* A section that must be a map when present (NULL when absent). */
static inline int load_section(struct ydoc_node *parent, const char *key, struct ydoc_node **out,
                               struct error *err)
{
    *out = ydoc_get(parent, key);
    return *out ? ydoc_expect(*out, YDOC_MAP, err) : 0;
}

#endif
