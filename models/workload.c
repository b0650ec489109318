/* workload: a population's arrival process and task classes (see workload.h). */
#include "workload.h"

#include <string.h>

int workload_config_load(struct workload_config *cfg, struct ydoc_node *map, struct error *err)
{
    struct ydoc_node *arrival;
    memset(cfg, 0, sizeof *cfg);
    if (ydoc_require(map, "arrival", &arrival, err) != 0 ||
        ydoc_expect(arrival, YDOC_MAP, err) != 0 ||
        arrival_config_load(&cfg->arrival, arrival, err) != 0)
        return -1;
    return task_set_load(&cfg->tasks, map, arrival_gives_lengths(&cfg->arrival), err);
}

void workload_config_free(struct workload_config *cfg)
{
    arrival_config_free(&cfg->arrival);
    task_set_free(&cfg->tasks);
}

void workload_fill_request(const struct workload_config *cfg, const struct arrival *arrival,
                           gsl_rng *workload, struct request *req)
{
    struct task_draw d;
    task_draw(&cfg->tasks, workload, &d);
    task_draw_set_lengths(&cfg->tasks, arrival ? arrival->prompt_tokens : -1,
                          arrival ? arrival->output_tokens : -1, &d);
    req->task = d.class_index;
    req->prompt_tokens = d.prompt_tokens;
    req->output_tokens = d.output_tokens;
    req->difficulty = d.difficulty;
    req->privacy = d.privacy;
    req->needs_rag = d.needs_rag;
}
