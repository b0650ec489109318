/* ydoc: a YAML document as a tree of nodes that remember where they came from, so that
 * every configuration error can name file:line:column and the key path.
 *
 * Built on libyaml's event parser. A document owns all its nodes (freed together by
 * ydoc_free); node pointers stay valid until then. Scalars keep their text; typing
 * happens when a loader reads them (ydoc_read_*, ydoc_as_*), so the loader decides what a
 * value must be and the message says so.
 *
 * Unknown-key detection without a separate schema: every ydoc_get() on a map marks the
 * entry used and records the key as *known* on that map. After loading, ydoc_check_unused()
 * walks the tree in document order and reports the first entry that no loader asked for,
 * with a "did you mean" drawn from the keys that were asked for on the same map. Entries
 * under an unused key are not visited, so the outermost mistake is reported.
 *
 * Anchors and aliases are resolved by copying; merge keys (<<) are not supported and are
 * reported as unknown keys. Duplicate keys in one map are an error at load time. */
#ifndef HAISIM_YDOC_H
#define HAISIM_YDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "range.h"

enum ydoc_kind { YDOC_SCALAR, YDOC_SEQ, YDOC_MAP };

struct ydoc;
struct ydoc_node;

/* Parses a file. On failure returns NULL and fills err (syntax errors carry libyaml's
 * line:column and problem text; a missing or unreadable file says so). An empty file is
 * an error ("empty document"); a file with several documents is an error. */
struct ydoc *ydoc_load_file(const char *path, struct error *err);

/* Parses text held in memory; name is used as the "file" in messages (e.g. "--set"). */
struct ydoc *ydoc_load_string(const char *text, const char *name, struct error *err);

/* Deep copy (marks, used flags and known keys are copied too). NULL on out-of-memory. */
struct ydoc *ydoc_clone(const struct ydoc *doc);

void ydoc_free(struct ydoc *doc);

struct ydoc_node *ydoc_root(const struct ydoc *doc);

/* Applies "a.b[2].c=value" (the --set syntax): the value text is parsed as YAML (so
 * "[1, 2]" or "{dist: exponential, mean: 3}" work; plain text is a scalar), and replaces
 * or creates the node at the path. Missing maps along the path are created; a sequence
 * index must exist. Nodes created this way report `origin` (e.g. "--set") as their file
 * and the 1-based column within the assignment. Malformed assignments are errors. */
int ydoc_set(struct ydoc *doc, const char *assignment, const char *origin, struct error *err);

/* Replaces or creates the node at dotted `path` with a deep copy of `value` (which may
 * belong to another document); the copy keeps value's marks. Used for scenario variants. */
int ydoc_set_node(struct ydoc *doc, const char *path, const struct ydoc_node *value,
                  struct error *err);

/* Deep-merges src_map into dst_map (a map of dst_doc) as defaults, for presets such as
 * profiles. For each entry of src_map, in order:
 *   - dst_map lacks the key: a deep copy of the entry is appended to dst_map; the copy keeps
 *     src's marks (file:line:column of the key and of every node, so an error in it points
 *     into src's file), used flags and known keys, as ydoc_set_node does;
 *   - both values are maps: they are merged recursively by these rules;
 *   - otherwise dst_map's value is kept: a key written in dst wins, and a list or scalar is
 *     replaced whole, never concatenated or merged item by item.
 * src_map may belong to another document (which may then be freed: the copy owns
 * everything). Errors: a node that is not a map ("expected a map, got a list", located at
 * it); out of memory (dst_map may then hold part of the merge). */
int ydoc_merge_defaults(struct ydoc *dst_doc, struct ydoc_node *dst_map,
                        const struct ydoc_node *src_map, struct error *err);

/* --- inspecting nodes --- */
enum ydoc_kind ydoc_kind(const struct ydoc_node *n);
const char *ydoc_kind_name(enum ydoc_kind kind);  /* "a scalar", "a list", "a map" */
const char *ydoc_text(const struct ydoc_node *n); /* scalar text; NULL when not a scalar */
size_t ydoc_len(const struct ydoc_node *n);       /* items of a list or entries of a map */
struct ydoc_node *ydoc_item(const struct ydoc_node *seq, size_t i);
/* Map entries by position, in document order; marks the entry used (for free-form maps). */
const char *ydoc_entry_key(const struct ydoc_node *map, size_t i);
struct ydoc_node *ydoc_entry_value(struct ydoc_node *map, size_t i);
/* The same value without marking the entry used: for walks over the tree that are not
 * loaders (expanding profiles), which must leave unknown-key detection to the loaders. */
struct ydoc_node *ydoc_entry_peek(const struct ydoc_node *map, size_t i);
const char *ydoc_file(const struct ydoc_node *n);
int ydoc_line(const struct ydoc_node *n);
int ydoc_col(const struct ydoc_node *n);
/* Writes the key path of n ("workload.prompt_tokens", "variants[0].name"; "" for root). */
void ydoc_path(const struct ydoc_node *n, char *buf, size_t len);
/* Directory of the file n came from ("." when none); relative paths in a scenario are
 * resolved against it. */
void ydoc_dir(const struct ydoc_node *n, char *buf, size_t len);

/* Fills err located at n (file, line, col, key path) with a printf-style message; -1. */
int ydoc_error(const struct ydoc_node *n, struct error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* --- reading maps (all accept map == NULL: an absent section reads as all-defaults) --- */

/* Value of key in map, or NULL. Marks the entry used and records key as known on map.
 * `key` must outlive the document (use string literals). */
struct ydoc_node *ydoc_get(struct ydoc_node *map, const char *key);

/* Like ydoc_get, but a missing key is an error located at the map ("missing required key
 * 'rate_rps'"). Returns 0 and sets *out, or -1. */
int ydoc_require(struct ydoc_node *map, const char *key, struct ydoc_node **out, struct error *err);

/* Errors unless n is of the given kind ("expected a map, got a list"). */
int ydoc_expect(const struct ydoc_node *n, enum ydoc_kind kind, struct error *err);

/* Typed readers. When the key is absent *out is left unchanged (so preset it to the
 * default) and 0 is returned. Wrong types and out-of-range values are errors located at
 * the value, naming the key path, the expected type/range and the text found. */
int ydoc_read_f64(struct ydoc_node *map, const char *key, struct range r, double *out,
                  struct error *err);
int ydoc_read_i64(struct ydoc_node *map, const char *key, int64_t lo, int64_t hi, int64_t *out,
                  struct error *err);
int ydoc_read_bool(struct ydoc_node *map, const char *key, bool *out, struct error *err);
int ydoc_read_str(struct ydoc_node *map, const char *key, const char **out,
                  struct error *err); /* the string lives as long as the document */
/* The value must be one of names[0..n); *out gets its index. A miss says "expected one of
 * a, b, c" and adds "did you mean" when one is close. */
int ydoc_read_enum(struct ydoc_node *map, const char *key, const char *const *names, size_t n,
                   int *out, struct error *err);

/* Converters for a node already in hand (list items, scalar shorthands). */
int ydoc_as_f64(const struct ydoc_node *n, struct range r, double *out, struct error *err);
int ydoc_as_i64(const struct ydoc_node *n, int64_t lo, int64_t hi, int64_t *out, struct error *err);

/* Reports the first map entry (in document order) that no ydoc_get() asked for:
 * "unknown key 'rtt_sm' (did you mean 'rtt_ms'?)", located at the key. 0 when none. */
int ydoc_check_unused(const struct ydoc *doc, struct error *err);

#endif
