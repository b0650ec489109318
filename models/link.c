/* link: FIFO serialisation plus propagation per direction (see link.h). */
#include "link.h"

#include "load_util.h"
#include "simtime.h"

int link_config_load(struct link_config *cfg, struct ydoc_node *map, struct error *err)
{
    double up_mbps = 0, down_mbps = 0;
    struct ydoc_node *rtt;
    cfg->overhead_bytes = 0;
    cfg->bytes_per_token = 4;
    dist_constant(&cfg->rtt_ms, 0.0);
    if (ydoc_require(map, "rtt_ms", &rtt, err) != 0 || dist_parse(&cfg->rtt_ms, rtt, err) != 0)
        return -1;
    if (load_required_f64(map, "up_mbps", RANGE_POSITIVE, &up_mbps, err) != 0 ||
        load_required_f64(map, "down_mbps", RANGE_POSITIVE, &down_mbps, err) != 0 ||
        ydoc_read_f64(map, "overhead_bytes", RANGE_NONNEGATIVE, &cfg->overhead_bytes, err) != 0 ||
        ydoc_read_f64(map, "bytes_per_token", RANGE_NONNEGATIVE, &cfg->bytes_per_token, err) != 0)
        return -1;
    cfg->up_bytes_s = up_mbps * 1e6 / 8.0;
    cfg->down_bytes_s = down_mbps * 1e6 / 8.0;
    return 0;
}

void link_config_free(struct link_config *cfg)
{
    dist_free(&cfg->rtt_ms);
}

int64_t link_send(const struct link_config *cfg, struct link_direction *dir,
                  double bandwidth_bytes_s, int64_t now_ns, double bytes, gsl_rng *rng)
{
    int64_t start_ns = now_ns > dir->free_ns ? now_ns : dir->free_ns;
    dir->free_ns = start_ns + simtime_from_s(bytes / bandwidth_bytes_s);
    double one_way_ms = 0.5 * dist_sample(&cfg->rtt_ms, rng);
    if (!(one_way_ms > 0)) /* a negative draw (e.g. from a normal) or NaN: no delay */
        one_way_ms = 0;
    int64_t arrival_ns = dir->free_ns + simtime_from_s(one_way_ms * 1e-3);
    if (arrival_ns < dir->last_arrival_ns)
        arrival_ns = dir->last_arrival_ns;
    dir->last_arrival_ns = arrival_ns;
    return arrival_ns;
}
