/* ydoc: YAML documents as trees of located nodes (see ydoc.h).
 *
 * The tree is built from libyaml's event stream without a stack of its own: the innermost
 * open container is the builder's `cur`, and an end event moves to its parent. A map entry
 * is appended when its key arrives and gets its value from the next node.
 *
 * Every node of a document, including nodes later replaced by ydoc_set, is on the
 * document's `nodes` list; ydoc_free walks that list, so node pointers and scalar texts
 * stay valid until the document is freed and no error path has to free a half-built
 * subtree. File names are interned per document (nodes from --set or from another
 * document keep their own file).
 *
 * Scalars are typed only when read, with deliberately narrow rules (documented here
 * because YAML itself is permissive):
 *   numbers   decimal notation only: optional sign, digits, optional fraction and exponent
 *             ("3", "-0.5", ".5", "1e-3"); no hex, no underscores, no nan/inf/.inf, and the
 *             value must be finite;
 *   integers  optional sign and decimal digits only ("1e3" and "1.0" are rejected);
 *   booleans  true/True/TRUE and false/False/FALSE only (YAML 1.2; "yes", "on" are errors);
 *   quoting   does not matter: '3' reads as the number 3 and 3 reads as the string "3".
 *
 * Aliases are expanded by copying the anchored node; the copy's top node is located at
 * the alias, its descendants where the anchored text is. Anchors on map keys are ignored.
 * Nesting is limited to YDOC_MAX_DEPTH and alias expansion to YDOC_MAX_ALIAS_NODES copied
 * nodes, so hostile input can neither blow the stack nor the memory. */
#include "ydoc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "infile.h"
#include "suggest.h"

enum {
    YDOC_MAX_DEPTH = 256,
    YDOC_MAX_ALIAS_NODES = 1000000,
    YDOC_SHOWN_TEXT = 80, /* longer scalar texts are shortened in messages */
};

struct ydoc_entry {
    char *key;
    const char *file; /* of the key, interned in the document */
    int line, col;    /* of the key */
    struct ydoc_node *value;
    bool used;
};

struct ydoc_node {
    enum ydoc_kind kind;
    const char *file; /* interned in the document */
    int line, col;
    struct ydoc_node *parent; /* NULL for the root and for nodes not yet placed */
    size_t index;             /* position in the parent's items or entries */
    char *text;               /* scalar */
    struct ydoc_node **items; /* list */
    struct ydoc_entry *entries;
    size_t len, cap;    /* of items or entries */
    const char **known; /* map: keys asked for by ydoc_get (borrowed pointers) */
    size_t n_known, cap_known;
    bool open;              /* while loading: container whose end event has not come */
    struct ydoc_node *next; /* the document's list of all its nodes */
};

struct ydoc_file {
    struct ydoc_file *next;
    char name[];
};

struct ydoc {
    struct ydoc_node *root;
    struct ydoc_node *nodes; /* every node allocated for this document */
    size_t n_nodes;
    struct ydoc_file *files;
};

/* --- allocation --- */

static char *ydoc_strndup(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static const char *ydoc_intern(struct ydoc *doc, const char *name)
{
    if (!name)
        name = "";
    for (struct ydoc_file *f = doc->files; f; f = f->next)
        if (strcmp(f->name, name) == 0)
            return f->name;
    size_t len = strlen(name);
    struct ydoc_file *f = malloc(sizeof *f + len + 1);
    if (!f)
        return NULL;
    memcpy(f->name, name, len + 1);
    f->next = doc->files;
    doc->files = f;
    return f->name;
}

static struct ydoc_node *ydoc_node_new(struct ydoc *doc, enum ydoc_kind kind, const char *file,
                                       int line, int col)
{
    struct ydoc_node *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->kind = kind;
    n->file = file;
    n->line = line;
    n->col = col;
    n->next = doc->nodes;
    doc->nodes = n;
    doc->n_nodes++;
    return n;
}

static struct ydoc_node *ydoc_scalar_new(struct ydoc *doc, const char *text, size_t len,
                                         const char *file, int line, int col)
{
    struct ydoc_node *n = ydoc_node_new(doc, YDOC_SCALAR, file, line, col);
    if (!n || !(n->text = ydoc_strndup(text, len)))
        return NULL;
    return n;
}

/* Returns array with room for one more element (growing it and *cap), or NULL. */
static void *ydoc_grow(void *array, size_t *cap, size_t len, size_t size)
{
    if (len < *cap)
        return array;
    size_t new_cap = *cap ? *cap * 2 : 4;
    void *grown = realloc(array, new_cap * size);
    if (grown)
        *cap = new_cap;
    return grown;
}

static void ydoc_adopt(struct ydoc_node *parent, size_t index, struct ydoc_node *child)
{
    child->parent = parent;
    child->index = index;
}

static int ydoc_push_item(struct ydoc_node *seq, struct ydoc_node *item)
{
    struct ydoc_node **items = ydoc_grow(seq->items, &seq->cap, seq->len, sizeof items[0]);
    if (!items)
        return -1;
    seq->items = items;
    ydoc_adopt(seq, seq->len, item);
    seq->items[seq->len++] = item;
    return 0;
}

/* Appends an entry without a value; takes ownership of key (freed on failure). */
static int ydoc_push_entry(struct ydoc_node *map, char *key, const char *file, int line, int col)
{
    struct ydoc_entry *entries =
        key ? ydoc_grow(map->entries, &map->cap, map->len, sizeof entries[0]) : NULL;
    if (!entries) {
        free(key);
        return -1;
    }
    map->entries = entries;
    map->entries[map->len++] = (struct ydoc_entry){key, file, line, col, NULL, false};
    return 0;
}

static size_t ydoc_find(const struct ydoc_node *map, const char *key, size_t key_len)
{
    size_t i = 0;
    for (; i < map->len; i++)
        if (strncmp(map->entries[i].key, key, key_len) == 0 && map->entries[i].key[key_len] == 0)
            break;
    return i;
}

/* Deep copy of src into dst (marks, used flags, known keys). The copy is detached. */
static struct ydoc_node *ydoc_copy(struct ydoc *dst, const struct ydoc_node *src)
{
    const char *file = ydoc_intern(dst, src->file);
    struct ydoc_node *n = file ? ydoc_node_new(dst, src->kind, file, src->line, src->col) : NULL;
    if (!n)
        return NULL;
    if (src->kind == YDOC_SCALAR)
        return (n->text = ydoc_strndup(src->text, strlen(src->text))) ? n : NULL;
    if (src->n_known) {
        if (!(n->known = malloc(src->n_known * sizeof n->known[0])))
            return NULL;
        memcpy(n->known, src->known, src->n_known * sizeof n->known[0]);
        n->n_known = n->cap_known = src->n_known;
    }
    for (size_t i = 0; i < src->len; i++) {
        if (src->kind == YDOC_SEQ) {
            struct ydoc_node *item = ydoc_copy(dst, src->items[i]);
            if (!item || ydoc_push_item(n, item) != 0)
                return NULL;
            continue;
        }
        const struct ydoc_entry *e = &src->entries[i];
        const char *key_file = ydoc_intern(dst, e->file);
        struct ydoc_node *value = ydoc_copy(dst, e->value);
        if (!key_file || !value ||
            ydoc_push_entry(n, ydoc_strndup(e->key, strlen(e->key)), key_file, e->line, e->col) !=
                0)
            return NULL;
        n->entries[i].used = e->used;
        n->entries[i].value = value;
        ydoc_adopt(n, i, value);
    }
    return n;
}

void ydoc_free(struct ydoc *doc)
{
    if (!doc)
        return;
    for (struct ydoc_node *n = doc->nodes, *next; n; n = next) {
        next = n->next;
        free(n->text);
        free(n->items);
        for (size_t i = 0; n->kind == YDOC_MAP && i < n->len; i++)
            free(n->entries[i].key);
        free(n->entries);
        free(n->known);
        free(n);
    }
    for (struct ydoc_file *f = doc->files, *next; f; f = next) {
        next = f->next;
        free(f);
    }
    free(doc);
}

/* --- paths and messages --- */

struct ydoc_buf {
    char *s;
    size_t len, pos; /* invariant: pos < len and s[pos] == 0 */
};

static void ydoc_put(struct ydoc_buf *b, const char *s, size_t n)
{
    size_t room = b->len - 1 - b->pos;
    if (n > room)
        n = room;
    memcpy(b->s + b->pos, s, n);
    b->pos += n;
    b->s[b->pos] = '\0';
}

static void ydoc_put_path(struct ydoc_buf *b, const struct ydoc_node *n)
{
    const struct ydoc_node *p = n->parent;
    if (!p)
        return;
    ydoc_put_path(b, p);
    if (p->kind == YDOC_MAP) {
        if (b->pos > 0)
            ydoc_put(b, ".", 1);
        const char *key = p->entries[n->index].key;
        ydoc_put(b, key, strlen(key));
    } else {
        char index[32];
        ydoc_put(b, index, (size_t)snprintf(index, sizeof index, "[%zu]", n->index));
    }
}

void ydoc_path(const struct ydoc_node *n, char *buf, size_t len)
{
    if (len == 0)
        return;
    struct ydoc_buf b = {buf, len, 0};
    buf[0] = '\0';
    if (n)
        ydoc_put_path(&b, n);
}

/* Path of the entry with this key in map (for errors about keys). */
static void ydoc_key_path(const struct ydoc_node *map, const char *key, char *buf, size_t len)
{
    ydoc_path(map, buf, len);
    struct ydoc_buf b = {buf, len, strlen(buf)};
    if (b.pos > 0)
        ydoc_put(&b, ".", 1);
    ydoc_put(&b, key, strlen(key));
}

void ydoc_dir(const struct ydoc_node *n, char *buf, size_t len)
{
    const char *file = n ? n->file : "";
    const char *slash = strrchr(file, '/');
    if (!slash)
        snprintf(buf, len, ".");
    else if (slash == file)
        snprintf(buf, len, "/");
    else
        snprintf(buf, len, "%.*s", (int)(slash - file), file);
}

int ydoc_error(const struct ydoc_node *n, struct error *err, const char *fmt, ...)
{
    char msg[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!n)
        return error_set(err, NULL, 0, 0, NULL, "%s", msg);
    char path[sizeof err->path];
    ydoc_path(n, path, sizeof path);
    return error_set(err, n->file, n->line, n->col, path, "%s", msg);
}

/* What a message says was found: the quoted scalar text (shortened) or the node's kind. */
static void ydoc_found(const struct ydoc_node *n, char *buf, size_t len)
{
    if (!n)
        snprintf(buf, len, "nothing");
    else if (n->kind != YDOC_SCALAR)
        snprintf(buf, len, "%s", ydoc_kind_name(n->kind));
    else if (strlen(n->text) <= YDOC_SHOWN_TEXT)
        snprintf(buf, len, "'%s'", n->text);
    else
        snprintf(buf, len, "'%.*s...'", YDOC_SHOWN_TEXT - 3, n->text);
}

/* --- loading --- */

struct ydoc_anchor {
    char *name;
    struct ydoc_node *node;
};

struct ydoc_builder {
    struct ydoc *doc;
    const char *file;      /* interned */
    int col_shift;         /* added to columns on line 1 (see ydoc_set) */
    struct ydoc_node *cur; /* innermost open container; NULL at the top level */
    int depth;
    int documents;
    size_t alias_nodes;
    struct ydoc_anchor *anchors;
    size_t n_anchors, cap_anchors;
    struct error *err;
};

static bool ydoc_wants_key(const struct ydoc_node *cur)
{
    return cur && cur->kind == YDOC_MAP && (cur->len == 0 || cur->entries[cur->len - 1].value);
}

static int ydoc_oom(struct ydoc_builder *b)
{
    return error_set(b->err, b->file, 0, 0, NULL, "out of memory");
}

static int ydoc_add_key(struct ydoc_builder *b, const char *key, size_t len, int line, int col)
{
    struct ydoc_node *map = b->cur;
    size_t at = ydoc_find(map, key, len);
    if (at < map->len) {
        char path[sizeof b->err->path];
        ydoc_key_path(map, map->entries[at].key, path, sizeof path);
        return error_set(b->err, b->file, line, col, path,
                         "duplicate key '%s' (first at line %d, column %d)", map->entries[at].key,
                         map->entries[at].line, map->entries[at].col);
    }
    if (ydoc_push_entry(map, ydoc_strndup(key, len), b->file, line, col) != 0)
        return ydoc_oom(b);
    return 0;
}

/* Places a finished or just-opened node: as the root, a list item or a map value. */
static int ydoc_attach(struct ydoc_builder *b, struct ydoc_node *n, const yaml_char_t *anchor)
{
    struct ydoc_node *cur = b->cur;
    if (!cur) {
        b->doc->root = n;
    } else if (cur->kind == YDOC_SEQ) {
        if (ydoc_push_item(cur, n) != 0)
            return ydoc_oom(b);
    } else {
        cur->entries[cur->len - 1].value = n;
        ydoc_adopt(cur, cur->len - 1, n);
    }
    if (!anchor)
        return 0;
    struct ydoc_anchor *anchors =
        ydoc_grow(b->anchors, &b->cap_anchors, b->n_anchors, sizeof anchors[0]);
    if (!anchors)
        return ydoc_oom(b);
    b->anchors = anchors;
    char *name = ydoc_strndup((const char *)anchor, strlen((const char *)anchor));
    if (!name)
        return ydoc_oom(b);
    b->anchors[b->n_anchors++] = (struct ydoc_anchor){name, n};
    return 0;
}

static int ydoc_on_alias(struct ydoc_builder *b, const char *name, int line, int col)
{
    struct ydoc_node *target = NULL;
    for (size_t i = b->n_anchors; i-- > 0 && !target;) /* the latest definition wins */
        if (strcmp(b->anchors[i].name, name) == 0)
            target = b->anchors[i].node;
    if (!target)
        return error_set(b->err, b->file, line, col, NULL, "unknown alias '*%s'", name);
    if (target->open)
        return error_set(b->err, b->file, line, col, NULL,
                         "alias '*%s' refers to a node that contains it", name);
    if (ydoc_wants_key(b->cur)) {
        if (target->kind != YDOC_SCALAR)
            return error_set(b->err, b->file, line, col, NULL, "a map key must be a scalar, got %s",
                             ydoc_kind_name(target->kind));
        return ydoc_add_key(b, target->text, strlen(target->text), line, col);
    }
    size_t before = b->doc->n_nodes;
    struct ydoc_node *copy = ydoc_copy(b->doc, target);
    if (!copy)
        return ydoc_oom(b);
    b->alias_nodes += b->doc->n_nodes - before;
    if (b->alias_nodes > YDOC_MAX_ALIAS_NODES)
        return error_set(b->err, b->file, line, col, NULL, "aliases expand to more than %d nodes",
                         YDOC_MAX_ALIAS_NODES);
    copy->file = b->file;
    copy->line = line;
    copy->col = col;
    return ydoc_attach(b, copy, NULL);
}

/* Returns 1 at the end of the stream, 0 to continue, -1 on error. */
static int ydoc_on_event(struct ydoc_builder *b, const yaml_event_t *ev)
{
    int line = (int)ev->start_mark.line + 1;
    int col = (int)ev->start_mark.column + 1 + (line == 1 ? b->col_shift : 0);
    struct ydoc_node *n;
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (b->documents++ > 0)
            return error_set(b->err, b->file, line, col, NULL,
                             "a second document starts here; only one is allowed");
        return 0;
    case YAML_STREAM_END_EVENT:
        if (!b->doc->root)
            return error_set(b->err, b->file, 0, 0, NULL, "empty document");
        return 1;
    case YAML_ALIAS_EVENT:
        return ydoc_on_alias(b, (const char *)ev->data.alias.anchor, line, col);
    case YAML_SCALAR_EVENT: {
        const char *text = (const char *)ev->data.scalar.value;
        size_t len = ev->data.scalar.length;
        if (ydoc_wants_key(b->cur))
            return ydoc_add_key(b, text, len, line, col);
        if (!b->cur && len == 0 && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
            return error_set(b->err, b->file, 0, 0, NULL, "empty document"); /* "---" alone */
        if (!(n = ydoc_scalar_new(b->doc, text, len, b->file, line, col)))
            return ydoc_oom(b);
        return ydoc_attach(b, n, ev->data.scalar.anchor);
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        enum ydoc_kind kind = ev->type == YAML_SEQUENCE_START_EVENT ? YDOC_SEQ : YDOC_MAP;
        if (ydoc_wants_key(b->cur))
            return error_set(b->err, b->file, line, col, NULL, "a map key must be a scalar, got %s",
                             ydoc_kind_name(kind));
        if (++b->depth > YDOC_MAX_DEPTH)
            return error_set(b->err, b->file, line, col, NULL, "nesting is deeper than %d levels",
                             YDOC_MAX_DEPTH);
        if (!(n = ydoc_node_new(b->doc, kind, b->file, line, col)))
            return ydoc_oom(b);
        n->open = true;
        const yaml_char_t *anchor =
            kind == YDOC_SEQ ? ev->data.sequence_start.anchor : ev->data.mapping_start.anchor;
        if (ydoc_attach(b, n, anchor) != 0)
            return -1;
        b->cur = n;
        return 0;
    }
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        b->cur->open = false;
        b->cur = b->cur->parent;
        b->depth--;
        return 0;
    default: /* stream start, document end */
        return 0;
    }
}

static int ydoc_syntax_error(const yaml_parser_t *p, const char *file, const char *text, size_t len,
                             int col_shift, struct error *err)
{
    const char *problem = p->problem ? p->problem : "cannot parse";
    if (p->error == YAML_MEMORY_ERROR)
        return error_set(err, file, 0, 0, NULL, "out of memory");
    if (p->error == YAML_READER_ERROR) {
        /* Reader errors carry a byte offset, not a mark: count lines and characters. */
        int line = 1, col = 1;
        for (size_t i = 0; i < p->problem_offset && i < len; i++) {
            if (text[i] == '\n') {
                line++;
                col = 1;
            } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
                col++;
            }
        }
        return error_set(err, file, line, col + (line == 1 ? col_shift : 0), NULL, "%s", problem);
    }
    int line = (int)p->problem_mark.line + 1;
    int col = (int)p->problem_mark.column + 1 + (line == 1 ? col_shift : 0);
    int context_line = (int)p->context_mark.line + 1;
    int context_col = (int)p->context_mark.column + 1 + (context_line == 1 ? col_shift : 0);
    if (p->context)
        return error_set(err, file, line, col, NULL, "%s (%s at line %d, column %d)", problem,
                         p->context, context_line, context_col);
    return error_set(err, file, line, col, NULL, "%s", problem);
}

/* Parses text; col_shift is added to every column on the first line (see ydoc_set). */
static struct ydoc *ydoc_parse(const char *text, size_t len, const char *name, int col_shift,
                               struct error *err)
{
    struct ydoc *doc = calloc(1, sizeof *doc);
    const char *file = doc ? ydoc_intern(doc, name) : NULL;
    yaml_parser_t parser;
    if (!file || !yaml_parser_initialize(&parser)) {
        ydoc_free(doc);
        error_set(err, name, 0, 0, NULL, "out of memory");
        return NULL;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    struct ydoc_builder b = {.doc = doc, .file = file, .col_shift = col_shift, .err = err};
    int rc;
    do {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = ydoc_syntax_error(&parser, file, text, len, col_shift, err);
            break;
        }
        rc = ydoc_on_event(&b, &ev);
        yaml_event_delete(&ev);
    } while (rc == 0);
    yaml_parser_delete(&parser);
    for (size_t i = 0; i < b.n_anchors; i++)
        free(b.anchors[i].name);
    free(b.anchors);
    if (rc < 0) {
        ydoc_free(doc);
        return NULL;
    }
    return doc;
}

struct ydoc *ydoc_load_string(const char *text, const char *name, struct error *err)
{
    return ydoc_parse(text, strlen(text), name, 0, err);
}

struct ydoc *ydoc_load_file(const char *path, struct error *err)
{
    const char *why;
    FILE *f = infile_open(path, "rb", &why);
    if (!f) {
        error_set(err, path, 0, 0, NULL, "cannot open: %s", why);
        return NULL;
    }
    /* Read it whole: reader errors then get a line and column (see ydoc_syntax_error). */
    char *text = NULL;
    size_t len = 0, cap = 0;
    int failed = 0;
    for (;;) {
        if (len == cap) {
            char *grown = realloc(text, cap = cap ? cap * 2 : 4096);
            if (!grown) {
                failed = ENOMEM;
                break;
            }
            text = grown;
        }
        size_t got = fread(text + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            failed = ferror(f) ? (errno ? errno : EIO) : 0;
            break;
        }
    }
    fclose(f);
    struct ydoc *doc = NULL;
    if (failed)
        error_set(err, path, 0, 0, NULL, "cannot read: %s", strerror(failed));
    else
        doc = ydoc_parse(text, len, path, 0, err);
    free(text);
    return doc;
}

struct ydoc *ydoc_clone(const struct ydoc *doc)
{
    if (!doc)
        return NULL;
    struct ydoc *copy = calloc(1, sizeof *copy);
    if (copy && doc->root && !(copy->root = ydoc_copy(copy, doc->root))) {
        ydoc_free(copy);
        return NULL;
    }
    return copy;
}

struct ydoc_node *ydoc_root(const struct ydoc *doc)
{
    return doc ? doc->root : NULL;
}

/* --- setting values by path --- */

/* One step of a key path: a key ("cloud") or a list index ("[2]"). */
struct ydoc_step {
    const char *key; /* NULL for an index */
    size_t key_len;
    size_t index;
    size_t start, end; /* offsets of the step in the path text */
};

/* Splits "a.b[2].c" into steps (steps has room for len entries). On a malformed path
 * returns -1 with *bad at the offending offset and *why saying what was expected. */
static int ydoc_parse_path(const char *path, size_t len, struct ydoc_step *steps, size_t *n,
                           size_t *bad, const char **why)
{
    size_t i = 0;
    *n = 0;
    for (;;) {
        size_t start = i;
        while (i < len && path[i] != '.' && path[i] != '[' && path[i] != ']')
            i++;
        if (i == start) {
            *bad = i;
            *why = "expected a key";
            return -1;
        }
        steps[(*n)++] = (struct ydoc_step){path + start, i - start, 0, start, i};
        while (i < len && path[i] == '[') {
            size_t open = i++, index = 0;
            for (; i < len && path[i] >= '0' && path[i] <= '9'; i++) {
                if (index > (SIZE_MAX - 9) / 10) {
                    *bad = open;
                    *why = "index too large";
                    return -1;
                }
                index = index * 10 + (size_t)(path[i] - '0');
            }
            if (i == open + 1 || i == len || path[i] != ']') {
                *bad = i;
                *why = "expected [INDEX] with a decimal index";
                return -1;
            }
            i++;
            steps[(*n)++] = (struct ydoc_step){NULL, 0, index, open, i};
        }
        if (i == len)
            return 0;
        if (path[i] != '.') {
            *bad = i;
            *why = "expected '.' or '['";
            return -1;
        }
        i++;
    }
}

/* Where nodes and keys created along a path are said to come from. */
struct ydoc_origin {
    const char *file; /* interned in the target document */
    int line, col;
    bool per_step; /* col is that of the path's first character; add each step's offset */
};

/* Puts value (a detached node of doc) at the path. On failure says why in `why` and sets
 * *bad to the step that could not be taken. */
static int ydoc_place(struct ydoc *doc, const char *path, const struct ydoc_step *steps, size_t n,
                      struct ydoc_node *value, const struct ydoc_origin *o, char *why,
                      size_t why_len, size_t *bad)
{
    struct ydoc_node *cur = doc->root;
    *bad = 0;
    if (!cur) {
        snprintf(why, why_len, "the document is empty, cannot set '%s'", path);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const struct ydoc_step *s = &steps[i];
        bool last = i + 1 == n;
        *bad = i;
        if (cur->kind != (s->key ? YDOC_MAP : YDOC_SEQ)) {
            if (i == 0)
                snprintf(why, why_len, "the document root is %s, cannot set '%s'",
                         ydoc_kind_name(cur->kind), path);
            else
                snprintf(why, why_len, "'%.*s' is %s, cannot set '%s'", (int)steps[i - 1].end, path,
                         ydoc_kind_name(cur->kind), path);
            return -1;
        }
        if (!s->key) {
            if (s->index >= cur->len) {
                snprintf(why, why_len, "'%.*s' has %zu item%s, cannot set '%s'",
                         (int)steps[i - 1].end, path, cur->len, cur->len == 1 ? "" : "s", path);
                return -1;
            }
            if (last) {
                cur->items[s->index] = value;
                ydoc_adopt(cur, s->index, value);
                return 0;
            }
            cur = cur->items[s->index];
            continue;
        }
        size_t at = ydoc_find(cur, s->key, s->key_len);
        if (at == cur->len) {
            if (!last && !steps[i + 1].key) {
                snprintf(why, why_len, "'%.*s' does not exist, cannot set '%s'", (int)s->end, path,
                         path);
                return -1;
            }
            int col = o->per_step ? o->col + (int)s->start : o->col;
            struct ydoc_node *child =
                last ? value : ydoc_node_new(doc, YDOC_MAP, o->file, o->line, col);
            if (!child || ydoc_push_entry(cur, ydoc_strndup(s->key, s->key_len), o->file, o->line,
                                          col) != 0) {
                snprintf(why, why_len, "out of memory");
                return -1;
            }
            cur->entries[at].value = child;
            ydoc_adopt(cur, at, child);
            if (last)
                return 0;
            cur = child;
            continue;
        }
        if (last) {
            cur->entries[at].value = value;
            ydoc_adopt(cur, at, value);
            return 0;
        }
        cur = cur->entries[at].value;
    }
    return 0;
}

int ydoc_set(struct ydoc *doc, const char *assignment, const char *origin, struct error *err)
{
    const char *eq = strchr(assignment, '=');
    if (!origin)
        origin = "";
    if (!eq || eq == assignment)
        return error_set(err, origin, 1, 1, NULL,
                         "expected PATH=VALUE (such as cloud.slots=8), got '%s'", assignment);
    size_t path_len = (size_t)(eq - assignment), bad = 0;
    int value_col = (int)path_len + 2;
    char *path = ydoc_strndup(assignment, path_len);
    struct ydoc_step *steps = malloc(path_len * sizeof steps[0]);
    const char *file = ydoc_intern(doc, origin);
    struct ydoc_node *value = NULL;
    size_t n = 0;
    const char *why = NULL;
    char place_why[sizeof err->msg];
    int rc = -1;
    if (!path || !steps || !file) {
        error_set(err, origin, 1, 1, NULL, "out of memory");
        goto done;
    }
    if (ydoc_parse_path(path, path_len, steps, &n, &bad, &why) != 0) {
        error_set(err, origin, 1, 1 + (int)bad, NULL, "malformed key path '%s': %s", path, why);
        goto done;
    }
    if (eq[1] == '\0') {
        value = ydoc_scalar_new(doc, "", 0, file, 1, value_col);
    } else {
        /* Columns on the value's first line count from the start of the assignment. */
        struct ydoc *parsed = ydoc_parse(eq + 1, strlen(eq + 1), origin, value_col - 1, err);
        if (!parsed) {
            if (err && !err->path[0])
                snprintf(err->path, sizeof err->path, "%s", path);
            goto done;
        }
        value = ydoc_copy(doc, parsed->root);
        ydoc_free(parsed);
    }
    if (!value) {
        error_set(err, origin, 1, value_col, path, "out of memory");
        goto done;
    }
    struct ydoc_origin o = {file, 1, 1, true};
    if (ydoc_place(doc, path, steps, n, value, &o, place_why, sizeof place_why, &bad) != 0) {
        error_set(err, origin, 1, 1 + (int)steps[bad].start, NULL, "%s", place_why);
        goto done;
    }
    rc = 0;
done:
    free(steps);
    free(path);
    return rc;
}

int ydoc_set_node(struct ydoc *doc, const char *path, const struct ydoc_node *value,
                  struct error *err)
{
    if (!value)
        return error_set(err, NULL, 0, 0, path, "no value to set");
    size_t len = strlen(path), n = 0, bad = 0;
    const char *why = NULL;
    struct ydoc_step *steps = malloc((len ? len : 1) * sizeof steps[0]);
    if (!steps)
        return ydoc_error(value, err, "out of memory");
    if (ydoc_parse_path(path, len, steps, &n, &bad, &why) != 0) {
        free(steps);
        return ydoc_error(value, err, "malformed key path '%s': %s at character %zu", path, why,
                          bad + 1);
    }
    char place_why[sizeof err->msg];
    struct ydoc_node *copy = ydoc_copy(doc, value);
    struct ydoc_origin o = {copy ? copy->file : NULL, value->line, value->col, false};
    int rc = 0;
    if (!copy)
        rc = ydoc_error(value, err, "out of memory");
    else if (ydoc_place(doc, path, steps, n, copy, &o, place_why, sizeof place_why, &bad) != 0)
        rc = ydoc_error(value, err, "%s", place_why);
    free(steps);
    return rc;
}

static int ydoc_merge(struct ydoc *doc, struct ydoc_node *dst, const struct ydoc_node *src,
                      int depth, struct error *err)
{
    if (depth > YDOC_MAX_DEPTH)
        return ydoc_error(src, err, "nesting is deeper than %d levels", YDOC_MAX_DEPTH);
    /* src may lie inside dst's document (even be an ancestor of dst): every copy is made
     * before dst grows, and src->len is read once, so the walk never sees its own output. */
    size_t n = src->len;
    for (size_t i = 0; i < n; i++) {
        const struct ydoc_entry *e = &src->entries[i];
        size_t at = ydoc_find(dst, e->key, strlen(e->key));
        if (at < dst->len) {
            struct ydoc_node *mine = dst->entries[at].value;
            if (mine->kind == YDOC_MAP && e->value->kind == YDOC_MAP &&
                ydoc_merge(doc, mine, e->value, depth + 1, err) != 0)
                return -1;
            continue; /* the key written in dst wins */
        }
        const char *key_file = ydoc_intern(doc, e->file);
        struct ydoc_node *value = ydoc_copy(doc, e->value);
        if (!key_file || !value ||
            ydoc_push_entry(dst, ydoc_strndup(e->key, strlen(e->key)), key_file, e->line, e->col) !=
                0)
            return ydoc_error(src, err, "out of memory");
        dst->entries[dst->len - 1].used = e->used;
        dst->entries[dst->len - 1].value = value;
        ydoc_adopt(dst, dst->len - 1, value);
    }
    return 0;
}

int ydoc_merge_defaults(struct ydoc *dst_doc, struct ydoc_node *dst_map,
                        const struct ydoc_node *src_map, struct error *err)
{
    if (ydoc_expect(dst_map, YDOC_MAP, err) != 0 || ydoc_expect(src_map, YDOC_MAP, err) != 0)
        return -1;
    return ydoc_merge(dst_doc, dst_map, src_map, 0, err);
}

/* --- inspecting nodes --- */

enum ydoc_kind ydoc_kind(const struct ydoc_node *n)
{
    return n ? n->kind : YDOC_SCALAR;
}

const char *ydoc_kind_name(enum ydoc_kind kind)
{
    switch (kind) {
    case YDOC_SEQ:
        return "a list";
    case YDOC_MAP:
        return "a map";
    default:
        return "a scalar";
    }
}

const char *ydoc_text(const struct ydoc_node *n)
{
    return n && n->kind == YDOC_SCALAR ? n->text : NULL;
}

size_t ydoc_len(const struct ydoc_node *n)
{
    return n && n->kind != YDOC_SCALAR ? n->len : 0;
}

struct ydoc_node *ydoc_item(const struct ydoc_node *seq, size_t i)
{
    return seq && seq->kind == YDOC_SEQ && i < seq->len ? seq->items[i] : NULL;
}

const char *ydoc_entry_key(const struct ydoc_node *map, size_t i)
{
    return map && map->kind == YDOC_MAP && i < map->len ? map->entries[i].key : NULL;
}

struct ydoc_node *ydoc_entry_value(struct ydoc_node *map, size_t i)
{
    if (!map || map->kind != YDOC_MAP || i >= map->len)
        return NULL;
    map->entries[i].used = true;
    return map->entries[i].value;
}

struct ydoc_node *ydoc_entry_peek(const struct ydoc_node *map, size_t i)
{
    return map && map->kind == YDOC_MAP && i < map->len ? map->entries[i].value : NULL;
}

const char *ydoc_file(const struct ydoc_node *n)
{
    return n ? n->file : "";
}

int ydoc_line(const struct ydoc_node *n)
{
    return n ? n->line : 0;
}

int ydoc_col(const struct ydoc_node *n)
{
    return n ? n->col : 0;
}

/* --- reading maps --- */

/* Records key as asked for on map (for "did you mean"); a failed allocation only costs a
 * suggestion. */
static void ydoc_know(struct ydoc_node *map, const char *key)
{
    for (size_t i = 0; i < map->n_known; i++)
        if (strcmp(map->known[i], key) == 0)
            return;
    const char **known = ydoc_grow(map->known, &map->cap_known, map->n_known, sizeof known[0]);
    if (known) {
        map->known = known;
        map->known[map->n_known++] = key;
    }
}

struct ydoc_node *ydoc_get(struct ydoc_node *map, const char *key)
{
    if (!map || map->kind != YDOC_MAP)
        return NULL;
    ydoc_know(map, key);
    size_t at = ydoc_find(map, key, strlen(key));
    if (at == map->len)
        return NULL;
    map->entries[at].used = true;
    return map->entries[at].value;
}

int ydoc_require(struct ydoc_node *map, const char *key, struct ydoc_node **out, struct error *err)
{
    struct ydoc_node *n = ydoc_get(map, key);
    if (n) {
        *out = n;
        return 0;
    }
    /* A misspelt required key is more likely than a forgotten one: name it. The bar is
     * stricter than "did you mean" because the entry may be another key that its loader
     * has not read yet ('max' while 'min' is required). */
    size_t close_enough = strlen(key) / 4 > 1 ? strlen(key) / 4 : 1;
    for (size_t i = 0; map && map->kind == YDOC_MAP && i < map->len; i++) {
        const struct ydoc_entry *e = &map->entries[i];
        if (!e->used && suggest_distance(e->key, key) <= close_enough) {
            char path[sizeof err->path];
            ydoc_key_path(map, e->key, path, sizeof path);
            return error_set(err, e->file, e->line, e->col, path,
                             "unknown key '%s' (did you mean '%s'?)", e->key, key);
        }
    }
    return ydoc_error(map, err, "missing required key '%s'", key);
}

int ydoc_expect(const struct ydoc_node *n, enum ydoc_kind kind, struct error *err)
{
    if (n && n->kind == kind)
        return 0;
    char found[YDOC_SHOWN_TEXT + 8];
    ydoc_found(n, found, sizeof found);
    return ydoc_error(n, err, "expected %s, got %s", ydoc_kind_name(kind), found);
}

static bool ydoc_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The number syntax of this module (see the file comment): [+-]digits[.digits][e[+-]digits]
 * with at least one digit in the mantissa; integers stop after the first digits. */
static bool ydoc_is_number(const char *s, bool integer)
{
    size_t digits = 0;
    if (*s == '+' || *s == '-')
        s++;
    for (; ydoc_is_digit(*s); s++)
        digits++;
    if (integer)
        return digits > 0 && *s == '\0';
    if (*s == '.')
        for (s++; ydoc_is_digit(*s); s++)
            digits++;
    if (digits == 0)
        return false;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (!ydoc_is_digit(*s))
            return false;
        while (ydoc_is_digit(*s))
            s++;
    }
    return *s == '\0';
}

int ydoc_as_f64(const struct ydoc_node *n, struct range r, double *out, struct error *err)
{
    char want[96], found[YDOC_SHOWN_TEXT + 8];
    if (isinf(r.lo) && r.lo < 0 && isinf(r.hi) && r.hi > 0)
        snprintf(want, sizeof want, "a number"); /* reads better than "any number" here */
    else
        range_describe(r, want, sizeof want);
    if (n && n->kind == YDOC_SCALAR && ydoc_is_number(n->text, false)) {
        char *end;
        double x = strtod(n->text, &end);
        if (*end == '\0' && isfinite(x) && range_contains(r, x)) {
            *out = x;
            return 0;
        }
    }
    ydoc_found(n, found, sizeof found);
    return ydoc_error(n, err, "expected %s, got %s", want, found);
}

int ydoc_as_i64(const struct ydoc_node *n, int64_t lo, int64_t hi, int64_t *out, struct error *err)
{
    char want[96], found[YDOC_SHOWN_TEXT + 8];
    if (n && n->kind == YDOC_SCALAR && ydoc_is_number(n->text, true)) {
        errno = 0;
        char *end;
        long long x = strtoll(n->text, &end, 10);
        if (*end == '\0' && errno == 0 && x >= lo && x <= hi) {
            *out = (int64_t)x;
            return 0;
        }
    }
    if (lo == INT64_MIN && hi == INT64_MAX)
        snprintf(want, sizeof want, "an integer");
    else if (hi == INT64_MAX)
        snprintf(want, sizeof want, "an integer >= %" PRId64, lo);
    else if (lo == INT64_MIN)
        snprintf(want, sizeof want, "an integer <= %" PRId64, hi);
    else
        snprintf(want, sizeof want, "an integer in [%" PRId64 ", %" PRId64 "]", lo, hi);
    ydoc_found(n, found, sizeof found);
    return ydoc_error(n, err, "expected %s, got %s", want, found);
}

int ydoc_read_f64(struct ydoc_node *map, const char *key, struct range r, double *out,
                  struct error *err)
{
    struct ydoc_node *n = ydoc_get(map, key);
    return n ? ydoc_as_f64(n, r, out, err) : 0;
}

int ydoc_read_i64(struct ydoc_node *map, const char *key, int64_t lo, int64_t hi, int64_t *out,
                  struct error *err)
{
    struct ydoc_node *n = ydoc_get(map, key);
    return n ? ydoc_as_i64(n, lo, hi, out, err) : 0;
}

int ydoc_read_bool(struct ydoc_node *map, const char *key, bool *out, struct error *err)
{
    static const char *const words[] = {"true", "True", "TRUE", "false", "False", "FALSE"};
    struct ydoc_node *n = ydoc_get(map, key);
    if (!n)
        return 0;
    for (size_t i = 0; n->kind == YDOC_SCALAR && i < sizeof words / sizeof words[0]; i++) {
        if (strcmp(n->text, words[i]) == 0) {
            *out = i < 3;
            return 0;
        }
    }
    char found[YDOC_SHOWN_TEXT + 8];
    ydoc_found(n, found, sizeof found);
    return ydoc_error(n, err, "expected true or false, got %s", found);
}

int ydoc_read_str(struct ydoc_node *map, const char *key, const char **out, struct error *err)
{
    struct ydoc_node *n = ydoc_get(map, key);
    if (!n)
        return 0;
    if (n->kind != YDOC_SCALAR)
        return ydoc_error(n, err, "expected a string, got %s", ydoc_kind_name(n->kind));
    *out = n->text;
    return 0;
}

int ydoc_read_enum(struct ydoc_node *map, const char *key, const char *const *names, size_t n,
                   int *out, struct error *err)
{
    struct ydoc_node *v = ydoc_get(map, key);
    if (!v)
        return 0;
    for (size_t i = 0; v->kind == YDOC_SCALAR && i < n; i++) {
        if (strcmp(v->text, names[i]) == 0) {
            *out = (int)i;
            return 0;
        }
    }
    char list[512] = "", found[YDOC_SHOWN_TEXT + 8];
    struct ydoc_buf b = {list, sizeof list, 0};
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            ydoc_put(&b, ", ", 2);
        ydoc_put(&b, names[i], strlen(names[i]));
    }
    ydoc_found(v, found, sizeof found);
    const char *close = v->kind == YDOC_SCALAR ? suggest_closest(v->text, names, n) : NULL;
    if (close)
        return ydoc_error(v, err, "expected one of %s, got %s (did you mean '%s'?)", list, found,
                          close);
    return ydoc_error(v, err, "expected one of %s, got %s", list, found);
}

/* --- unknown keys --- */

static int ydoc_unused(const struct ydoc_node *n, struct error *err)
{
    for (size_t i = 0; n->kind != YDOC_SCALAR && i < n->len; i++) {
        if (n->kind == YDOC_SEQ) {
            if (ydoc_unused(n->items[i], err) != 0)
                return -1;
            continue;
        }
        const struct ydoc_entry *e = &n->entries[i];
        if (e->used) {
            if (ydoc_unused(e->value, err) != 0)
                return -1;
            continue;
        }
        char path[sizeof err->path];
        ydoc_key_path(n, e->key, path, sizeof path);
        const char *close = suggest_closest(e->key, n->known, n->n_known);
        if (close)
            return error_set(err, e->file, e->line, e->col, path,
                             "unknown key '%s' (did you mean '%s'?)", e->key, close);
        return error_set(err, e->file, e->line, e->col, path, "unknown key '%s'", e->key);
    }
    return 0;
}

int ydoc_check_unused(const struct ydoc *doc, struct error *err)
{
    return doc && doc->root ? ydoc_unused(doc->root, err) : 0;
}
