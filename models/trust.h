/* trust: how far each tier may be trusted with a request's data, the privacy class of a
 * request, and the rule that joins them (docs/model.md#privacy-and-trust).
 *
 * Trust levels, least trusted first (the enum's order IS the order of trust, so "at least"
 * is >=):
 *
 *   third-party-api < enterprise-edge < private-cloud < device
 *
 *   device           the user's own hardware: the data never leaves it
 *   private-cloud    a remote operator bound by technical guarantees — attested, publicly
 *                    verifiable software, stateless processing, no privileged runtime
 *                    access (Apple's Private Cloud Compute design goals, Apple Security
 *                    Research, "Private Cloud Compute", 2024): its operator cannot read
 *                    the data even if it wanted to
 *   enterprise-edge  inside the organisation's walls, but protected by its policies and
 *                    administrators, who can read what it processes
 *   third-party-api  outside the organisation, protected by a contract only (the
 *                    provider's retention and logging terms)
 * The order ranks what protects the data against the operator of the tier: hardware
 * possession, then cryptographic and attested guarantees, then organisational control,
 * then contract.
 *
 * A request's privacy class (public < personal < confidential) names the lowest trust
 * level allowed to see it (`lowest_trust`, its floor). Defaults: public → third-party-api
 * (anyone), personal → enterprise-edge (not a third-party API), confidential → device
 * (never leaves it). Floors may not decrease from public to confidential, so raising a
 * request's class never lowers its floor. */
#ifndef HAISIM_TRUST_H
#define HAISIM_TRUST_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "ydoc.h"

enum trust_level {
    TRUST_THIRD_PARTY_API,
    TRUST_ENTERPRISE_EDGE,
    TRUST_PRIVATE_CLOUD,
    TRUST_DEVICE,
    TRUST_COUNT
};

enum privacy_class { PRIVACY_PUBLIC, PRIVACY_PERSONAL, PRIVACY_CONFIDENTIAL, PRIVACY_CLASS_COUNT };

/* "third-party-api", "enterprise-edge", "private-cloud", "device". */
const char *trust_level_name(enum trust_level level);

/* "public", "personal", "confidential". */
const char *trust_class_name(enum privacy_class c);

/* The scenario's privacy rule: `privacy: {enforce, lowest_trust: {public, personal,
 * confidential}}` at the top level. */
struct trust_policy {
    bool enforce; /* false: requests go where policies send them; exposure is still measured */
    enum trust_level lowest_trust[PRIVACY_CLASS_COUNT];
};

/* Reads the optional top-level `privacy` map (absent: enforce with the default floors). */
int trust_policy_load(struct trust_policy *policy, struct ydoc_node *root, struct error *err);

/* Reads a server tier's `trust` (one of the three remote levels; default `fallback`) and
 * `attestation_ms` (>= 0, default 0) into *level and *attestation_ns. The attestation time
 * applies to private-cloud tiers only; on others it is read and checked but unused, so that
 * a sweep may switch `trust` alone. */
int trust_tier_load(struct ydoc_node *tier, enum trust_level fallback, enum trust_level *level,
                    int64_t *attestation_ns, struct error *err);

/* Whether a tier of trust `level` may see a request of class c under the rule. */
static inline bool trust_allows(const struct trust_policy *policy, enum privacy_class c,
                                enum trust_level level)
{
    return level >= policy->lowest_trust[c];
}

#endif
