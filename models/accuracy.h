/* accuracy: the probability that a model answers a request correctly, and the coupled draw
 * that decides whether it did.
 *
 * A model's `accuracy:` map takes exactly one of three forms:
 *
 *   logistic   {skill: θ, discrimination: a}        p = 1 / (1 + exp(−a·(θ − b)))
 *              The two-parameter logistic item-response model (Lord 1980, "Applications of
 *              Item Response Theory to Practical Testing Problems"; with a = 1 it is
 *              the Rasch 1960 model): θ is the model's ability, b the request's difficulty,
 *              both in logits; a > 0 sets how sharply p rises around θ = b (p = 0.5 there).
 *   by_class   {by_class: {chat: 0.82, code: 0.6}, default: 0.7}
 *              p is looked up by the request's task class; classes without an entry take
 *              `default` (if given). Names are resolved to indices by accuracy_bind_classes.
 *   replay     {replay: {file: mmlu.csv, column: gpt_4_1106}}
 *              p is the recorded 0/1 correctness of this model on the request's dataset row
 *              (e.g. RouteLLM's per-query MMLU results, Ong et al. 2024), so a simulated
 *              router is scored against what the real models really answered.
 *
 * Coupling (DESIGN §3–4). A request is correct on a model iff u < p, where
 *   u = rng_hash_u01(seed, replication, request_id, ACCURACY_PURPOSE)
 * is one uniform per request shared by every model and every policy. So if p_strong ≥ p_weak
 * on a request, "weak is correct" implies "strong is correct"; policies compared on one seed
 * differ only by where they sent requests, never by luck of the draw. For the logistic form
 * p_strong ≥ p_weak for every b when the strong model has the higher skill and the same
 * discrimination (with different discriminations the curves cross once, and dominance holds
 * only on one side of the crossing). Replay probabilities are 0 or 1, so u does not matter.
 *
 * Replay files are CSV (RFC 4180: header row, comma separated, "quoted" fields with ""
 * escapes; LF or CRLF line ends; blank lines skipped) and are loaded once per run into a
 * `struct accuracy_datasets` cache owned by the caller, keyed by the file's canonical path,
 * so every model that replays a column of the same file sees the same rows. Row i means the
 * same query for every model; all replayed files must have the same number of rows. The
 * workload chooses each request's row (in [0, accuracy_row_count)) and passes it in the query.
 *
 * Ownership: a struct accuracy_model owns its class table; replayed columns belong to the
 * datasets cache, which must outlive every model loaded with it. Nothing here draws random
 * numbers from a stream or keeps global state. */
#ifndef HAISIM_ACCURACY_H
#define HAISIM_ACCURACY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "ydoc.h"

/* The `purpose` argument of rng_hash_u01 for correctness draws: "accuracy" in ASCII, so it
 * cannot collide with other purposes that spell their own names. */
#define ACCURACY_PURPOSE UINT64_C(0x6163637572616379)

enum accuracy_kind { ACCURACY_LOGISTIC, ACCURACY_BY_CLASS, ACCURACY_REPLAY };

/* One `by_class` entry as written, with where it was written (for errors at bind time). */
struct accuracy_class_entry {
    char *name;
    double p;
    struct error where; /* file, line, col, path of the value; msg unused */
};

struct accuracy_model {
    enum accuracy_kind kind;
    /* logistic */
    double skill;          /* θ, logits */
    double discrimination; /* a > 0 */
    /* by_class */
    struct accuracy_class_entry *classes; /* as read, in document order */
    size_t n_classes;
    bool has_default;
    double default_p;
    struct error by_class_where; /* location of the by_class map */
    double *p_by_class;          /* indexed like the names given to accuracy_bind_classes */
    size_t n_bound;
    /* replay */
    const uint8_t *replay_column; /* 0/1 per row, owned by the datasets cache */
    uint32_t replay_rows;
};

/* What accuracy needs to know about one request. Only the field of the model's kind is read. */
struct accuracy_query {
    double difficulty;    /* b in logits (logistic) */
    uint32_t class_index; /* index into the names given to accuracy_bind_classes (by_class) */
    uint32_t row;         /* dataset row, < accuracy_row_count() (replay) */
};

/* --- the replay dataset cache --- */

struct accuracy_datasets;

/* An empty cache; NULL on out-of-memory. */
struct accuracy_datasets *accuracy_datasets_new(void);
void accuracy_datasets_free(struct accuracy_datasets *data);

/* The number of data rows shared by every file in the cache; 0 when no file is loaded. */
uint32_t accuracy_row_count(const struct accuracy_datasets *data);

/* --- models --- */

/* Reads an `accuracy:` map (see the top of this file). `file` in a replay map is resolved
 * against the directory of the document it appears in; the file is loaded into `data` unless
 * it is already there, and the column is checked to hold only 0 and 1. Errors: a map with
 * none or several of skill/by_class/replay, out-of-range numbers, a missing file, a CSV
 * format error (located at the file's line and column), a missing column (with "did you
 * mean"), a cell other than 0/1, a file whose row count differs from files already loaded.
 * `data` may be NULL when no replay is used. On failure *acc is safe to pass to
 * accuracy_free. */
int accuracy_load(struct accuracy_model *acc, struct ydoc_node *map, struct accuracy_datasets *data,
                  struct error *err);
void accuracy_free(struct accuracy_model *acc);

/* Resolves by_class names against the workload's task classes class_names[0..n): afterwards
 * accuracy_query.class_index i means class_names[i]. Errors: a by_class name that is not a
 * workload class (located at that entry, with "did you mean"), and a workload class with no
 * entry when there is no `default` (located at the by_class map). A no-op returning 0 for
 * the other kinds. May be called again (e.g. per variant); the previous binding is dropped. */
int accuracy_bind_classes(struct accuracy_model *acc, const char *const *class_names, size_t n,
                          struct error *err);

/* P(correct | model, request) in [0, 1]. Preconditions: by_class models are bound and
 * q->class_index < n bound; replay models need q->row < accuracy_row_count(). */
double accuracy_p_correct(const struct accuracy_model *acc, const struct accuracy_query *q);

/* The request's correctness uniform u in (0, 1): the same for every model and policy. */
double accuracy_draw_u(uint64_t seed, uint32_t replication, uint64_t request_id);

/* True iff u < accuracy_p_correct(acc, q); u comes from accuracy_draw_u. */
bool accuracy_is_correct(const struct accuracy_model *acc, const struct accuracy_query *q,
                         double u);

#endif
