/* scenario: loading a scenario document into a struct scenario (see scenario.h). */
#include "scenario.h"

#include <string.h>

#include "load_util.h"

static int scenario_load_run(struct run_config *run, struct ydoc_node *root, struct error *err)
{
    struct ydoc_node *map;
    *run = (struct run_config){.duration_s = 0, .warmup_s = 0, .requests = 0};
    if (ydoc_require(root, "run", &map, err) != 0 || ydoc_expect(map, YDOC_MAP, err) != 0 ||
        ydoc_read_f64(map, "duration_s", RANGE_NONNEGATIVE, &run->duration_s, err) != 0 ||
        ydoc_read_f64(map, "warmup_s", RANGE_NONNEGATIVE, &run->warmup_s, err) != 0 ||
        ydoc_read_i64(map, "requests", 0, INT64_C(1) << 40, &run->requests, err) != 0)
        return -1;
    if (run->duration_s == 0 && run->requests == 0)
        return ydoc_error(map, err, "set duration_s or requests (or both) so the run ends");
    if (run->duration_s > 0 && run->warmup_s >= run->duration_s)
        return ydoc_error(ydoc_get(map, "warmup_s"), err,
                          "warmup_s (%g) must be shorter than duration_s (%g)", run->warmup_s,
                          run->duration_s);
    return 0;
}

static int scenario_load_devices(struct device_config *dev, struct ydoc_node *root,
                                 struct error *err)
{
    struct ydoc_node *map, *model;
    dev->count = 1;
    if (ydoc_require(root, "devices", &map, err) != 0 || ydoc_expect(map, YDOC_MAP, err) != 0 ||
        ydoc_read_i64(map, "count", 1, 10000000, &dev->count, err) != 0 ||
        ydoc_require(map, "model", &model, err) != 0 || ydoc_expect(model, YDOC_MAP, err) != 0)
        return -1;
    return llm_timing_load(&dev->model, model, err);
}

static int scenario_load_cloud(struct cloud_config *cloud, struct ydoc_node *root,
                               struct error *err)
{
    struct ydoc_node *map, *model;
    cloud->slots = 1;
    if (ydoc_require(root, "cloud", &map, err) != 0 || ydoc_expect(map, YDOC_MAP, err) != 0 ||
        ydoc_read_i64(map, "slots", 1, 1000000, &cloud->slots, err) != 0 ||
        ydoc_require(map, "model", &model, err) != 0 || ydoc_expect(model, YDOC_MAP, err) != 0)
        return -1;
    return llm_timing_load(&cloud->model, model, err);
}

int scenario_load(struct scenario *sc, struct ydoc *doc, struct error *err)
{
    struct ydoc_node *root = ydoc_root(doc), *section;
    int64_t seed = 1;
    memset(sc, 0, sizeof *sc);
    sc->name = "scenario";
    sc->replications = 1;
    if (ydoc_expect(root, YDOC_MAP, err) != 0 || ydoc_read_str(root, "name", &sc->name, err) != 0 ||
        ydoc_read_str(root, "description", &(const char *){NULL}, err) != 0 ||
        ydoc_read_i64(root, "seed", 0, INT64_MAX, &seed, err) != 0 ||
        ydoc_read_i64(root, "replications", 1, 100000, &sc->replications, err) != 0)
        return -1;
    sc->seed = (uint64_t)seed;
    /* `variants` belongs to the experiment layer (experiment.c); mark it as known here. */
    (void)ydoc_get(root, "variants");
    if (scenario_load_run(&sc->run, root, err) != 0)
        return -1;
    if (ydoc_require(root, "workload", &section, err) != 0 ||
        ydoc_expect(section, YDOC_MAP, err) != 0 ||
        workload_config_load(&sc->workload, section, err) != 0)
        return -1;
    if (scenario_load_devices(&sc->devices, root, err) != 0)
        return -1;
    if (ydoc_require(root, "network", &section, err) != 0 ||
        ydoc_expect(section, YDOC_MAP, err) != 0 ||
        link_config_load(&sc->network, section, err) != 0)
        return -1;
    if (scenario_load_cloud(&sc->cloud, root, err) != 0)
        return -1;
    return arbiter_load(&sc->arbiter, root, err);
}

void scenario_free(struct scenario *sc)
{
    workload_config_free(&sc->workload);
    llm_timing_free(&sc->devices.model);
    link_config_free(&sc->network);
    llm_timing_free(&sc->cloud.model);
}
