# Sharding: a sweep run as 3 shards through GNU parallel and joined with `haisim merge` is
# byte-identical to the sweep run on one machine (results, charts, JUnit); shards come from
# --shard or from Slurm's job-array variables; merge refuses incomplete or mixed shards.
. "$(dirname "$0")/lib.bash"

if ! command -v parallel >/dev/null 2>&1; then
    echo "SKIP: GNU parallel is not installed (Debian package 'parallel', installed by"
    echo "      scripts/test): the sharding test did not run"
    exit 0
fi

cat >"$WORK/s.yaml" <<EOF
name: cli-shard
base: $SRC/scenarios/quickstart.yaml
set: {run.duration_s: 300, run.warmup_s: 30, devices.count: 20}
axes:
  - {key: devices.workload.arrival.rate_rps, values: [0.5, 1, 2]}
  - {key: cloud.slots, values: [2, 8, 64]}
replications: 2
expect:
  - {metric: ttft_ms_p99, op: "<=", threshold: 2000, variants: cloud-only}
plots:
  - {kind: line, metric: e2e_ms_p90, where: {cloud.slots: 8}, output: line.png}
EOF

rc_single=0
"$HAISIM" sweep "$WORK/s.yaml" -j 2 -o "$WORK/single" --junit "$WORK/single.xml" \
    >"$WORK/single.out" || rc_single=$?

# The three shards side by side, as on three machines.
parallel --will-cite -j 3 "$HAISIM" sweep "$WORK/s.yaml" --shard {}/3 -j 1 -o "$WORK/shard-{}" \
    ::: 1 2 3 >"$WORK/parallel.out"
shard2=$(cd "$WORK/shard-2/points" && ls ./*.csv | grep -v cdf | tr '\n' ' ')
if [ "$shard2" = "./0002.csv ./0005.csv ./0008.csv " ] && [ ! -e "$WORK/shard-2/results.csv" ]; then
    pass "shard 2 of 3 holds points 2, 5, 8 (round robin) and assembles nothing"
else
    fail "shard 2 of 3 holds: $shard2"
fi

rc_merge=0
"$HAISIM" merge -o "$WORK/merged" "$WORK/shard-1" "$WORK/shard-2" "$WORK/shard-3" \
    --junit "$WORK/merged.xml" >"$WORK/merged.out" || rc_merge=$?
if diff -r "$WORK/single" "$WORK/merged" >"$WORK/diff"; then
    pass "merge of 3 shards = the single run, byte for byte (results, points, charts)"
else
    fail "merge differs from the single run: $(head -c 400 "$WORK/diff")"
fi
if cmp -s "$WORK/single.xml" "$WORK/merged.xml" && [ "$rc_single" = "$rc_merge" ]; then
    pass "merge: same JUnit file and exit code ($rc_merge) as the single run"
else
    fail "merge: exit $rc_merge vs $rc_single, or the JUnit files differ"
fi
if [ "$(sed "s|$WORK/single|DIR|g" "$WORK/single.out")" = \
    "$(sed "s|$WORK/merged|DIR|g" "$WORK/merged.out")" ]; then
    pass "merge prints the single run's report"
else
    fail "reports differ: $(cat "$WORK/single.out" "$WORK/merged.out")"
fi

# Slurm job arrays: task 1 of an --array=0-2 job is shard 2 of 3.
SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=3 SLURM_ARRAY_TASK_MIN=0 \
    "$HAISIM" sweep "$WORK/s.yaml" -j 1 -o "$WORK/slurm" >/dev/null 2>"$WORK/slurm.err"
if grep -q "shard 2/3 (from SLURM_ARRAY_TASK_ID)" "$WORK/slurm.err" &&
    diff -r "$WORK/shard-2/points" "$WORK/slurm/points" >/dev/null; then
    pass "SLURM_ARRAY_TASK_ID=1 of 3 runs shard 2/3"
else
    fail "Slurm shard: $(cat "$WORK/slurm.err")"
fi
rc=0
SLURM_ARRAY_TASK_ID=7 SLURM_ARRAY_TASK_COUNT=3 "$HAISIM" sweep "$WORK/s.yaml" -o "$WORK/x" \
    >/dev/null 2>&1 || rc=$?
if [ "$rc" = 2 ]; then pass "a Slurm task id outside the array is bad input"; else
    fail "Slurm task 7 of 3: exit $rc"
fi

# A missing shard: merge names the first missing point.
rc=0
"$HAISIM" merge -o "$WORK/partial" "$WORK/shard-1" "$WORK/shard-3" >/dev/null 2>"$WORK/partial.err" ||
    rc=$?
if [ "$rc" = 1 ] && grep -q "3 of 9 points are in none of the directories (the first is point 2)" \
    "$WORK/partial.err"; then
    pass "merge without shard 2: exit 1, names the missing points"
else
    fail "merge without shard 2: exit $rc, $(cat "$WORK/partial.err")"
fi
# Shards of different sweeps do not mix.
sed -e 's/values: \[2, 8, 64\]/values: [2, 8, 32]/' "$WORK/s.yaml" >"$WORK/t.yaml"
"$HAISIM" sweep "$WORK/t.yaml" --shard 2/3 -j 1 -o "$WORK/other-2" >/dev/null
rc=0
"$HAISIM" merge -o "$WORK/mixed" "$WORK/shard-1" "$WORK/other-2" "$WORK/shard-3" \
    >/dev/null 2>"$WORK/mixed.err" || rc=$?
if [ "$rc" = 1 ] && grep -q "these results come from another sweep" "$WORK/mixed.err"; then
    pass "merge refuses shards of another sweep"
else
    fail "merge of mixed shards: exit $rc, $(cat "$WORK/mixed.err")"
fi

finish
