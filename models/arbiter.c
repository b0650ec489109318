/* arbiter: the registry of arbiter policies and their loading by name (see arbiter.h). */
#include "arbiter.h"

#include <string.h>

#include "suggest.h"

const struct arbiter_ops *const arbiter_registry[] = {
    &arbiter_device,
    &arbiter_edge,
    &arbiter_cloud,
};
const size_t arbiter_registry_len = sizeof arbiter_registry / sizeof arbiter_registry[0];

const struct arbiter_ops *arbiter_find(const char *name)
{
    for (size_t i = 0; i < arbiter_registry_len; i++)
        if (strcmp(arbiter_registry[i]->name, name) == 0)
            return arbiter_registry[i];
    return NULL;
}

static int arbiter_unknown(struct ydoc_node *at, const char *name, struct error *err)
{
    const char *names[sizeof arbiter_registry / sizeof arbiter_registry[0]];
    char known[256] = "";
    for (size_t i = 0; i < arbiter_registry_len; i++) {
        names[i] = arbiter_registry[i]->name;
        strncat(known, i ? ", " : "", sizeof known - strlen(known) - 1);
        strncat(known, names[i], sizeof known - strlen(known) - 1);
    }
    const char *close = suggest_closest(name, names, arbiter_registry_len);
    if (close)
        return ydoc_error(at, err, "unknown arbiter '%s' (did you mean '%s'?); known: %s", name,
                          close, known);
    return ydoc_error(at, err, "unknown arbiter '%s'; known: %s", name, known);
}

int arbiter_load(const struct arbiter_ops **out, struct ydoc_node *root,
                 const bool present[LOCATION_COUNT], struct error *err)
{
    *out = &arbiter_device;
    struct ydoc_node *node = ydoc_get(root, "arbiter");
    if (!node)
        return 0;
    struct ydoc_node *name_node = node;
    if (ydoc_kind(node) == YDOC_MAP && ydoc_require(node, "policy", &name_node, err) != 0)
        return -1;
    if (ydoc_expect(name_node, YDOC_SCALAR, err) != 0)
        return -1;
    const struct arbiter_ops *ops = arbiter_find(ydoc_text(name_node));
    if (!ops)
        return arbiter_unknown(name_node, ydoc_text(name_node), err);
    for (int loc = 0; loc < LOCATION_COUNT; loc++)
        if ((ops->uses & (1u << loc)) && !present[loc])
            return ydoc_error(name_node, err,
                              "arbiter '%s' sends requests to the %s, but the scenario has no "
                              "'%s' tier",
                              ops->name, location_name((enum location)loc),
                              location_name((enum location)loc));
    *out = ops;
    return 0;
}
