/* sweep_exec: worker processes, point files, resume, shards and merge (see sweep_exec.h). */
#include "sweep_exec.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "outfile.h"

enum { SWEEP_EXEC_PATH = 1100 };

static int sweep_exec_oom(struct error *err)
{
    return error_set(err, NULL, 0, 0, NULL, "out of memory");
}

bool sweep_exec_in_shard(size_t point, unsigned shard, unsigned shards)
{
    return shards <= 1 || point % shards == (size_t)(shard - 1);
}

/* "points/0042" + suffix, relative to nothing: the name inside DIR. */
static void sweep_exec_point_name(char *buf, size_t len, size_t point, const char *suffix)
{
    snprintf(buf, len, "%04zu%s", point + 1, suffix);
}

static void sweep_exec_path(char *buf, size_t len, const char *dir, const char *sub, size_t point,
                            const char *suffix)
{
    char name[64];
    sweep_exec_point_name(name, sizeof name, point, suffix);
    snprintf(buf, len, "%s/%s/%s", dir, sub, name);
}

static bool sweep_exec_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Writes text to dir/name through a partial file. */
static int sweep_exec_write_text(const char *dir, const char *name, const char *text, size_t len,
                                 struct error *err)
{
    struct outfile out;
    if (outfile_open(&out, dir, name, err) != 0)
        return -1;
    fwrite(text, 1, len, out.f);
    return outfile_commit(&out, err);
}

/* Copies src to dir/name through a partial file. */
static int sweep_exec_copy(const char *src, const char *dir, const char *name, struct error *err)
{
    size_t len;
    char *text = sweep_read_file(src, &len, err);
    if (!text)
        return -1;
    int rc = sweep_exec_write_text(dir, name, text, len, err);
    free(text);
    return rc;
}

/* --- checking --- */

static int sweep_exec_load_point(struct experiment *ex, const struct sweep *sw, size_t p,
                                 const struct experiment_options *base, struct error *err)
{
    const char **sets = calloc(sweep_point_n_sets(sw) + 1, sizeof sets[0]);
    if (!sets) {
        memset(ex, 0, sizeof *ex);
        return sweep_exec_oom(err);
    }
    struct experiment_options opt;
    sweep_point_options(sw, p, base, sets, &opt);
    int rc = experiment_load(ex, sw->base_path, &opt, err);
    free(sets);
    if (rc != 0)
        sweep_point_error(sw, p, err);
    return rc;
}

int sweep_exec_check(const struct sweep *sw, const struct sweep_exec_options *opt,
                     struct error *err)
{
    for (size_t p = 0; p < sw->n_points; p++) {
        if (p != 0 && !sweep_exec_in_shard(p, opt->shard, opt->shards))
            continue;
        struct experiment ex;
        int rc = sweep_exec_load_point(&ex, sw, p, &opt->scenario, err);
        if (rc == 0 && p == 0) {
            const char **names = calloc(ex.n_variants, sizeof names[0]);
            if (!names)
                rc = sweep_exec_oom(err);
            for (size_t v = 0; names && v < ex.n_variants; v++)
                names[v] = ex.variants[v].name;
            if (rc == 0)
                rc = expect_check_names(&sw->expect, sw->axis_keys, sw->n_axes, names,
                                        ex.n_variants, err);
            for (size_t i = 0; rc == 0 && i < sw->plots.n; i++)
                rc = plot_check(&sw->plots.items[i], sw->axis_keys, sw->n_axes, names,
                                ex.n_variants, err);
            free(names);
        }
        experiment_free(&ex);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* --- the directory --- */

static int sweep_exec_id(const struct sweep *sw, char *buf, size_t len, struct error *err)
{
    uint64_t fp;
    if (sweep_fingerprint(sw, &fp, err) != 0)
        return -1;
    snprintf(buf, len, "sweep: %s\nfingerprint: %016llx\npoints: %zu\n", sw->name,
             (unsigned long long)fp, sw->n_points);
    return 0;
}

/* Removes a point's files (a fresh run of the point). */
static void sweep_exec_clear_point(const char *dir, size_t p)
{
    static const char *const suffixes[] = {".csv", ".cdf.csv", ".error"};
    char path[SWEEP_EXEC_PATH];
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        sweep_exec_path(path, sizeof path, dir, "points", p, suffixes[i]);
        unlink(path);
    }
    sweep_exec_path(path, sizeof path, dir, "points", p, "");
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char file[SWEEP_EXEC_PATH + 300];
        snprintf(file, sizeof file, "%s/%s", path, e->d_name);
        unlink(file);
    }
    closedir(d);
    rmdir(path);
}

/* Makes DIR ready: the sweep's copy and id written; under --resume the id must match. */
static int sweep_exec_prepare_dir(const struct sweep *sw, const struct sweep_exec_options *opt,
                                  struct error *err)
{
    char id[512], path[SWEEP_EXEC_PATH], points[SWEEP_EXEC_PATH];
    snprintf(points, sizeof points, "%s/points", opt->dir);
    if (sweep_exec_id(sw, id, sizeof id, err) != 0 || outfile_mkdirs(points, err) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/sweep.id", opt->dir);
    if (opt->resume && sweep_exec_exists(path)) {
        struct error ignored;
        char *old = sweep_read_file(path, NULL, &ignored);
        bool same = old && strcmp(old, id) == 0;
        free(old);
        if (!same)
            return error_set(err, path, 0, 0, NULL,
                             "the directory holds results of another sweep (or of this one "
                             "before its files or haisim changed); --resume cannot continue "
                             "it: remove it or choose another -o");
    }
    if (!opt->resume) {
        for (size_t p = 0; p < sw->n_points; p++)
            if (sweep_exec_in_shard(p, opt->shard, opt->shards))
                sweep_exec_clear_point(opt->dir, p);
        static const char *const assembled[] = {"results.csv", "aggregate.csv", "cdf.csv"};
        for (size_t i = 0; opt->shards <= 1 && i < 3; i++) {
            snprintf(path, sizeof path, "%s/%s", opt->dir, assembled[i]);
            unlink(path);
        }
    }
    return sweep_exec_write_text(opt->dir, "sweep.yaml", sw->text, strlen(sw->text), err) != 0 ||
                   sweep_exec_write_text(opt->dir, "sweep.id", id, strlen(id), err) != 0
               ? -1
               : 0;
}

/* --- one point, in a worker --- */

/* A one-point table shaped like the sweep, holding point p. */
static int sweep_exec_point_table(struct sweep_table *t, const struct sweep *sw, size_t p,
                                  struct error *err)
{
    struct sweep_table_axis *axes = sweep_table_axes(sw);
    if (!axes)
        return sweep_exec_oom(err);
    int rc = sweep_table_init(t, sw->name, axes, sw->n_axes, 1, err);
    free(axes);
    if (rc != 0)
        return -1;
    t->points[0].number = p + 1;
    for (size_t a = 0; a < sw->n_axes; a++)
        t->points[0].value_index[a] = sweep_value_index(sw, p, a);
    return 0;
}

typedef int (*sweep_exec_writer)(FILE *f, const struct sweep_table *t, size_t first, size_t last,
                                 bool header);

static int sweep_exec_write_table(const char *dir, const char *name, sweep_exec_writer write,
                                  const struct sweep_table *t, struct error *err)
{
    struct outfile out;
    if (outfile_open(&out, dir, name, err) != 0)
        return -1;
    if (write(out.f, t, 0, t->n_points ? t->n_points - 1 : 0, true) != 0) {
        outfile_abort(&out);
        return error_set(err, out.path, 0, 0, NULL, "cannot write");
    }
    return outfile_commit(&out, err);
}

/* Runs point p and writes its files; on failure the caller records err. */
static int sweep_exec_point(const struct sweep *sw, size_t p, const struct sweep_exec_options *opt,
                            struct error *err)
{
    char points[SWEEP_EXEC_PATH], outputs[SWEEP_EXEC_PATH], name[64];
    struct experiment ex;
    struct experiment_results res = {0};
    struct sweep_table t = {0};
    snprintf(points, sizeof points, "%s/points", opt->dir);
    sweep_exec_path(outputs, sizeof outputs, opt->dir, "points", p, "");
    int rc = sweep_exec_load_point(&ex, sw, p, &opt->scenario, err);
    if (rc == 0) {
        if (experiment_wants_outputs(&ex))
            ex.output_dir = outputs;
        rc = experiment_run(&ex, &res, err);
    }
    if (rc == 0)
        rc = sweep_exec_point_table(&t, sw, p, err);
    if (rc == 0)
        rc = sweep_table_store(&t, 0, &ex, &res, err);
    if (rc == 0) {
        /* The CDF first: NNNN.csv appearing means the whole point is there. */
        sweep_exec_point_name(name, sizeof name, p, ".cdf.csv");
        rc = sweep_exec_write_table(points, name, sweep_table_write_cdf, &t, err);
    }
    if (rc == 0) {
        sweep_exec_point_name(name, sizeof name, p, ".csv");
        rc = sweep_exec_write_table(points, name, sweep_table_write_results, &t, err);
    }
    sweep_table_free(&t);
    experiment_results_free(&res);
    experiment_free(&ex);
    return rc;
}

static void sweep_exec_record_failure(const char *dir, size_t p, const char *why)
{
    char points[SWEEP_EXEC_PATH], name[64], text[2200];
    struct error ignored;
    snprintf(points, sizeof points, "%s/points", dir);
    sweep_exec_point_name(name, sizeof name, p, ".error");
    snprintf(text, sizeof text, "%s\n", why);
    sweep_exec_write_text(points, name, text, strlen(text), &ignored);
}

/* The body of a worker process: its exit status is 0 when the point completed. */
static int sweep_exec_child(const struct sweep *sw, size_t p, const struct sweep_exec_options *opt,
                            pid_t parent)
{
#ifdef __linux__
    /* Die with the sweep: a killed sweep must not leave workers running on. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        return 2;
#else
    (void)parent;
#endif
    struct error err;
    error_clear(&err);
    if (sweep_exec_point(sw, p, opt, &err) == 0)
        return 0;
    char why[2048];
    error_format(&err, why, sizeof why);
    sweep_exec_record_failure(opt->dir, p, why);
    return 1;
}

/* --- the parent --- */

struct sweep_exec_state {
    const struct sweep_exec_options *opt;
    struct sweep_exec_summary *summary;
    size_t todo, done;
    struct timespec start;
    pid_t *pids;
    size_t *pid_points;
    size_t running;
};

static double sweep_exec_elapsed_s(const struct sweep_exec_state *st)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - st->start.tv_sec) +
           1e-9 * (double)(now.tv_nsec - st->start.tv_nsec);
}

/* "[#######.............] 12/40 points, 1 failed, ETA 1m05s" on one rewritten line. */
static void sweep_exec_progress(const struct sweep_exec_state *st)
{
    FILE *f = st->opt->progress;
    if (!f)
        return;
    enum { WIDTH = 30 };
    size_t filled = st->todo ? st->done * WIDTH / st->todo : WIDTH;
    char bar[WIDTH + 1];
    for (size_t i = 0; i < WIDTH; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[WIDTH] = '\0';
    fprintf(f, "\rsweep [%s] %zu/%zu points, %zu failed", bar, st->done, st->todo,
            st->summary->failed);
    if (st->done > 0 && st->done < st->todo) {
        double eta = sweep_exec_elapsed_s(st) / (double)st->done * (double)(st->todo - st->done);
        long s = (long)(eta + 0.5);
        fprintf(f, ", ETA %ldm%02lds", s / 60, s % 60);
    }
    fputs("   ", f);
    if (st->done == st->todo)
        fputc('\n', f);
    fflush(f);
}

/* Waits for one worker and records how its point ended. */
static int sweep_exec_reap(struct sweep_exec_state *st, struct error *err)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, 0)) < 0)
        if (errno != EINTR)
            return error_set(err, NULL, 0, 0, NULL, "waiting for a sweep worker: %s",
                             strerror(errno));
    size_t slot = 0;
    while (slot < st->running && st->pids[slot] != pid)
        slot++;
    if (slot == st->running)
        return 0; /* not one of ours */
    size_t p = st->pid_points[slot];
    st->pids[slot] = st->pids[st->running - 1];
    st->pid_points[slot] = st->pid_points[st->running - 1];
    st->running--;
    st->done++;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        st->summary->ran++;
    } else {
        st->summary->failed++;
        if (WIFSIGNALED(status)) {
            char why[128];
            snprintf(why, sizeof why, "the worker running point %zu was killed by signal %d", p + 1,
                     WTERMSIG(status));
            sweep_exec_record_failure(st->opt->dir, p, why);
        }
    }
    sweep_exec_progress(st);
    return 0;
}

int sweep_exec_run(const struct sweep *sw, const struct sweep_exec_options *opt,
                   struct sweep_exec_summary *summary, struct error *err)
{
    memset(summary, 0, sizeof *summary);
    if (sweep_exec_prepare_dir(sw, opt, err) != 0)
        return -1;
    size_t *todo = calloc(sw->n_points, sizeof todo[0]);
    unsigned jobs = opt->jobs ? opt->jobs : 1;
    struct sweep_exec_state st = {
        .opt = opt,
        .summary = summary,
        .pids = calloc(jobs, sizeof(pid_t)),
        .pid_points = calloc(jobs, sizeof(size_t)),
    };
    int rc = 0;
    if (!todo || !st.pids || !st.pid_points)
        rc = sweep_exec_oom(err);
    for (size_t p = 0; rc == 0 && p < sw->n_points; p++) {
        if (!sweep_exec_in_shard(p, opt->shard, opt->shards))
            continue;
        summary->in_shard++;
        char path[SWEEP_EXEC_PATH];
        sweep_exec_path(path, sizeof path, opt->dir, "points", p, ".csv");
        if (opt->resume && sweep_exec_exists(path)) {
            summary->already_done++;
            continue;
        }
        sweep_exec_path(path, sizeof path, opt->dir, "points", p, ".error");
        unlink(path);
        todo[st.todo++] = p;
    }
    clock_gettime(CLOCK_MONOTONIC, &st.start);
    if (rc == 0 && st.todo > 0)
        sweep_exec_progress(&st);
    pid_t parent = getpid();
    for (size_t i = 0; rc == 0 && i < st.todo; i++) {
        while (rc == 0 && st.running >= jobs)
            rc = sweep_exec_reap(&st, err);
        if (rc != 0)
            break;
        fflush(NULL); /* a child must not write the parent's buffered output again */
        pid_t pid = fork();
        if (pid < 0) {
            rc = error_set(err, NULL, 0, 0, NULL, "cannot start a sweep worker: %s",
                           strerror(errno));
            break;
        }
        if (pid == 0)
            _exit(sweep_exec_child(sw, todo[i], opt, parent));
        st.pids[st.running] = pid;
        st.pid_points[st.running] = todo[i];
        st.running++;
    }
    /* Wait for every worker, even after an error: none is left behind. */
    struct error later;
    while (st.running > 0)
        if (sweep_exec_reap(&st, rc == 0 ? err : &later) != 0 && rc == 0)
            rc = -1;
    free(todo);
    free(st.pids);
    free(st.pid_points);
    return rc;
}

/* --- collecting, assembling, merging --- */

int sweep_exec_collect(struct sweep_table *t, const struct sweep *sw, const char *dir,
                       struct error *err)
{
    if (sweep_table_for(t, sw, err) != 0)
        return -1;
    for (size_t p = 0; p < sw->n_points; p++) {
        char path[SWEEP_EXEC_PATH];
        sweep_exec_path(path, sizeof path, dir, "points", p, ".csv");
        if (sweep_exec_exists(path)) {
            if (sweep_table_read_results(t, path, err) != 0)
                goto fail;
            sweep_exec_path(path, sizeof path, dir, "points", p, ".cdf.csv");
            if (sweep_table_read_cdf(t, path, err) != 0)
                goto fail;
            continue;
        }
        sweep_exec_path(path, sizeof path, dir, "points", p, ".error");
        if (!sweep_exec_exists(path))
            continue;
        struct error ignored;
        char *why = sweep_read_file(path, NULL, &ignored);
        if (why) {
            why[strcspn(why, "\n")] = '\0';
            t->points[p].error = why;
        }
        t->points[p].status = SWEEP_POINT_FAILED;
    }
    return 0;
fail:
    sweep_table_free(t);
    return -1;
}

static int sweep_exec_write_aggregate(FILE *f, const struct sweep_table *t, size_t first,
                                      size_t last, bool header)
{
    (void)first;
    (void)last;
    return sweep_table_write_aggregate(f, t, header);
}

int sweep_exec_assemble(const struct sweep_table *t, const char *dir, struct error *err)
{
    if (sweep_exec_write_table(dir, "results.csv", sweep_table_write_results, t, err) != 0 ||
        sweep_exec_write_table(dir, "cdf.csv", sweep_table_write_cdf, t, err) != 0 ||
        sweep_exec_write_table(dir, "aggregate.csv", sweep_exec_write_aggregate, t, err) != 0)
        return -1;
    return 0;
}

int sweep_exec_open(struct sweep *sw, const char *dir, struct error *err)
{
    char path[SWEEP_EXEC_PATH];
    snprintf(path, sizeof path, "%s/sweep.yaml", dir);
    if (!sweep_exec_exists(path)) {
        memset(sw, 0, sizeof *sw);
        return error_set(err, dir, 0, 0, NULL,
                         "not the output directory of a sweep (no sweep.yaml in it)");
    }
    return sweep_load(sw, path, err);
}

/* Copies point p's files (and its detailed outputs) from src to dst. */
static int sweep_exec_copy_point(const char *src, const char *dst, size_t p, bool complete,
                                 struct error *err)
{
    char from[SWEEP_EXEC_PATH], points[SWEEP_EXEC_PATH], name[64];
    snprintf(points, sizeof points, "%s/points", dst);
    static const char *const complete_files[] = {".cdf.csv", ".csv"};
    for (size_t i = 0; complete && i < 2; i++) {
        sweep_exec_path(from, sizeof from, src, "points", p, complete_files[i]);
        sweep_exec_point_name(name, sizeof name, p, complete_files[i]);
        if (sweep_exec_copy(from, points, name, err) != 0)
            return -1;
    }
    if (!complete) {
        sweep_exec_path(from, sizeof from, src, "points", p, ".error");
        sweep_exec_point_name(name, sizeof name, p, ".error");
        return sweep_exec_copy(from, points, name, err);
    }
    sweep_exec_path(from, sizeof from, src, "points", p, "");
    DIR *d = opendir(from);
    if (!d)
        return 0;
    char to[SWEEP_EXEC_PATH];
    sweep_exec_path(to, sizeof to, dst, "points", p, "");
    int rc = outfile_mkdirs(to, err);
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (e->d_name[0] == '.' || (n > 8 && strcmp(e->d_name + n - 8, ".partial") == 0))
            continue;
        char file[SWEEP_EXEC_PATH + 300];
        snprintf(file, sizeof file, "%s/%s", from, e->d_name);
        rc = sweep_exec_copy(file, to, e->d_name, err);
    }
    closedir(d);
    return rc;
}

int sweep_exec_merge(const char *out_dir, const char *const *dirs, size_t n_dirs, struct error *err)
{
    if (n_dirs == 0)
        return error_set(err, NULL, 0, 0, NULL, "merge needs at least one directory");
    char path[SWEEP_EXEC_PATH];
    char *id = NULL, *text = NULL;
    size_t id_len = 0, text_len = 0;
    struct sweep sw = {0};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n_dirs; i++) {
        size_t len;
        snprintf(path, sizeof path, "%s/sweep.id", dirs[i]);
        char *this_id = sweep_read_file(path, &len, err);
        if (!this_id) {
            rc = error_set(err, dirs[i], 0, 0, NULL,
                           "not the output directory of a sweep (no sweep.id in it)");
            break;
        }
        if (!id) {
            id = this_id;
            id_len = len;
            continue;
        }
        bool same = len == id_len && memcmp(id, this_id, len) == 0;
        free(this_id);
        if (!same)
            rc = error_set(err, path, 0, 0, NULL,
                           "these results come from another sweep than %s/sweep.id (another "
                           "sweep file, base scenario or haisim version)",
                           dirs[0]);
    }
    if (rc == 0) {
        snprintf(path, sizeof path, "%s/sweep.yaml", dirs[0]);
        if (!(text = sweep_read_file(path, &text_len, err)))
            rc = -1;
    }
    if (rc == 0)
        rc = sweep_load_text(&sw, text, path, err);
    char points[SWEEP_EXEC_PATH];
    snprintf(points, sizeof points, "%s/points", out_dir);
    if (rc == 0)
        rc = outfile_mkdirs(points, err);
    if (rc == 0)
        rc = sweep_exec_write_text(out_dir, "sweep.yaml", text, text_len, err);
    if (rc == 0)
        rc = sweep_exec_write_text(out_dir, "sweep.id", id, id_len, err);
    size_t missing = 0, first_missing = 0;
    for (size_t p = 0; rc == 0 && p < sw.n_points; p++) {
        const char *from = NULL;
        bool complete = false;
        for (size_t i = 0; i < n_dirs && !complete; i++) {
            sweep_exec_path(path, sizeof path, dirs[i], "points", p, ".csv");
            if (sweep_exec_exists(path)) {
                from = dirs[i];
                complete = true;
                continue;
            }
            sweep_exec_path(path, sizeof path, dirs[i], "points", p, ".error");
            if (!from && sweep_exec_exists(path))
                from = dirs[i];
        }
        if (!from) {
            if (missing++ == 0)
                first_missing = p;
            continue;
        }
        if (strcmp(from, out_dir) != 0)
            rc = sweep_exec_copy_point(from, out_dir, p, complete, err);
    }
    if (rc == 0 && missing > 0)
        rc = error_set(err, NULL, 0, 0, NULL,
                       "%zu of %zu points are in none of the directories (the first is point "
                       "%zu): run the shards that hold them, then merge again",
                       missing, sw.n_points, first_missing + 1);
    sweep_free(&sw);
    free(id);
    free(text);
    return rc;
}
