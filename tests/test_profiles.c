/* Tests of named profiles: ydoc_merge_defaults (the merge rule), `profile:` expansion
 * (precedence, nesting, cycles, marks, names, the search path), listing, and the shipped
 * profiles in scenarios/profiles (complete headers, schema keys, published numbers, and the
 * H100 calibration against NVIDIA's TensorRT-LLM throughput table). */
#define _XOPEN_SOURCE 700 /* nftw */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <ftw.h>
#include <math.h>

#include "dist.h"
#include "error.h"
#include "profiles.h"
#include "range.h"
#include "ydoc.h"

/* --- helpers --- */

struct fixture {
    char root[64]; /* a fresh temporary directory per test */
    char builtin[128];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->root, sizeof f->root, "/tmp/haisim-test-profiles-XXXXXX");
    if (!mkdtemp(f->root)) {
        free(f);
        return -1;
    }
    snprintf(f->builtin, sizeof f->builtin, "%s/builtin", f->root);
    *state = f;
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    nftw(f->root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

/* Writes text to root/rel, creating the directories on the way. */
static void put(const struct fixture *f, const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", f->root, rel);
    for (char *slash = strchr(path + strlen(f->root) + 1, '/'); slash;
         slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        mkdir(path, 0700);
        *slash = '/';
    }
    FILE *out = fopen(path, "w");
    assert_non_null(out);
    fputs(text, out);
    fclose(out);
}

/* A profile file text with the given kind and values block (indented by the caller). */
static void put_profile(const struct fixture *f, const char *name, const char *values)
{
    char rel[256], text[2048];
    snprintf(rel, sizeof rel, "builtin/%s.yaml", name);
    snprintf(text, sizeof text,
             "kind: model\n"
             "description: %s for a test\n"
             "source: made up for a test\n"
             "values:\n%s",
             name, values);
    put(f, rel, text);
}

/* Loads root/rel (written from text) and expands it with the standard search path
 * (scenario dir, env_path, the fixture's builtin dir). Returns the document, or NULL with
 * err filled. */
static struct ydoc *expand(const struct fixture *f, const char *rel, const char *text,
                           const char *env_path, struct error *err)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", f->root, rel);
    put(f, rel, text);
    error_clear(err);
    struct ydoc *doc = ydoc_load_file(path, err);
    assert_non_null(doc);
    struct profiles_path p;
    assert_int_equal(profiles_path_init(&p, path, env_path, f->builtin, err), 0);
    int rc = profiles_expand(doc, p.dirs, p.n, err);
    profiles_path_free(&p);
    if (rc != 0) {
        assert_true(err->msg[0] != '\0');
        ydoc_free(doc);
        return NULL;
    }
    return doc;
}

static struct ydoc *expand_ok(const struct fixture *f, const char *text)
{
    struct error err;
    struct ydoc *doc = expand(f, "scenario.yaml", text, NULL, &err);
    if (!doc)
        print_error("unexpected error: %s:%d:%d: %s: %s\n", err.file, err.line, err.col, err.path,
                    err.msg);
    assert_non_null(doc);
    return doc;
}

static struct error expand_fails(const struct fixture *f, const char *text)
{
    struct error err;
    struct ydoc *doc = expand(f, "scenario.yaml", text, NULL, &err);
    assert_null(doc);
    return err;
}

static void assert_contains(const char *haystack, const char *needle)
{
    if (!strstr(haystack, needle))
        print_error("'%s'\n  does not contain\n'%s'\n", haystack, needle);
    assert_non_null(strstr(haystack, needle));
}

/* root/rel as a path, for comparing with error and node files. */
static const char *file_of(const struct fixture *f, const char *rel)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", f->root, rel);
    return path;
}

static struct ydoc_node *get_path(struct ydoc *doc, const char *a, const char *b, const char *c)
{
    struct ydoc_node *n = ydoc_get(ydoc_root(doc), a);
    if (b)
        n = ydoc_get(n, b);
    if (c)
        n = ydoc_get(n, c);
    return n;
}

static const char *text_at(struct ydoc *doc, const char *a, const char *b, const char *c)
{
    const char *t = ydoc_text(get_path(doc, a, b, c));
    assert_non_null(t);
    return t;
}

static void assert_mark(const struct ydoc_node *n, const char *file, int line, int col)
{
    assert_non_null(n);
    assert_string_equal(ydoc_file(n), file);
    assert_int_equal(ydoc_line(n), line);
    assert_int_equal(ydoc_col(n), col);
}

/* --- ydoc_merge_defaults --- */

static void merge_keeps_explicit_keys_merges_maps_and_replaces_lists(void **state)
{
    (void)state;
    struct error err;
    error_clear(&err);
    struct ydoc *dst = ydoc_load_string("a: 1\n"
                                        "m:\n"
                                        "  x: 10\n"
                                        "  inner: {p: 1}\n"
                                        "l: [1, 2]\n"
                                        "s: {k: v}\n",
                                        "scenario.yaml", &err);
    struct ydoc *src = ydoc_load_string("a: 2\n"
                                        "b: 3\n"
                                        "m:\n"
                                        "  x: 20\n"
                                        "  y: 30\n"
                                        "  inner: {p: 2, q: 3}\n"
                                        "l: [9]\n"
                                        "s: 5\n"
                                        "n: {deep: [1, 2]}\n",
                                        "profile.yaml", &err);
    assert_non_null(dst);
    assert_non_null(src);
    assert_int_equal(ydoc_merge_defaults(dst, ydoc_root(dst), ydoc_root(src), &err), 0);
    ydoc_free(src); /* the merged copies own everything */

    struct ydoc_node *root = ydoc_root(dst);
    const char *order[] = {"a", "m", "l", "s", "b", "n"};
    assert_int_equal(ydoc_len(root), 6);
    for (size_t i = 0; i < 6; i++)
        assert_string_equal(ydoc_entry_key(root, i), order[i]);
    assert_string_equal(text_at(dst, "a", NULL, NULL), "1");   /* explicit wins */
    assert_string_equal(text_at(dst, "b", NULL, NULL), "3");   /* added */
    assert_string_equal(text_at(dst, "m", "x", NULL), "10");   /* nested: explicit */
    assert_string_equal(text_at(dst, "m", "y", NULL), "30");   /* nested: added */
    assert_string_equal(text_at(dst, "m", "inner", "p"), "1"); /* two levels */
    assert_string_equal(text_at(dst, "m", "inner", "q"), "3");
    assert_int_equal(ydoc_len(get_path(dst, "l", NULL, NULL)), 2); /* list kept whole */
    assert_string_equal(ydoc_text(ydoc_item(get_path(dst, "l", NULL, NULL), 1)), "2");
    assert_string_equal(text_at(dst, "s", "k", NULL), "v");          /* kind clash: kept */
    assert_int_equal(ydoc_len(get_path(dst, "n", "deep", NULL)), 2); /* copied deep */

    /* Merged nodes keep the marks of their file and get paths in the new tree. */
    assert_mark(get_path(dst, "b", NULL, NULL), "profile.yaml", 2, 4);
    assert_mark(get_path(dst, "m", "y", NULL), "profile.yaml", 5, 6);
    assert_mark(get_path(dst, "m", "x", NULL), "scenario.yaml", 3, 6);
    char path[64];
    ydoc_path(get_path(dst, "m", "inner", "q"), path, sizeof path);
    assert_string_equal(path, "m.inner.q");
    ydoc_free(dst);
}

static void merged_keys_are_reported_unused_where_they_were_written(void **state)
{
    (void)state;
    struct error err;
    error_clear(&err);
    struct ydoc *dst = ydoc_load_string("a: 1\n", "scenario.yaml", &err);
    struct ydoc *src = ydoc_load_string("c: 2\nunused_key: 3\n", "profile.yaml", &err);
    assert_int_equal(ydoc_merge_defaults(dst, ydoc_root(dst), ydoc_root(src), &err), 0);
    ydoc_free(src);
    (void)ydoc_get(ydoc_root(dst), "a");
    (void)ydoc_get(ydoc_root(dst), "c");
    assert_int_equal(ydoc_check_unused(dst, &err), -1);
    assert_string_equal(err.file, "profile.yaml");
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 1);
    assert_string_equal(err.path, "unused_key");
    assert_string_equal(err.msg, "unknown key 'unused_key'");
    ydoc_free(dst);
}

static void merge_requires_two_maps(void **state)
{
    (void)state;
    struct error err;
    error_clear(&err);
    struct ydoc *dst = ydoc_load_string("a: 1\n", "scenario.yaml", &err);
    struct ydoc *src = ydoc_load_string("[1, 2]\n", "profile.yaml", &err);
    assert_int_equal(ydoc_merge_defaults(dst, ydoc_root(dst), ydoc_root(src), &err), -1);
    assert_string_equal(err.msg, "expected a map, got a list");
    assert_string_equal(err.file, "profile.yaml");
    assert_int_equal(ydoc_len(ydoc_root(dst)), 1);
    ydoc_free(src);
    ydoc_free(dst);
}

static void entry_peek_does_not_mark_used(void **state)
{
    (void)state;
    struct error err;
    error_clear(&err);
    struct ydoc *doc = ydoc_load_string("a: 1\n", "x.yaml", &err);
    assert_string_equal(ydoc_text(ydoc_entry_peek(ydoc_root(doc), 0)), "1");
    assert_null(ydoc_entry_peek(ydoc_root(doc), 1));
    assert_int_equal(ydoc_check_unused(doc, &err), -1);
    assert_string_equal(err.msg, "unknown key 'a'");
    ydoc_free(doc);
}

/* --- expansion --- */

static const char small_values[] = "  name: small\n"
                                   "  prefill_tok_s: 100\n"
                                   "  decode_tok_s: 10\n";

static void profile_values_become_defaults_and_the_key_is_consumed(void **state)
{
    struct fixture *f = *state;
    put_profile(f, "model/small", small_values);
    struct ydoc *doc = expand_ok(f, "devices:\n"
                                    "  model:\n"
                                    "    profile: model/small\n"
                                    "    decode_tok_s: 5\n");
    struct error err;
    /* Expansion reads nothing on the loaders' behalf: the root is still unread. */
    assert_int_equal(ydoc_check_unused(doc, &err), -1);
    assert_string_equal(err.msg, "unknown key 'devices'");

    assert_string_equal(text_at(doc, "devices", "model", "decode_tok_s"), "5");
    assert_string_equal(text_at(doc, "devices", "model", "prefill_tok_s"), "100");
    assert_string_equal(text_at(doc, "devices", "model", "name"), "small");
    /* The merged value points into the profile file: line 6, column 18. */
    assert_mark(get_path(doc, "devices", "model", "prefill_tok_s"),
                file_of(f, "builtin/model/small.yaml"), 6, 18);
    error_clear(&err);
    assert_int_equal(ydoc_check_unused(doc, &err), 0); /* `profile` was consumed */
    ydoc_free(doc);
}

static void errors_in_profile_values_point_into_the_profile_file(void **state)
{
    struct fixture *f = *state;
    put_profile(f, "model/bad",
                "  decode_tok_s: -3\n"
                "  decode_tok_sec: 3\n");
    struct ydoc *doc = expand_ok(f, "model: {profile: model/bad}\n");
    struct ydoc_node *model = ydoc_get(ydoc_root(doc), "model");
    struct error err;
    double decode = 0;
    error_clear(&err);
    assert_int_equal(ydoc_read_f64(model, "decode_tok_s", RANGE_POSITIVE, &decode, &err), -1);
    assert_string_equal(err.file, file_of(f, "builtin/model/bad.yaml"));
    assert_int_equal(err.line, 5);
    assert_int_equal(err.col, 17);
    assert_string_equal(err.path, "model.decode_tok_s");
    assert_string_equal(err.msg, "expected a number > 0, got '-3'");
    error_clear(&err);
    assert_int_equal(ydoc_check_unused(doc, &err), -1);
    assert_string_equal(err.file, file_of(f, "builtin/model/bad.yaml"));
    assert_int_equal(err.line, 6);
    assert_int_equal(err.col, 3);
    assert_string_equal(err.msg, "unknown key 'decode_tok_sec' (did you mean 'decode_tok_s'?)");
    ydoc_free(doc);
}

static void nested_profiles_layer_explicit_over_outer_over_base(void **state)
{
    struct fixture *f = *state;
    put_profile(f, "model/base",
                "  name: base\n"
                "  prefill_tok_s: 100\n"
                "  decode_tok_s: 10\n"
                "  overhead_ms: 7\n");
    put_profile(f, "model/fast",
                "  profile: model/base\n"
                "  name: fast\n"
                "  decode_tok_s: 20\n");
    struct ydoc *doc = expand_ok(f, "model: {profile: model/fast, overhead_ms: 1}\n");
    assert_string_equal(text_at(doc, "model", "name", NULL), "fast");         /* outer */
    assert_string_equal(text_at(doc, "model", "decode_tok_s", NULL), "20");   /* outer */
    assert_string_equal(text_at(doc, "model", "prefill_tok_s", NULL), "100"); /* base */
    assert_string_equal(text_at(doc, "model", "overhead_ms", NULL), "1");     /* explicit */
    assert_mark(get_path(doc, "model", "prefill_tok_s", NULL),
                file_of(f, "builtin/model/base.yaml"), 6, 18);
    assert_int_equal(ydoc_len(ydoc_get(ydoc_root(doc), "model")), 5);
    ydoc_free(doc);
}

static void profiles_named_inside_merged_values_expand_too(void **state)
{
    struct fixture *f = *state;
    put_profile(f, "model/base",
                "  name: base\n"
                "  prefill_tok_s: 100\n"
                "  decode_tok_s: 10\n");
    put(f, "builtin/device/phone.yaml",
        "kind: device\n"
        "description: a phone\n"
        "source: made up for a test\n"
        "values:\n"
        "  count: 3\n"
        "  model: {profile: model/base, decode_tok_s: 15}\n");
    struct ydoc *doc = expand_ok(f, "devices:\n"
                                    "  profile: device/phone\n"
                                    "  model: {prefill_tok_s: 50}\n");
    assert_string_equal(text_at(doc, "devices", "count", NULL), "3");
    assert_string_equal(text_at(doc, "devices", "model", "prefill_tok_s"), "50"); /* scenario */
    assert_string_equal(text_at(doc, "devices", "model", "decode_tok_s"), "15");  /* device */
    assert_string_equal(text_at(doc, "devices", "model", "name"), "base");        /* model */
    struct error err;
    error_clear(&err);
    assert_int_equal(ydoc_check_unused(doc, &err), 0);
    ydoc_free(doc);
}

/* Twelve layers: more profiles than the loader's first cache allocation holds. */
static void a_long_chain_of_profiles_merges_every_layer(void **state)
{
    struct fixture *f = *state;
    for (int i = 0; i < 12; i++) {
        char name[16], values[128];
        snprintf(name, sizeof name, "chain/p%d", i);
        if (i < 11)
            snprintf(values, sizeof values, "  profile: chain/p%d\n  k%d: %d\n  last: %d\n", i + 1,
                     i, i, i);
        else
            snprintf(values, sizeof values, "  k%d: %d\n  last: %d\n", i, i, i);
        put_profile(f, name, values);
    }
    struct ydoc *doc = expand_ok(f, "m: {profile: chain/p0}\n");
    struct ydoc_node *m = ydoc_get(ydoc_root(doc), "m");
    assert_int_equal(ydoc_len(m), 1 + 12 + 1);
    for (int i = 0; i < 12; i++) {
        char key[8], want[8];
        snprintf(key, sizeof key, "k%d", i);
        snprintf(want, sizeof want, "%d", i);
        const char *got = NULL;
        for (size_t e = 0; e < ydoc_len(m); e++)
            if (strcmp(ydoc_entry_key(m, e), key) == 0)
                got = ydoc_text(ydoc_entry_peek(m, e));
        assert_non_null(got);
        assert_string_equal(got, want);
    }
    assert_string_equal(text_at(doc, "m", "last", NULL), "0"); /* the outermost layer wins */
    ydoc_free(doc);
}

static void the_same_profile_in_sibling_maps_is_not_a_cycle(void **state)
{
    struct fixture *f = *state;
    put_profile(f, "model/small", small_values);
    put_profile(f, "pair",
                "  left: {profile: model/small}\n"
                "  right: {profile: model/small}\n");
    struct ydoc *doc = expand_ok(f, "devices:\n"
                                    "  - {profile: model/small}\n"
                                    "  - {profile: model/small, name: other}\n"
                                    "both: {profile: pair}\n");
    struct ydoc_node *devices = ydoc_get(ydoc_root(doc), "devices");
    assert_string_equal(ydoc_text(ydoc_get(ydoc_item(devices, 0), "name")), "small");
    assert_string_equal(ydoc_text(ydoc_get(ydoc_item(devices, 1), "name")), "other");
    assert_string_equal(text_at(doc, "both", "left", "decode_tok_s"), "10");
    assert_string_equal(text_at(doc, "both", "right", "decode_tok_s"), "10");
    ydoc_free(doc);
}

static void a_cycle_is_an_error_naming_the_chain(void **state)
{
    struct fixture *f = *state;
    put_profile(f, "x/a", "  profile: x/b\n");
    put_profile(f, "x/b",
                "  profile: x/a\n"
                "  k: 1\n");
    struct error err = expand_fails(f, "m: {profile: x/a}\n");
    assert_string_equal(err.msg, "profile cycle: x/a -> x/b -> x/a");
    assert_string_equal(err.file, file_of(f, "builtin/x/b.yaml")); /* where it closes */
    assert_int_equal(err.line, 5);
    assert_int_equal(err.col, 12);

    put_profile(f, "x/self", "  profile: x/self\n");
    err = expand_fails(f, "m: {profile: x/self}\n");
    assert_string_equal(err.msg, "profile cycle: x/self -> x/self");

    /* Through a nested map: the profile's values name it again one level down. */
    put_profile(f, "x/deep", "  sub: {profile: x/deep}\n");
    err = expand_fails(f, "m: {profile: x/deep}\n");
    assert_string_equal(err.msg, "profile cycle: x/deep -> x/deep");
    assert_string_equal(err.file, file_of(f, "builtin/x/deep.yaml"));
    assert_string_equal(err.path, "m.sub.profile");
}

static void an_unknown_profile_suggests_the_closest_name(void **state)
{
    struct fixture *f = *state;
    put_profile(f, "model/llama-3.2-3b-oneplus-12", small_values);
    put_profile(f, "network/lte-us", "  rtt_ms: 50\n");
    struct error err = expand_fails(f, "devices:\n"
                                       "  model: {profile: model/llama-3.2-3b-oneplus12}\n");
    assert_string_equal(err.file, file_of(f, "scenario.yaml"));
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 20);
    assert_string_equal(err.path, "devices.model.profile");
    assert_contains(err.msg, "unknown profile 'model/llama-3.2-3b-oneplus12' (did you mean "
                             "'model/llama-3.2-3b-oneplus-12'?); searched ");
    assert_contains(err.msg, f->builtin);

    /* Forgetting the directory part. */
    err = expand_fails(f, "net: {profile: lte-us}\n");
    assert_contains(err.msg, "(did you mean 'network/lte-us'?)");

    err = expand_fails(f, "net: {profile: nothing/like/it}\n");
    assert_contains(err.msg, "unknown profile 'nothing/like/it'; searched ");
    assert_contains(err.msg, "(2 profiles there)");
}

static void bad_names_are_rejected_at_the_value(void **state)
{
    struct fixture *f = *state;
    put(f, "secret.yaml", "kind: model\ndescription: x\nsource: x\nvalues: {stolen: 1}\n");
    put(f, "builtin/model/x.yaml", "kind: model\ndescription: x\nsource: x\nvalues: {a: 1}\n");
    static const struct {
        const char *name, *why;
    } cases[] = {
        {"../secret", "must not have an empty, '.' or '..' part"},
        {"model/../../secret", "must not have an empty, '.' or '..' part"},
        {"model//x", "must not have an empty, '.' or '..' part"},
        {"./model/x", "must not have an empty, '.' or '..' part"},
        {"model/x/", "must not have an empty, '.' or '..' part"},
        {"/etc/passwd", "must be relative to the profile directories"},
        {"model/x.yaml", "write the profile name without '.yaml' ('model/x')"},
        {"'model/x y'", "may hold only letters, digits"},
        {"''", "must not be empty"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[128];
        snprintf(text, sizeof text, "m:\n  profile: %s\n", cases[i].name);
        struct error err = expand_fails(f, text);
        assert_contains(err.msg, cases[i].why);
        assert_int_equal(err.line, 2);
        assert_int_equal(err.col, 12);
        assert_string_equal(err.path, "m.profile");
    }
    struct error err = expand_fails(f, "m: {profile: {name: model/x}}\n");
    assert_string_equal(err.msg,
                        "expected a profile name (such as 'model/llama-3.2-3b-oneplus-12'), "
                        "got a map");
}

static void malformed_profile_files_are_errors_in_the_file(void **state)
{
    struct fixture *f = *state;
    static const struct {
        const char *text;
        int line, col;
        const char *msg;
    } cases[] = {
        {"kind: model\ndescription: d\nsource: s\n", 1, 1, "missing required key 'values'"},
        {"kind: model\ndescription: d\nvalues: {a: 1}\n", 1, 1, "missing required key 'source'"},
        {"kind: model\ndescription: d\nsource: '  '\nvalues: {}\n", 3, 9,
         "'source' must not be empty: name the published source of every number"},
        {"kind: model\nsource: s\nvalues: {}\n", 1, 1, "missing required key 'description'"},
        {"kind: modle\ndescription: d\nsource: s\nvalues: {}\n", 1, 7,
         "expected one of model, device, network, price, server, got 'modle' (did you mean "
         "'model'?)"},
        {"kind: model\ndescription: d\nsource: s\nvalues: [1]\n", 4, 9,
         "expected a map, got a list"},
        {"kind: model\ndescription: d\nsource: s\nvalues: {}\nrtt_ms: 3\n", 5, 9,
         "unknown key 'rtt_ms' in a profile; a profile has kind, description, source and "
         "values (keys for the scenario go under values)"},
        {"kind: model\ndescription: d\nsources: s\nvalues: {}\n", 3, 1,
         "unknown key 'sources' (did you mean 'source'?)"},
        {"kind: model\nvalues: {a: 1\n", 3, 1, "did not find expected ',' or '}'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char rel[64], name[32];
        snprintf(name, sizeof name, "bad/p%zu", i);
        snprintf(rel, sizeof rel, "builtin/%s.yaml", name);
        put(f, rel, cases[i].text);
        char scenario[64];
        snprintf(scenario, sizeof scenario, "m: {profile: %s}\n", name);
        struct error err = expand_fails(f, scenario);
        assert_string_equal(err.file, file_of(f, rel));
        assert_int_equal(err.line, cases[i].line);
        assert_int_equal(err.col, cases[i].col);
        assert_contains(err.msg, cases[i].msg);
        char named[256];
        snprintf(named, sizeof named, "(profile '%s' named at %s:1:14)", name,
                 file_of(f, "scenario.yaml"));
        assert_contains(err.msg, named);
    }
}

/* --- the search path --- */

static void the_path_is_scenario_dir_then_environment_then_builtin(void **state)
{
    (void)state;
    struct profiles_path p;
    struct error err;
    assert_int_equal(profiles_path_init(&p, "runs/a/scenario.yaml", "/x::/y:", "/builtin", &err),
                     0);
    assert_int_equal(p.n, 4);
    assert_string_equal(p.dirs[0], "runs/a/profiles");
    assert_string_equal(p.dirs[1], "/x");
    assert_string_equal(p.dirs[2], "/y");
    assert_string_equal(p.dirs[3], "/builtin");
    profiles_path_free(&p);
    assert_int_equal(p.n, 0);

    assert_int_equal(profiles_path_init(&p, "scenario.yaml", NULL, NULL, &err), 0);
    assert_int_equal(p.n, 1);
    assert_string_equal(p.dirs[0], "profiles");
    profiles_path_free(&p);
    assert_int_equal(profiles_path_init(&p, "/scenario.yaml", "", "/b", &err), 0);
    assert_int_equal(p.n, 2);
    assert_string_equal(p.dirs[0], "/profiles");
    profiles_path_free(&p);
    assert_int_equal(profiles_path_init(&p, NULL, NULL, NULL, &err), 0);
    assert_int_equal(p.n, 0);
    profiles_path_free(&p);
}

static void the_first_directory_holding_the_name_wins(void **state)
{
    struct fixture *f = *state;
    const char *header = "kind: network\ndescription: d\nsource: s\nvalues:\n";
    char text[256], env[256];
    snprintf(text, sizeof text, "%s  rtt_ms: 3\n", header);
    put(f, "builtin/net/x.yaml", text);
    snprintf(text, sizeof text, "%s  rtt_ms: 2\n", header);
    put(f, "env/net/x.yaml", text);
    snprintf(text, sizeof text, "%s  rtt_ms: 1\n", header);
    put(f, "sc/profiles/net/x.yaml", text);
    snprintf(env, sizeof env, "%s/missing:%s/env", f->root, f->root);

    struct error err;
    const char *scenario = "link: {profile: net/x}\n";
    struct ydoc *doc = expand(f, "sc/scenario.yaml", scenario, env, &err);
    assert_non_null(doc);
    assert_string_equal(text_at(doc, "link", "rtt_ms", NULL), "1"); /* next to the scenario */
    ydoc_free(doc);
    doc = expand(f, "other/scenario.yaml", scenario, env, &err);
    assert_non_null(doc);
    assert_string_equal(text_at(doc, "link", "rtt_ms", NULL), "2"); /* $HAISIM_PROFILES_PATH */
    assert_mark(get_path(doc, "link", "rtt_ms", NULL), file_of(f, "env/net/x.yaml"), 5, 11);
    ydoc_free(doc);
    doc = expand(f, "other/scenario.yaml", scenario, NULL, &err);
    assert_non_null(doc);
    assert_string_equal(text_at(doc, "link", "rtt_ms", NULL), "3"); /* built in */
    ydoc_free(doc);
}

/* --- listing --- */

static void listing_is_sorted_shadowed_and_checked(void **state)
{
    struct fixture *f = *state;
    put(f, "d1/b/two.yaml", "kind: network\ndescription: two\nsource: s2\nvalues: {}\n");
    put(f, "d1/a/one.yaml", "kind: model\ndescription: one first\nsource: s1\nvalues: {}\n");
    put(f, "d1/README.md", "not a profile\n");
    put(f, "d1/.hidden.yaml", "not: a profile\n");
    put(f, "d2/a/one.yaml", "kind: model\ndescription: one shadowed\nsource: s\nvalues: {}\n");
    put(f, "d2/c.yaml", "kind: device\ndescription: three\nsource: s3\nvalues: {}\n");
    char d1[128], d2[128], d3[128];
    snprintf(d1, sizeof d1, "%s/d1", f->root);
    snprintf(d2, sizeof d2, "%s/d2", f->root);
    snprintf(d3, sizeof d3, "%s/none", f->root);
    const char *dirs[] = {d1, d3, d2};
    struct profile_info *list;
    size_t n;
    struct error err;
    assert_int_equal(profiles_list(dirs, 3, &list, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(list[0].name, "a/one");
    assert_string_equal(list[0].description, "one first");
    assert_string_equal(list[0].kind, "model");
    assert_string_equal(list[0].source, "s1");
    assert_string_equal(list[0].path, file_of(f, "d1/a/one.yaml"));
    assert_string_equal(list[1].name, "b/two");
    assert_string_equal(list[1].kind, "network");
    assert_string_equal(list[2].name, "c");
    assert_string_equal(list[2].kind, "device");
    profile_info_free(list, n);

    put(f, "d2/d.yaml", "kind: device\ndescription: broken\nvalues: {}\n");
    assert_int_equal(profiles_list(dirs, 3, &list, &n, &err), -1);
    assert_string_equal(err.file, file_of(f, "d2/d.yaml"));
    assert_string_equal(err.msg, "missing required key 'source'");
    assert_null(list);
    assert_int_equal(n, 0);

    assert_int_equal(profiles_list(NULL, 0, &list, &n, &err), 0);
    assert_int_equal(n, 0);
    profile_info_free(list, n);
}

/* --- the shipped profiles --- */

static const char shipped_dir[] = HAISIM_SOURCE_DIR "/scenarios/profiles";

/* Expands `{profile: NAME}` against the shipped directory; the map holds the values. */
static struct ydoc *shipped(const char *name)
{
    char text[256];
    snprintf(text, sizeof text, "x: {profile: %s}\n", name);
    struct error err;
    error_clear(&err);
    struct ydoc *doc = ydoc_load_string(text, "test.yaml", &err);
    assert_non_null(doc);
    const char *dirs[] = {shipped_dir};
    if (profiles_expand(doc, dirs, 1, &err) != 0)
        print_error("%s:%d:%d: %s: %s\n", err.file, err.line, err.col, err.path, err.msg);
    assert_string_equal(err.msg, "");
    return doc;
}

static double number(struct ydoc_node *map, const char *key)
{
    double x = NAN;
    struct error err;
    error_clear(&err);
    struct ydoc_node *n;
    if (ydoc_require(map, key, &n, &err) != 0 || ydoc_as_f64(n, RANGE_ANY, &x, &err) != 0)
        print_error("%s:%d:%d: %s: %s\n", err.file, err.line, err.col, err.path, err.msg);
    assert_string_equal(err.msg, "");
    return x;
}

/* Reads the keys the loaders will read (the schema in docs/profiles.md), each in its
 * allowed range; returns 0 or -1 with err. */
static int read_positive(struct ydoc_node *map, const char *key, bool required, struct error *err)
{
    double x;
    struct ydoc_node *n;
    if (required && ydoc_require(map, key, &n, err) != 0)
        return -1;
    return ydoc_read_f64(map, key, RANGE_POSITIVE, &x, err);
}

static int read_nonnegative(struct ydoc_node *map, const char *key, struct error *err)
{
    double x;
    return ydoc_read_f64(map, key, RANGE_NONNEGATIVE, &x, err);
}

static int read_dist(struct ydoc_node *map, const char *key, bool required, struct error *err)
{
    struct ydoc_node *n = ydoc_get(map, key);
    if (!n)
        return required ? ydoc_require(map, key, &n, err) : 0;
    struct dist d = {0};
    int rc = dist_parse(&d, n, err);
    if (rc == 0 && dist_mean(&d) < 0)
        rc = ydoc_error(n, err, "a negative mean");
    dist_free(&d);
    return rc;
}

static int check_model(struct ydoc_node *m, struct error *err)
{
    const char *name = NULL;
    struct ydoc_node *n, *prefill = ydoc_get(m, "prefill"), *step = ydoc_get(m, "decode_step"),
                         *roof = ydoc_get(m, "roofline");
    int forms = (ydoc_get(m, "decode_tok_s") != NULL) + (step != NULL) + (roof != NULL);
    if (ydoc_require(m, "name", &n, err) != 0 || ydoc_read_str(m, "name", &name, err) != 0)
        return -1;
    if (forms != 1)
        return ydoc_error(m, err, "expected exactly one timing form, got %d", forms);
    if (ydoc_get(m, "decode_tok_s") && (read_positive(m, "prefill_tok_s", true, err) != 0 ||
                                        read_positive(m, "decode_tok_s", true, err) != 0))
        return -1;
    if (step) {
        if (ydoc_require(m, "prefill", &prefill, err) != 0 ||
            read_nonnegative(prefill, "base_ms", err) != 0 ||
            read_positive(prefill, "per_token_ms", true, err) != 0 ||
            read_nonnegative(prefill, "per_token2_ms", err) != 0 ||
            read_positive(step, "base_ms", true, err) != 0 ||
            read_nonnegative(step, "per_seq_ms", err) != 0 ||
            read_nonnegative(step, "per_context_token_ms", err) != 0)
            return -1;
    }
    if (roof) {
        struct ydoc_node *hw, *model;
        if (ydoc_require(roof, "hardware", &hw, err) != 0 ||
            ydoc_require(roof, "model", &model, err) != 0)
            return -1;
        static const char *const hw_keys[] = {"mem_bw_gbs", "peak_tflops", "mem_gb", "mbu", "mfu"};
        static const char *const model_keys[] = {"params_b", "bytes_per_param", "layers", "hidden",
                                                 "kv_bytes_per_token"};
        for (size_t i = 0; i < 5; i++)
            if (read_positive(hw, hw_keys[i], true, err) != 0 ||
                read_positive(model, model_keys[i], true, err) != 0)
                return -1;
        if (read_nonnegative(hw, "step_overhead_ms", err) != 0)
            return -1;
    }
    int64_t count;
    if (read_dist(m, "overhead_ms", false, err) != 0 ||
        ydoc_read_i64(m, "kv_cache_tokens", 1, INT64_MAX, &count, err) != 0 ||
        ydoc_read_i64(m, "max_batch", 1, INT64_MAX, &count, err) != 0)
        return -1;
    struct ydoc_node *price = ydoc_get(m, "price");
    if (price && ydoc_get(price, "gpu_hour_usd"))
        return read_positive(price, "gpu_hour_usd", true, err) ||
               ydoc_read_i64(price, "gpus", 1, 1000000, &count, err);
    if (price)
        return read_nonnegative(price, "input_usd_per_mtok", err) ||
               read_nonnegative(price, "output_usd_per_mtok", err);
    return 0;
}

static int check_network(struct ydoc_node *m, struct error *err)
{
    struct ydoc_node *loss = ydoc_get(m, "loss");
    double rate;
    return read_dist(m, "rtt_ms", true, err) || read_positive(m, "up_mbps", true, err) ||
           read_positive(m, "down_mbps", true, err) || read_nonnegative(m, "overhead_bytes", err) ||
           read_positive(m, "bytes_per_token", false, err) ||
           ydoc_read_f64(loss, "rate", RANGE_UNIT, &rate, err);
}

static int check_power(struct ydoc_node *m, struct error *err)
{
    struct ydoc_node *radio;
    return read_nonnegative(m, "idle_w", err) || read_positive(m, "prefill_w", true, err) ||
           read_positive(m, "decode_w", true, err) || ydoc_require(m, "radio", &radio, err) ||
           read_positive(radio, "tx_nj_per_bit", true, err) ||
           read_positive(radio, "rx_nj_per_bit", true, err) ||
           read_positive(m, "battery_wh", false, err);
}

static void shipped_profiles_are_complete_and_follow_the_schema(void **state)
{
    (void)state;
    struct stat st;
    if (stat(shipped_dir, &st) != 0) {
        print_message("skipped: no shipped profiles at %s\n", shipped_dir);
        skip();
    }
    const char *dirs[] = {shipped_dir};
    struct profile_info *list;
    size_t n;
    struct error err;
    error_clear(&err);
    if (profiles_list(dirs, 1, &list, &n, &err) != 0)
        print_error("%s:%d:%d: %s\n", err.file, err.line, err.col, err.msg);
    assert_string_equal(err.msg, "");
    static const char *const required[] = {
        "model/apple-foundation-3b-iphone-15-pro",
        "model/llama-3.2-1b-oneplus-12",
        "model/llama-3.2-3b-oneplus-12",
        "model/llama-3-8b-q4-m1-max",
        "model/llama-3-8b-q4-m3-max",
        "model/llama-3.1-8b-h100",
        "model/llama-3.1-70b-4xh100",
        "model/gpt-4o-api",
        "network/wifi",
        "network/lte-us",
        "network/5g-us",
        "network/edge-lan",
        "power/phone-flagship",
        "power/laptop",
    };
    for (size_t r = 0; r < sizeof required / sizeof required[0]; r++) {
        size_t i = 0;
        while (i < n && strcmp(list[i].name, required[r]) != 0)
            i++;
        if (i == n)
            print_error("missing shipped profile %s\n", required[r]);
        assert_true(i < n);
    }
    for (size_t i = 0; i < n; i++) {
        assert_true(strlen(list[i].description) > 10);
        assert_true(strlen(list[i].source) > 20);
        struct ydoc *doc = shipped(list[i].name);
        struct ydoc_node *values = ydoc_get(ydoc_root(doc), "x");
        error_clear(&err);
        int rc;
        if (strcmp(list[i].kind, "model") == 0)
            rc = check_model(values, &err);
        else if (strcmp(list[i].kind, "network") == 0)
            rc = check_network(values, &err);
        else if (strcmp(list[i].kind, "device") == 0)
            rc = check_power(values, &err);
        else
            rc = error_set(&err, list[i].path, 0, 0, NULL, "no schema check for kind %s",
                           list[i].kind);
        if (rc == 0)
            rc = ydoc_check_unused(doc, &err);
        if (rc != 0)
            print_error("%s: %s:%d:%d: %s: %s\n", list[i].name, err.file, err.line, err.col,
                        err.path, err.msg);
        assert_int_equal(rc, 0);
        ydoc_free(doc);
    }
    profile_info_free(list, n);
}

/* Each single-stream profile carries its source's figures unchanged. */
static void shipped_single_stream_profiles_carry_the_published_figures(void **state)
{
    (void)state;
    struct stat st;
    if (stat(shipped_dir, &st) != 0) {
        print_message("skipped: no shipped profiles at %s\n", shipped_dir);
        skip();
    }
    static const struct {
        const char *name;
        double prefill_tok_s, decode_tok_s;
    } cases[] = {
        {"model/apple-foundation-3b-iphone-15-pro", 1 / 0.6e-3, 30}, /* Apple 2024 */
        {"model/llama-3.2-1b-oneplus-12", 260.5, 50.2},              /* Meta model card */
        {"model/llama-3.2-3b-oneplus-12", 89.7, 19.7},
        {"model/llama-3-8b-q4-m1-max", 355, 34.49}, /* Dai 2024, llama.cpp */
        {"model/llama-3-8b-q4-m3-max", 678, 50.74},
        {"model/llama-3-8b-q4-rtx-4090", 6899, 127.74},
        {"model/gpt-4o-api", 10000, 81}, /* Artificial Analysis (prefill assumed) */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ydoc *doc = shipped(cases[i].name);
        struct ydoc_node *m = ydoc_get(ydoc_root(doc), "x");
        assert_float_equal(number(m, "prefill_tok_s"), cases[i].prefill_tok_s,
                           1e-4 * cases[i].prefill_tok_s);
        assert_float_equal(number(m, "decode_tok_s"), cases[i].decode_tok_s, 1e-9);
        ydoc_free(doc);
    }
    struct ydoc *doc = shipped("model/gpt-4o-api");
    struct ydoc_node *m = ydoc_get(ydoc_root(doc), "x");
    assert_float_equal(number(m, "overhead_ms"), 390, 1e-9); /* TTFT 0.39 s */
    assert_float_equal(number(ydoc_get(m, "price"), "input_usd_per_mtok"), 2.5, 1e-9);
    assert_float_equal(number(ydoc_get(m, "price"), "output_usd_per_mtok"), 10, 1e-9);
    ydoc_free(doc);

    /* A nested shipped profile: 5G bandwidth with an edge round trip. */
    doc = shipped("network/edge-mec-5g");
    m = ydoc_get(ydoc_root(doc), "x");
    assert_float_equal(number(m, "up_mbps"), 15.6, 1e-9);               /* from network/5g-us */
    assert_float_equal(number(m, "down_mbps"), 112.9, 1e-9);            /* from network/5g-us */
    assert_float_equal(number(ydoc_get(m, "rtt_ms"), "max"), 10, 1e-9); /* its own */
    ydoc_free(doc);
}

/* Output tokens/s of a saturated continuously batched server (the calibration model in
 * scenarios/profiles/model/llama-3.1-8b-h100.yaml): each request costs one prefill of I
 * tokens and O-1 decode steps shared by B running sequences of mean context I + O/2. */
static double saturated_tok_s(struct ydoc_node *m, double in, double out)
{
    struct ydoc_node *pf = ydoc_get(m, "prefill"), *st = ydoc_get(m, "decode_step");
    double kv = number(m, "kv_cache_tokens"), max_batch = number(m, "max_batch");
    double batch = fmin(max_batch, floor(kv / (in + out)));
    double prefill_ms = number(pf, "base_ms") + number(pf, "per_token_ms") * in +
                        number(pf, "per_token2_ms") * in * in;
    double step_ms = number(st, "base_ms") + number(st, "per_seq_ms") * batch +
                     number(st, "per_context_token_ms") * batch * (in + out / 2);
    return out / ((prefill_ms + (out - 1) * step_ms / batch) / 1e3);
}

static void h100_profile_reproduces_the_tensorrt_llm_throughput_table(void **state)
{
    (void)state;
    struct stat st;
    if (stat(shipped_dir, &st) != 0) {
        print_message("skipped: no shipped profiles at %s\n", shipped_dir);
        skip();
    }
    /* NVIDIA TensorRT-LLM "Performance Overview": Llama 3.1 8B FP8 on 1x H100, total output
     * tokens/s at maximum load (reference-numbers §4.2). */
    static const struct {
        double in, out, tok_s;
    } table[] = {
        {128, 128, 28312}, {128, 2048, 22714}, {500, 2000, 17660}, {1000, 1000, 15220},
        {2048, 128, 3450}, {2048, 2048, 9305}, {5000, 500, 3459},  {20000, 2000, 1351},
    };
    struct ydoc *doc = shipped("model/llama-3.1-8b-h100");
    struct ydoc_node *m = ydoc_get(ydoc_root(doc), "x");
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        double got = saturated_tok_s(m, table[i].in, table[i].out);
        print_message("  %5.0f/%-5.0f published %6.0f model %6.0f (%+.1f %%)\n", table[i].in,
                      table[i].out, table[i].tok_s, got, 100 * (got / table[i].tok_s - 1));
        assert_true(fabs(got / table[i].tok_s - 1) < 0.05);
    }
    ydoc_free(doc);

    /* The 70B TP4 profile: the static batch-64, 128/128 figure quoted in its calibration
     * comment (5,016 tokens/s; TensorRT-LLM 0.5 measured 3,317 with an older release). */
    doc = shipped("model/llama-3.1-70b-4xh100");
    m = ydoc_get(ydoc_root(doc), "x");
    struct ydoc_node *pf = ydoc_get(m, "prefill"), *step = ydoc_get(m, "decode_step");
    double batch = 64, prefill_ms = batch * (number(pf, "per_token_ms") * 128 +
                                             number(pf, "per_token2_ms") * 128 * 128);
    double step_ms = number(step, "base_ms") + number(step, "per_seq_ms") * batch +
                     number(step, "per_context_token_ms") * batch * (128 + 64);
    double tok_s = batch * 128 / ((prefill_ms + 127 * step_ms) / 1e3);
    assert_float_equal(tok_s, 5016, 50);
    ydoc_free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(merge_keeps_explicit_keys_merges_maps_and_replaces_lists),
        cmocka_unit_test(merged_keys_are_reported_unused_where_they_were_written),
        cmocka_unit_test(merge_requires_two_maps),
        cmocka_unit_test(entry_peek_does_not_mark_used),
        cmocka_unit_test_setup_teardown(profile_values_become_defaults_and_the_key_is_consumed,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(errors_in_profile_values_point_into_the_profile_file, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(nested_profiles_layer_explicit_over_outer_over_base, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(profiles_named_inside_merged_values_expand_too, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_long_chain_of_profiles_merges_every_layer, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(the_same_profile_in_sibling_maps_is_not_a_cycle, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_cycle_is_an_error_naming_the_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(an_unknown_profile_suggests_the_closest_name, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(bad_names_are_rejected_at_the_value, setup, teardown),
        cmocka_unit_test_setup_teardown(malformed_profile_files_are_errors_in_the_file, setup,
                                        teardown),
        cmocka_unit_test(the_path_is_scenario_dir_then_environment_then_builtin),
        cmocka_unit_test_setup_teardown(the_first_directory_holding_the_name_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(listing_is_sorted_shadowed_and_checked, setup, teardown),
        cmocka_unit_test(shipped_profiles_are_complete_and_follow_the_schema),
        cmocka_unit_test(shipped_single_stream_profiles_carry_the_published_figures),
        cmocka_unit_test(h100_profile_reproduces_the_tensorrt_llm_throughput_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
