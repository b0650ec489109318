/* accuracy: P(correct | model, request) and the coupled correctness draw (see accuracy.h). */
#include "accuracy.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "infile.h"
#include "rng.h"
#include "suggest.h"

/* ---------------------------------------------------------------------------------------- */
/* Replay datasets: CSV files held in memory, one per canonical path.                      */

/* One CSV file. The text is kept whole; parsing writes NULs over the separators so every
 * cell is a string inside `text` (quoted fields are unescaped in place, towards the front). */
struct dataset {
    char *key;   /* canonical path (realpath): the cache key */
    char *shown; /* the path as resolved from the scenario, used in messages */
    char *text;
    size_t n_cols;
    char **header; /* n_cols names */
    uint32_t n_rows;
    char **cells;      /* n_rows × n_cols, row-major */
    char **row_start;  /* first character of each row, for column numbers in messages */
    int *row_line;     /* 1-based line of each row */
    uint8_t **columns; /* n_cols; a column's 0/1 values once some model has asked for it */
};

struct accuracy_datasets {
    struct dataset **sets;
    size_t n, cap;
};

/* A growable array of pointers, used while parsing. */
struct ptrvec {
    void **items;
    size_t n, cap;
};

static int ptrvec_push(struct ptrvec *v, void *item)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 64;
        void **items = realloc(v->items, cap * sizeof *items);
        if (!items)
            return -1;
        v->items = items;
        v->cap = cap;
    }
    v->items[v->n++] = item;
    return 0;
}

static void dataset_free(struct dataset *ds)
{
    if (!ds)
        return;
    for (size_t c = 0; ds->columns && c < ds->n_cols; c++)
        free(ds->columns[c]);
    free(ds->columns);
    free(ds->row_line);
    free(ds->row_start);
    free(ds->cells);
    free(ds->header);
    free(ds->text);
    free(ds->shown);
    free(ds->key);
    free(ds);
}

struct accuracy_datasets *accuracy_datasets_new(void)
{
    return calloc(1, sizeof(struct accuracy_datasets));
}

void accuracy_datasets_free(struct accuracy_datasets *data)
{
    if (!data)
        return;
    for (size_t i = 0; i < data->n; i++)
        dataset_free(data->sets[i]);
    free(data->sets);
    free(data);
}

uint32_t accuracy_row_count(const struct accuracy_datasets *data)
{
    /* accuracy_load refuses a file whose row count differs from the first one's. */
    return data && data->n > 0 ? data->sets[0]->n_rows : 0;
}

/* The CSV reader's position. */
struct csv {
    char *p;
    int line;
    char *line_start;
    const char *shown; /* file name for messages */
    const char *key_path;
};

static int csv_error(const struct csv *in, const char *at, const char *what, struct error *err)
{
    return error_set(err, in->shown, in->line, (int)(at - in->line_start) + 1, in->key_path, "%s",
                     what);
}

static void csv_newline(struct csv *in)
{
    in->line++;
    in->line_start = in->p;
}

/* Reads one record (RFC 4180) starting at in->p into fields, leaving in->p at the start of
 * the next line (or at the final NUL). */
static int csv_record(struct csv *in, struct ptrvec *fields, struct error *err)
{
    fields->n = 0;
    for (;;) {
        char *start = in->p, *w;
        if (*in->p == '"') {
            char *quote = in->p;
            int quote_line = in->line;
            char *quote_line_start = in->line_start;
            w = start;
            in->p++;
            for (;;) {
                if (*in->p == '\0') {
                    in->line = quote_line;
                    in->line_start = quote_line_start;
                    return csv_error(in, quote, "unterminated quoted field", err);
                }
                if (*in->p == '"') {
                    if (in->p[1] != '"') {
                        in->p++;
                        break;
                    }
                    in->p++; /* "" stands for one quote */
                }
                char c = *in->p++;
                *w++ = c;
                if (c == '\n')
                    csv_newline(in);
            }
            if (*in->p != ',' && *in->p != '\n' && *in->p != '\r' && *in->p != '\0')
                return csv_error(in, in->p,
                                 "expected ',' or the end of the line after a quoted field", err);
        } else {
            while (*in->p != '\0' && *in->p != ',' && *in->p != '\n' && *in->p != '\r')
                in->p++;
            w = in->p;
        }
        char end = *in->p;
        *w = '\0'; /* may overwrite `end` (unquoted fields), which is why it was saved */
        if (ptrvec_push(fields, start) != 0)
            return error_set(err, in->shown, in->line, 0, in->key_path, "out of memory");
        if (end == ',') {
            in->p++;
            continue;
        }
        if (end == '\r') {
            in->p++;
            if (*in->p == '\n')
                in->p++;
            csv_newline(in);
        } else if (end == '\n') {
            in->p++;
            csv_newline(in);
        }
        return 0;
    }
}

/* Reads the whole file into a NUL-terminated buffer. */
static char *read_file(const char *path, size_t *size, int *errnum, const char **why)
{
    FILE *f = infile_open(path, "rb", why);
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (n + 1 < cap) {
            if (ferror(f)) {
                *errnum = errno ? errno : EIO;
                free(buf);
                buf = NULL;
            }
            break;
        }
        char *bigger = realloc(buf, 2 * cap);
        if (!bigger) {
            free(buf);
            buf = NULL;
            *errnum = ENOMEM;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        *size = n;
    } else if (*errnum == 0) {
        *errnum = ENOMEM;
    }
    return buf;
}

/* Parses ds->text into header and rows. */
static int dataset_parse(struct dataset *ds, size_t size, const char *key_path, struct error *err)
{
    struct csv in = {ds->text, 1, ds->text, ds->shown, key_path};
    if (memchr(ds->text, '\0', size))
        return error_set(err, ds->shown, 0, 0, key_path,
                         "not a text file (it contains a NUL byte)");
    if (size == 0)
        return error_set(err, ds->shown, 1, 1, key_path, "empty file: expected a header row");

    struct ptrvec fields = {0}, cells = {0}, starts = {0};
    int *lines = NULL;
    size_t lines_cap = 0;
    int rc = -1;
    if (csv_record(&in, &fields, err) != 0)
        goto out;
    ds->n_cols = fields.n;
    ds->header = malloc(ds->n_cols * sizeof *ds->header);
    if (!ds->header) {
        error_set(err, ds->shown, 1, 0, key_path, "out of memory");
        goto out;
    }
    for (size_t c = 0; c < ds->n_cols; c++) {
        ds->header[c] = fields.items[c];
        for (size_t d = 0; d < c; d++)
            if (strcmp(ds->header[d], ds->header[c]) == 0) {
                error_set(err, ds->shown, 1, (int)(ds->header[c] - ds->text) + 1, key_path,
                          "duplicate column name '%s' in the header", ds->header[c]);
                goto out;
            }
    }

    size_t n_rows = 0;
    while (*in.p != '\0') {
        if (*in.p == '\n' || (in.p[0] == '\r' && in.p[1] == '\n')) { /* blank line */
            in.p += *in.p == '\r' ? 2 : 1;
            csv_newline(&in);
            continue;
        }
        int line = in.line;
        char *start = in.p;
        if (csv_record(&in, &fields, err) != 0)
            goto out;
        if (fields.n != ds->n_cols) {
            error_set(err, ds->shown, line, 1, key_path,
                      "row has %zu fields but the header has %zu", fields.n, ds->n_cols);
            goto out;
        }
        if (n_rows == UINT32_MAX) {
            error_set(err, ds->shown, line, 1, key_path, "too many rows");
            goto out;
        }
        if (n_rows == lines_cap) {
            lines_cap = lines_cap ? 2 * lines_cap : 1024;
            int *more = realloc(lines, lines_cap * sizeof *lines);
            if (!more) {
                error_set(err, ds->shown, line, 0, key_path, "out of memory");
                goto out;
            }
            lines = more;
        }
        lines[n_rows++] = line;
        for (size_t c = 0; c < fields.n; c++)
            if (ptrvec_push(&cells, fields.items[c]) != 0) {
                error_set(err, ds->shown, line, 0, key_path, "out of memory");
                goto out;
            }
        if (ptrvec_push(&starts, start) != 0) {
            error_set(err, ds->shown, line, 0, key_path, "out of memory");
            goto out;
        }
    }
    if (n_rows == 0) {
        error_set(err, ds->shown, in.line, 1, key_path, "no data rows after the header");
        goto out;
    }
    ds->n_rows = (uint32_t)n_rows;
    ds->cells = (char **)cells.items;
    ds->row_start = (char **)starts.items;
    ds->row_line = lines;
    cells.items = starts.items = NULL;
    lines = NULL;
    ds->columns = calloc(ds->n_cols, sizeof *ds->columns);
    if (!ds->columns) {
        error_set(err, ds->shown, 0, 0, key_path, "out of memory");
        goto out;
    }
    rc = 0;
out:
    free(fields.items);
    free(cells.items);
    free(starts.items);
    free(lines);
    return rc;
}

/* The dataset for the file named by node `file_node` (text `name`), loading it if needed. */
static struct dataset *datasets_get(struct accuracy_datasets *data,
                                    const struct ydoc_node *file_node, const char *name,
                                    struct error *err)
{
    char dir[4096], shown[4096];
    char key_path[sizeof err->path];
    ydoc_path(file_node, key_path, sizeof key_path);
    int len;
    if (name[0] == '/') {
        len = snprintf(shown, sizeof shown, "%s", name);
    } else {
        ydoc_dir(file_node, dir, sizeof dir);
        len = snprintf(shown, sizeof shown, "%s/%s", dir, name);
    }
    if (len < 0 || (size_t)len >= sizeof shown) {
        ydoc_error(file_node, err, "path too long");
        return NULL;
    }
    char *key = realpath(shown, NULL);
    if (!key) {
        ydoc_error(file_node, err, "cannot open replay file '%s': %s", shown, strerror(errno));
        return NULL;
    }
    for (size_t i = 0; i < data->n; i++)
        if (strcmp(data->sets[i]->key, key) == 0) {
            free(key);
            return data->sets[i];
        }

    struct dataset *ds = calloc(1, sizeof *ds);
    if (!ds) {
        free(key);
        ydoc_error(file_node, err, "out of memory");
        return NULL;
    }
    ds->key = key;
    ds->shown = strdup(shown);
    size_t size = 0;
    int errnum = 0;
    const char *why = NULL;
    if (!ds->shown) {
        ydoc_error(file_node, err, "out of memory");
        goto fail;
    }
    ds->text = read_file(shown, &size, &errnum, &why);
    if (!ds->text) {
        ydoc_error(file_node, err, "cannot read replay file '%s': %s", shown,
                   why ? why : strerror(errnum));
        goto fail;
    }
    if (dataset_parse(ds, size, key_path, err) != 0)
        goto fail;
    if (data->n > 0 && ds->n_rows != data->sets[0]->n_rows) {
        ydoc_error(file_node, err,
                   "'%s' has %" PRIu32 " rows but '%s' has %" PRIu32
                   ": replayed files must list the same queries in the same order",
                   shown, ds->n_rows, data->sets[0]->shown, data->sets[0]->n_rows);
        goto fail;
    }
    if (data->n == data->cap) {
        size_t cap = data->cap ? 2 * data->cap : 4;
        struct dataset **sets = realloc(data->sets, cap * sizeof *sets);
        if (!sets) {
            ydoc_error(file_node, err, "out of memory");
            goto fail;
        }
        data->sets = sets;
        data->cap = cap;
    }
    data->sets[data->n++] = ds;
    return ds;
fail:
    dataset_free(ds);
    return NULL;
}

/* Appends "a, b, c" (the names) to buf, shortened with "..." when it does not fit. */
static void join_names(char *buf, size_t len, const char *const *names, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < len; i++) {
        int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", names[i]);
        if (w < 0 || (size_t)w >= len - used) {
            if (len >= 4)
                snprintf(buf + len - 4, 4, "...");
            return;
        }
        used += (size_t)w;
    }
}

/* The 0/1 values of column `name`, validated on first use. */
static const uint8_t *dataset_column(struct dataset *ds, const struct ydoc_node *column_node,
                                     const char *name, struct error *err)
{
    size_t c = 0;
    while (c < ds->n_cols && strcmp(ds->header[c], name) != 0)
        c++;
    if (c == ds->n_cols) {
        char names[512];
        join_names(names, sizeof names, (const char *const *)ds->header, ds->n_cols);
        const char *close = suggest_closest(name, (const char *const *)ds->header, ds->n_cols);
        if (close)
            ydoc_error(column_node, err, "no column '%s' in '%s' (did you mean '%s'?); columns: %s",
                       name, ds->shown, close, names);
        else
            ydoc_error(column_node, err, "no column '%s' in '%s'; columns: %s", name, ds->shown,
                       names);
        return NULL;
    }
    if (ds->columns[c])
        return ds->columns[c];

    char key_path[sizeof err->path];
    ydoc_path(column_node, key_path, sizeof key_path);
    uint8_t *bits = malloc(ds->n_rows);
    if (!bits) {
        ydoc_error(column_node, err, "out of memory");
        return NULL;
    }
    for (uint32_t r = 0; r < ds->n_rows; r++) {
        const char *cell = ds->cells[(size_t)r * ds->n_cols + c];
        if ((cell[0] != '0' && cell[0] != '1') || cell[1] != '\0') {
            error_set(err, ds->shown, ds->row_line[r], (int)(cell - ds->row_start[r]) + 1, key_path,
                      "column '%s' must hold 0 or 1 (correct or not), found '%.40s'", name, cell);
            free(bits);
            return NULL;
        }
        bits[r] = (uint8_t)(cell[0] - '0');
    }
    ds->columns[c] = bits;
    return bits;
}

/* ---------------------------------------------------------------------------------------- */
/* Models.                                                                                  */

static const char *const accuracy_form_keys[] = {"skill", "by_class", "replay"};

static int load_logistic(struct accuracy_model *acc, struct ydoc_node *map, struct error *err)
{
    /* Logits beyond ±100 mean p = 0 or 1 to double precision; the bounds catch unit slips. */
    if (ydoc_read_f64(map, "skill", RANGE_CLOSED(-100.0, 100.0), &acc->skill, err) != 0)
        return -1;
    return ydoc_read_f64(map, "discrimination", (struct range){0.0, 100.0, true, false},
                         &acc->discrimination, err);
}

static int load_by_class(struct accuracy_model *acc, struct ydoc_node *map, struct ydoc_node *table,
                         struct error *err)
{
    if (ydoc_expect(table, YDOC_MAP, err) != 0)
        return -1;
    ydoc_error(table, &acc->by_class_where, "%s", "by_class");
    size_t n = ydoc_len(table);
    acc->classes = calloc(n ? n : 1, sizeof *acc->classes);
    if (!acc->classes)
        return ydoc_error(table, err, "out of memory");
    for (size_t i = 0; i < n; i++) {
        struct accuracy_class_entry *e = &acc->classes[i];
        struct ydoc_node *value = ydoc_entry_value(table, i);
        e->name = strdup(ydoc_entry_key(table, i));
        acc->n_classes = i + 1;
        if (!e->name)
            return ydoc_error(value, err, "out of memory");
        if (ydoc_as_f64(value, RANGE_UNIT, &e->p, err) != 0)
            return -1;
        ydoc_error(value, &e->where, "%s", "by_class entry");
    }
    acc->has_default = ydoc_get(map, "default") != NULL;
    return ydoc_read_f64(map, "default", RANGE_UNIT, &acc->default_p, err);
}

static int load_replay(struct accuracy_model *acc, struct ydoc_node *replay,
                       struct accuracy_datasets *data, struct error *err)
{
    struct ydoc_node *file_node, *column_node;
    const char *file = NULL, *column = NULL;
    if (ydoc_expect(replay, YDOC_MAP, err) != 0 ||
        ydoc_require(replay, "file", &file_node, err) != 0 ||
        ydoc_require(replay, "column", &column_node, err) != 0 ||
        ydoc_read_str(replay, "file", &file, err) != 0 ||
        ydoc_read_str(replay, "column", &column, err) != 0)
        return -1;
    if (!data)
        return ydoc_error(replay, err, "replay needs a dataset cache (internal error)");
    struct dataset *ds = datasets_get(data, file_node, file, err);
    if (!ds)
        return -1;
    acc->replay_column = dataset_column(ds, column_node, column, err);
    acc->replay_rows = ds->n_rows;
    return acc->replay_column ? 0 : -1;
}

int accuracy_load(struct accuracy_model *acc, struct ydoc_node *map, struct accuracy_datasets *data,
                  struct error *err)
{
    memset(acc, 0, sizeof *acc);
    acc->discrimination = 1.0;
    if (!map)
        return error_set(err, NULL, 0, 0, NULL, "missing accuracy map");
    if (ydoc_expect(map, YDOC_MAP, err) != 0)
        return -1;

    struct ydoc_node *forms[3];
    int kind = -1;
    for (int i = 0; i < 3; i++) {
        forms[i] = ydoc_get(map, accuracy_form_keys[i]);
        if (!forms[i])
            continue;
        if (kind >= 0)
            return ydoc_error(forms[i], err,
                              "'%s' cannot be combined with '%s': an accuracy map takes exactly "
                              "one of skill, by_class, replay",
                              accuracy_form_keys[i], accuracy_form_keys[kind]);
        kind = i;
    }
    if (kind < 0)
        return ydoc_error(map, err,
                          "expected one of 'skill' (logistic), 'by_class' (per task class) or "
                          "'replay' (per-query correctness from a file)");
    acc->kind = (enum accuracy_kind)kind;

    /* Keys of another form would otherwise surface later as "unknown key", which hides why. */
    struct ydoc_node *discrimination = ydoc_get(map, "discrimination");
    struct ydoc_node *default_node = ydoc_get(map, "default");
    if (discrimination && acc->kind != ACCURACY_LOGISTIC)
        return ydoc_error(discrimination, err, "'discrimination' applies only with 'skill'");
    if (default_node && acc->kind != ACCURACY_BY_CLASS)
        return ydoc_error(default_node, err, "'default' applies only with 'by_class'");

    switch (acc->kind) {
    case ACCURACY_LOGISTIC:
        return load_logistic(acc, map, err);
    case ACCURACY_BY_CLASS:
        return load_by_class(acc, map, forms[ACCURACY_BY_CLASS], err);
    case ACCURACY_REPLAY:
        return load_replay(acc, forms[ACCURACY_REPLAY], data, err);
    }
    return -1;
}

void accuracy_free(struct accuracy_model *acc)
{
    for (size_t i = 0; i < acc->n_classes; i++)
        free(acc->classes[i].name);
    free(acc->classes);
    free(acc->p_by_class);
    acc->classes = NULL;
    acc->p_by_class = NULL;
    acc->n_classes = acc->n_bound = 0;
}

int accuracy_bind_classes(struct accuracy_model *acc, const char *const *class_names, size_t n,
                          struct error *err)
{
    free(acc->p_by_class);
    acc->p_by_class = NULL;
    acc->n_bound = 0;
    if (acc->kind != ACCURACY_BY_CLASS)
        return 0;

    double *p = malloc((n ? n : 1) * sizeof *p);
    bool *given = calloc(n ? n : 1, sizeof *given);
    if (!p || !given) {
        free(p);
        free(given);
        return error_set(err, NULL, 0, 0, NULL, "out of memory");
    }
    char names[512];
    join_names(names, sizeof names, class_names, n);
    for (size_t i = 0; i < acc->n_classes; i++) {
        const struct accuracy_class_entry *e = &acc->classes[i];
        size_t j = 0;
        while (j < n && strcmp(class_names[j], e->name) != 0)
            j++;
        if (j == n) {
            const char *close = suggest_closest(e->name, class_names, n);
            const struct error *w = &e->where;
            free(p);
            free(given);
            if (n == 0)
                return error_set(err, w->file, w->line, w->col, w->path,
                                 "unknown task class '%s': the workload defines no task classes",
                                 e->name);
            if (close)
                return error_set(err, w->file, w->line, w->col, w->path,
                                 "unknown task class '%s' (did you mean '%s'?); the workload's "
                                 "classes are: %s",
                                 e->name, close, names);
            return error_set(err, w->file, w->line, w->col, w->path,
                             "unknown task class '%s'; the workload's classes are: %s", e->name,
                             names);
        }
        p[j] = e->p;
        given[j] = true;
    }
    for (size_t j = 0; j < n; j++) {
        if (given[j])
            continue;
        if (!acc->has_default) {
            const struct error *w = &acc->by_class_where;
            free(p);
            free(given);
            return error_set(err, w->file, w->line, w->col, w->path,
                             "no accuracy for task class '%s' and no 'default' to fall back on",
                             class_names[j]);
        }
        p[j] = acc->default_p;
    }
    free(given);
    acc->p_by_class = p;
    acc->n_bound = n;
    return 0;
}

double accuracy_p_correct(const struct accuracy_model *acc, const struct accuracy_query *q)
{
    switch (acc->kind) {
    case ACCURACY_LOGISTIC:
        /* 2PL item response (Lord 1980): exp overflows to +inf for very negative logits, which
         * correctly gives p = 0; it never produces NaN for finite inputs. */
        return 1.0 / (1.0 + exp(-acc->discrimination * (acc->skill - q->difficulty)));
    case ACCURACY_BY_CLASS:
        assert(q->class_index < acc->n_bound);
        return acc->p_by_class[q->class_index];
    case ACCURACY_REPLAY:
        assert(q->row < acc->replay_rows);
        return acc->replay_column[q->row];
    }
    return 0.0;
}

double accuracy_draw_u(uint64_t seed, uint32_t replication, uint64_t request_id)
{
    return rng_hash_u01(seed, replication, request_id, ACCURACY_PURPOSE);
}

bool accuracy_is_correct(const struct accuracy_model *acc, const struct accuracy_query *q, double u)
{
    return u < accuracy_p_correct(acc, q);
}
