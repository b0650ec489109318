/* stats: Welford moments, the exact-then-DDSketch quantile sketch, Student-t intervals. */
#include "stats.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

/* Welford (1962), as in Knuth TAOCP vol. 2, 4.2.2: no sum of squares, so no catastrophic
 * cancellation when the mean is large beside the spread. */
void stats_acc_init(struct stats_acc *a)
{
    *a = (struct stats_acc){.n = 0, .mean = 0, .m2 = 0, .min = INFINITY, .max = -INFINITY};
}

void stats_acc_add(struct stats_acc *a, double x)
{
    a->n++;
    double delta = x - a->mean;
    a->mean += delta / (double)a->n;
    a->m2 += delta * (x - a->mean);
    if (x < a->min)
        a->min = x;
    if (x > a->max)
        a->max = x;
}

double stats_acc_variance(const struct stats_acc *a)
{
    return a->n < 2 ? 0.0 : a->m2 / (double)(a->n - 1);
}

/* --- qsketch --------------------------------------------------------------------------
 *
 * Exact mode: `values` holds every value (capacity grows by doubling up to exact_limit);
 * `sorted` says whether they are in ascending order, so queries sort only when needed.
 *
 * Sketch mode (DDSketch, Masson, Rim & Lee, VLDB 2019, section 2): a value x > 0 goes to
 * bucket i = ceil(log(x) / log(g)), g = (1+eps)/(1-eps), i.e. x in (g^(i-1), g^i]; the
 * bucket answers 2 g^i/(g+1), which lies within relative eps of every point of the bucket
 * (Lemma 2 of the paper). Negative values go to a second store by |x|; zeros and +-inf to
 * counters. Bucketing is monotone in x, so the k-th smallest value falls in the bucket
 * where the running count first reaches k, and the answer is within eps of x_(k).
 *
 * Floating point: log and the division round (ceil is exact), so a value within a few
 * ulps of a boundary g^i may land in the neighbouring bucket. The misplacement is at most
 * ~|log x / log g| * 4 DBL_EPSILON index units, a relative shift of ~|log x| * 4
 * DBL_EPSILON <= 1e-12 for any normal double; pow and the representative's two roundings
 * add a few ulps more. So the bound is eps + 1e-12 (relative) for |x| >= DBL_MIN.
 * Subnormal inputs keep their rank, but their answers carry the subnormal grid's coarser
 * rounding. Bucket answers are clamped to the finite nonzero [min, max] seen: this can
 * only move them toward the true quantile (see qsketch_answer for overflow near DBL_MAX).
 *
 * A store is a contiguous array of counts; counts[j] is bucket offset + j. It grows by
 * realloc on whichever side a new index falls outside, adding slack of half the occupied
 * span + 8 on that side, so growth is amortised O(1) per add and the array never exceeds
 * 2 * (occupied span) + 16 counters (each side's slack was at most half a span no larger
 * than today's, plus 8). */

enum { QSKETCH_STORE_MIN_SLACK = 8, QSKETCH_EXACT_MIN_CAP = 16 };

/* |log x| of any finite nonzero double is below this (log DBL_TRUE_MIN = -744.44). */
#define QSKETCH_MAX_ABS_LOG 745.0

struct qsketch_store {
    uint64_t *counts;
    int64_t offset; /* bucket index of counts[0] */
    size_t len;
};

struct qsketch {
    double gamma;      /* g = (1+eps)/(1-eps) */
    double log_gamma;  /* log(g) */
    double upper_frac; /* 2 g/(g+1) = 1 + eps: the answer over the bucket's lower edge */
    size_t exact_limit;
    uint64_t count; /* values added, NaN excluded */
    bool exact;

    /* exact mode */
    double *values; /* `count` values, capacity `values_cap` */
    size_t values_cap;
    bool sorted;

    /* sketch mode */
    struct qsketch_store pos, neg; /* neg is indexed by |x| */
    uint64_t zero_count, pos_inf_count, neg_inf_count;
    double min, max; /* of the finite nonzero values, for clamping bucket answers */
};

struct qsketch *qsketch_new(double eps, size_t exact_limit)
{
    if (!(eps > 0 && eps < 0.5))
        return NULL;
    double gamma = (1 + eps) / (1 - eps);
    double log_gamma = log(gamma);
    /* Bucket indices must fit comfortably in int64_t (eps below ~2e-16 would not). */
    if (!(log_gamma > 0) || !(QSKETCH_MAX_ABS_LOG / log_gamma < (double)(INT64_MAX / 4)))
        return NULL;
    struct qsketch *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->gamma = gamma;
    q->log_gamma = log_gamma;
    q->upper_frac = 2 * gamma / (gamma + 1);
    q->exact_limit = exact_limit;
    q->exact = true;
    q->sorted = true;
    q->min = INFINITY;
    q->max = -INFINITY;
    return q;
}

static void qsketch_store_free(struct qsketch_store *s)
{
    free(s->counts);
    *s = (struct qsketch_store){NULL, 0, 0};
}

void qsketch_free(struct qsketch *q)
{
    if (!q)
        return;
    free(q->values);
    qsketch_store_free(&q->pos);
    qsketch_store_free(&q->neg);
    free(q);
}

uint64_t qsketch_count(const struct qsketch *q)
{
    return q->count;
}

int qsketch_is_exact(const struct qsketch *q)
{
    return q->exact;
}

size_t qsketch_buckets(const struct qsketch *q)
{
    return q->pos.len + q->neg.len;
}

/* Makes room for bucket i, which lies outside [offset, offset + len). Cold path. */
static int qsketch_store_grow(struct qsketch_store *s, int64_t i)
{
    int64_t lo, hi; /* new first and last bucket index */
    if (s->len == 0) {
        lo = i - QSKETCH_STORE_MIN_SLACK;
        hi = i + QSKETCH_STORE_MIN_SLACK;
    } else {
        /* The occupied span: first and last nonzero buckets (the store is nonempty). */
        size_t first = 0, last = s->len - 1;
        while (s->counts[first] == 0)
            first++;
        while (s->counts[last] == 0)
            last--;
        int64_t occupied_lo = s->offset + (int64_t)first;
        int64_t occupied_hi = s->offset + (int64_t)last;
        if (i < s->offset) {
            int64_t slack = (occupied_hi - i + 1) / 2 + QSKETCH_STORE_MIN_SLACK;
            lo = i - slack;
            hi = s->offset + (int64_t)s->len - 1;
        } else {
            int64_t slack = (i - occupied_lo + 1) / 2 + QSKETCH_STORE_MIN_SLACK;
            lo = s->offset;
            hi = i + slack;
        }
    }
    uint64_t new_len = (uint64_t)(hi - lo) + 1;
    if (new_len > SIZE_MAX / sizeof s->counts[0])
        return -1;
    uint64_t *counts = realloc(s->counts, (size_t)new_len * sizeof counts[0]);
    if (!counts)
        return -1;
    size_t shift = s->len ? (size_t)(s->offset - lo) : 0; /* new buckets before the old */
    if (s->len)
        memmove(counts + shift, counts, s->len * sizeof counts[0]);
    memset(counts, 0, shift * sizeof counts[0]);
    memset(counts + shift + s->len, 0, ((size_t)new_len - shift - s->len) * sizeof counts[0]);
    s->counts = counts;
    s->offset = lo;
    s->len = (size_t)new_len;
    return 0;
}

static inline int qsketch_store_add(struct qsketch_store *s, int64_t i)
{
    /* Indices are bounded by QSKETCH_MAX_ABS_LOG / log_gamma < INT64_MAX / 4 (checked in
     * qsketch_new), so the difference cannot overflow; below offset it wraps to a huge
     * unsigned value and fails the range test. */
    uint64_t j = (uint64_t)(i - s->offset);
    if (j >= s->len) {
        if (qsketch_store_grow(s, i) != 0)
            return -1;
        j = (uint64_t)(i - s->offset);
    }
    s->counts[j]++;
    return 0;
}

/* Bucket index of a finite x > 0: ceil(log_g x), so x lies in (g^(i-1), g^i]. */
static inline int64_t qsketch_index(const struct qsketch *q, double x)
{
    return (int64_t)ceil(log(x) / q->log_gamma);
}

/* Puts one non-NaN value into the sketch; does not touch count. */
static int qsketch_bin(struct qsketch *q, double x)
{
    if (x == 0) {
        q->zero_count++;
        return 0;
    }
    if (isinf(x)) {
        if (x > 0)
            q->pos_inf_count++;
        else
            q->neg_inf_count++;
        return 0;
    }
    int rc = x > 0 ? qsketch_store_add(&q->pos, qsketch_index(q, x))
                   : qsketch_store_add(&q->neg, qsketch_index(q, -x));
    if (rc != 0)
        return rc;
    if (x < q->min)
        q->min = x;
    if (x > q->max)
        q->max = x;
    return 0;
}

/* Moves the exact values into the sketch. All or nothing: on out-of-memory the sketch is
 * emptied again and the exact store kept. */
static int qsketch_migrate(struct qsketch *q)
{
    for (size_t j = 0; j < (size_t)q->count; j++) {
        if (qsketch_bin(q, q->values[j]) != 0) {
            qsketch_store_free(&q->pos);
            qsketch_store_free(&q->neg);
            q->zero_count = q->pos_inf_count = q->neg_inf_count = 0;
            q->min = INFINITY;
            q->max = -INFINITY;
            return -1;
        }
    }
    free(q->values);
    q->values = NULL;
    q->values_cap = 0;
    q->exact = false;
    return 0;
}

static int qsketch_exact_append(struct qsketch *q, double x)
{
    size_t n = (size_t)q->count;
    if (n == q->values_cap) {
        size_t cap = q->values_cap ? q->values_cap * 2 : QSKETCH_EXACT_MIN_CAP;
        if (cap > q->exact_limit || cap < q->values_cap)
            cap = q->exact_limit;
        if (cap > SIZE_MAX / sizeof(double))
            return -1;
        double *values = realloc(q->values, cap * sizeof values[0]);
        if (!values)
            return -1;
        q->values = values;
        q->values_cap = cap;
    }
    if (n > 0 && x < q->values[n - 1])
        q->sorted = false;
    q->values[n] = x;
    return 0;
}

int qsketch_add(struct qsketch *q, double x)
{
    if (isnan(x))
        return 0;
    if (q->exact) {
        if (q->count < q->exact_limit) {
            if (qsketch_exact_append(q, x) != 0)
                return -1;
            q->count++;
            return 0;
        }
        if (qsketch_migrate(q) != 0)
            return -1;
    }
    if (qsketch_bin(q, x) != 0)
        return -1;
    q->count++;
    return 0;
}

/* Nearest rank k = max(1, ceil(p n)), clamped to n. p n is a rounded product: when it lies
 * within a few ulps above an integer it is taken as that integer, so that a decimal p such
 * as 0.07 (stored as 0.07000000000000000666) gives rank 7 of 100, not 8. */
static uint64_t qsketch_rank(double p, uint64_t n)
{
    double pn = p * (double)n;
    double k = ceil(pn - pn * (4 * DBL_EPSILON));
    if (k < 1)
        return 1;
    if (k >= (double)n)
        return n;
    return (uint64_t)k;
}

static int qsketch_compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Bucket i's answer, sign * 2 g^i/(g+1), clamped to the finite values seen. Computed as
 * g^(i-1) (2g/(g+1)): g^(i-1) < |x| is finite, whereas 2 g^i overflows for |x| near
 * DBL_MAX / 2. If the product still overflows, the bucket is the top one and the clamp to
 * max lands within the bucket's range below DBL_MAX, so within eps of any value in it. */
static double qsketch_answer(const struct qsketch *q, int64_t i, double sign)
{
    double v = sign * (pow(q->gamma, (double)(i - 1)) * q->upper_frac);
    if (v < q->min)
        return q->min;
    if (v > q->max)
        return q->max;
    return v;
}

double qsketch_quantile(struct qsketch *q, double p)
{
    if (q->count == 0 || !(p >= 0 && p <= 1))
        return NAN;
    uint64_t k = qsketch_rank(p, q->count);
    if (q->exact) {
        if (!q->sorted) {
            qsort(q->values, (size_t)q->count, sizeof q->values[0], qsketch_compare_double);
            q->sorted = true;
        }
        return q->values[k - 1];
    }
    /* Walk in ascending value order: -inf, negatives from the largest |x|, zeros,
     * positives from the smallest, +inf. */
    uint64_t seen = q->neg_inf_count;
    if (k <= seen)
        return -INFINITY;
    for (size_t j = q->neg.len; j-- > 0;) {
        seen += q->neg.counts[j];
        if (k <= seen)
            return qsketch_answer(q, q->neg.offset + (int64_t)j, -1.0);
    }
    seen += q->zero_count;
    if (k <= seen)
        return 0.0;
    for (size_t j = 0; j < q->pos.len; j++) {
        seen += q->pos.counts[j];
        if (k <= seen)
            return qsketch_answer(q, q->pos.offset + (int64_t)j, 1.0);
    }
    return INFINITY;
}

/* --- stats_stream --------------------------------------------------------------------- */

int stats_stream_init(struct stats_stream *s)
{
    stats_acc_init(&s->acc);
    s->q = qsketch_new(QSKETCH_DEFAULT_EPS, QSKETCH_DEFAULT_EXACT_LIMIT);
    return s->q ? 0 : -1;
}

void stats_stream_free(struct stats_stream *s)
{
    qsketch_free(s->q);
    s->q = NULL;
}

int stats_stream_add(struct stats_stream *s, double x)
{
    /* NaN is skipped here as in the sketch, so acc.n == qsketch_count(q); a value the
     * sketch could not store is kept out of the moments too. */
    if (isnan(x))
        return 0;
    if (qsketch_add(s->q, x) != 0)
        return -1;
    stats_acc_add(&s->acc, x);
    return 0;
}

/* --- confidence intervals ------------------------------------------------------------- */

struct stats_ci stats_ci95(const double *xs, size_t n)
{
    struct stats_acc a;
    stats_acc_init(&a);
    for (size_t i = 0; i < n; i++)
        stats_acc_add(&a, xs[i]);
    struct stats_ci ci = {n ? a.mean : NAN, 0.0, n};
    if (n >= 2) {
        double t = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1));
        ci.half_width = t * sqrt(stats_acc_variance(&a)) / sqrt((double)n);
    }
    return ci;
}
