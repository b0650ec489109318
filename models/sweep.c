/* sweep: sweep files and their points (see sweep.h). */
#include "sweep.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int sweep_oom(struct error *err)
{
    return error_set(err, NULL, 0, 0, NULL, "out of memory");
}

char *sweep_read_file(const char *path, size_t *len, struct error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        error_set(err, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
        return NULL;
    }
    size_t n = 0, cap = 4096;
    char *text = malloc(cap);
    while (text) {
        n += fread(text + n, 1, cap - n - 1, f);
        if (n + 1 < cap || feof(f) || ferror(f))
            break;
        char *grown = realloc(text, cap *= 2);
        if (!grown) {
            free(text);
            text = NULL;
        } else {
            text = grown;
        }
    }
    int failed = ferror(f);
    fclose(f);
    if (!text || failed) {
        free(text);
        error_set(err, path, 0, 0, NULL, text ? "cannot read" : "out of memory");
        return NULL;
    }
    text[n] = '\0';
    if (len)
        *len = n;
    return text;
}

/* --- YAML text of a node, for --set values --- */

struct sweep_buf {
    char *s;
    size_t len, cap;
    bool oom;
};

static void sweep_put(struct sweep_buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (b->len + n + 1 > cap)
            cap *= 2;
        char *grown = realloc(b->s, cap);
        if (!grown) {
            b->oom = true;
            return;
        }
        b->s = grown;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void sweep_puts(struct sweep_buf *b, const char *s)
{
    sweep_put(b, s, strlen(s));
}

/* A scalar can go unquoted when it is made of name and number characters only. */
static bool sweep_plain_ok(const char *s)
{
    if (!*s || strcmp(s, "-") == 0)
        return false;
    for (; *s; s++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-/", *s))
            return false;
    return true;
}

static void sweep_put_scalar(struct sweep_buf *b, const char *s)
{
    if (sweep_plain_ok(s)) {
        sweep_puts(b, s);
        return;
    }
    /* Double quotes: quoting does not change how a scalar is typed (ydoc.c). */
    sweep_puts(b, "\"");
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            sweep_puts(b, "\\");
        if (*s == '\n')
            sweep_puts(b, "\\n");
        else
            sweep_put(b, s, 1);
    }
    sweep_puts(b, "\"");
}

/* Flow-style YAML of a node: "4", "[1, 2]", "{dist: exponential, mean: 3}". */
static void sweep_put_node(struct sweep_buf *b, const struct ydoc_node *n)
{
    switch (ydoc_kind(n)) {
    case YDOC_SCALAR:
        sweep_put_scalar(b, ydoc_text(n));
        break;
    case YDOC_SEQ:
        sweep_puts(b, "[");
        for (size_t i = 0; i < ydoc_len(n); i++) {
            sweep_puts(b, i ? ", " : "");
            sweep_put_node(b, ydoc_item(n, i));
        }
        sweep_puts(b, "]");
        break;
    case YDOC_MAP:
        sweep_puts(b, "{");
        for (size_t i = 0; i < ydoc_len(n); i++) {
            sweep_puts(b, i ? ", " : "");
            sweep_put_scalar(b, ydoc_entry_key(n, i));
            sweep_puts(b, ": ");
            sweep_put_node(b, ydoc_entry_peek(n, i));
        }
        sweep_puts(b, "}");
        break;
    }
}

/* Marks every entry under n as read: values are checked where they land, in the scenario. */
static void sweep_mark_read(struct ydoc_node *n)
{
    if (ydoc_kind(n) == YDOC_MAP)
        for (size_t i = 0; i < ydoc_len(n); i++)
            sweep_mark_read(ydoc_entry_value(n, i));
    else if (ydoc_kind(n) == YDOC_SEQ)
        for (size_t i = 0; i < ydoc_len(n); i++)
            sweep_mark_read(ydoc_item(n, i));
}

static char *sweep_node_text(struct ydoc_node *n)
{
    struct sweep_buf b = {0};
    sweep_put_node(&b, n);
    sweep_mark_read(n);
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s ? b.s : strdup("");
}

static char *sweep_assignment(const char *key, const char *value)
{
    size_t n = strlen(key) + strlen(value) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s=%s", key, value);
    return s;
}

/* --- labels --- */

/* "devices.workload.arrival.rate_rps" → "rate (req/s)": the last key, its unit suffix
 * (STYLE: units are in key names) shown as a unit. */
static char *sweep_derive_label(const char *key)
{
    static const struct {
        const char *suffix, *unit;
    } units[] = {
        {"_tok_s", "tok/s"},   {"_rps", "req/s"}, {"_ms", "ms"},       {"_s", "s"},
        {"_mbps", "Mbit/s"},   {"_gbs", "GB/s"},  {"_wh", "Wh"},       {"_w", "W"},
        {"_j", "J"},           {"_usd", "USD"},   {"_bytes", "bytes"}, {"_frac", "fraction"},
        {"_tokens", "tokens"},
    };
    const char *last = strrchr(key, '.');
    last = last ? last + 1 : key;
    size_t n = strcspn(last, "[");
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name ? n : sizeof name - 1), last);
    const char *unit = NULL;
    for (size_t i = 0; i < sizeof units / sizeof units[0] && !unit; i++) {
        size_t ls = strlen(units[i].suffix), ln = strlen(name);
        if (ln > ls && strcmp(name + ln - ls, units[i].suffix) == 0) {
            unit = units[i].unit;
            if (strcmp(units[i].suffix, "_tokens") != 0)
                name[ln - ls] = '\0';
        }
    }
    for (char *c = name; *c; c++)
        if (*c == '_')
            *c = ' ';
    char label[192];
    if (unit && strcmp(unit, "tokens") != 0)
        snprintf(label, sizeof label, "%s (%s)", name, unit);
    else
        snprintf(label, sizeof label, "%s", name);
    return strdup(label);
}

/* --- axes --- */

static int sweep_axis_alloc(struct sweep_axis *ax, size_t n, struct error *err)
{
    ax->values = calloc(n, sizeof ax->values[0]);
    ax->assignments = calloc(n, sizeof ax->assignments[0]);
    ax->value_nodes = calloc(n, sizeof ax->value_nodes[0]);
    if (!ax->values || !ax->assignments || !ax->value_nodes)
        return sweep_oom(err);
    return 0;
}

/* Adds value text (owned) to the axis; the assignment is built from it. */
static int sweep_axis_add(struct sweep_axis *ax, char *text, struct ydoc_node *node,
                          struct error *err)
{
    if (!text)
        return sweep_oom(err);
    ax->values[ax->n_values] = text;
    ax->value_nodes[ax->n_values] = node;
    if (!(ax->assignments[ax->n_values] = sweep_assignment(ax->key, text)))
        return sweep_oom(err);
    ax->n_values++;
    return 0;
}

static char *sweep_number_text(double x, int digits)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.*g", digits, x == 0 ? 0.0 : x); /* no "-0" */
    return strdup(buf);
}

static int sweep_axis_values(struct sweep_axis *ax, struct ydoc_node *list, struct error *err)
{
    if (ydoc_expect(list, YDOC_SEQ, err) != 0)
        return -1;
    size_t n = ydoc_len(list);
    if (n == 0)
        return ydoc_error(list, err, "values must list at least one value");
    if (n > SWEEP_MAX_AXIS_VALUES)
        return ydoc_error(list, err, "at most %d values per axis", SWEEP_MAX_AXIS_VALUES);
    if (sweep_axis_alloc(ax, n, err) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        struct ydoc_node *item = ydoc_item(list, i);
        if (sweep_axis_add(ax, sweep_node_text(item), item, err) != 0)
            return -1;
    }
    return 0;
}

static int sweep_axis_range(struct sweep_axis *ax, struct ydoc_node *range, struct error *err)
{
    struct ydoc_node *node;
    double from = 0, to = 0, step = 1;
    if (ydoc_expect(range, YDOC_MAP, err) != 0 || ydoc_require(range, "from", &node, err) != 0 ||
        ydoc_require(range, "to", &node, err) != 0 ||
        ydoc_require(range, "step", &node, err) != 0 ||
        ydoc_read_f64(range, "from", RANGE_ANY, &from, err) != 0 ||
        ydoc_read_f64(range, "to", RANGE_ANY, &to, err) != 0 ||
        ydoc_read_f64(range, "step", RANGE_POSITIVE, &step, err) != 0)
        return -1;
    if (to < from)
        return ydoc_error(ydoc_get(range, "to"), err, "to must be >= from");
    double count = floor((to - from) / step + 1e-9) + 1;
    if (count > SWEEP_MAX_AXIS_VALUES)
        return ydoc_error(range, err, "the range has %.0f values; at most %d per axis", count,
                          SWEEP_MAX_AXIS_VALUES);
    size_t n = (size_t)count;
    if (sweep_axis_alloc(ax, n, err) != 0)
        return -1;
    for (size_t k = 0; k < n; k++)
        if (sweep_axis_add(ax, sweep_number_text(from + (double)k * step, 12), range, err) != 0)
            return -1;
    return 0;
}

static int sweep_axis_log_range(struct sweep_axis *ax, struct ydoc_node *range, struct error *err)
{
    struct ydoc_node *node;
    double from = 1, to = 1;
    int64_t points = 2;
    bool round_values = false;
    if (ydoc_expect(range, YDOC_MAP, err) != 0 || ydoc_require(range, "from", &node, err) != 0 ||
        ydoc_require(range, "to", &node, err) != 0 ||
        ydoc_require(range, "points", &node, err) != 0 ||
        ydoc_read_f64(range, "from", RANGE_POSITIVE, &from, err) != 0 ||
        ydoc_read_f64(range, "to", RANGE_POSITIVE, &to, err) != 0 ||
        ydoc_read_i64(range, "points", 2, SWEEP_MAX_AXIS_VALUES, &points, err) != 0 ||
        ydoc_read_bool(range, "round", &round_values, err) != 0)
        return -1;
    if (to <= from)
        return ydoc_error(ydoc_get(range, "to"), err, "to must be > from");
    ax->log_scale = true;
    if (sweep_axis_alloc(ax, (size_t)points, err) != 0)
        return -1;
    for (int64_t k = 0; k < points; k++) {
        /* Exact ends; the geometric interior from·(to/from)^(k/(points−1)). */
        double x = k == 0            ? from
                   : k == points - 1 ? to
                                     : from * pow(to / from, (double)k / (double)(points - 1));
        char *text = round_values ? sweep_number_text(nearbyint(x), 15) : sweep_number_text(x, 6);
        if (round_values && ax->n_values > 0 && text &&
            strcmp(text, ax->values[ax->n_values - 1]) == 0) {
            free(text);
            continue;
        }
        if (round_values && text && strcmp(text, "0") == 0) {
            free(text);
            continue;
        }
        if (sweep_axis_add(ax, text, range, err) != 0)
            return -1;
    }
    return 0;
}

static const char *const sweep_reserved_columns[] = {"point",  "variant", "replication",
                                                     "metric", "unit",    "p"};

static int sweep_load_axis(struct sweep *sw, size_t i, struct ydoc_node *item, struct error *err)
{
    struct sweep_axis *ax = &sw->axes[i];
    struct ydoc_node *key, *values, *range, *log_range;
    const char *label = NULL;
    ax->node = item;
    if (ydoc_expect(item, YDOC_MAP, err) != 0 || ydoc_require(item, "key", &key, err) != 0 ||
        ydoc_read_str(item, "key", &ax->key, err) != 0 ||
        ydoc_read_str(item, "label", &label, err) != 0)
        return -1;
    if (!ax->key[0] || strchr(ax->key, '='))
        return ydoc_error(key, err, "expected a scenario key path such as cloud.slots");
    for (size_t k = 0; k < sizeof sweep_reserved_columns / sizeof sweep_reserved_columns[0]; k++)
        if (strcmp(ax->key, sweep_reserved_columns[k]) == 0)
            return ydoc_error(key, err, "'%s' names a results column; it cannot be swept", ax->key);
    for (size_t j = 0; j < i; j++)
        if (strcmp(sw->axes[j].key, ax->key) == 0)
            return ydoc_error(key, err, "key '%s' is swept twice (axes[%zu])", ax->key, j);
    values = ydoc_get(item, "values");
    range = ydoc_get(item, "range");
    log_range = ydoc_get(item, "log_range");
    int given = (values != NULL) + (range != NULL) + (log_range != NULL);
    if (given != 1)
        return ydoc_error(item, err, "an axis needs exactly one of values, range, log_range");
    int rc = values  ? sweep_axis_values(ax, values, err)
             : range ? sweep_axis_range(ax, range, err)
                     : sweep_axis_log_range(ax, log_range, err);
    if (rc != 0)
        return -1;
    ax->label = label && *label ? strdup(label) : sweep_derive_label(ax->key);
    if (!ax->label)
        return sweep_oom(err);
    return 0;
}

static int sweep_load_axes(struct sweep *sw, struct ydoc_node *root, struct error *err)
{
    struct ydoc_node *list;
    if (ydoc_require(root, "axes", &list, err) != 0 || ydoc_expect(list, YDOC_SEQ, err) != 0)
        return -1;
    if (ydoc_len(list) == 0)
        return ydoc_error(list, err, "axes must list at least one axis");
    sw->axes = calloc(ydoc_len(list), sizeof sw->axes[0]);
    sw->axis_keys = calloc(ydoc_len(list), sizeof sw->axis_keys[0]);
    if (!sw->axes || !sw->axis_keys)
        return sweep_oom(err);
    for (; sw->n_axes < ydoc_len(list); sw->n_axes++) {
        if (sweep_load_axis(sw, sw->n_axes, ydoc_item(list, sw->n_axes), err) != 0) {
            sw->n_axes++; /* so that sweep_free frees the half-loaded axis */
            return -1;
        }
        sw->axis_keys[sw->n_axes] = sw->axes[sw->n_axes].key;
    }
    static const char *const modes[] = {"grid", "zip"};
    int mode = SWEEP_GRID;
    if (ydoc_read_enum(root, "mode", modes, 2, &mode, err) != 0)
        return -1;
    sw->mode = (enum sweep_mode)mode;
    double points = 1;
    for (size_t a = 0; a < sw->n_axes; a++) {
        if (sw->mode == SWEEP_ZIP && sw->axes[a].n_values != sw->axes[0].n_values)
            return ydoc_error(sw->axes[a].node, err,
                              "mode zip needs axes of equal length: axes[0] has %zu values, "
                              "this one %zu",
                              sw->axes[0].n_values, sw->axes[a].n_values);
        if (sw->mode == SWEEP_GRID)
            points *= (double)sw->axes[a].n_values;
    }
    if (sw->mode == SWEEP_ZIP)
        points = (double)sw->axes[0].n_values;
    if (points > SWEEP_MAX_POINTS)
        return ydoc_error(list, err, "the sweep has %.0f points; at most %d", points,
                          SWEEP_MAX_POINTS);
    sw->n_points = (size_t)points;
    return 0;
}

static int sweep_load_sets(struct sweep *sw, struct ydoc_node *root, struct error *err)
{
    struct ydoc_node *set = ydoc_get(root, "set");
    if (!set)
        return 0;
    if (ydoc_expect(set, YDOC_MAP, err) != 0)
        return -1;
    sw->sets = calloc(ydoc_len(set) + 1, sizeof sw->sets[0]);
    sw->set_nodes = calloc(ydoc_len(set) + 1, sizeof sw->set_nodes[0]);
    if (!sw->sets || !sw->set_nodes)
        return sweep_oom(err);
    for (; sw->n_sets < ydoc_len(set); sw->n_sets++) {
        struct ydoc_node *value = ydoc_entry_value(set, sw->n_sets);
        char *text = sweep_node_text(value);
        sw->sets[sw->n_sets] =
            text ? sweep_assignment(ydoc_entry_key(set, sw->n_sets), text) : NULL;
        free(text);
        sw->set_nodes[sw->n_sets] = value;
        if (!sw->sets[sw->n_sets])
            return sweep_oom(err);
    }
    return 0;
}

/* The file's base name without .yaml/.yml: the default sweep name. */
static char *sweep_default_name(const char *file)
{
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    size_t n = strlen(base);
    if (n > 5 && strcmp(base + n - 5, ".yaml") == 0)
        n -= 5;
    else if (n > 4 && strcmp(base + n - 4, ".yml") == 0)
        n -= 4;
    return strndup(base, n);
}

/* path resolved against dir (unchanged when absolute or dir is "."); NULL on out-of-memory. */
static char *sweep_path_in(const char *dir, const char *path)
{
    size_t n = strlen(dir) + strlen(path) + 2;
    char *out = malloc(n);
    if (!out)
        return NULL;
    if (path[0] == '/' || strcmp(dir, ".") == 0)
        snprintf(out, n, "%s", path);
    else
        snprintf(out, n, "%s/%s", dir, path);
    return out;
}

static int sweep_load_doc(struct sweep *sw, const char *file, struct error *err)
{
    struct ydoc_node *root = ydoc_root(sw->doc);
    const char *base = NULL, *description = NULL, *name = NULL;
    int64_t seed = 0;
    if (ydoc_expect(root, YDOC_MAP, err) != 0 || ydoc_read_str(root, "name", &name, err) != 0 ||
        ydoc_read_str(root, "description", &description, err) != 0 ||
        ydoc_require(root, "base", &sw->base_node, err) != 0 ||
        ydoc_read_str(root, "base", &base, err) != 0)
        return -1;
    if (ydoc_get(root, "seed")) {
        if (ydoc_read_i64(root, "seed", 0, INT64_MAX, &seed, err) != 0)
            return -1;
        sw->has_seed = true;
        sw->seed = (uint64_t)seed;
    }
    if (ydoc_read_i64(root, "replications", 1, 100000, &sw->replications, err) != 0)
        return -1;
    if (!*base)
        return ydoc_error(sw->base_node, err, "expected the path of the base scenario");
    char dir[1024];
    ydoc_dir(sw->base_node, dir, sizeof dir);
    /* The overrides' nodes name a file in the sweep's directory, so that a relative path in
     * a `set:` or axis value resolves against the sweep file, like `base`. */
    if (!(sw->base_path = sweep_path_in(dir, base)) ||
        !(sw->sets_origin = sweep_path_in(dir, SWEEP_SETS_ORIGIN)))
        return sweep_oom(err);
    if (sweep_load_sets(sw, root, err) != 0 || sweep_load_axes(sw, root, err) != 0 ||
        expect_load(&sw->expect, ydoc_get(root, "expect"), err) != 0 ||
        expect_check_names(&sw->expect, sw->axis_keys, sw->n_axes, NULL, 0, err) != 0 ||
        plot_list_load(&sw->plots, ydoc_get(root, "plots"), err) != 0)
        return -1;
    for (size_t i = 0; i < sw->plots.n; i++)
        if (plot_check(&sw->plots.items[i], sw->axis_keys, sw->n_axes, NULL, 0, err) != 0)
            return -1;
    if (!(sw->name = name && *name ? strdup(name) : sweep_default_name(file)))
        return sweep_oom(err);
    return ydoc_check_unused(sw->doc, err);
}

int sweep_load_text(struct sweep *sw, const char *text, const char *name, struct error *err)
{
    memset(sw, 0, sizeof *sw);
    if (!(sw->text = strdup(text)))
        return sweep_oom(err);
    if (!(sw->doc = ydoc_load_string(text, name, err)))
        return -1;
    return sweep_load_doc(sw, name, err);
}

int sweep_load(struct sweep *sw, const char *path, struct error *err)
{
    memset(sw, 0, sizeof *sw);
    char *text = sweep_read_file(path, NULL, err);
    if (!text)
        return -1;
    int rc = sweep_load_text(sw, text, path, err);
    free(text);
    return rc;
}

void sweep_free(struct sweep *sw)
{
    for (size_t a = 0; sw->axes && a < sw->n_axes; a++) {
        struct sweep_axis *ax = &sw->axes[a];
        for (size_t i = 0; i < ax->n_values; i++) {
            free(ax->values[i]);
            free(ax->assignments[i]);
        }
        free(ax->values);
        free(ax->assignments);
        free(ax->value_nodes);
        free(ax->label);
    }
    free(sw->axes);
    free(sw->axis_keys);
    for (size_t i = 0; i < sw->n_sets; i++)
        free(sw->sets[i]);
    free(sw->sets);
    free(sw->set_nodes);
    expect_list_free(&sw->expect);
    plot_list_free(&sw->plots);
    free(sw->base_path);
    free(sw->sets_origin);
    free(sw->name);
    ydoc_free(sw->doc);
    free(sw->text);
    memset(sw, 0, sizeof *sw);
}

/* --- points --- */

size_t sweep_value_index(const struct sweep *sw, size_t point, size_t axis)
{
    if (sw->mode == SWEEP_ZIP)
        return point;
    /* Mixed radix with the last axis fastest. */
    for (size_t a = sw->n_axes; a-- > axis + 1;)
        point /= sw->axes[a].n_values;
    return point % sw->axes[axis].n_values;
}

size_t sweep_point_n_sets(const struct sweep *sw)
{
    return sw->n_sets + sw->n_axes;
}

void sweep_point_options(const struct sweep *sw, size_t point,
                         const struct experiment_options *base, const char **sets_buf,
                         struct experiment_options *out)
{
    *out = *base;
    size_t n = 0;
    for (size_t i = 0; i < sw->n_sets; i++)
        sets_buf[n++] = sw->sets[i];
    for (size_t a = 0; a < sw->n_axes; a++)
        sets_buf[n++] = sw->axes[a].assignments[sweep_value_index(sw, point, a)];
    out->sets = sets_buf;
    out->n_sets = n;
    out->sets_origin = sw->sets_origin;
    if (sw->has_seed) {
        out->has_seed = true;
        out->seed = sw->seed;
    }
    if (sw->replications > 0)
        out->replications = sw->replications;
}

/* True when the error's key path is `key` or lies under it. */
static bool sweep_path_under(const char *path, const char *key)
{
    size_t n = strlen(key);
    return strncmp(path, key, n) == 0 && (path[n] == '\0' || path[n] == '.' || path[n] == '[');
}

void sweep_point_error(const struct sweep *sw, size_t point, struct error *err)
{
    struct error inner = *err;
    char desc[512] = "", text[2048];
    for (size_t a = 0; a < sw->n_axes; a++) {
        size_t used = strlen(desc);
        snprintf(desc + used, sizeof desc - used, "%s%s=%s", a ? ", " : "", sw->axes[a].key,
                 sw->axes[a].values[sweep_value_index(sw, point, a)]);
    }
    size_t file_len = strlen(inner.file), origin_len = strlen(SWEEP_SETS_ORIGIN);
    bool from_set = file_len >= origin_len &&
                    strcmp(inner.file + file_len - origin_len, SWEEP_SETS_ORIGIN) == 0 &&
                    (file_len == origin_len || inner.file[file_len - origin_len - 1] == '/');
    if (from_set) /* the override's own position means nothing to the user: keep path and msg */
        snprintf(text, sizeof text, "%s%s%s", inner.path, inner.path[0] ? ": " : "", inner.msg);
    else
        error_format(&inner, text, sizeof text);
    struct ydoc_node *blame = sw->base_node;
    for (size_t a = 0; from_set && a < sw->n_axes; a++)
        if (sweep_path_under(inner.path, sw->axes[a].key))
            blame = sw->axes[a].value_nodes[sweep_value_index(sw, point, a)];
    for (size_t i = 0; from_set && blame == sw->base_node && i < sw->n_sets; i++) {
        size_t key_len = strcspn(sw->sets[i], "=");
        char key[512];
        snprintf(key, sizeof key, "%.*s", (int)key_len, sw->sets[i]);
        if (sweep_path_under(inner.path, key))
            blame = sw->set_nodes[i];
    }
    ydoc_error(blame, err, "point %zu (%s): %s", point + 1, desc, text);
}

struct sweep_table_axis *sweep_table_axes(const struct sweep *sw)
{
    struct sweep_table_axis *axes = calloc(sw->n_axes ? sw->n_axes : 1, sizeof axes[0]);
    for (size_t a = 0; axes && a < sw->n_axes; a++)
        axes[a] = (struct sweep_table_axis){
            .key = (char *)sw->axes[a].key,
            .label = sw->axes[a].label,
            .log_scale = sw->axes[a].log_scale,
            .n_values = sw->axes[a].n_values,
            .values = sw->axes[a].values,
        };
    return axes;
}

int sweep_table_for(struct sweep_table *t, const struct sweep *sw, struct error *err)
{
    struct sweep_table_axis *axes = sweep_table_axes(sw);
    if (!axes)
        return sweep_oom(err);
    int rc = sweep_table_init(t, sw->name, axes, sw->n_axes, sw->n_points, err);
    free(axes);
    if (rc != 0)
        return -1;
    for (size_t p = 0; p < sw->n_points; p++)
        for (size_t a = 0; a < sw->n_axes; a++)
            t->points[p].value_index[a] = sweep_value_index(sw, p, a);
    return 0;
}

/* FNV-1a 64 over bytes, continuing from h. */
static uint64_t sweep_fnv(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

int sweep_fingerprint(const struct sweep *sw, uint64_t *out, struct error *err)
{
    size_t len;
    char *base = sweep_read_file(sw->base_path, &len, err);
    if (!base) {
        /* Locate the message at base: in the sweep file. */
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        return ydoc_error(sw->base_node, err, "base scenario '%s': %s", sw->base_path, why);
    }
    uint64_t h = 0xcbf29ce484222325ULL;
    h = sweep_fnv(h, sw->text, strlen(sw->text) + 1);
    h = sweep_fnv(h, base, len);
    h = sweep_fnv(h, "", 1);
    h = sweep_fnv(h, HAISIM_VERSION, strlen(HAISIM_VERSION));
    free(base);
    *out = h;
    return 0;
}
