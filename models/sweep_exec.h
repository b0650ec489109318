/* sweep_exec: runs a sweep's points in worker processes and keeps each point's results in
 * its own files, so that a sweep survives interruption (--resume), spreads over machines
 * (--shard, then merge) and always assembles to the same bytes (docs/sweeps.md).
 *
 * An output directory DIR holds:
 *   sweep.yaml             a copy of the sweep file (what merge and plot read back)
 *   sweep.id               the sweep's name, fingerprint (sweep_fingerprint) and point count
 *   points/NNNN.cdf.csv    point NNNN's rows of cdf.csv            (NNNN = 1-based, 4+ digits)
 *   points/NNNN.csv        point NNNN's rows of results.csv, written last: its presence
 *                          means the point is complete
 *   points/NNNN.error      why point NNNN failed (removed when it is run again)
 *   points/NNNN/           the point's detailed outputs, when the scenario asks for them
 *   results.csv, aggregate.csv, cdf.csv   assembled from points/ in point order
 * Every file is written to NAME.partial and renamed when complete (outfile.h), so an
 * interrupted sweep loses at most the points that were running.
 *
 * Determinism: a point's results depend only on its scenario, the seed and the replication
 * numbers, never on which worker ran it or when; the assembled files are read back from
 * points/ and written in point order. Results are therefore byte-identical at any -j, after
 * any number of resumes, and when shards are merged.
 *
 * Workers: the parent forks one child per point, at most `jobs` at a time; a child loads its
 * point's experiment, runs it, writes the point's files and exits. On Linux a child dies
 * with its parent (PR_SET_PDEATHSIG), so killing a sweep stops all of its work.
 *
 * Shards: point p (0-based) belongs to shard (p mod n) + 1 of n — round robin, so every
 * shard gets a similar mix of cheap and costly points. */
#ifndef HAISIM_SWEEP_EXEC_H
#define HAISIM_SWEEP_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "error.h"
#include "experiment.h"
#include "sweep.h"
#include "sweep_table.h"

struct sweep_exec_options {
    const char *dir;        /* output directory */
    unsigned jobs;          /* worker processes, >= 1 */
    bool resume;            /* keep complete points; without it this shard's points are cleared */
    unsigned shard, shards; /* run shard `shard` (1-based) of `shards`; shards 1: all */
    FILE *progress;         /* progress bar (a terminal); NULL: quiet */
    struct experiment_options scenario; /* the profile search path for every point */
};

struct sweep_exec_summary {
    size_t in_shard;     /* points of this shard */
    size_t already_done; /* found complete (--resume) */
    size_t ran, failed;  /* run now: completed, failed */
};

/* True when point p (0-based) belongs to shard `shard` of `shards`. */
bool sweep_exec_in_shard(size_t point, unsigned shard, unsigned shards);

/* Loads every point of the shard (and point 1) as an experiment and frees it again, so that
 * bad input is reported (located in the sweep file, sweep_point_error) before anything runs;
 * then checks the variant names of the expectations and charts against point 1's. */
int sweep_exec_check(const struct sweep *sw, const struct sweep_exec_options *opt,
                     struct error *err);

/* Runs the points of the shard that are not complete. Returns 0 when the sweep ran, even if
 * some points failed (counted in the summary, their reasons in points/NNNN.error); -1 when
 * it could not (the directory holds another sweep's results under --resume, I/O errors). */
int sweep_exec_run(const struct sweep *sw, const struct sweep_exec_options *opt,
                   struct sweep_exec_summary *summary, struct error *err);

/* The results table of DIR's points (complete, failed or missing). */
int sweep_exec_collect(struct sweep_table *t, const struct sweep *sw, const char *dir,
                       struct error *err);

/* Writes DIR/results.csv, DIR/cdf.csv and DIR/aggregate.csv from the table. */
int sweep_exec_assemble(const struct sweep_table *t, const char *dir, struct error *err);

/* Loads DIR/sweep.yaml (the copy a sweep keeps with its results). */
int sweep_exec_open(struct sweep *sw, const char *dir, struct error *err);

/* Joins the points of several output directories (shards of one sweep: their sweep.id must
 * be identical) into out_dir, which then holds what a single run would have written before
 * assembly. Every point must be complete in (or have failed in) some directory. */
int sweep_exec_merge(const char *out_dir, const char *const *dirs, size_t n_dirs,
                     struct error *err);

#endif
