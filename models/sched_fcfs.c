/* sched_fcfs: first come, first served — the server's own order (sched.h). */
#include "sched.h"

const struct sched_ops sched_fcfs = {
    .name = "fcfs",
    .summary = "first come, first served",
    .modes = SCHED_MODE_NONE | SCHED_MODE_STATIC | SCHED_MODE_CONTINUOUS,
};
