/* profiles: named, sourced presets (a model on a device, a network, a device's power) that
 * any map of a scenario pulls in with `profile: NAME`.
 *
 * A profile is a file NAME.yaml in a profile directory (NAME may contain '/', e.g.
 * `model/llama-3.2-3b-oneplus-12` is `<dir>/model/llama-3.2-3b-oneplus-12.yaml`):
 *
 *     kind: model          # model | device | network | price | server: what it describes
 *     description: one line
 *     source: >            # the published source of every number (required, non-empty)
 *       ...
 *     values: {...}        # the keys it gives the map that names it
 *
 * Expansion. profiles_expand() visits every map of a document, outermost first and in
 * document order. At a map M that holds `profile: NAME`:
 *   1. NAME's `values` are deep-merged into M as defaults (ydoc_merge_defaults): a key
 *      written in M wins; where both M and the profile have a map under a key, the two
 *      maps merge by the same rule; lists and scalars are replaced whole.
 *   2. If those `values` hold `profile: BASE` themselves, BASE's values are merged next, as
 *      weaker defaults, and so on down the chain. Precedence is therefore
 *          written in M  >  NAME's values  >  BASE's values  >  ...
 *   3. Then M's children are visited, so a profile named inside merged values (a device
 *      profile whose `model:` says `profile: model/x`) expands in turn, with the keys the
 *      scenario or an outer profile wrote there winning over it.
 * The `profile` entry stays in M, marked used, so ydoc_check_unused() never reports it;
 * `profile` is therefore a reserved key in every map.
 *
 * Cycles. Each map carries the chain of profiles applied to it and to its ancestors. A
 * name that is already on that chain would expand forever (A's values name A, directly or
 * through others), so it is an error naming the chain ("profile cycle: a -> b -> a"),
 * located at the `profile` value that closes it. The same profile in sibling maps (two
 * devices using one model) is not a cycle. As every infinite expansion must repeat a name
 * along some chain, expansion always terminates.
 *
 * Where values come from. Merged nodes keep the file:line:column of the profile file, so
 * an error a loader finds in a profile value (out of range, unknown key) points into the
 * profile file, while the key path is the one in the scenario ("devices.model.decode_tok_s").
 * Relative file paths in profile values resolve against the profile's directory
 * (ydoc_dir of the node).
 *
 * Search path. NAME resolves to the first existing `<dir>/NAME.yaml` over search_dirs in
 * order. profiles_path_init() builds the standard order: `profiles/` next to the scenario
 * file, then each directory of $HAISIM_PROFILES_PATH (colon-separated, as passed in by the
 * caller, who reads the environment), then the built-in directory (the build's
 * `<source>/scenarios/profiles`). Names must be relative paths of [A-Za-z0-9._-] components
 * separated by '/', with no empty, '.' or '..' component, so a profile can never name a
 * file outside its directory. An unknown name is an error at the `profile` value with a
 * "did you mean" drawn from every available name.
 *
 * When to expand: after --set and variant overrides have been applied to the document (so
 * that `--set devices.model.profile=...` works and set keys win over profile values) and
 * before the loaders read it; then ydoc_check_unused() as usual.
 *
 * Errors are values; nothing here prints, exits or reads the environment. */
#ifndef HAISIM_PROFILES_H
#define HAISIM_PROFILES_H

#include <stddef.h>

#include "error.h"
#include "ydoc.h"

/* An ordered list of profile directories; owns the strings. */
struct profiles_path {
    const char **dirs;
    size_t n;
};

/* Builds the standard search order (see above). scenario_path may be NULL (no scenario:
 * `haisim profiles`), env_path NULL or "" (the variable is unset), builtin_dir NULL (none).
 * Empty components of env_path are skipped. Directories need not exist (a missing one is
 * skipped when searching). Returns 0, or -1 on out-of-memory; free with profiles_path_free. */
int profiles_path_init(struct profiles_path *p, const char *scenario_path, const char *env_path,
                       const char *builtin_dir, struct error *err);
void profiles_path_free(struct profiles_path *p);

/* Expands every `profile:` key of doc, outermost first (see above). On error returns -1
 * with err located at the offending node: a bad or unknown name or a cycle at the `profile`
 * value; a malformed profile file in that file (its message ends with "(profile NAME
 * named at FILE:LINE:COL)"). doc may then be partly expanded; discard it. */
int profiles_expand(struct ydoc *doc, const char *const *search_dirs, size_t n_dirs,
                    struct error *err);

/* One available profile, for `haisim profiles`. */
struct profile_info {
    char *name;        /* "model/llama-3.2-3b-oneplus-12" */
    char *kind;        /* "model", "device", "network", "price" or "server" */
    char *description; /* as written */
    char *source;      /* as written (block scalars keep their line breaks) */
    char *path;        /* the file, as found on the search path */
};

/* Lists every profile on the search path, sorted by name (strcmp); where two directories
 * hold the same name the earlier one wins, as in expansion. Each file's header (kind,
 * description, source, values) is checked; a malformed file is an error located in it.
 * On success *out (NULL when none) and *n_out are set; free with profile_info_free. */
int profiles_list(const char *const *search_dirs, size_t n_dirs, struct profile_info **out,
                  size_t *n_out, struct error *err);
void profile_info_free(struct profile_info *list, size_t n);

#endif
