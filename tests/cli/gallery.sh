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

# speculation: at the shipped 20 ms RTT the desktop's draft costs more than it saves (its
# break-even RTT is -2.2 ms), so device drafting is slower per token than plain streaming,
# while the provider's co-located draft is faster.
s=speculation
check "speculation: co-located TPOT below streaming's, device-drafted above it at 20 ms RTT, stopping near it" \
    'colo < stream && dev > stream && spec == 200 && stop < 1.1 * stream' \
    stream="$(v $s streaming tpot_ms_mean)" dev="$(v $s device-draft tpot_ms_mean)" \
    colo="$(v $s colocated tpot_ms_mean)" spec="$(v $s device-draft spec_requests)" \
    stop="$(v $s adaptive-stop tpot_ms_mean)"

# validate --explain states the same break-even RTT (12.35 ms x 2.3616 - 4 x 7.828 ms) and
# Leviathan's co-located speed-up 3.3616 / 1.4.
"$HAISIM" validate --explain "$SRC/scenarios/gallery/speculation.yaml" >"$WORK/explain" 2>&1
if grep -q "break-even RTT T (E - 1) - g t_d = -2.158 ms; mean RTT 20 ms: drafting does not pay off" \
    "$WORK/explain" && grep -q "speed-up E / (g c + 1) = 2.4011" "$WORK/explain"; then
    pass "speculation: validate --explain gives the break-even RTT and the co-located speed-up"
else
    fail "speculation: validate --explain lacks the break-even RTT or speed-up: $(grep -A3 'speculation:' "$WORK/explain" | head -8)"
fi

# big-little: every BiLD setting decodes faster than the large model alone and is lossy;
# at XSUM's published settings the aligned small model is both faster and less lossy than
# the unaligned one.
s=big-little
check "big-little: speed-up > 1 and some quality lost at every setting; aligned dominates" \
    'u > 1 && uf > 1 && a > 1 && af > 1 && ul > 0 && al > 0 && a > u && al < ul && af > uf && afl < ufl && e2e_a < e2e_large' \
    u="$(v $s unaligned bild_speedup)" uf="$(v $s unaligned-fast bild_speedup)" \
    a="$(v $s aligned bild_speedup)" af="$(v $s aligned-fast bild_speedup)" \
    ul="$(v $s unaligned bild_quality_loss)" ufl="$(v $s unaligned-fast bild_quality_loss)" \
    al="$(v $s aligned bild_quality_loss)" afl="$(v $s aligned-fast bild_quality_loss)" \
    e2e_a="$(v $s aligned e2e_ms_mean)" e2e_large="$(v $s large-only e2e_ms_mean)"

# gkt: guided answers land between the student's and the teacher's accuracy, and the test
# set is served faster than by the teacher, alone or in the same batches of 10.
s=gkt
check "gkt: accuracy between the student's and the teacher's; faster than the teacher" \
    'stu < gkt && gkt < tea && guided == 1 && span < span_batched && span_batched < span_alone' \
    stu="$(v $s student-alone accuracy)" gkt="$(v $s gkt accuracy)" \
    tea="$(v $s teacher-alone accuracy)" guided="$(v $s gkt guided_share)" \
    span="$(v $s gkt e2e_ms_max)" span_batched="$(v $s teacher-batched e2e_ms_max)" \
    span_alone="$(v $s teacher-alone e2e_ms_max)"

# gkt-chatgpt: with a ChatGPT-class teacher, guidance costs a fraction of the teacher's API
# bill and lands between the two models' accuracy.
s=gkt-chatgpt
check "gkt-chatgpt: cheaper than the teacher, accuracy between student and teacher" \
    'usd < usd_tea && stu < gkt && gkt < tea' \
    usd="$(v $s gkt cost_usd_per_req)" usd_tea="$(v $s teacher-alone cost_usd_per_req)" \
    stu="$(v $s student-alone accuracy)" gkt="$(v $s gkt accuracy)" \
    tea="$(v $s teacher-alone accuracy)"

# privacy-trust: with the rule no request is seen below its floor (without it some are, so
# the check can fail); only the cloud-centric design refuses requests; with a private cloud
# the third-party API sees nothing.
s=privacy-trust
check "privacy-trust: no violation under the rule, refusals only cloud-centric" \
    'off > 0 && rule == 0 && pcc == 0 && cc == 0 && ref_off == 0 && ref_rule == 0 && ref_pcc == 0 && ref_cc > 0 && pcc_api == 0' \
    off="$(v $s no-rule privacy_violations)" rule="$(v $s rule privacy_violations)" \
    pcc="$(v $s private-cloud privacy_violations)" cc="$(v $s cloud-centric privacy_violations)" \
    ref_off="$(v $s no-rule requests_refused)" ref_rule="$(v $s rule requests_refused)" \
    ref_pcc="$(v $s private-cloud requests_refused)" ref_cc="$(v $s cloud-centric requests_refused)" \
    pcc_api="$(v $s private-cloud exposed_requests_third_party_api)"

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
