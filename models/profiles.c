/* profiles: `profile: NAME` expansion, the search path and the listing (see profiles.h). */
#include "profiles.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "suggest.h"

enum {
    PROFILES_MAX_NAME = 200,        /* characters in a name */
    PROFILES_MAX_DIR_DEPTH = 16,    /* subdirectories followed when listing (symlink loops) */
    PROFILES_MAX_NODE_DEPTH = 4096, /* maps and lists nested in an expanded document */
    PROFILES_MAX_APPLIED = 100000,  /* profile applications in one document */
};

static const char *const profile_kinds[] = {"model", "device", "network", "price", "server"};
static const char *const profile_keys[] = {"kind", "description", "source", "values"};
#define PROFILES_COUNT(a) (sizeof(a) / sizeof((a)[0]))

static char *profiles_strdup(const char *s)
{
    size_t len = strlen(s) + 1;
    char *d = malloc(len);
    if (d)
        memcpy(d, s, len);
    return d;
}

/* "a" + "/" + "b" + suffix, or NULL on out-of-memory. */
static char *profiles_join(const char *dir, const char *name, const char *suffix)
{
    size_t len = strlen(dir) + 1 + strlen(name) + strlen(suffix) + 1;
    char *s = malloc(len);
    if (s)
        snprintf(s, len, "%s/%s%s", dir, name, suffix);
    return s;
}

static bool profiles_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool profiles_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* --- the search path --- */

static int profiles_path_add(struct profiles_path *p, const char *dir, size_t len)
{
    const char **dirs = realloc(p->dirs, (p->n + 1) * sizeof dirs[0]);
    if (!dirs)
        return -1;
    p->dirs = dirs;
    char *copy = malloc(len + 1);
    if (!copy)
        return -1;
    memcpy(copy, dir, len);
    copy[len] = '\0';
    p->dirs[p->n++] = copy;
    return 0;
}

int profiles_path_init(struct profiles_path *p, const char *scenario_path, const char *env_path,
                       const char *builtin_dir, struct error *err)
{
    *p = (struct profiles_path){NULL, 0};
    int rc = 0;
    if (scenario_path) {
        /* "dir/x.yaml" -> "dir/profiles"; "/x.yaml" -> "/profiles"; "x.yaml" -> "profiles" */
        const char *slash = strrchr(scenario_path, '/');
        size_t dir_len = slash ? (size_t)(slash - scenario_path) + 1 : 0;
        size_t len = dir_len + sizeof "profiles";
        char *dir = malloc(len);
        if (!dir) {
            rc = -1;
        } else {
            snprintf(dir, len, "%.*sprofiles", (int)dir_len, scenario_path);
            rc = profiles_path_add(p, dir, strlen(dir));
            free(dir);
        }
    }
    for (const char *s = env_path; rc == 0 && s && *s;) {
        const char *colon = strchr(s, ':');
        size_t len = colon ? (size_t)(colon - s) : strlen(s);
        if (len > 0)
            rc = profiles_path_add(p, s, len);
        s += len + (colon != NULL);
    }
    if (rc == 0 && builtin_dir && *builtin_dir)
        rc = profiles_path_add(p, builtin_dir, strlen(builtin_dir));
    if (rc != 0) {
        profiles_path_free(p);
        return error_set(err, NULL, 0, 0, NULL, "out of memory");
    }
    return 0;
}

void profiles_path_free(struct profiles_path *p)
{
    for (size_t i = 0; p && i < p->n; i++)
        free((char *)p->dirs[i]);
    if (p) {
        free(p->dirs);
        *p = (struct profiles_path){NULL, 0};
    }
}

/* --- names --- */

/* 0 when name is a safe profile name; otherwise -1 with the reason in why. */
static int profiles_check_name(const char *name, char *why, size_t len)
{
    size_t n = strlen(name);
    if (n == 0) {
        snprintf(why, len, "a profile name must not be empty");
        return -1;
    }
    if (n > PROFILES_MAX_NAME) {
        snprintf(why, len, "a profile name is at most %d characters, got %zu", PROFILES_MAX_NAME,
                 n);
        return -1;
    }
    if (name[0] == '/') {
        snprintf(why, len,
                 "a profile name must be relative to the profile directories (such as "
                 "'model/llama-3.2-3b-oneplus-12'), got '%s'",
                 name);
        return -1;
    }
    for (const char *c = name; *c; c++) {
        bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                  (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' || *c == '-' || *c == '/';
        if (!ok) {
            snprintf(why, len,
                     "a profile name may hold only letters, digits, '.', '_', '-' and '/', "
                     "got '%s'",
                     name);
            return -1;
        }
    }
    for (const char *part = name;;) {
        const char *slash = strchr(part, '/');
        size_t plen = slash ? (size_t)(slash - part) : strlen(part);
        if (plen == 0 || (plen == 1 && part[0] == '.') ||
            (plen == 2 && part[0] == '.' && part[1] == '.')) {
            snprintf(why, len,
                     "a profile name must not have an empty, '.' or '..' part (it names a "
                     "file inside the profile directories), got '%s'",
                     name);
            return -1;
        }
        if (!slash)
            break;
        part = slash + 1;
    }
    if (profiles_ends_with(name, ".yaml")) {
        snprintf(why, len, "write the profile name without '.yaml' ('%.*s')", (int)(n - 5), name);
        return -1;
    }
    return 0;
}

struct profiles_names {
    char **names;
    char **paths; /* the file each name resolves to (first directory wins) */
    size_t n, cap;
};

static void profiles_names_free(struct profiles_names *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->names[i]);
        free(l->paths[i]);
    }
    free(l->names);
    free(l->paths);
    *l = (struct profiles_names){0};
}

/* Adds name (taking ownership of both strings) unless already present. */
static int profiles_names_add(struct profiles_names *l, char *name, char *path)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->names[i], name) == 0) {
            free(name);
            free(path);
            return 0;
        }
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        char **names = realloc(l->names, cap * sizeof names[0]);
        if (names)
            l->names = names;
        char **paths = names ? realloc(l->paths, cap * sizeof paths[0]) : NULL;
        if (paths)
            l->paths = paths;
        if (!names || !paths) {
            free(name);
            free(path);
            return -1;
        }
        l->cap = cap;
    }
    l->names[l->n] = name;
    l->paths[l->n++] = path;
    return 0;
}

static int profiles_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collects `<root>/<prefix>...*.yaml` as names "<prefix>..." (hidden entries skipped). */
static int profiles_collect(struct profiles_names *l, const char *root, const char *prefix,
                            int depth)
{
    char *dir = prefix[0] ? profiles_join(root, prefix, "") : profiles_strdup(root);
    if (!dir)
        return -1;
    DIR *d = opendir(dir);
    if (!d) { /* a missing or unreadable directory contributes nothing */
        free(dir);
        return 0;
    }
    /* Read all entries first and sort them, so the result does not depend on readdir's
     * order. */
    char **entries = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    for (struct dirent *e; rc == 0 && (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            char **grown = realloc(entries, (cap = cap ? 2 * cap : 16) * sizeof grown[0]);
            if (!grown) {
                rc = -1;
                break;
            }
            entries = grown;
        }
        if (!(entries[n] = profiles_strdup(e->d_name)))
            rc = -1;
        else
            n++;
    }
    closedir(d);
    if (entries)
        qsort(entries, n, sizeof entries[0], profiles_cmp_str);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char *path = profiles_join(dir, entries[i], "");
        char *name =
            prefix[0] ? profiles_join(prefix, entries[i], "") : profiles_strdup(entries[i]);
        struct stat st;
        if (!path || !name) {
            rc = -1;
        } else if (stat(path, &st) != 0) {
            /* a dangling link: skip */
        } else if (S_ISDIR(st.st_mode)) {
            if (depth < PROFILES_MAX_DIR_DEPTH)
                rc = profiles_collect(l, root, name, depth + 1);
        } else if (S_ISREG(st.st_mode) && profiles_ends_with(name, ".yaml")) {
            name[strlen(name) - 5] = '\0';
            char why[16];
            if (profiles_check_name(name, why, sizeof why) == 0) {
                rc = profiles_names_add(l, name, path);
                name = path = NULL;
            }
        }
        free(path);
        free(name);
    }
    for (size_t i = 0; i < n; i++)
        free(entries[i]);
    free(entries);
    free(dir);
    return rc;
}

static int profiles_collect_all(struct profiles_names *l, const char *const *dirs, size_t n_dirs)
{
    for (size_t i = 0; i < n_dirs; i++)
        if (profiles_collect(l, dirs[i], "", 0) != 0)
            return -1;
    return 0;
}

/* --- one profile file --- */

struct profile_header {
    int kind;
    const char *description, *source;
    struct ydoc_node *values;
};

static bool profiles_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

static int profiles_read_text(struct ydoc_node *root, const char *key, const char *why,
                              const char **out, struct error *err)
{
    struct ydoc_node *n;
    if (ydoc_require(root, key, &n, err) != 0 || ydoc_read_str(root, key, out, err) != 0)
        return -1;
    if (profiles_blank(*out))
        return ydoc_error(n, err, "'%s' must not be empty: %s", key, why);
    return 0;
}

/* Checks a profile file's top level: kind, description, source, values and nothing else. */
static int profiles_read_header(struct ydoc *doc, struct profile_header *h, struct error *err)
{
    struct ydoc_node *root = ydoc_root(doc);
    if (ydoc_expect(root, YDOC_MAP, err) != 0)
        return -1;
    struct ydoc_node *kind;
    h->kind = 0;
    if (ydoc_require(root, "kind", &kind, err) != 0 ||
        ydoc_read_enum(root, "kind", profile_kinds, PROFILES_COUNT(profile_kinds), &h->kind, err) !=
            0 ||
        profiles_read_text(root, "description", "say in one line what the profile describes",
                           &h->description, err) != 0 ||
        profiles_read_text(root, "source", "name the published source of every number", &h->source,
                           err) != 0 ||
        ydoc_require(root, "values", &h->values, err) != 0 ||
        ydoc_expect(h->values, YDOC_MAP, err) != 0)
        return -1;
    /* ydoc_check_unused would also walk into `values`, which no one has read yet. */
    for (size_t i = 0; i < ydoc_len(root); i++) {
        const char *key = ydoc_entry_key(root, i);
        bool known = false;
        for (size_t k = 0; k < PROFILES_COUNT(profile_keys); k++)
            known = known || strcmp(key, profile_keys[k]) == 0;
        if (known)
            continue;
        const char *close = suggest_closest(key, profile_keys, PROFILES_COUNT(profile_keys));
        struct ydoc_node *at = ydoc_entry_peek(root, i);
        if (close)
            return ydoc_error(at, err,
                              "unknown key '%s' in a profile (did you mean '%s'?); a profile "
                              "has kind, description, source and values",
                              key, close);
        return ydoc_error(at, err,
                          "unknown key '%s' in a profile; a profile has kind, description, "
                          "source and values (keys for the scenario go under values)",
                          key);
    }
    return 0;
}

/* --- expansion --- */

struct profiles_loaded {
    char *name;
    struct ydoc *doc;
    struct ydoc_node *values;
};

struct profiles_expander {
    struct ydoc *doc;
    const char *const *dirs;
    size_t n_dirs;
    struct profiles_loaded *loaded; /* cache: each file is read once per expansion */
    size_t n_loaded, cap_loaded;
    size_t applied;
    struct error *err;
};

/* The chain of profiles applied to a map and its ancestors, innermost first. */
struct profiles_chain {
    const char *name;
    const struct profiles_chain *up;
};

/* Appends " (profile NAME named at FILE:LINE:COL)" to an error found in a profile file. */
static void profiles_note_use(struct error *err, const char *name, const struct ydoc_node *at)
{
    size_t used = strlen(err->msg);
    snprintf(err->msg + used, sizeof err->msg - used, " (profile '%s' named at %s:%d:%d)", name,
             ydoc_file(at), ydoc_line(at), ydoc_col(at));
}

static int profiles_unknown(struct profiles_expander *x, const struct ydoc_node *at,
                            const char *name)
{
    struct profiles_names all = {0};
    if (profiles_collect_all(&all, x->dirs, x->n_dirs) != 0) {
        profiles_names_free(&all);
        return ydoc_error(at, x->err, "out of memory");
    }
    /* A name given without its directory ("llama-3.2-1b-oneplus-12") is the likeliest
     * slip; otherwise the closest name by edit distance. */
    const char *close = NULL;
    for (size_t i = 0; i < all.n && !close; i++) {
        const char *slash = strrchr(all.names[i], '/');
        if (slash && strcmp(slash + 1, name) == 0)
            close = all.names[i];
    }
    if (!close)
        close = suggest_closest(name, (const char *const *)all.names, all.n);
    char dirs[512] = "";
    for (size_t i = 0, used = 0; i < x->n_dirs && used < sizeof dirs; i++)
        used +=
            (size_t)snprintf(dirs + used, sizeof dirs - used, "%s%s", i ? ", " : "", x->dirs[i]);
    int rc;
    if (close)
        rc = ydoc_error(at, x->err, "unknown profile '%s' (did you mean '%s'?); searched %s", name,
                        close, x->n_dirs ? dirs : "no directories");
    else
        rc = ydoc_error(at, x->err, "unknown profile '%s'; searched %s (%zu profiles there)", name,
                        x->n_dirs ? dirs : "no directories", all.n);
    profiles_names_free(&all);
    return rc;
}

/* Finds, reads and checks the profile named at `at` (a `profile` value); cached. */
static int profiles_load(struct profiles_expander *x, const struct ydoc_node *at,
                         struct profiles_loaded **out)
{
    const char *name = ydoc_text(at);
    char why[512];
    if (!name)
        return ydoc_error(at, x->err,
                          "expected a profile name (such as 'model/llama-3.2-3b-oneplus-12'), "
                          "got %s",
                          ydoc_kind_name(ydoc_kind(at)));
    if (profiles_check_name(name, why, sizeof why) != 0)
        return ydoc_error(at, x->err, "%s", why);
    for (size_t i = 0; i < x->n_loaded; i++) {
        if (strcmp(x->loaded[i].name, name) == 0) {
            *out = &x->loaded[i];
            return 0;
        }
    }
    char *path = NULL;
    for (size_t i = 0; i < x->n_dirs && !path; i++) {
        if (!(path = profiles_join(x->dirs[i], name, ".yaml")))
            return ydoc_error(at, x->err, "out of memory");
        if (!profiles_is_file(path)) {
            free(path);
            path = NULL;
        }
    }
    if (!path)
        return profiles_unknown(x, at, name);
    struct ydoc *doc = ydoc_load_file(path, x->err);
    free(path);
    struct profile_header h;
    if (!doc || profiles_read_header(doc, &h, x->err) != 0) {
        ydoc_free(doc);
        profiles_note_use(x->err, name, at);
        return -1;
    }
    if (x->n_loaded == x->cap_loaded) {
        size_t cap = x->cap_loaded ? 2 * x->cap_loaded : 8;
        struct profiles_loaded *grown = realloc(x->loaded, cap * sizeof grown[0]);
        if (!grown) {
            ydoc_free(doc);
            return ydoc_error(at, x->err, "out of memory");
        }
        x->loaded = grown;
        x->cap_loaded = cap;
    }
    char *copy = profiles_strdup(name);
    if (!copy) {
        ydoc_free(doc);
        return ydoc_error(at, x->err, "out of memory");
    }
    x->loaded[x->n_loaded] = (struct profiles_loaded){copy, doc, h.values};
    *out = &x->loaded[x->n_loaded++];
    return 0;
}

static int profiles_cycle(struct profiles_expander *x, const struct ydoc_node *at, const char *name,
                          const struct profiles_chain *chain)
{
    /* The chain is innermost first; the message reads outermost first. */
    size_t n = 0;
    for (const struct profiles_chain *c = chain; c; c = c->up)
        n++;
    char msg[sizeof x->err->msg];
    size_t used = (size_t)snprintf(msg, sizeof msg, "profile cycle: ");
    for (size_t depth = n; depth-- > 0 && used < sizeof msg;) {
        const struct profiles_chain *c = chain;
        for (size_t k = 0; k < depth; k++)
            c = c->up;
        used += (size_t)snprintf(msg + used, sizeof msg - used, "%s -> ", c->name);
    }
    if (used < sizeof msg)
        snprintf(msg + used, sizeof msg - used, "%s", name);
    return ydoc_error(at, x->err, "%s", msg);
}

/* The index of map's `profile` entry, or ydoc_len(map); found without marking anything. */
static size_t profiles_find_key(const struct ydoc_node *map)
{
    size_t n = ydoc_len(map), i = 0;
    while (i < n && strcmp(ydoc_entry_key(map, i), "profile") != 0)
        i++;
    return i;
}

static int profiles_visit(struct profiles_expander *x, struct ydoc_node *n,
                          const struct profiles_chain *chain, int depth);

static int profiles_visit_children(struct profiles_expander *x, struct ydoc_node *map,
                                   const struct profiles_chain *chain, int depth)
{
    for (size_t i = 0; i < ydoc_len(map); i++)
        if (profiles_visit(x, ydoc_entry_peek(map, i), chain, depth + 1) != 0)
            return -1;
    return 0;
}

/* Merges the profile named at `at` into map, then the profile its values name, and so on;
 * then visits map's children with the chain so extended. */
static int profiles_apply(struct profiles_expander *x, struct ydoc_node *map,
                          const struct ydoc_node *at, const struct profiles_chain *chain, int depth)
{
    if (!at)
        return profiles_visit_children(x, map, chain, depth);
    struct profiles_loaded *p;
    if (profiles_load(x, at, &p) != 0)
        return -1;
    /* Later loads may move the cache array, but not the name and the document it points
     * to: keep those, not p. */
    const char *name = p->name;
    const struct ydoc_node *values = p->values;
    for (const struct profiles_chain *c = chain; c; c = c->up)
        if (strcmp(c->name, name) == 0)
            return profiles_cycle(x, at, name, chain);
    if (++x->applied > PROFILES_MAX_APPLIED)
        return ydoc_error(at, x->err, "profiles are applied more than %d times in one document",
                          PROFILES_MAX_APPLIED);
    /* map already holds a `profile` key, so the merge never copies the values' own
     * `profile` entry: it is followed here instead, as the next, weaker layer. */
    if (ydoc_merge_defaults(x->doc, map, values, x->err) != 0)
        return -1;
    const struct profiles_chain link = {name, chain};
    return profiles_apply(x, map, ydoc_entry_peek(values, profiles_find_key(values)), &link, depth);
}

static int profiles_visit(struct profiles_expander *x, struct ydoc_node *n,
                          const struct profiles_chain *chain, int depth)
{
    if (depth > PROFILES_MAX_NODE_DEPTH)
        return ydoc_error(n, x->err, "profiles nest deeper than %d levels",
                          PROFILES_MAX_NODE_DEPTH);
    if (ydoc_kind(n) == YDOC_SEQ) {
        for (size_t i = 0; i < ydoc_len(n); i++)
            if (profiles_visit(x, ydoc_item(n, i), chain, depth + 1) != 0)
                return -1;
        return 0;
    }
    if (ydoc_kind(n) != YDOC_MAP)
        return 0;
    if (profiles_find_key(n) == ydoc_len(n))
        return profiles_visit_children(x, n, chain, depth);
    /* ydoc_get marks the entry used: the key is consumed by expansion. */
    return profiles_apply(x, n, ydoc_get(n, "profile"), chain, depth);
}

int profiles_expand(struct ydoc *doc, const char *const *search_dirs, size_t n_dirs,
                    struct error *err)
{
    struct profiles_expander x = {.doc = doc, .dirs = search_dirs, .n_dirs = n_dirs, .err = err};
    struct ydoc_node *root = ydoc_root(doc);
    int rc = root ? profiles_visit(&x, root, NULL, 0) : 0;
    for (size_t i = 0; i < x.n_loaded; i++) {
        free(x.loaded[i].name);
        ydoc_free(x.loaded[i].doc);
    }
    free(x.loaded);
    return rc;
}

/* --- listing --- */

void profile_info_free(struct profile_info *list, size_t n)
{
    for (size_t i = 0; list && i < n; i++) {
        free(list[i].name);
        free(list[i].kind);
        free(list[i].description);
        free(list[i].source);
        free(list[i].path);
    }
    free(list);
}

int profiles_list(const char *const *search_dirs, size_t n_dirs, struct profile_info **out,
                  size_t *n_out, struct error *err)
{
    *out = NULL;
    *n_out = 0;
    struct profiles_names all = {0};
    if (profiles_collect_all(&all, search_dirs, n_dirs) != 0) {
        profiles_names_free(&all);
        return error_set(err, NULL, 0, 0, NULL, "out of memory");
    }
    struct profile_info *list = all.n ? calloc(all.n, sizeof list[0]) : NULL;
    if (all.n && !list) {
        profiles_names_free(&all);
        return error_set(err, NULL, 0, 0, NULL, "out of memory");
    }
    int rc = 0;
    for (size_t i = 0; i < all.n && rc == 0; i++) {
        struct ydoc *doc = ydoc_load_file(all.paths[i], err);
        struct profile_header h;
        if (!doc || profiles_read_header(doc, &h, err) != 0) {
            rc = -1;
        } else {
            struct profile_info *p = &list[i];
            p->name = profiles_strdup(all.names[i]);
            p->kind = profiles_strdup(profile_kinds[h.kind]);
            p->description = profiles_strdup(h.description);
            p->source = profiles_strdup(h.source);
            p->path = profiles_strdup(all.paths[i]);
            if (!p->name || !p->kind || !p->description || !p->source || !p->path)
                rc = error_set(err, all.paths[i], 0, 0, NULL, "out of memory");
        }
        ydoc_free(doc);
    }
    size_t n = all.n;
    profiles_names_free(&all);
    if (rc != 0) {
        profile_info_free(list, n);
        return -1;
    }
    /* Names were collected directory by directory; the listing is by name. */
    for (size_t i = 1; i < n; i++) {
        struct profile_info tmp = list[i];
        size_t j = i;
        for (; j > 0 && strcmp(list[j - 1].name, tmp.name) > 0; j--)
            list[j] = list[j - 1];
        list[j] = tmp;
    }
    *out = list;
    *n_out = n;
    return 0;
}
