/* stats: streaming statistics (count, mean, variance, min, max, quantiles) in bounded memory,
 * and Student-t confidence intervals across replications.
 *
 * Moments use Welford's update. Quantiles come from `struct qsketch`: exact (all values
 * kept, nearest-rank on the sorted values) while count <= exact_limit; past that the values
 * move into a logarithmically bucketed histogram (DDSketch, Masson et al., VLDB 2019):
 * bucket i holds values in (g^(i-1), g^i] with g = (1+eps)/(1-eps), and a quantile is
 * answered with 2 g^i/(g+1). Bound: the answer is within relative error eps of the exact
 * nearest-rank quantile, for any input order. Zero goes in its own counter; negative values
 * in a mirrored store. Memory: exact_limit doubles, then O(log(max/min)/eps) buckets.
 *
 * Quantile convention everywhere: the nearest-rank value x_(k), k = max(1, ceil(p n)). */
#ifndef HAISIM_STATS_H
#define HAISIM_STATS_H

#include <stddef.h>
#include <stdint.h>

struct stats_acc {
    uint64_t n;
    double mean, m2; /* Welford: running mean and sum of squared deviations */
    double min, max;
};

void stats_acc_init(struct stats_acc *a);
void stats_acc_add(struct stats_acc *a, double x);
double stats_acc_variance(const struct stats_acc *a); /* sample variance (n-1); 0 if n < 2 */

struct qsketch;

#define QSKETCH_DEFAULT_EPS 0.005
#define QSKETCH_DEFAULT_EXACT_LIMIT 4096

/* eps in (0, 0.5); exact_limit may be 0 (always sketch). NULL on out-of-memory. */
struct qsketch *qsketch_new(double eps, size_t exact_limit);
void qsketch_free(struct qsketch *q);
/* Returns -1 on out-of-memory (the value is then lost), 0 otherwise. NaN is ignored. */
int qsketch_add(struct qsketch *q, double x);
uint64_t qsketch_count(const struct qsketch *q);
/* p in [0, 1]; NaN when empty. Not const: the exact store is sorted lazily. */
double qsketch_quantile(struct qsketch *q, double p);
/* True while answers are exact. */
int qsketch_is_exact(const struct qsketch *q);

/* Moments plus quantiles of one metric. */
struct stats_stream {
    struct stats_acc acc;
    struct qsketch *q;
};

int stats_stream_init(struct stats_stream *s); /* default eps and exact limit; -1 on OOM */
void stats_stream_free(struct stats_stream *s);
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
