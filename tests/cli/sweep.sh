# haisim sweep: point expansion (--dry-run), byte-identical results at any -j, the tidy and
# aggregated CSV agree with each other, expectations set the exit code and their JUnit XML
# (parsed with xmllint) has one test case per point × expectation with the failures that the
# aggregate says there must be; `run --expect`; bad input stops before anything is written.
. "$(dirname "$0")/lib.bash"

same_tree() {
    if diff -r "$2" "$3" >"$WORK/diff" 2>&1; then pass "$1"; else
        fail "$1: $(head -c 400 "$WORK/diff")"
    fi
}

cat >"$WORK/s.yaml" <<EOF
name: cli-sweep
base: $SRC/scenarios/quickstart.yaml
set: {run.duration_s: 300, run.warmup_s: 30, devices.count: 20}
axes:
  - {key: devices.workload.arrival.rate_rps, values: [0.5, 2]}
  - {key: cloud.slots, range: {from: 2, to: 6, step: 2}}
replications: 2
expect:
  - {metric: requests_rejected, op: "==", threshold: 0, aggregate: every}
  - {metric: ttft_ms_p99, op: "<=", threshold: 3000, variants: cloud-only}
EOF

# --- expansion: a 2 × 3 grid, last axis fastest ---
"$HAISIM" sweep "$WORK/s.yaml" --dry-run -o "$WORK/none" >"$WORK/dry"
cat >"$WORK/dry.want" <<EOF
1 devices.workload.arrival.rate_rps=0.5, cloud.slots=2
2 devices.workload.arrival.rate_rps=0.5, cloud.slots=4
3 devices.workload.arrival.rate_rps=0.5, cloud.slots=6
4 devices.workload.arrival.rate_rps=2, cloud.slots=2
5 devices.workload.arrival.rate_rps=2, cloud.slots=4
6 devices.workload.arrival.rate_rps=2, cloud.slots=6
EOF
if tail -n +2 "$WORK/dry" | cmp -s - "$WORK/dry.want" && [ ! -e "$WORK/none" ]; then
    pass "--dry-run lists the 6 grid points in order and writes nothing"
else
    fail "--dry-run: $(cat "$WORK/dry")"
fi

# --- the sweeps shipped in scenarios/sweeps/ are valid, every point of them ---
for f in "$SRC"/scenarios/sweeps/*.yaml; do
    data_present "$f" || continue
    if "$HAISIM" sweep "$f" --dry-run >/dev/null 2>"$WORK/shipped.err"; then
        pass "$(basename "$f") checks out (--dry-run)"
    else
        fail "$(basename "$f"): $(cat "$WORK/shipped.err")"
    fi
done

# --- determinism across -j ---
rc1=0 rc3=0
"$HAISIM" sweep "$WORK/s.yaml" -j 1 -o "$WORK/j1" --junit "$WORK/j1.xml" >"$WORK/j1.out" || rc1=$?
"$HAISIM" sweep "$WORK/s.yaml" -j 3 -o "$WORK/j3" --junit "$WORK/j3.xml" >"$WORK/j3.out" || rc3=$?
same_tree "-j 1 and -j 3 write byte-identical results" "$WORK/j1" "$WORK/j3"
if cmp -s "$WORK/j1.xml" "$WORK/j3.xml" && [ "$rc1" = "$rc3" ]; then
    pass "-j 1 and -j 3: same JUnit file and exit code ($rc1)"
else
    fail "-j 1 and -j 3 differ: exit $rc1 / $rc3"
fi
if ls "$WORK"/j1/*.partial "$WORK"/j1/points/*.partial >/dev/null 2>&1; then
    fail "partial files left behind"
else pass "no .partial files left"; fi

# --- the tidy CSV: one row per point × variant × replication ---
rows=$(($(wc -l <"$WORK/j1/results.csv") - 1))
if [ "$rows" = 24 ]; then pass "results.csv: 6 points × 2 variants × 2 replications = 24 rows"; else
    fail "results.csv has $rows rows"
fi
# The aggregate's mean is the mean of the tidy rows (e2e_ms_p90, point 5, device-only).
col=$(head -n 1 "$WORK/j1/results.csv" | tr , '\n' | grep -nx e2e_ms_p90 | cut -d: -f1)
tidy=$(awk -F, -v c="$col" '$1 == 5 && $4 == "device-only" {s += $c; n++} END {printf "%.6g", s / n}' \
    "$WORK/j1/results.csv")
agg=$(awk -F, '$1 == 5 && $4 == "device-only" && $5 == "e2e_ms_p90" {printf "%.6g", $7}' \
    "$WORK/j1/aggregate.csv")
if [ -n "$tidy" ] && [ "$tidy" = "$agg" ]; then pass "aggregate mean = mean of the tidy rows ($agg)"; else
    fail "aggregate mean $agg, tidy mean $tidy"
fi
n_metrics=$(($(head -n 1 "$WORK/j1/results.csv" | tr , '\n' | wc -l) - 5))
agg_rows=$(($(wc -l <"$WORK/j1/aggregate.csv") - 1))
if [ "$agg_rows" = $((6 * 2 * n_metrics)) ]; then pass "aggregate.csv: a row per point, variant and metric"; else
    fail "aggregate.csv has $agg_rows rows, expected $((6 * 2 * n_metrics))"
fi

# --- expectations and JUnit ---
# The failures the aggregate implies: cloud-only p99 TTFT mean above 3000 ms, per point.
want_fail=$(awk -F, '$4 == "cloud-only" && $5 == "ttft_ms_p99" && $7 > 3000 {n++} END {print n + 0}' \
    "$WORK/j1/aggregate.csv")
tests=$(xmllint --xpath 'count(//testsuite/testcase)' "$WORK/j1.xml")
n_failures=$(xmllint --xpath 'count(//testcase/failure)' "$WORK/j1.xml")
declared=$(xmllint --xpath 'string(/testsuites/@failures)' "$WORK/j1.xml")
if [ "$tests" = 12 ]; then pass "JUnit: 12 test cases (6 points × 2 expectations)"; else
    fail "JUnit: $tests test cases"
fi
if [ "$n_failures" = "$want_fail" ] && [ "$declared" = "$want_fail" ]; then
    pass "JUnit: $n_failures failures, as aggregate.csv implies"
else
    fail "JUnit: $n_failures failures ($declared declared), aggregate.csv implies $want_fail"
fi
want_rc=0
[ "$want_fail" -gt 0 ] && want_rc=1
if [ "$rc1" = "$want_rc" ]; then pass "exit code $rc1 follows the expectations"; else
    fail "exit code $rc1, expected $want_rc"
fi
if grep -q "^  ok    requests_rejected == 0 (every): 6 of 6 points$" "$WORK/j1.out"; then
    pass "readable report on stdout"
else fail "report: $(cat "$WORK/j1.out")"; fi

# A sweep whose expectations all hold exits 0.
sed -e 's/threshold: 3000/threshold: 1.0e9/' "$WORK/s.yaml" >"$WORK/ok.yaml"
if "$HAISIM" sweep "$WORK/ok.yaml" -j 2 -o "$WORK/ok" >/dev/null; then pass "all expectations met: exit 0"; else
    fail "all expectations met: exit $?"
fi

# --- run --expect ---
cat >"$WORK/e.yaml" <<EOF
expect:
  - {metric: requests_rejected, op: "==", threshold: 0}
  - {metric: share_cloud, op: ">=", threshold: 0.99, variants: cloud-only}
EOF
SHORT=(--set run.duration_s=300 --set run.warmup_s=30 --reps 2)
rc=0
"$HAISIM" run "$SRC/scenarios/quickstart.yaml" "${SHORT[@]}" --expect "$WORK/e.yaml" \
    --junit "$WORK/run.xml" --format json >"$WORK/run.json" 2>"$WORK/run.err" || rc=$?
if [ "$rc" = 0 ] && [ "$(xmllint --xpath 'count(//testcase)' "$WORK/run.xml")" = 2 ] &&
    head -c 1 "$WORK/run.json" | grep -q '{' && grep -q "expectations: 2 of 2 met" "$WORK/run.err"; then
    pass "run --expect: 2 checks pass, JSON on stdout untouched, report on stderr"
else
    fail "run --expect: exit $rc, $(cat "$WORK/run.err")"
fi
echo "  - {metric: share_device, op: '>', threshold: 0.5}" >>"$WORK/e.yaml"
rc=0
"$HAISIM" run "$SRC/scenarios/quickstart.yaml" "${SHORT[@]}" --expect "$WORK/e.yaml" \
    --junit "$WORK/run2.xml" >/dev/null 2>"$WORK/run2.err" || rc=$?
if [ "$rc" = 1 ] && [ "$(xmllint --xpath 'count(//failure)' "$WORK/run2.xml")" = 1 ] &&
    grep -q "cloud-only: mean 0 .*needs > 0.5" "$WORK/run2.err"; then
    pass "run --expect: a failed expectation exits 1 and is in the JUnit file"
else
    fail "run --expect (failing): exit $rc, $(cat "$WORK/run2.err")"
fi

# --- bad input: exit 2, located, nothing written ---
sed -e 's/values: \[0.5, 2\]/values: [0.5, -2]/' "$WORK/s.yaml" >"$WORK/bad.yaml"
rc=0
"$HAISIM" sweep "$WORK/bad.yaml" -o "$WORK/bad" >/dev/null 2>"$WORK/bad.err" || rc=$?
if [ "$rc" = 2 ] && grep -q "bad.yaml:5:60: axes\[0\].values\[1\]: point 4 (" "$WORK/bad.err" &&
    [ ! -e "$WORK/bad" ]; then
    pass "a bad axis value: exit 2, located at the value, nothing written"
else
    fail "bad axis value: exit $rc, $(cat "$WORK/bad.err")"
fi
rc=0
"$HAISIM" sweep "$WORK/s.yaml" -j 0 >/dev/null 2>&1 || rc=$?
if [ "$rc" = 2 ]; then pass "-j 0 is bad input"; else fail "-j 0: exit $rc"; fi

finish
