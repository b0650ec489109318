/* stats: streaming statistics (count, mean, variance, min, max, quantiles) in bounded memory,
 * and Student-t confidence intervals across replications.
 *
 * Moments use Welford's update. Quantiles come from `struct qsketch`: exact (all values
 * kept, nearest-rank on the sorted values) while count <= exact_limit; past that the values
 * move into a logarithmically bucketed histogram (DDSketch, Masson et al., VLDB 2019):
 * bucket i holds values in (g^(i-1), g^i] with g = (1+eps)/(1-eps), and a quantile is
 * answered with 2 g^i/(g+1), clamped to the observed finite [min, max]. Bound: the answer
 * is within relative error eps of the exact nearest-rank quantile, for any input order, up
 * to a floating-point slack of 1e-12 (relative) at bucket boundaries, for |x| >= DBL_MIN
 * (see stats.c). Zero and +-inf go in their own counters; negative values in a mirrored
 * store.
 * Memory: exact_limit doubles, then O(log(max/min)/eps) buckets: per sign, at most
 * 2 s + 16 counters where s is the number of buckets between the smallest and largest |x|.
 *
 * Quantile convention everywhere: the nearest-rank value x_(k), k = max(1, ceil(p n)); a
 * rounded p n within a few ulps above an integer counts as that integer (p = 0.07 of 100
 * values is rank 7, though the double 0.07 times 100 rounds to 7.000000000000001). */
#ifndef HAISIM_STATS_H
#define HAISIM_STATS_H

#include <stddef.h>
#include <stdint.h>

struct stats_acc {
    uint64_t n;
    double mean, m2; /* Welford: running mean and sum of squared deviations */
    double min, max; /* +inf and -inf while n == 0 */
};

void stats_acc_init(struct stats_acc *a);
void stats_acc_add(struct stats_acc *a, double x);
double stats_acc_variance(const struct stats_acc *a); /* sample variance (n-1); 0 if n < 2 */

struct qsketch;

#define QSKETCH_DEFAULT_EPS 0.005
#define QSKETCH_DEFAULT_EXACT_LIMIT 4096

/* eps in (0, 0.5); exact_limit may be 0 (always sketch). NULL on out-of-memory, or if eps
 * is outside (0, 0.5) or so small (below ~2e-16) that bucket indices would not fit. */
struct qsketch *qsketch_new(double eps, size_t exact_limit);
void qsketch_free(struct qsketch *q);
/* Returns -1 on out-of-memory (the value is then lost), 0 otherwise. NaN is ignored. */
int qsketch_add(struct qsketch *q, double x);
uint64_t qsketch_count(const struct qsketch *q);
/* p in [0, 1]; NaN when empty or p is not in [0, 1]. Not const: the exact store is sorted
 * lazily. */
double qsketch_quantile(struct qsketch *q, double p);
/* True while answers are exact. */
int qsketch_is_exact(const struct qsketch *q);
/* Bucket counters allocated (0 while exact): the sketch's memory is 8 bytes per counter.
 * For tests and diagnostics. */
size_t qsketch_buckets(const struct qsketch *q);

/* Moments plus quantiles of one metric. */
struct stats_stream {
    struct stats_acc acc;
    struct qsketch *q;
};

int stats_stream_init(struct stats_stream *s); /* default eps and exact limit; -1 on OOM */
void stats_stream_free(struct stats_stream *s);
/* NaN is ignored (so acc.n == qsketch_count(q)); -1 on out-of-memory, the value then lost. */
int stats_stream_add(struct stats_stream *s, double x);

/* Mean and 95 % confidence half-width of n observations (Student t, n-1 degrees of
 * freedom, sample standard deviation). half_width is 0 when n < 2. */
struct stats_ci {
    double mean;
    double half_width;
    size_t n;
};
struct stats_ci stats_ci95(const double *xs, size_t n);

#endif
