/* trust: trust levels, privacy classes and the scenario's privacy rule (see trust.h). */
#include "trust.h"

#include "simtime.h"

static const char *const trust_level_names[TRUST_COUNT] = {"third-party-api", "enterprise-edge",
                                                           "private-cloud", "device"};
static const char *const trust_class_names[PRIVACY_CLASS_COUNT] = {"public", "personal",
                                                                   "confidential"};

const char *trust_level_name(enum trust_level level)
{
    return (unsigned)level < TRUST_COUNT ? trust_level_names[level] : "?";
}

const char *trust_class_name(enum privacy_class c)
{
    return (unsigned)c < PRIVACY_CLASS_COUNT ? trust_class_names[c] : "?";
}

int trust_policy_load(struct trust_policy *policy, struct ydoc_node *root, struct error *err)
{
    *policy = (struct trust_policy){
        .enforce = true,
        .lowest_trust = {TRUST_THIRD_PARTY_API, TRUST_ENTERPRISE_EDGE, TRUST_DEVICE},
    };
    struct ydoc_node *map = ydoc_get(root, "privacy"), *floors;
    if (!map)
        return 0;
    if (ydoc_expect(map, YDOC_MAP, err) != 0 ||
        ydoc_read_bool(map, "enforce", &policy->enforce, err) != 0)
        return -1;
    if (!(floors = ydoc_get(map, "lowest_trust")))
        return 0;
    if (ydoc_expect(floors, YDOC_MAP, err) != 0)
        return -1;
    for (int c = 0; c < PRIVACY_CLASS_COUNT; c++) {
        int level = (int)policy->lowest_trust[c];
        if (ydoc_read_enum(floors, trust_class_names[c], trust_level_names, TRUST_COUNT, &level,
                           err) != 0)
            return -1;
        policy->lowest_trust[c] = (enum trust_level)level;
    }
    for (int c = 1; c < PRIVACY_CLASS_COUNT; c++)
        if (policy->lowest_trust[c] < policy->lowest_trust[c - 1])
            return ydoc_error(floors, err,
                              "lowest_trust.%s (%s) is below lowest_trust.%s (%s): a more "
                              "sensitive class cannot be seen by less trusted tiers (order: "
                              "third-party-api < enterprise-edge < private-cloud < device)",
                              trust_class_names[c], trust_level_names[policy->lowest_trust[c]],
                              trust_class_names[c - 1],
                              trust_level_names[policy->lowest_trust[c - 1]]);
    return 0;
}

int trust_tier_load(struct ydoc_node *tier, enum trust_level fallback, enum trust_level *level,
                    int64_t *attestation_ns, struct error *err)
{
    int read = (int)fallback;
    double attestation_ms = 0;
    /* A server tier is never the device: only the three remote levels are accepted. */
    if (ydoc_read_enum(tier, "trust", trust_level_names, TRUST_DEVICE, &read, err) != 0 ||
        ydoc_read_f64(tier, "attestation_ms", RANGE_CLOSED(0, 60000), &attestation_ms, err) != 0)
        return -1;
    *level = (enum trust_level)read;
    *attestation_ns = *level == TRUST_PRIVATE_CLOUD ? simtime_from_s(attestation_ms * 1e-3) : 0;
    return 0;
}
