/* rng: xoshiro256** as a GSL generator, named stream seeds and counter-based uniforms. */
#include "rng.h"

#include <stdlib.h>

/* The increment of splitmix64 (2^64 / golden ratio, odd). */
#define RNG_GOLDEN_GAMMA 0x9e3779b97f4a7c15ULL

struct rng_xoshiro_state {
    uint64_t s[4];
};

uint64_t rng_mix64(uint64_t x)
{
    /* Steele, Lea & Flood, "Fast splittable pseudorandom number generators" (OOPSLA 2014),
     * with the improved constants of Vigna's reference splitmix64.c. */
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

uint64_t rng_fnv1a64(const char *s)
{
    /* Fowler-Noll-Vo FNV-1a, 64-bit offset basis and prime. */
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return h;
}

uint64_t rng_stream_seed(uint64_t seed, uint32_t replication, const char *name)
{
    return rng_mix64(rng_mix64(seed ^ rng_mix64(replication)) ^ rng_fnv1a64(name));
}

/* The state words are the first four outputs of splitmix64 started at `seed`, as the
 * xoshiro authors recommend. They are mix64 of four distinct inputs and mix64 is a
 * bijection, so at most one word is zero: the forbidden all-zero state cannot occur. */
static void rng_xoshiro_seed(struct rng_xoshiro_state *st, uint64_t seed)
{
    for (int i = 0; i < 4; i++) {
        seed += RNG_GOLDEN_GAMMA;
        st->s[i] = rng_mix64(seed);
    }
}

static inline uint64_t rng_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* Blackman & Vigna, "Scrambled linear pseudorandom number generators" (ACM TOMS 2021),
 * xoshiro256** reference next(). */
static inline uint64_t rng_xoshiro_next(struct rng_xoshiro_state *st)
{
    uint64_t *s = st->s;
    const uint64_t result = rng_rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rng_rotl(s[3], 45);
    return result;
}

static void rng_xoshiro_set(void *state, unsigned long seed)
{
    rng_xoshiro_seed(state, (uint64_t)seed);
}

/* The upper 32 bits (the best bits of the ** scrambler). Integer output is kept to 32 bits
 * on every platform: max must fit an unsigned long where that is 32 bits wide, and GSL's
 * own generators are all at most 32 bits, which is what its gsl_ran_* code is tested with. */
static unsigned long rng_xoshiro_get(void *state)
{
    return (unsigned long)(rng_xoshiro_next(state) >> 32);
}

/* The top 53 bits scaled by 2^-53: every double in [0, 1) on a 2^-53 grid, never 1. */
static double rng_xoshiro_get_double(void *state)
{
    return (double)(rng_xoshiro_next(state) >> 11) * 0x1.0p-53;
}

static const gsl_rng_type rng_xoshiro_type = {
    .name = "xoshiro256**",
    .max = 0xffffffffUL,
    .min = 0,
    .size = sizeof(struct rng_xoshiro_state),
    .set = rng_xoshiro_set,
    .get = rng_xoshiro_get,
    .get_double = rng_xoshiro_get_double,
};

const gsl_rng_type *rng_xoshiro256ss = &rng_xoshiro_type;

gsl_rng *rng_stream_new(uint64_t seed, uint32_t replication, const char *name)
{
    /* Allocated by hand rather than with gsl_rng_alloc, which reports out-of-memory through
     * the GSL error handler (abort by default); the layout is what gsl_rng_free releases.
     * Seeding directly also keeps all 64 bits where unsigned long is 32 bits wide. */
    gsl_rng *r = malloc(sizeof *r);
    if (!r)
        return NULL;
    r->type = rng_xoshiro256ss;
    r->state = malloc(sizeof(struct rng_xoshiro_state));
    if (!r->state) {
        free(r);
        return NULL;
    }
    rng_xoshiro_seed(r->state, rng_stream_seed(seed, replication, name));
    return r;
}

/* One absorption step of the hash: a bijection of v for fixed h. Adding the golden gamma
 * keeps all-zero inputs away from mix64's fixed point at 0. */
static inline uint64_t rng_absorb(uint64_t h, uint64_t v)
{
    return rng_mix64((h ^ v) + RNG_GOLDEN_GAMMA);
}

double rng_hash_u01(uint64_t seed, uint32_t replication, uint64_t id, uint64_t purpose)
{
    uint64_t h = rng_absorb(rng_absorb(rng_absorb(rng_absorb(0, seed), replication), id), purpose);
    /* Top 52 bits plus one half, scaled by 2^-52: the midpoints (k + 0.5) / 2^52, all exact
     * in a double, so the smallest is 2^-53 and the largest 1 - 2^-53. (With 53 bits the
     * largest midpoint would round up to exactly 1.) */
    return ((double)(h >> 12) + 0.5) * 0x1.0p-52;
}
