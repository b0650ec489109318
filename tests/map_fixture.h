/* map_fixture: tests of one loader of a scenario map (a link, an outage process, ...): load
 * the map at a top-level key of some YAML text, check that a successful load read every key,
 * and check where a failed one points. Include after cmocka.h. */
#ifndef HAISIM_TEST_MAP_FIXTURE_H
#define HAISIM_TEST_MAP_FIXTURE_H

#include <string.h>

#include "error.h"
#include "ydoc.h"

/* A loader of the map at `map` (NULL when the key is absent) into cfg. */
typedef int (*fixture_map_loader)(void *cfg, struct ydoc_node *map, struct error *err);

/* Loads the map at top-level `key` of `text` (file "test.yaml") with `load`; returns its
 * status. On success no key of the text may be left unread. */
static inline int fixture_load_map(const char *text, const char *key, fixture_map_loader load,
                                   void *cfg, struct error *err)
{
    error_clear(err);
    struct ydoc *doc = ydoc_load_string(text, "test.yaml", err);
    assert_non_null(doc);
    int rc = load(cfg, ydoc_get(ydoc_root(doc), key), err);
    if (rc == 0) {
        struct error unused;
        error_clear(&unused);
        if (ydoc_check_unused(doc, &unused) != 0) {
            ydoc_free(doc);
            fail_msg("unread key: %s", unused.msg);
        }
    } else {
        print_message("    %s:%d:%d %s: %s\n", err->file, err->line, err->col, err->path, err->msg);
    }
    ydoc_free(doc);
    return rc;
}

/* A failed load's error contains `want` and points at test.yaml:line:col, key path `path`. */
static inline void fixture_assert_error_at(const struct error *err, const char *want, int line,
                                           int col, const char *path)
{
    if (!strstr(err->msg, want))
        fail_msg("message '%s' lacks '%s'", err->msg, want);
    assert_string_equal(err->file, "test.yaml");
    assert_int_equal(err->line, line);
    assert_int_equal(err->col, col);
    assert_string_equal(err->path, path);
}

#endif
