# The scenario gallery (docs/gallery.md): every scenarios/gallery/*.yaml validates and runs
# (exit 0), every scenarios/sweeps/gallery-*.yaml checks out point by point (--dry-run), and
# each of the gallery's own scenarios shows the property docs/gallery.md states for it, from
# its summary (mean over the scenario's replications, CSV on stdout). A scenario or sweep
# that needs data kept outside the repository ('# data:' header) is skipped visibly when the
# data is absent.
. "$(dirname "$0")/lib.bash"

# --- every gallery scenario and sweep is valid ---
for f in "$SRC"/scenarios/gallery/*.yaml; do
    data_present "$f" || continue
    if "$HAISIM" validate "$f" >/dev/null 2>"$WORK/err"; then
        pass "$(basename "$f") validates"
    else
        fail "$(basename "$f"): $(cat "$WORK/err")"
    fi
done
for f in "$SRC"/scenarios/sweeps/gallery-*.yaml; do
    data_present "$f" || continue
    if "$HAISIM" sweep "$f" --dry-run >/dev/null 2>"$WORK/err"; then
        pass "$(basename "$f") checks out (--dry-run)"
    else
        fail "$(basename "$f"): $(cat "$WORK/err")"
    fi
done

# --- every gallery scenario runs as shipped; its summary is kept for the checks below ---
for f in "$SRC"/scenarios/gallery/*.yaml; do
    data_present "$f" || continue
    name=$(basename "$f" .yaml)
    if "$HAISIM" run "$f" --format csv >"$WORK/$name.csv" 2>"$WORK/err"; then
        pass "$name runs"
    else
        fail "$name: exit $?: $(cat "$WORK/err")"
    fi
done

# v SCENARIO VARIANT METRIC: the metric's mean in that scenario's summary.
v() {
    awk -F, -v var="$2" -v m="$3" '$1 == var && $2 == m { print $4; found = 1 }
        END { if (!found) print "missing" }' "$WORK/$1.csv"
}

# check DESCRIPTION AWK-CONDITION NAME=VALUE...: passes when the condition holds on the
# named values (a missing value fails).
check() {
    local what=$1 cond=$2 args=() pair shown=""
    shift 2
    for pair in "$@"; do
        args+=(-v "$pair")
        shown+=" $pair"
    done
    if awk "${args[@]}" "BEGIN { exit !($cond) }" && ! grep -q '=missing' <<<"$shown"; then
        pass "$what:$shown"
    else
        fail "$what:$shown"
    fi
}

# orchestration: the same rules put requests in the same places, but cloud-centric pays a
# round trip first and sends every private prompt up; device-centric sends none.
s=orchestration
check "orchestration: same placements, device-centric faster to the first token, no private prompt up" \
    'dc_share == cc_share && dc_ttft < cc_ttft && dc_exp == 0 && cc_exp == 1' \
    dc_share="$(v $s device-centric share_cloud)" cc_share="$(v $s cloud-centric share_cloud)" \
    dc_ttft="$(v $s device-centric ttft_ms_p50)" cc_ttft="$(v $s cloud-centric ttft_ms_p50)" \
    dc_exp="$(v $s device-centric private_exposed_share)" \
    cc_exp="$(v $s cloud-centric private_exposed_share)"

# apple-intelligence: no private request leaves the phone, some requests go to the server,
# and the split is faster at p90 than the phone alone.
s=apple-intelligence
check "apple-intelligence: private requests stay on the phone, long answers go to the server" \
    'kept == 0 && priv > 0 && share > 0 && p90 < p90_phone && srv_exp == 1' \
    kept="$(v $s apple-style private_exposed_share)" priv="$(v $s apple-style private_requests)" \
    share="$(v $s apple-style share_cloud)" p90="$(v $s apple-style e2e_ms_p90)" \
    p90_phone="$(v $s phone-only e2e_ms_p90)" srv_exp="$(v $s server-only private_exposed_share)"

# qualcomm-hybrid: both arbiters land between the phone's and the cloud's accuracy, at a
# fraction of the cloud's cost; the learned score pays for its judgement in phone energy.
s=qualcomm-hybrid
check "qualcomm-hybrid: arbiters between device and cloud accuracy, cheaper than the cloud" \
    'dev < rule && rule < cld && dev < lrn && lrn < cld && rule_usd < cld_usd && lrn_usd < cld_usd && lrn_j > rule_j' \
    dev="$(v $s device accuracy)" cld="$(v $s cloud accuracy)" \
    rule="$(v $s prompt-rule accuracy)" lrn="$(v $s learned-score accuracy)" \
    rule_usd="$(v $s prompt-rule cost_usd_per_req)" lrn_usd="$(v $s learned-score cost_usd_per_req)" \
    cld_usd="$(v $s cloud cost_usd_per_req)" rule_j="$(v $s prompt-rule energy_device_j_per_req)" \
    lrn_j="$(v $s learned-score energy_device_j_per_req)"

# enterprise-edge: the company's documents stay inside on the edge and reach the public
# cloud otherwise; at 2 requests/s the owned GPU is cheaper per request and faster.
s=enterprise-edge
check "enterprise-edge: documents stay in the company on the edge; cheaper and faster at 2 req/s" \
    'edge_out == 0 && cloud_out == 1 && edge_usd < cloud_usd && edge_e2e < cloud_e2e' \
    edge_out="$(v $s edge-nim private_cloud_share)" cloud_out="$(v $s public-cloud private_cloud_share)" \
    edge_usd="$(v $s edge-nim cost_usd_per_req)" cloud_usd="$(v $s public-cloud cost_usd_per_req)" \
    edge_e2e="$(v $s edge-nim e2e_ms_mean)" cloud_e2e="$(v $s public-cloud e2e_ms_mean)"

# personal-rag: personal context leaves the phone only in the cloud design; keeping it
# local costs accuracy and time; the split lies between.
s=personal-rag
check "personal-rag: exposure only in the cloud design; accuracy device < split < cloud" \
    'dev_exp == 0 && split_exp == 0 && cloud_exp == 1 && dev_acc < split_acc && split_acc < cloud_acc && cloud_ttft < dev_ttft' \
    dev_exp="$(v $s on-device private_exposed_share)" \
    split_exp="$(v $s private-on-device private_exposed_share)" \
    cloud_exp="$(v $s cloud private_exposed_share)" dev_acc="$(v $s on-device accuracy)" \
    split_acc="$(v $s private-on-device accuracy)" cloud_acc="$(v $s cloud accuracy)" \
    dev_ttft="$(v $s on-device ttft_ms_mean)" cloud_ttft="$(v $s cloud ttft_ms_mean)"

# length-bucketed: all 1,024 requests arrive at once, so the longest end-to-end latency is
# the makespan; bucketed batching with the fitted predictor beats vanilla padding by 56-116 %
# (tests/test_sched_zheng.c states why), and exact lengths do better still.
s=length-bucketed
check "length-bucketed: throughput gain of bucketed batching within 56-116 %, exact lengths faster" \
    'van / sch - 1 > 0.56 && van / sch - 1 < 1.16 && gt < sch' \
    van="$(v $s vanilla e2e_ms_max)" sch="$(v $s seqsch-vbs-fcr e2e_ms_max)" \
    gt="$(v $s ground-truth-vbs-fcr e2e_ms_max)"

# length-spf-continuous: near capacity, shortest predicted first cuts the median latency.
s=length-spf-continuous
check "length-spf-continuous: spf's median end-to-end latency below fcfs's" \
    'spf < 0.9 * fcfs' spf="$(v $s spf e2e_ms_p50)" fcfs="$(v $s fcfs e2e_ms_p50)"

# difficulty-routing: coupled correctness makes the oracle exactly as accurate as the big
# model at a fraction of its calls; the random router lies between the two models.
s=difficulty-routing
check "difficulty-routing: oracle = big-only accuracy at < 20 % big calls; random in between" \
    'orc == big && orc_share < 0.2 && small < rnd && rnd < big' \
    orc="$(v $s oracle accuracy)" big="$(v $s big-only accuracy)" \
    orc_share="$(v $s oracle share_cloud)" small="$(v $s small-only accuracy)" \
    rnd="$(v $s random accuracy)"

# The same scenario on RouteLLM's MMLU results (the sweep's accuracy profiles): the oracle
# router's published 85.86 % at 17.78 % strong calls, within 4 standard errors of 9,000
# draws (0.0037 and 0.0040).
if data_present "$SRC/scenarios/sweeps/gallery-difficulty-routing-mmlu.yaml"; then
    if "$HAISIM" run "$SRC/scenarios/gallery/difficulty-routing.yaml" --format csv \
        --set 'devices.model.accuracy={profile: mmlu/mixtral-8x7b}' \
        --set 'cloud.model.accuracy={profile: mmlu/gpt-4-1106}' >"$WORK/mmlu.csv" 2>"$WORK/err"; then
        s=mmlu
        check "difficulty-routing on MMLU: oracle 85.86 % at 17.78 % strong calls (RouteLLM)" \
            'acc > 0.8586 - 0.015 && acc < 0.8586 + 0.015 && share > 0.1778 - 0.016 && share < 0.1778 + 0.016' \
            acc="$(v $s oracle accuracy)" share="$(v $s oracle share_cloud)"
    else
        fail "difficulty-routing on MMLU: $(cat "$WORK/err")"
    fi
fi

finish
