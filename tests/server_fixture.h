/* server_fixture: a server tier driven directly by a test (tests/test_server.c,
 * tests/test_sched.c): a scenario-less sim, a server from a YAML tier map, requests
 * submitted at given times, and what the callbacks saw. Include after cmocka.h. */
#ifndef HAISIM_TEST_SERVER_FIXTURE_H
#define HAISIM_TEST_SERVER_FIXTURE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "server.h"

enum { MAX_REQ = 16 };

struct observed {
    int64_t first_ns[MAX_REQ];
    int64_t done_ns[MAX_REQ];
    int firsts[MAX_REQ], dones[MAX_REQ], rejections[MAX_REQ];
};

static inline void on_first(struct sim *sim, struct request *req, void *ctx)
{
    struct observed *o = ctx;
    o->first_ns[req->id] = sim->now_ns;
    o->firsts[req->id]++;
}

static inline void on_done(struct sim *sim, struct request *req, void *ctx)
{
    struct observed *o = ctx;
    o->done_ns[req->id] = sim->now_ns;
    o->dones[req->id]++;
}

static inline void on_rejected(struct sim *sim, struct request *req, void *ctx)
{
    struct observed *o = ctx;
    o->rejections[req->id]++;
}

struct fixture {
    struct ydoc *doc;
    struct server_config cfg;
    struct sim sim;
    struct server *server;
    gsl_rng *rng;
    struct observed seen;
    struct request req[MAX_REQ];
};

static inline void fail_with(const struct error *err)
{
    char buf[2048];
    error_format(err, buf, sizeof buf);
    fail_msg("%s", buf);
}

static inline void fixture_setup(struct fixture *fx, const char *yaml)
{
    struct error err;
    memset(fx, 0, sizeof *fx);
    fx->doc = ydoc_load_string(yaml, "test.yaml", &err);
    if (!fx->doc)
        fail_with(&err);
    if (server_config_load(&fx->cfg, ydoc_root(fx->doc), &err) != 0)
        fail_with(&err);
    if (ydoc_check_unused(fx->doc, &err) != 0)
        fail_with(&err);
    assert_int_equal(sim_init(&fx->sim), 0);
    fx->rng = rng_stream_new(1, 0, "test");
    struct server_callbacks cb = {.on_first_token = on_first,
                                  .on_done = on_done,
                                  .on_rejected = on_rejected,
                                  .ctx = &fx->seen};
    fx->server = server_new(&fx->cfg, &fx->sim, cb, fx->rng);
    assert_non_null(fx->server);
    server_set_seed(fx->server, 7, 0);
}

static inline void fixture_teardown(struct fixture *fx)
{
    server_free(fx->server);
    gsl_rng_free(fx->rng);
    sim_free(&fx->sim);
    server_config_free(&fx->cfg);
    ydoc_free(fx->doc);
}

struct submission {
    struct fixture *fx;
    struct request *req;
};

static struct submission submissions[MAX_REQ];

static inline void submit_event(struct sim *sim, void *payload)
{
    struct submission *s = payload;
    assert_int_equal(server_submit(s->fx->server, s->req), 0);
}

static inline void add_request(struct fixture *fx, int i, uint32_t prompt, uint32_t output,
                               double at_s)
{
    fx->req[i] =
        (struct request){.id = (uint64_t)i, .prompt_tokens = prompt, .output_tokens = output};
    submissions[i] = (struct submission){fx, &fx->req[i]};
    sim_at(&fx->sim, simtime_from_s(at_s), submit_event, &submissions[i]);
}

static inline void run(struct fixture *fx)
{
    assert_int_equal(sim_run(&fx->sim, SIMTIME_NEVER), 0);
}

static inline void assert_time(int64_t got_ns, double want_s)
{
    if (llabs(got_ns - simtime_from_s(want_s)) > 2) /* two ns of rounding */
        fail_msg("got %.9f s, want %.9f s", simtime_to_s(got_ns), want_s);
}

#endif
