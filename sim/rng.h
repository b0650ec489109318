/* rng: independent named random streams, and counter-based hashes for common random numbers.
 *
 * A stream is a GSL generator whose 64-bit seed is derived from (master seed, replication,
 * stream name): seed = mix(mix(master ^ mix(replication)) ^ fnv1a64(name)), with mix =
 * the splitmix64 finaliser. Adding a stream never shifts another, and two runs with the same
 * seed draw the same numbers from each stream whatever else they do.
 *
 * The generator is xoshiro256** (Blackman & Vigna 2018) registered as a gsl_rng_type, so
 * every gsl_ran_* function works with it; it is seeded through splitmix64 from the full
 * 64-bit stream seed (GSL's built-in generators keep only 32 bits of an unsigned long seed
 * on some types, which would let streams collide).
 *
 * Per-request quantities that must agree across policies (correctness draws, acceptance
 * draws) use rng_hash_u01(seed, replication, id, purpose): a pure function, not a stream. */
#ifndef HAISIM_RNG_H
#define HAISIM_RNG_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

extern const gsl_rng_type *rng_xoshiro256ss;

/* splitmix64 finaliser: a bijective 64-bit mixer. */
uint64_t rng_mix64(uint64_t x);

/* FNV-1a 64-bit hash of a NUL-terminated string. */
uint64_t rng_fnv1a64(const char *s);

/* The seed of stream `name` in replication `replication` of a run with master `seed`. */
uint64_t rng_stream_seed(uint64_t seed, uint32_t replication, const char *name);

/* A new generator for the stream; NULL on out-of-memory. Free with gsl_rng_free. */
gsl_rng *rng_stream_new(uint64_t seed, uint32_t replication, const char *name);

/* A uniform number in the open interval (0, 1), a pure function of its arguments. */
double rng_hash_u01(uint64_t seed, uint32_t replication, uint64_t id, uint64_t purpose);

#endif
