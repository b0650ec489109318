/* Tests of netlink: hand-computed deliveries (serialisation, FIFO per direction, in-order
 * delivery), loss against geometric theory (E[K] = p/(1−p), P(K = k) = (1−p)p^k, extra
 * delay E[K]·(s + E[R]) by Wald's identity), every on_outage behaviour against the outage
 * file tests/data/outages-sample.csv with exact times, and loading errors with their
 * locations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "netlink.h"
#include "rng.h"
#include "simtime.h"
#include "ydoc.h"

#include "map_fixture.h"

#define SAMPLE_CSV HAISIM_SOURCE_DIR "/tests/data/outages-sample.csv"

static int64_t at_ms(double ms)
{
    return simtime_from_s(ms * 1e-3);
}

static int load_link(void *cfg, struct ydoc_node *map, struct error *err)
{
    return netlink_config_load(cfg, map, err);
}

/* Loads `text` and reads the link map at top-level key "link". */
static int load_text(const char *text, struct netlink_config *cfg, struct error *err)
{
    return fixture_load_map(text, "link", load_link, cfg, err);
}

static void load_ok(const char *text, struct netlink_config *cfg)
{
    struct error err;
    if (load_text(text, cfg, &err) != 0)
        fail_msg("%s: unexpected error: %s", text, err.msg);
}

static void load_fails(const char *text, const char *want, int line, int col, const char *path)
{
    struct netlink_config cfg;
    struct error err;
    if (load_text(text, &cfg, &err) == 0)
        fail_msg("%s: loaded, expected an error containing '%s'", text, want);
    fixture_assert_error_at(&err, want, line, col, path);
    netlink_config_free(&cfg); /* a failed load leaves cfg safe to free again */
}

static void assert_delivered(struct netlink_result r, int64_t time_ns, int64_t waited_ns)
{
    if (r.status != NETLINK_DELIVERED)
        fail_msg("failed at %lld ns, expected delivery at %lld ns", (long long)r.time_ns,
                 (long long)time_ns);
    assert_int_equal(r.time_ns, time_ns);
    assert_int_equal(r.waited_ns, waited_ns);
    assert_int_equal(r.retransmissions, 0);
}

static void assert_failed(struct netlink_result r, int64_t time_ns, int64_t waited_ns)
{
    if (r.status != NETLINK_FAILED)
        fail_msg("delivered at %lld ns, expected a failure at %lld ns", (long long)r.time_ns,
                 (long long)time_ns);
    assert_int_equal(r.time_ns, time_ns);
    assert_int_equal(r.waited_ns, waited_ns);
    assert_int_equal(r.retransmissions, 0);
}

/* RTT 20 ms (one way 10 ms), up 8 Mbps = 10⁶ B/s (1000 B take 1 ms), down 80 Mbps. */
#define BASIC_LINK "link:\n  rtt_ms: 20\n  up_mbps: 8\n  down_mbps: 80\n"

/* --- deliveries computed by hand --- */

static void deliveries_follow_fifo_serialisation_and_propagation(void **unused)
{
    struct netlink_config cfg;
    struct netlink_state st;
    load_ok(BASIC_LINK, &cfg);
    assert_true(cfg.up_bytes_s == 1e6 && cfg.down_bytes_s == 1e7);
    netlink_state_init(&st, &cfg, NULL);
    gsl_rng *rng = rng_stream_new(1, 0, "network");
    /* Up: 1000 B at 0: start 0, free 1 ms, delivered 1 + 10 = 11 ms. */
    assert_delivered(netlink_send(&cfg, &st, NETLINK_UP, 0, 1000, rng), at_ms(11), 0);
    /* 2000 B at 0.5 ms waits for the transmitter: start 1, free 3, delivered 13 ms. */
    assert_delivered(netlink_send(&cfg, &st, NETLINK_UP, at_ms(0.5), 2000, rng), at_ms(13), 0);
    /* Down has its own transmitter: 10⁴ B at 0.5 ms: free 1.5, delivered 11.5 ms. */
    assert_delivered(netlink_send(&cfg, &st, NETLINK_DOWN, at_ms(0.5), 1e4, rng), at_ms(11.5), 0);
    /* An empty message behind it: start 1.5, delivered 11.5 ms. */
    assert_delivered(netlink_send(&cfg, &st, NETLINK_DOWN, at_ms(0.5), 0, rng), at_ms(11.5), 0);
    /* Up again at 10 ms, transmitter idle since 3 ms: 500 B, free 10.5, delivered 20.5. */
    assert_delivered(netlink_send(&cfg, &st, NETLINK_UP, at_ms(10), 500, rng), at_ms(20.5), 0);
    assert_int_equal(st.dir[NETLINK_UP].free_ns, at_ms(10.5));
    assert_int_equal(st.dir[NETLINK_DOWN].free_ns, at_ms(1.5));
    assert_true(netlink_is_up(&cfg, &st, at_ms(10))); /* no outage process: always up */
    gsl_rng_free(rng);
    netlink_config_free(&cfg);
}

/* Secure transport: RTT 20 ms, 2 handshake round trips, idle timeout 1 s, 10 % per-byte
 * overhead. First message up at 0: handshake 40 ms, then 1000 B × 1.1 = 1.1 ms, delivered
 * 40 + 1.1 + 10 = 51.1 ms. A reply down at 60 ms uses the open connection: 10⁴ B × 1.1 at
 * 10⁷ B/s = 1.1 ms + 10 = 71.1 ms. Up again at 500 ms (idle 428.9 ms < 1 s): no handshake:
 * 500.55 + 10 = 510.55 ms. Up at 2 s (idle > 1 s since 510.55 ms): handshake again:
 * 2000 + 40 + 0.55 + 10 = 2050.55 ms. */
static void secure_transport_pays_a_handshake_per_connection(void **unused)
{
    struct netlink_config cfg;
    struct netlink_state st;
    load_ok(BASIC_LINK
            "  secure: {handshake_rtts: 2, idle_timeout_s: 1, byte_overhead_frac: 0.1}\n",
            &cfg);
    netlink_state_init(&st, &cfg, NULL);
    gsl_rng *rng = rng_stream_new(1, 0, "network");
    struct netlink_result r = netlink_send(&cfg, &st, NETLINK_UP, 0, 1000, rng);
    assert_delivered(r, at_ms(51.1), 0);
    assert_int_equal(r.handshake_ns, at_ms(40));
    r = netlink_send(&cfg, &st, NETLINK_DOWN, at_ms(60), 1e4, rng);
    assert_delivered(r, at_ms(71.1), 0);
    assert_int_equal(r.handshake_ns, 0);
    r = netlink_send(&cfg, &st, NETLINK_UP, at_ms(500), 500, rng);
    assert_delivered(r, at_ms(510.55), 0);
    assert_int_equal(r.handshake_ns, 0);
    r = netlink_send(&cfg, &st, NETLINK_UP, at_ms(2000), 500, rng);
    assert_delivered(r, at_ms(2050.55), 0);
    assert_int_equal(r.handshake_ns, at_ms(40));
    gsl_rng_free(rng);
    netlink_config_free(&cfg);
    load_fails(BASIC_LINK "  secure: {handshake_rtts: 11}\n", "[0, 10]", 5, 28,
               "link.secure.handshake_rtts");
}

static void message_bytes_are_overhead_plus_tokens(void **unused)
{
    struct netlink_config cfg;
    load_ok(BASIC_LINK "  overhead_bytes: 200\n  bytes_per_token: 2\n", &cfg);
    assert_true(netlink_message_bytes(&cfg, 10) == 220);
    netlink_config_free(&cfg);
    load_ok(BASIC_LINK, &cfg); /* defaults: no overhead, 4 B per token */
    assert_true(netlink_message_bytes(&cfg, 10) == 40);
    netlink_config_free(&cfg);
}

/* With RTT jitter (normal, mean 20 ms, sd 15 ms: about 9 % of draws are negative and give
 * no delay), every delivery equals max(free + one_way, previous delivery), recomputed here
 * from a twin stream; without loss or outage exactly one rtt draw is made per message
 * (as in models/link.c). */
static void jittered_deliveries_stay_in_order(void **unused)
{
    enum { MESSAGES = 5000 };
    struct netlink_config cfg;
    struct netlink_state st;
    load_ok("link:\n  rtt_ms: {dist: normal, mean: 20, sd: 15}\n  up_mbps: 8\n"
            "  down_mbps: 80\n",
            &cfg);
    netlink_state_init(&st, &cfg, NULL);
    gsl_rng *rng = rng_stream_new(2, 0, "network"), *twin = rng_stream_new(2, 0, "network");
    gsl_rng *traffic = rng_stream_new(2, 0, "traffic");
    int64_t now = 0, free_ns = 0, last = 0;
    long held = 0, clipped = 0;
    for (int i = 0; i < MESSAGES; i++) {
        now += simtime_from_s(gsl_rng_uniform(traffic) * 4e-3);
        double bytes = floor(gsl_rng_uniform(traffic) * 3000);
        struct netlink_result r = netlink_send(&cfg, &st, NETLINK_UP, now, bytes, rng);
        int64_t start = now > free_ns ? now : free_ns;
        free_ns = start + simtime_from_s(bytes / 1e6);
        double rtt_ms = dist_sample(&cfg.rtt_ms, twin);
        clipped += rtt_ms < 0;
        int64_t arrival = free_ns + simtime_from_s(0.5 * rtt_ms * 1e-3);
        held += arrival < last;
        last = arrival > last ? arrival : last;
        assert_delivered(r, last, 0);
    }
    print_message("    %ld of %d held back for order, %ld rtt draws < 0\n", held, MESSAGES,
                  clipped);
    assert_true(held > 100 && clipped > 100);
    assert_int_equal(gsl_rng_get(rng), gsl_rng_get(twin)); /* the same number of draws */
    gsl_rng_free(rng);
    gsl_rng_free(twin);
    gsl_rng_free(traffic);
    netlink_config_free(&cfg);
}

/* --- loss --- */

/* p = 0.2, R = 200 ms, s = 1 ms, one way 10 ms; messages 1000 s apart never queue, so
 * each delay is exactly s + K·(s + R) + 10 ms. Theory: E[K] = p/(1−p) = 0.25,
 * sd(K) = √p/(1−p) = 0.559, P(K = 0, 1, 2) = 0.8, 0.16, 0.032; mean extra delay
 * E[K]·(s + R) = 50.25 ms. Tolerances are 5 standard errors. */
static void retransmissions_are_geometric_with_mean_p_over_1_minus_p(void **unused)
{
    enum { MESSAGES = 100000 };
    struct netlink_config cfg;
    struct netlink_state st;
    load_ok(BASIC_LINK "  loss: {rate: 0.2, retransmit_ms: 200}\n", &cfg);
    netlink_state_init(&st, &cfg, NULL);
    gsl_rng *rng = rng_stream_new(3, 0, "network");
    const double p = 0.2;
    long count[4] = {0};
    double k_sum = 0, extra_sum = 0;
    for (int i = 0; i < MESSAGES; i++) {
        int64_t now = (int64_t)i * 1000 * SIMTIME_NS_PER_S;
        struct netlink_result r = netlink_send(&cfg, &st, NETLINK_UP, now, 1000, rng);
        assert_int_equal(r.status, NETLINK_DELIVERED);
        unsigned k = r.retransmissions;
        assert_int_equal(r.time_ns - now, at_ms(11) + (int64_t)k * at_ms(201));
        count[k < 3 ? k : 3]++;
        k_sum += k;
        extra_sum += simtime_to_ms(r.time_ns - now - at_ms(11));
    }
    double mean_k = k_sum / MESSAGES, se_k = sqrt(p) / (1 - p) / sqrt(MESSAGES);
    double mean_extra = extra_sum / MESSAGES;
    print_message("    E[K] = %.4f (theory %.4f); P(K=0,1,2) = %.4f %.4f %.4f (theory 0.8 0.16 "
                  "0.032); extra delay %.2f ms (theory 50.25)\n",
                  mean_k, p / (1 - p), count[0] / (double)MESSAGES, count[1] / (double)MESSAGES,
                  count[2] / (double)MESSAGES, mean_extra);
    assert_true(fabs(mean_k - p / (1 - p)) < 5 * se_k);
    assert_true(fabs(mean_extra - 201 * p / (1 - p)) < 5 * 201 * se_k);
    for (int k = 0; k < 3; k++) {
        double want = (1 - p) * pow(p, k), got = count[k] / (double)MESSAGES;
        assert_true(fabs(got - want) < 5 * sqrt(want * (1 - want) / MESSAGES));
    }
    gsl_rng_free(rng);
    netlink_config_free(&cfg);
}

/* With random loss-detection delays R ~ exponential(200 ms) and p = 0.3, the mean extra
 * delay is E[K]·(s + E[R]) = (0.3/0.7)·201 = 86.14 ms (Wald's identity). */
static void extra_delay_with_random_retransmit_delay_matches_wald(void **unused)
{
    enum { MESSAGES = 100000 };
    struct netlink_config cfg;
    struct netlink_state st;
    load_ok(BASIC_LINK "  loss:\n    rate: 0.3\n    retransmit_ms: {dist: exponential, mean: "
                       "200}\n",
            &cfg);
    netlink_state_init(&st, &cfg, NULL);
    gsl_rng *rng = rng_stream_new(4, 0, "network");
    double sum = 0, sum2 = 0;
    for (int i = 0; i < MESSAGES; i++) {
        int64_t now = (int64_t)i * 1000 * SIMTIME_NS_PER_S;
        struct netlink_result r = netlink_send(&cfg, &st, NETLINK_UP, now, 1000, rng);
        double extra = simtime_to_ms(r.time_ns - now - at_ms(11));
        assert_true(extra >= (double)r.retransmissions * 1.0 - 1e-9); /* each costs >= s */
        sum += extra;
        sum2 += extra * extra;
    }
    double mean = sum / MESSAGES, sd = sqrt(sum2 / MESSAGES - mean * mean);
    double want = 0.3 / 0.7 * 201;
    print_message("    extra delay %.2f ms (theory %.2f, tolerance %.2f)\n", mean, want,
                  5 * sd / sqrt(MESSAGES));
    assert_true(fabs(mean - want) < 5 * sd / sqrt(MESSAGES));
    gsl_rng_free(rng);
    netlink_config_free(&cfg);
}

/* Lost attempts occupy the transmitter back to back; the next message is serialised during
 * the loss-detection wait but is delivered after the lost message (head-of-line blocking).
 * Two 1000 B messages at t = 0, p = 0.5, R = 200 ms:
 *   free1 = (K1+1)·1 ms, delivered1 = free1 + 200·K1 + 10 ms,
 *   free2 = free1 + (K2+1)·1 ms, delivered2 = max(free2 + 200·K2 + 10, delivered1). */
static void lost_attempts_occupy_the_transmitter_and_block_the_line(void **unused)
{
    struct netlink_config cfg;
    load_ok(BASIC_LINK "  loss: {rate: 0.5, retransmit_ms: 200}\n", &cfg);
    gsl_rng *rng = rng_stream_new(5, 0, "network");
    int blocked = 0;
    for (int pair = 0; pair < 200; pair++) {
        struct netlink_state st;
        netlink_state_init(&st, &cfg, NULL);
        struct netlink_result a = netlink_send(&cfg, &st, NETLINK_UP, 0, 1000, rng);
        struct netlink_result b = netlink_send(&cfg, &st, NETLINK_UP, 0, 1000, rng);
        int64_t k1 = a.retransmissions, k2 = b.retransmissions;
        int64_t free1 = (k1 + 1) * at_ms(1), free2 = free1 + (k2 + 1) * at_ms(1);
        int64_t delivered1 = free1 + k1 * at_ms(200) + at_ms(10);
        int64_t own2 = free2 + k2 * at_ms(200) + at_ms(10);
        assert_int_equal(a.time_ns, delivered1);
        assert_int_equal(b.time_ns, own2 > delivered1 ? own2 : delivered1);
        assert_int_equal(st.dir[NETLINK_UP].free_ns, free2);
        blocked += own2 < delivered1;
    }
    assert_true(blocked > 20); /* P(K1 >= 1, K2 = 0) = 0.25 */
    gsl_rng_free(rng);
    netlink_config_free(&cfg);
}

/* --- outages: tests/data/outages-sample.csv is down during [1, 3), [5, 5.5), [10, 20) s --- */

static void load_with_outages(const char *mode, struct netlink_config *cfg)
{
    char text[1024];
    snprintf(text, sizeof text, BASIC_LINK "  outage: {file: '%s'}\n  on_outage: %s\n%s",
             SAMPLE_CSV, mode, strcmp(mode, "timeout") == 0 ? "  timeout_ms: 600\n" : "");
    load_ok(text, cfg);
    assert_int_equal(cfg->outage.kind, OUTAGE_FILE);
}

static void on_outage_wait_starts_when_the_link_is_back(void **unused)
{
    struct netlink_config cfg;
    struct netlink_state st;
    load_with_outages("wait", &cfg);
    netlink_state_init(&st, &cfg, NULL);
    gsl_rng *rng = rng_stream_new(6, 0, "network");
    /* 1000 B take 1 ms; one way is 10 ms. */
    assert_delivered(netlink_send(&cfg, &st, NETLINK_UP, at_ms(500), 1000, rng), at_ms(511), 0);
    assert_true(netlink_is_up(&cfg, &st, at_ms(999)));
    assert_false(netlink_is_up(&cfg, &st, at_ms(1000)));
    /* Sent as the outage begins: waits 2 s, starts at 3 s. */
    assert_delivered(netlink_send(&cfg, &st, NETLINK_UP, at_ms(1000), 1000, rng), at_ms(3011),
                     at_ms(2000));
    /* Sent during it: waits 0.5 s, then queues behind the first (start 3.001 s). */
    assert_delivered(netlink_send(&cfg, &st, NETLINK_UP, at_ms(2500), 1000, rng), at_ms(3012),
                     at_ms(500));
    /* Sent just as it ends: no wait, but the transmitter is busy until 3.002 s. */
    assert_delivered(netlink_send(&cfg, &st, NETLINK_UP, at_ms(3000), 1000, rng), at_ms(3013), 0);
    assert_delivered(netlink_send(&cfg, &st, NETLINK_DOWN, at_ms(5200), 1e4, rng), at_ms(5511),
                     at_ms(300));
    gsl_rng_free(rng);
    netlink_config_free(&cfg);
}

static void on_outage_fail_fails_at_once_and_leaves_no_trace(void **unused)
{
    struct netlink_config cfg;
    struct netlink_state st;
    load_with_outages("fail", &cfg);
    netlink_state_init(&st, &cfg, NULL);
    gsl_rng *rng = rng_stream_new(7, 0, "network");
    assert_delivered(netlink_send(&cfg, &st, NETLINK_UP, at_ms(500), 1000, rng), at_ms(511), 0);
    assert_failed(netlink_send(&cfg, &st, NETLINK_UP, at_ms(1000), 1000, rng), at_ms(1000), 0);
    assert_failed(netlink_send(&cfg, &st, NETLINK_UP, at_ms(3000) - 1, 5e6, rng), at_ms(3000) - 1,
                  0);
    /* The failed 5 MB message never reached the transmitter. */
    assert_int_equal(st.dir[NETLINK_UP].free_ns, at_ms(501));
    assert_delivered(netlink_send(&cfg, &st, NETLINK_UP, at_ms(3000), 1000, rng), at_ms(3011), 0);
    gsl_rng_free(rng);
    netlink_config_free(&cfg);
}

/* timeout_ms: 600: wait when the link is back within 600 ms of sending, else fail at
 * send + 600 ms; a return exactly 600 ms later still counts as in time. */
static void on_outage_timeout_waits_only_up_to_the_timeout(void **unused)
{
    struct netlink_config cfg;
    struct netlink_state st;
    load_with_outages("timeout", &cfg);
    assert_int_equal(cfg.timeout_ns, at_ms(600));
    netlink_state_init(&st, &cfg, NULL);
    gsl_rng *rng = rng_stream_new(8, 0, "network");
    assert_failed(netlink_send(&cfg, &st, NETLINK_UP, at_ms(2000), 1000, rng), at_ms(2600),
                  at_ms(600));
    assert_delivered(netlink_send(&cfg, &st, NETLINK_UP, at_ms(2400), 1000, rng), at_ms(3011),
                     at_ms(600));
    assert_delivered(netlink_send(&cfg, &st, NETLINK_UP, at_ms(5000), 1000, rng), at_ms(5511),
                     at_ms(500));
    assert_failed(netlink_send(&cfg, &st, NETLINK_UP, at_ms(10000), 1000, rng), at_ms(10600),
                  at_ms(600));
    assert_delivered(netlink_send(&cfg, &st, NETLINK_UP, at_ms(20000), 1000, rng), at_ms(20011), 0);
    gsl_rng_free(rng);
    netlink_config_free(&cfg);
}

/* Links of one population can share one outage process (outage.shared). */
static void links_can_share_one_outage_process(void **unused)
{
    struct netlink_config cfg;
    load_with_outages("wait", &cfg);
    struct outage_state cell;
    outage_state_init(&cell, &cfg.outage, NULL);
    struct netlink_state a, b;
    netlink_state_init(&a, &cfg, NULL);
    netlink_state_init(&b, &cfg, NULL);
    a.shared_outage = b.shared_outage = &cell;
    assert_ptr_equal(netlink_outage(&a), &cell);
    gsl_rng *rng = rng_stream_new(9, 0, "network");
    assert_delivered(netlink_send(&cfg, &a, NETLINK_UP, at_ms(2000), 1000, rng), at_ms(3011),
                     at_ms(1000));
    assert_false(netlink_is_up(&cfg, &b, at_ms(2500)));
    assert_delivered(netlink_send(&cfg, &b, NETLINK_UP, at_ms(2500), 1000, rng), at_ms(3011),
                     at_ms(500));
    assert_int_equal(cell.last_query_ns, at_ms(2500));
    assert_int_equal(a.outage.last_query_ns, 0); /* the links' own processes were not used */
    gsl_rng_free(rng);
    netlink_config_free(&cfg);
}

/* With a renewal outage process and on_outage: wait, each wait is exactly the time to the
 * next up instant of a twin process; the process is drawn from its own stream, so message
 * draws do not move outages (common random numbers). */
static void waits_follow_a_renewal_outage_process(void **unused)
{
    struct netlink_config cfg;
    load_ok(BASIC_LINK "  outage: {up_s: {dist: exponential, mean: 2}, down_s: {dist: "
                       "exponential, mean: 0.5}}\n",
            &cfg);
    gsl_rng *outage_rng = rng_stream_new(10, 0, "outage");
    gsl_rng *twin_rng = rng_stream_new(10, 0, "outage");
    gsl_rng *rng = rng_stream_new(10, 0, "network");
    struct netlink_state st;
    struct outage_state twin;
    netlink_state_init(&st, &cfg, outage_rng);
    outage_state_init(&twin, &cfg.outage, twin_rng);
    long waited = 0;
    for (int i = 0; i < 40000; i++) {
        int64_t now = (int64_t)i * at_ms(100);
        struct netlink_result r = netlink_send(&cfg, &st, NETLINK_UP, now, 1000, rng);
        assert_int_equal(r.waited_ns, outage_next_up_ns(&twin, &cfg.outage, now) - now);
        waited += r.waited_ns > 0;
    }
    /* The share of sends that meet an outage is the unavailability 0.5 / 2.5 = 0.2; over
     * 4000 s (1600 cycles) its standard error is about 0.006. */
    print_message("    %.4f of sends waited (theory 0.2)\n", waited / 40000.0);
    assert_true(fabs(waited / 40000.0 - 0.2) < 0.03);
    gsl_rng_free(outage_rng);
    gsl_rng_free(twin_rng);
    gsl_rng_free(rng);
    netlink_config_free(&cfg);
}

/* --- loading --- */

static void every_key_is_read_with_its_default(void **unused)
{
    struct netlink_config cfg;
    load_ok(BASIC_LINK, &cfg);
    assert_true(cfg.overhead_bytes == 0 && cfg.bytes_per_token == 4 && cfg.loss_rate == 0);
    assert_string_equal(dist_name(&cfg.retransmit_ms), "constant");
    assert_true(dist_mean(&cfg.retransmit_ms) == 200);
    assert_int_equal(cfg.on_outage, NETLINK_ON_OUTAGE_WAIT);
    assert_int_equal(cfg.outage.kind, OUTAGE_NONE);
    assert_int_equal(cfg.timeout_ns, 0);
    netlink_config_free(&cfg);

    load_ok("link:\n  rtt_ms: {dist: lognormal, mean: 55, cv: 0.3}\n  up_mbps: 6\n"
            "  down_mbps: 21\n  overhead_bytes: 400\n  bytes_per_token: 4\n"
            "  loss: {rate: 0.01, retransmit_ms: {dist: exponential, mean: 250}}\n"
            "  outage: {up_s: {dist: exponential, mean: 600}, down_s: 5, start: stationary, "
            "shared: true}\n"
            "  on_outage: timeout\n  timeout_ms: 2000\n",
            &cfg);
    assert_true(cfg.up_bytes_s == 0.75e6 && cfg.down_bytes_s == 21e6 / 8);
    assert_true(cfg.loss_rate == 0.01);
    assert_true(dist_mean(&cfg.retransmit_ms) == 250);
    assert_int_equal(cfg.outage.kind, OUTAGE_RENEWAL);
    assert_true(cfg.outage.shared);
    assert_int_equal(cfg.on_outage, NETLINK_ON_OUTAGE_TIMEOUT);
    assert_int_equal(cfg.timeout_ns, 2 * SIMTIME_NS_PER_S);
    netlink_config_free(&cfg);

    /* timeout_ms is read (and checked) with other modes too, so a sweep may switch modes. */
    load_ok(BASIC_LINK "  on_outage: fail\n  timeout_ms: 100\n", &cfg);
    assert_int_equal(cfg.on_outage, NETLINK_ON_OUTAGE_FAIL);
    netlink_config_free(&cfg);
}

static void misspelt_keys_are_left_for_the_unused_check(void **unused)
{
    struct netlink_config cfg;
    struct error err;
    struct ydoc *doc =
        ydoc_load_string(BASIC_LINK "  loss: {rate: 0.1, retransmit_s: 300}\n", "test.yaml", &err);
    assert_non_null(doc);
    assert_int_equal(netlink_config_load(&cfg, ydoc_get(ydoc_root(doc), "link"), &err), 0);
    assert_int_equal(ydoc_check_unused(doc, &err), -1);
    assert_non_null(strstr(err.msg, "unknown key 'retransmit_s' (did you mean 'retransmit_ms'?)"));
    assert_int_equal(err.line, 5);
    ydoc_free(doc);
    netlink_config_free(&cfg);
}

static void bad_values_are_located_errors(void **unused)
{
    load_fails("link: 3\n", "expected a map", 1, 7, "link");
    load_fails("link:\n  up_mbps: 8\n  down_mbps: 80\n", "missing required key 'rtt_ms'", 2, 3,
               "link");
    load_fails("link:\n  rtt_ms: 20\n  up_mbps: 8\n", "missing required key 'down_mbps'", 2, 3,
               "link");
    load_fails("link:\n  rtt_ms: {dist: normall}\n  up_mbps: 8\n  down_mbps: 80\n",
               "did you mean 'normal'?", 2, 18, "link.rtt_ms.dist");
    load_fails("link:\n  rtt_ms: 20\n  up_mbps: 0\n  down_mbps: 80\n", "a number > 0", 3, 12,
               "link.up_mbps");
    load_fails("link:\n  rtt_ms: 20\n  up_mbps: 8\n  down_mbps: -5\n", "a number > 0", 4, 14,
               "link.down_mbps");
    load_fails(BASIC_LINK "  overhead_bytes: -1\n", "a number >= 0", 5, 19, "link.overhead_bytes");
    load_fails(BASIC_LINK "  bytes_per_token: x\n", "expected a number", 5, 20,
               "link.bytes_per_token");
    load_fails(BASIC_LINK "  loss: {rate: 1}\n", "a number in [0, 1)", 5, 16, "link.loss.rate");
    load_fails(BASIC_LINK "  loss: {rate: -0.1}\n", "a number in [0, 1)", 5, 16, "link.loss.rate");
    load_fails(BASIC_LINK "  loss: 0.01\n", "expected a map", 5, 9, "link.loss");
    load_fails(BASIC_LINK "  loss: {rate: 0.1, retransmit_ms: {dist: exponential}}\n",
               "missing required key 'mean'", 5, 36, "link.loss.retransmit_ms");
    load_fails(BASIC_LINK "  on_outage: wiat\n",
               "expected one of wait, fail, timeout, got 'wiat' (did you mean 'wait'?)", 5, 14,
               "link.on_outage");
    load_fails(BASIC_LINK "  on_outage: timeout\n", "on_outage: timeout needs timeout_ms", 5, 14,
               "link.on_outage");
    load_fails(BASIC_LINK "  on_outage: timeout\n  timeout_ms: 0\n", "a number > 0", 6, 15,
               "link.timeout_ms");
    load_fails(BASIC_LINK "  outage: {up_s: 3}\n", "missing required key 'down_s'", 5, 11,
               "link.outage");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(deliveries_follow_fifo_serialisation_and_propagation),
        cmocka_unit_test(message_bytes_are_overhead_plus_tokens),
        cmocka_unit_test(secure_transport_pays_a_handshake_per_connection),
        cmocka_unit_test(jittered_deliveries_stay_in_order),
        cmocka_unit_test(retransmissions_are_geometric_with_mean_p_over_1_minus_p),
        cmocka_unit_test(extra_delay_with_random_retransmit_delay_matches_wald),
        cmocka_unit_test(lost_attempts_occupy_the_transmitter_and_block_the_line),
        cmocka_unit_test(on_outage_wait_starts_when_the_link_is_back),
        cmocka_unit_test(on_outage_fail_fails_at_once_and_leaves_no_trace),
        cmocka_unit_test(on_outage_timeout_waits_only_up_to_the_timeout),
        cmocka_unit_test(links_can_share_one_outage_process),
        cmocka_unit_test(waits_follow_a_renewal_outage_process),
        cmocka_unit_test(every_key_is_read_with_its_default),
        cmocka_unit_test(misspelt_keys_are_left_for_the_unused_check),
        cmocka_unit_test(bad_values_are_located_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
