/* energy: device power, radio energy per bit and the battery (see energy.h). */
#include "energy.h"

#include <math.h>
#include <string.h>

#include "load_util.h"

/* Radio energy per bit (nJ) by profile: DESIGN §4, matching the α terms of Huang et al.
 * (MobiSys 2012) rounded to whole nJ/bit (mW per Mbit/s = nJ per bit). */
static const char *const energy_radio_profile_names[] = {"wifi", "cellular"};
static const double energy_radio_profile_nj[][2] = {
    {283.0, 137.0}, /* wifi: tx, rx */
    {438.0, 52.0},  /* cellular (LTE): tx, rx */
};

/* Bounds that no device reaches but that catch unit slips (mW typed as W, and the like). */
#define ENERGY_MAX_W 100000.0
#define ENERGY_MAX_NJ_PER_BIT 1000000.0

static int load_radio(struct energy_config *cfg, struct ydoc_node *radio, struct error *err)
{
    struct range nj = RANGE_CLOSED(0.0, ENERGY_MAX_NJ_PER_BIT);
    int profile = -1;
    if (ydoc_read_enum(radio, "technology", energy_radio_profile_names, 2, &profile, err) != 0)
        return -1;
    if (profile >= 0) {
        cfg->tx_nj_per_bit = energy_radio_profile_nj[profile][0];
        cfg->rx_nj_per_bit = energy_radio_profile_nj[profile][1];
        if (ydoc_read_f64(radio, "tx_nj_per_bit", nj, &cfg->tx_nj_per_bit, err) != 0 ||
            ydoc_read_f64(radio, "rx_nj_per_bit", nj, &cfg->rx_nj_per_bit, err) != 0)
            return -1;
    } else if (load_required_f64(radio, "tx_nj_per_bit", nj, &cfg->tx_nj_per_bit, err) != 0 ||
               load_required_f64(radio, "rx_nj_per_bit", nj, &cfg->rx_nj_per_bit, err) != 0) {
        return -1;
    }

    struct ydoc_node *tail_w = ydoc_get(radio, "tail_w");
    struct ydoc_node *tail_s = ydoc_get(radio, "tail_s");
    if (tail_w && !tail_s)
        return ydoc_error(tail_w, err, "tail_w needs tail_s (how long the tail lasts)");
    if (tail_s && !tail_w)
        return ydoc_error(tail_s, err, "tail_s needs tail_w (the radio's power in the tail)");
    if (ydoc_read_f64(radio, "tail_w", RANGE_CLOSED(0.0, 1000.0), &cfg->tail_w, err) != 0 ||
        ydoc_read_f64(radio, "tail_s", RANGE_CLOSED(0.0, 3600.0), &cfg->tail_s, err) != 0)
        return -1;
    return 0;
}

int energy_load(struct energy_config *cfg, struct ydoc_node *map, struct error *err)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->battery_initial = 1.0;
    if (!map)
        return 0;
    if (ydoc_expect(map, YDOC_MAP, err) != 0)
        return -1;

    struct range watts = RANGE_CLOSED(0.0, ENERGY_MAX_W);
    if (ydoc_read_f64(map, "idle_w", watts, &cfg->idle_w, err) != 0)
        return -1;
    struct ydoc_node *active = ydoc_get(map, "active_w");
    struct ydoc_node *prefill = ydoc_get(map, "prefill_w");
    struct ydoc_node *decode = ydoc_get(map, "decode_w");
    if (active && (prefill || decode))
        return ydoc_error(prefill ? prefill : decode, err,
                          "give either active_w (both phases) or prefill_w and decode_w, not both");
    if (active) {
        if (ydoc_read_f64(map, "active_w", watts, &cfg->prefill_w, err) != 0)
            return -1;
        cfg->decode_w = cfg->prefill_w;
    } else if (prefill && decode) {
        if (ydoc_read_f64(map, "prefill_w", watts, &cfg->prefill_w, err) != 0 ||
            ydoc_read_f64(map, "decode_w", watts, &cfg->decode_w, err) != 0)
            return -1;
    } else if (prefill) {
        return ydoc_error(prefill, err, "prefill_w needs decode_w (or use active_w for both)");
    } else if (decode) {
        return ydoc_error(decode, err, "decode_w needs prefill_w (or use active_w for both)");
    } else {
        return ydoc_error(map, err, "missing active_w (or prefill_w and decode_w)");
    }

    struct ydoc_node *radio;
    if (load_section(map, "radio", &radio, err) != 0 || (radio && load_radio(cfg, radio, err) != 0))
        return -1;

    struct ydoc_node *initial = ydoc_get(map, "battery_initial");
    if (initial && !ydoc_get(map, "battery_wh"))
        return ydoc_error(initial, err, "battery_initial needs battery_wh (the battery's size)");
    if (ydoc_read_f64(map, "battery_wh", (struct range){0.0, 1e6, true, false}, &cfg->battery_wh,
                      err) != 0 ||
        ydoc_read_f64(map, "battery_initial", RANGE_UNIT, &cfg->battery_initial, err) != 0)
        return -1;
    return 0;
}

void energy_free(struct energy_config *cfg)
{
    (void)cfg; /* nothing is allocated; kept so that every loader has a matching free */
}

double energy_compute_j(const struct energy_config *cfg, double prefill_s, double decode_s)
{
    return cfg->prefill_w * prefill_s + cfg->decode_w * decode_s;
}

double energy_radio_j(const struct energy_config *cfg, double bytes_up, double bytes_down)
{
    return 8.0 * (bytes_up * cfg->tx_nj_per_bit + bytes_down * cfg->rx_nj_per_bit) * 1e-9;
}

double energy_radio_tail_j(const struct energy_config *cfg, double gap_s)
{
    if (!(gap_s > 0.0))
        return 0.0;
    return cfg->tail_w * fmin(gap_s, cfg->tail_s);
}

double energy_idle_j(const struct energy_config *cfg, double idle_s)
{
    return cfg->idle_w * idle_s;
}

void battery_init(struct battery *b, const struct energy_config *cfg)
{
    b->capacity_j = cfg->battery_wh * 3600.0;
    b->initial_j = b->capacity_j * cfg->battery_initial;
    b->level_j = b->initial_j;
    b->deficit_j = 0.0;
}

bool battery_drain(struct battery *b, double energy_j)
{
    if (b->capacity_j <= 0.0 || !(energy_j > 0.0))
        return false;
    if (b->level_j <= 0.0) {
        b->deficit_j += energy_j;
        return false;
    }
    if (energy_j < b->level_j) {
        b->level_j -= energy_j;
        return false;
    }
    b->deficit_j += energy_j - b->level_j;
    b->level_j = 0.0;
    return true;
}

double battery_level_fraction(const struct battery *b)
{
    return b->capacity_j > 0.0 ? b->level_j / b->capacity_j : 1.0;
}

bool battery_is_empty(const struct battery *b)
{
    return b->capacity_j > 0.0 && b->level_j <= 0.0;
}
