# Bad input of every kind gets one clear message naming file:line:column and the key
# path, exit code 2, no crash (sanitizers abort on one), and no file in the output dir.
. "$(dirname "$0")/lib.bash"

BASE=$SRC/tests/scenarios/mmc.yaml

# expect_bad NAME EXPECTED_STDERR_REGEX HAISIM_ARGS...
expect_bad() {
    local name=$1 pattern=$2
    shift 2
    local out=$WORK/out-$name rc=0
    "$HAISIM" "$@" -o "$out" >"$WORK/$name.stdout" 2>"$WORK/$name.stderr" || rc=$?
    local msg
    msg=$(cat "$WORK/$name.stderr")
    if [ "$rc" -ne 2 ]; then
        fail "$name: exit code $rc, expected 2 (stderr: $msg)"
    elif ! grep -Eq -- "$pattern" "$WORK/$name.stderr"; then
        fail "$name: message '$msg' does not match /$pattern/"
    elif [ "$(grep -c . "$WORK/$name.stderr")" -gt 2 ]; then
        fail "$name: expected one message, got: $msg"
    elif [ -s "$WORK/$name.stdout" ]; then
        fail "$name: printed a summary on stdout"
    elif [ -e "$out" ] && [ -n "$(ls -A "$out")" ]; then
        fail "$name: left files behind: $(ls -A "$out" | tr '\n' ' ')"
    else
        pass "$name: $msg"
    fi
}

# scenario NAME: writes $WORK/NAME.yaml from stdin and prints its path.
scenario() {
    cat >"$WORK/$1.yaml"
    echo "$WORK/$1.yaml"
}

# A copy of the base scenario with one line replaced (sed expression).
variant() {
    local name=$1 expr=$2
    sed -e "$expr" "$BASE" >"$WORK/$name.yaml"
    echo "$WORK/$name.yaml"
}

f=$(scenario syntax <<'Y'
name: broken
workload:
  arrival: {process: poisson, rate_rps: 0.5
devices: {count: 1}
Y
)
expect_bad syntax "syntax.yaml:[0-9]+:[0-9]+: .*(flow|expected|did not find)" run "$f"

f=$(variant unknown_key 's/rate_rps: 3.0/rate_rsp: 3.0/')
expect_bad unknown_key \
    "unknown_key.yaml:12:[0-9]+: devices.workload.arrival.rate_rsp: unknown key 'rate_rsp' \(did you mean 'rate_rps'\?\)" \
    run "$f"

f=$(variant unknown_top 's/^seed: 7/sede: 7/')
expect_bad unknown_top "unknown_top.yaml:5:1: sede: unknown key 'sede' \(did you mean 'seed'\?\)" \
    run "$f"

f=$(variant wrong_type 's/count: 50/count: many/')
expect_bad wrong_type "wrong_type.yaml:9:10: devices.count: expected an integer.*'many'" run "$f"

f=$(variant wrong_kind 's/^arbiter: cloud/arbiter: [device, cloud]/')
expect_bad wrong_kind "wrong_kind.yaml:[0-9]+:[0-9]+: arbiter: .*list" run "$f"

f=$(variant out_of_range 's/rate_rps: 3.0/rate_rps: -2/')
expect_bad out_of_range "out_of_range.yaml:12:[0-9]+: devices.workload.arrival.rate_rps: .*> 0.*'-2'" \
    run "$f"

f=$(variant zero_slots 's/slots: 4/slots: 0/')
expect_bad zero_slots "zero_slots.yaml:[0-9]+:[0-9]+: cloud.slots: .*'0'" run "$f"

f=$(variant bad_dist 's/dist: exponential/dist: exponentail/')
expect_bad bad_dist "bad_dist.yaml:19:[0-9]+: cloud.model.overhead_ms.dist: .*did you mean 'exponential'" \
    run "$f"

f=$(variant bad_arbiter 's/^arbiter: cloud/arbiter: clowd/')
expect_bad bad_arbiter "bad_arbiter.yaml:20:10: arbiter: .*did you mean 'cloud'" run "$f"

f=$(variant missing_key '/prompt_tokens/d')
expect_bad missing_key "missing_key.yaml:12:[0-9]+: devices.workload: missing required key 'prompt_tokens'" \
    run "$f"

f=$(variant warmup_too_long 's/warmup_s: 500/warmup_s: 200000/')
expect_bad warmup_too_long "warmup_too_long.yaml:[0-9]+:[0-9]+: run.warmup_s: .*shorter" run "$f"

f=$(scenario empty </dev/null)
expect_bad empty "empty.yaml.*empty" run "$f"

f=$(scenario not_a_map <<'Y'
- just
- a list
Y
)
expect_bad not_a_map "not_a_map.yaml:1:1: .*expected a map" run "$f"

head -c 3000 /dev/urandom | tr -d '\n' >"$WORK/garbage.yaml"
printf '\x01\x02\x7f' >>"$WORK/garbage.yaml"
expect_bad garbage "garbage.yaml" run "$WORK/garbage.yaml"

expect_bad missing_file "does-not-exist.yaml.*(No such file|cannot open)" run "$WORK/does-not-exist.yaml"
expect_bad directory "$WORK: cannot open: is a directory" run "$WORK"
expect_bad device "/dev/zero: cannot open: is not a regular file" run /dev/zero

expect_bad set_wrong_type "--set:1:[0-9]+: cloud.slots: .*'abc'" run "$BASE" --set cloud.slots=abc
expect_bad set_unknown "--set.*cloud.slot.*did you mean 'slots'" run "$BASE" --set cloud.slot=3
expect_bad set_malformed "--set.*(=|assignment)" run "$BASE" --set cloud.slots
expect_bad set_through_scalar "--set.*arbiter" run "$BASE" --set arbiter.policy.x=1
expect_bad reps_zero "--reps" run "$BASE" --reps 0
expect_bad seed_negative "--seed" run "$BASE" --seed -4
expect_bad format_bad "--format" run "$BASE" --format xml
expect_bad unknown_option "unknown option" run "$BASE" --frobnicate
expect_bad unknown_command "unknown command" frobnicate "$BASE"

# Variants: keys shared by the whole experiment, and misspelt variant keys.
f=$(variant variant_seed 's/^arbiter: cloud/arbiter: cloud\nvariants: [{name: a, set: {seed: 3}}]/')
expect_bad variant_seed "variant_seed.yaml:21:[0-9]+: variants\[0\].set.seed: a variant cannot set 'seed'" \
    run "$f"
f=$(variant variant_key 's/^arbiter: cloud/arbiter: cloud\nvariants: [{name: a, sett: {seed: 3}}]/')
expect_bad variant_key "variant_key.yaml:21:[0-9]+: .*unknown key 'sett' in a variant \(did you mean 'set'\?\)" \
    run "$f"

# System-model consistency: tiers that are used must exist.
f=$(variant no_cloud_tier '/^cloud:/,/^  model:/d')
expect_bad no_cloud_tier "no_cloud_tier.yaml:[0-9]+:[0-9]+: devices.network.cloud: .*no 'cloud' tier" \
    run "$f"
f=$(variant orchestrator_edge 's/^arbiter: cloud/arbiter: cloud\norchestrator: edge/')
expect_bad orchestrator_edge "orchestrator_edge.yaml:21:15: orchestrator: .*no 'edge' tier" run "$f"
f=$(variant arbiter_edge 's/^arbiter: cloud/arbiter: edge/')
expect_bad arbiter_edge "arbiter_edge.yaml:20:10: arbiter: arbiter 'edge' .*no 'edge' tier" run "$f"
f=$(variant missing_link '/^  network:/,/^    cloud:/d')
expect_bad missing_link "missing_link.yaml:[0-9]+:[0-9]+: devices: missing the devices' link to the cloud" \
    run "$f"
f=$(variant batching_typo 's/^  slots: 4/  batching: {mode: continous}/')
expect_bad batching_typo "batching_typo.yaml:18:[0-9]+: cloud.batching.mode: .*did you mean 'continuous'" \
    run "$f"

# validate reports the same errors without running.
rc=0
"$HAISIM" validate "$WORK/unknown_key.yaml" >/dev/null 2>"$WORK/validate.stderr" || rc=$?
if [ "$rc" -eq 2 ] && grep -q "did you mean 'rate_rps'" "$WORK/validate.stderr"; then
    pass "validate: exit 2 with the same message"
else
    fail "validate: exit $rc, stderr: $(cat "$WORK/validate.stderr")"
fi
if "$HAISIM" validate "$BASE" >"$WORK/validate.ok"; then
    pass "validate on a good scenario: $(cat "$WORK/validate.ok")"
else
    fail "validate rejected a good scenario"
fi

finish
