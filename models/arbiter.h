/* arbiter: the policy that decides where each request runs.
 *
 * An arbiter is a `struct arbiter_ops` row (a name, a one-line summary, and its decision
 * function) in the registry table of arbiter.c; adding one is one file plus one row.
 * First slice: `device` (always on the device) and `cloud` (always in the cloud). The
 * interface grows with the policies of issue 4 (escalation, feedback, parameters). */
#ifndef HAISIM_ARBITER_H
#define HAISIM_ARBITER_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "request.h"
#include "ydoc.h"

struct run;

struct arbiter_ops {
    const char *name;
    const char *summary;
    /* Tiers the policy may choose, as a mask of 1u << LOCATION_*; loading checks that the
     * scenario has them. */
    unsigned uses;
    /* Where req runs; called at arrival. */
    enum location (*decide)(const struct run *run, const struct request *req);
};

/* The registry, in display order. */
extern const struct arbiter_ops *const arbiter_registry[];
extern const size_t arbiter_registry_len;

/* The arbiter named name, or NULL. */
const struct arbiter_ops *arbiter_find(const char *name);

/* Reads `arbiter: NAME` (or `arbiter: {policy: NAME}`) from the scenario root; an unknown
 * name lists the known ones and suggests the closest. Default: device. present[loc] says
 * which tiers the scenario has; a policy that may choose a missing tier is an error. */
int arbiter_load(const struct arbiter_ops **out, struct ydoc_node *root,
                 const bool present[LOCATION_COUNT], struct error *err);

/* The policies (one file each). */
extern const struct arbiter_ops arbiter_device;
extern const struct arbiter_ops arbiter_edge;
extern const struct arbiter_ops arbiter_cloud;

#endif
