/* energy: a device's energy use and its battery, read from the device's `power:` map.
 *
 * Model (DESIGN §4). A device's timeline splits into prefill, decode and idle time
 * (t_prefill + t_decode + t_idle = T); its radio moves bytes up and down on top of that:
 *
 *   E = prefill_w · t_prefill + decode_w · t_decode + idle_w · t_idle        (compute + idle)
 *     + 8 · (bytes_up · tx_nj_per_bit + bytes_down · rx_nj_per_bit) · 10^-9  (radio, per bit)
 *     + Σ_bursts tail_w · min(gap, tail_s)                                    (radio tail)
 *
 * prefill_w and decode_w are the device's whole power while it computes (not the increase
 * over idle), so a measured "W while generating" goes in directly; decode is memory-bound and
 * prefill compute-bound, which is why the two may differ (MELT, Laskaridis et al. 2024).
 * Per token this gives J/token = decode_w / decode_tok_s, e.g. Phi Silica ~1.5 W at
 * ~27 tok/s ≈ 0.056 J/token (reference-numbers §4.4).
 *
 * Radio energy per bit is the throughput term α of the linear power model of Huang et al.,
 * "A Close Examination of Performance and Power Characteristics of 4G LTE Networks"
 * (MobiSys 2012): P = α_u·throughput_up + α_d·throughput_down + β, with α in mW per Mbit/s,
 * which is nJ per bit. The profiles use the figures quoted in DESIGN §4, which match that
 * paper's α values rounded to whole nJ: wifi 283 tx / 137 rx, cellular (LTE) 438 / 52.
 * The base term β (radio on, nothing moving) is not modelled; the optional tail is: after its
 * last transfer a cellular radio stays in a high-power state until an inactivity timer runs
 * out (the "tail" that Huang et al. measure; the timer is typically about 10 s). No profile sets a
 * tail, because its power and length depend on the operator; give tail_w and tail_s to model
 * one.
 *
 * Battery: capacity_j = battery_wh · 3600, starting at battery_initial · capacity_j. Drains
 * never take the level below 0; energy asked for once the battery is empty is counted as a
 * deficit, so initial_j − level_j + deficit_j = Σ drains always holds. A config without
 * battery_wh describes a mains-powered device: its battery never drains and reads full.
 *
 * Nothing here allocates; struct energy_config and struct battery are plain values. */
#ifndef HAISIM_ENERGY_H
#define HAISIM_ENERGY_H

#include <stdbool.h>

#include "error.h"
#include "ydoc.h"

struct energy_config {
    double idle_w;
    double prefill_w;
    double decode_w;
    double tx_nj_per_bit; /* uplink, energy per bit sent */
    double rx_nj_per_bit; /* downlink, energy per bit received */
    double tail_w;        /* radio power in the tail after a transfer; 0: no tail */
    double tail_s;        /* tail length (inactivity timer) */
    double battery_wh;    /* 0: no battery (mains powered) */
    double battery_initial;
};

/* Reads a `power:` map:
 *   idle_w                      default 0, [0, 100000]
 *   active_w                    sets prefill_w and decode_w; or give both of these instead
 *   prefill_w, decode_w         [0, 100000]
 *   radio: {technology: wifi|cellular} and/or {tx_nj_per_bit, rx_nj_per_bit} (explicit values
 *          override the preset; without one both are required), tail_w [0, 1000] and
 *          tail_s [0, 3600] (both or neither; default no tail). No radio map: no radio energy.
 *   battery_wh                  optional, (0, 1000000]
 *   battery_initial             default 1, [0, 1]; only with battery_wh
 * Errors: neither active_w nor prefill_w/decode_w; active_w mixed with them; only one of
 * prefill_w/decode_w; unknown profile (with "did you mean"); tail_w without tail_s or the
 * reverse; battery_initial without battery_wh; out-of-range numbers. map == NULL gives a
 * config whose energies are all 0, without a battery. */
int energy_load(struct energy_config *cfg, struct ydoc_node *map, struct error *err);
void energy_free(struct energy_config *cfg);

/* Energy of computing for prefill_s seconds of prefill and decode_s seconds of decode. */
double energy_compute_j(const struct energy_config *cfg, double prefill_s, double decode_s);

/* Energy of the radio sending bytes_up and receiving bytes_down (per-bit terms only). */
double energy_radio_j(const struct energy_config *cfg, double bytes_up, double bytes_down);

/* Tail energy after a burst of transfers: tail_w · min(gap_s, tail_s), where gap_s is the
 * time from the end of the burst to the start of the radio's next transfer (or to the end of
 * the run). Charge it when the next transfer starts, or at the end of the run; a transfer
 * that starts within the tail cuts it short, so tails never overlap. 0 without a tail. */
double energy_radio_tail_j(const struct energy_config *cfg, double gap_s);

/* Energy of idling for idle_s seconds. */
double energy_idle_j(const struct energy_config *cfg, double idle_s);

/* --- battery --- */

struct battery {
    double capacity_j; /* 0: no battery */
    double initial_j;
    double level_j;   /* in [0, capacity_j] */
    double deficit_j; /* energy asked for while empty */
};

/* A battery as cfg describes it (capacity 0 when cfg has no battery_wh). */
void battery_init(struct battery *b, const struct energy_config *cfg);

/* Takes energy_j (≥ 0; smaller values are ignored) from the battery. Returns true exactly
 * once: on the drain that empties it (level > 0 before, 0 after), so the caller can record
 * when the device ran flat. Always false without a battery. */
bool battery_drain(struct battery *b, double energy_j);

/* level / capacity in [0, 1]; 1 without a battery (a mains-powered device never limits). */
double battery_level_fraction(const struct battery *b);

/* True when there is a battery and its level is 0. */
bool battery_is_empty(const struct battery *b);

#endif
