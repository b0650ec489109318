/* device: single-stream FIFO service of requests on the user's device (see device.h). */
#include "device.h"

#include "journey.h"

static void device_finish(struct sim *sim, void *payload);

/* Stretches full-speed phase times by the device's heat (thermal.h): the whole request's
 * work is slowed by the heat model, and the first token keeps its share of the time. */
static struct llm_single_stream device_throttle(struct run *run, struct device *dev,
                                                struct llm_single_stream t)
{
    const struct thermal_config *cfg = &run->sc->populations[dev->population].thermal;
    if (!cfg->enabled || t.last_token_s <= 0)
        return t;
    thermal_idle(&dev->thermal, cfg, run->sim.now_ns);
    double actual_s = thermal_busy_time_s(&dev->thermal, cfg, t.last_token_s);
    double stretch = actual_s / t.last_token_s;
    return (struct llm_single_stream){t.first_token_s * stretch, actual_s};
}

/* A device job of device-drafted speculation (speculation.h): prefilling the prompt, or
 * drafting or finishing tokens; req->spec.job_s long at full speed. It runs on a timer, so
 * that it can be cancelled, and is charged (busy time, energy at prefill or decode power)
 * for the time it actually ran, when it ends or is cancelled. */
static void device_start_draft_job(struct run *run, struct device *dev, struct request *req)
{
    double s = req->spec.job_s;
    dev->job_thermal = dev->thermal; /* to heat it only for the part that ran, if cancelled */
    struct llm_single_stream t = device_throttle(run, dev, (struct llm_single_stream){s, s});
    dev->job_stretch = s > 0 ? t.last_token_s / s : 1;
    dev->serving = req;
    dev->job_start_ns = run->sim.now_ns;
    sim_timer_arm(&run->sim, &dev->job_timer, run->sim.now_ns + simtime_from_s(t.last_token_s),
                  device_finish, req);
}

static void device_charge_job(struct run *run, struct device *dev, struct request *req)
{
    const struct energy_config *power = &run->sc->populations[dev->population].power;
    int64_t ran_ns = run->sim.now_ns - dev->job_start_ns;
    double ran_s = simtime_to_s(ran_ns);
    bool prefill = req->spec.draft_job == DRAFT_JOB_PREFILL;
    run_device_energy(run, req, energy_compute_j(power, prefill ? ran_s : 0, prefill ? 0 : ran_s));
    dev->busy_ns += ran_ns;
}

static void device_start(struct run *run, struct device *dev, struct request *req)
{
    int64_t now = run->sim.now_ns;
    if (req->spec.draft_job != DRAFT_JOB_NONE) {
        device_start_draft_job(run, dev, req);
        return;
    }
    const struct population_config *pop = &run->sc->populations[dev->population];
    const struct llm_perf *m = &pop->model;
    /* A judgement for the arbiter reads the prompt and writes a few tokens; the rest of a
     * guided answer (guidance.h) reads the prompt and the k guidance tokens and writes the
     * other O − k (k = 0 for every other request). */
    uint32_t prompt_tokens = req->prompt_tokens + req->guidance_tokens;
    uint32_t output_tokens =
        req->assessing ? req->assess_tokens : req->output_tokens - req->guidance_tokens;
    struct llm_single_stream t =
        device_throttle(run, dev,
                        llm_single_stream(m, prompt_tokens, output_tokens,
                                          llm_perf_overhead_s(m, run->rng.device)));
    /* Energy: the prefill phase (with the overhead) at prefill power, decoding at decode
     * power (energy.h). */
    run_device_energy(
        run, req, energy_compute_j(&pop->power, t.first_token_s, t.last_token_s - t.first_token_s));
    dev->serving = req;
    int64_t end_ns = now + simtime_from_s(t.last_token_s);
    dev->busy_ns += end_ns - now;
    if (!req->assessing) {
        if (!req->guidance_tokens) { /* a guided answer began at its tier */
            req->service_start_ns = now;
            /* On the device the model's tokens are already at the user. */
            req->first_token_tier_ns = req->first_token_user_ns =
                now + simtime_from_s(t.first_token_s);
        }
        req->last_token_tier_ns = req->last_token_user_ns = end_ns;
    }
    sim_at(&run->sim, end_ns, device_finish, req);
}

/* The device takes its next work: a speculation job first, else the next request. */
static void device_start_next(struct run *run, struct device *dev)
{
    dev->serving = NULL;
    struct request *next = dev->jobs_head;
    if (next) {
        dev->jobs_head = next->spec.job_next;
        if (!dev->jobs_head)
            dev->jobs_tail = NULL;
        next->spec.job_next = NULL;
    } else {
        next = request_fifo_pop(&dev->queue);
    }
    if (next)
        device_start(run, dev, next);
}

static void device_finish(struct sim *sim, void *payload)
{
    struct run *run = (struct run *)sim; /* struct run begins with its sim */
    struct request *req = payload;
    struct device *dev = &run->devices[req->device];
    if (req->spec.draft_job != DRAFT_JOB_NONE)
        device_charge_job(run, dev, req);
    /* The device stays busy while the journey moves on, so that work it submits now (the
     * request itself after an assessment, a closed-loop user's next request) queues behind
     * what already waits. */
    journey_device_done(run, req);
    device_start_next(run, dev);
}

void device_cancel_job(struct run *run, struct request *req)
{
    if (req->spec.draft_job == DRAFT_JOB_NONE)
        return;
    struct device *dev = &run->devices[req->device];
    if (dev->serving == req && sim_timer_armed(&dev->job_timer)) {
        sim_timer_cancel(&dev->job_timer);
        device_charge_job(run, dev, req);
        /* Heat: back to the job's start, then busy for the full-speed work that ran (at the
         * stretch the job started with). */
        const struct thermal_config *heat = &run->sc->populations[dev->population].thermal;
        if (heat->enabled) {
            dev->thermal = dev->job_thermal;
            double ran_s = simtime_to_s(run->sim.now_ns - dev->job_start_ns);
            thermal_busy_time_s(&dev->thermal, heat, ran_s / dev->job_stretch);
        }
        req->spec.draft_job = DRAFT_JOB_NONE;
        device_start_next(run, dev);
        return;
    }
    struct request **link = &dev->jobs_head, *prev = NULL;
    while (*link != req) {
        prev = *link;
        link = &(*link)->spec.job_next;
    }
    *link = req->spec.job_next;
    if (dev->jobs_tail == req)
        dev->jobs_tail = prev;
    req->spec.job_next = NULL;
    req->spec.draft_job = DRAFT_JOB_NONE;
}

void device_submit(struct run *run, struct request *req)
{
    struct device *dev = &run->devices[req->device];
    if (!req->assessing && !req->guidance_tokens) /* a guided request arrived at its tier */
        req->tier_arrival_ns = run->sim.now_ns;
    if (dev->serving)
        request_fifo_push(&dev->queue, req);
    else
        device_start(run, dev, req);
}

void device_submit_job(struct run *run, struct request *req)
{
    struct device *dev = &run->devices[req->device];
    if (!dev->serving) {
        device_start(run, dev, req);
        return;
    }
    req->spec.job_next = NULL;
    if (dev->jobs_tail)
        dev->jobs_tail->spec.job_next = req;
    else
        dev->jobs_head = req;
    dev->jobs_tail = req;
}
