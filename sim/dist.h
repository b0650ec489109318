/* dist: probability distributions, read from YAML by name and sampled with a GSL generator.
 *
 * YAML forms (all parameters are plain numbers in the unit of the key they sit under):
 *   3.5                                         constant (a bare number)
 *   {dist: constant, value: 3.5}
 *   {dist: uniform, min: 1, max: 4}
 *   {dist: exponential, mean: 2}
 *   {dist: normal, mean: 10, sd: 2}
 *   {dist: lognormal, mean: 10, cv: 0.5}        or {dist: lognormal, mu: 2.2, sigma: 0.4}
 *   {dist: gamma, mean: 10, cv: 0.5}            or {dist: gamma, shape: 4, scale: 2.5}
 *   {dist: weibull, shape: 1.5, scale: 10}
 *   {dist: pareto, shape: 2.5, scale: 1}        (scale = minimum value x_m)
 *   {dist: empirical, values: [1, 2, 2, 5]}     each listed value equally likely
 *   {dist: empirical, file: lengths.csv, column: tokens}   a CSV column (header row
 *        required; path relative to the scenario file; empty cells are an error)
 *
 * Families are `struct dist_ops` rows in one registry table (dist.c); an unknown family
 * gets "did you mean". Parameters are validated at parse time (e.g. cv > 0, min < max).
 * A struct dist owns its empirical values; dist_free releases them. */
#ifndef HAISIM_DIST_H
#define HAISIM_DIST_H

#include <gsl/gsl_rng.h>
#include <stddef.h>

#include "error.h"
#include "ydoc.h"

struct dist;

struct dist_ops {
    const char *name;
    /* Reads the family's parameters from map node n (the "dist" key is already read). */
    int (*parse)(struct dist *d, struct ydoc_node *n, struct error *err);
    double (*sample)(const struct dist *d, gsl_rng *rng);
    double (*mean)(const struct dist *d);
    double (*variance)(const struct dist *d); /* INFINITY when it does not exist */
};

struct dist {
    const struct dist_ops *ops;
    double p[3];    /* family parameters in GSL's parameterisation (see dist.c) */
    double *values; /* empirical values, owned; NULL otherwise */
    size_t n_values;
};

/* Reads a distribution from node n (a bare number or a map with "dist"). */
int dist_parse(struct dist *d, struct ydoc_node *n, struct error *err);

/* Builds distributions directly (for code and tests); they never fail on valid numbers.
 * dist_empirical copies the n values. Returns -1 only on out-of-memory. */
void dist_constant(struct dist *d, double value);
void dist_exponential(struct dist *d, double mean);
void dist_lognormal_mean_cv(struct dist *d, double mean, double cv);
int dist_empirical(struct dist *d, const double *values, size_t n);

double dist_sample(const struct dist *d, gsl_rng *rng);
double dist_mean(const struct dist *d);
double dist_variance(const struct dist *d);
const char *dist_name(const struct dist *d);

/* Releases owned values and resets d to constant 0. Safe on a zeroed struct. */
void dist_free(struct dist *d);

#endif
