# Kill and resume: a sweep killed midway keeps its complete points, --resume runs only the
# missing ones, and the result is byte-identical to an uninterrupted run; --resume refuses a
# directory holding another sweep's results.
. "$(dirname "$0")/lib.bash"

cat >"$WORK/s.yaml" <<EOF
name: cli-resume
base: $SRC/scenarios/quickstart.yaml
set: {run.duration_s: 4000, run.warmup_s: 30, devices.count: 30}
axes:
  - {key: devices.workload.arrival.rate_rps, log_range: {from: 0.25, to: 4, points: 10}}
replications: 2
EOF
N=10

complete_points() {
    ls "$1"/points/*.csv 2>/dev/null | grep -vc '\.cdf\.csv$' || true
}

"$HAISIM" sweep "$WORK/s.yaml" -j 2 -o "$WORK/full" >"$WORK/full.out"

# Kill the sweep (and so, through PR_SET_PDEATHSIG, its worker) once 3 points are complete.
"$HAISIM" sweep "$WORK/s.yaml" -j 1 -o "$WORK/cut" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 3000); do
    [ "$(complete_points "$WORK/cut")" -ge 3 ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
done
kill -KILL "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
sleep 0.2
kept=$(complete_points "$WORK/cut")
if [ "$kept" -ge 3 ] && [ "$kept" -lt "$N" ] && [ ! -e "$WORK/cut/results.csv" ]; then
    pass "killed midway: $kept of $N points complete, nothing assembled"
else
    fail "the kill did not land midway ($kept of $N points complete)"
fi
sleep 0.3
if [ "$(complete_points "$WORK/cut")" = "$kept" ]; then
    pass "no worker went on after the sweep was killed"
else
    fail "points kept appearing after the kill"
fi

"$HAISIM" sweep "$WORK/s.yaml" -j 2 -o "$WORK/cut" --resume >"$WORK/cut.out" 2>"$WORK/cut.err"
if grep -q "resumed: $kept of $N points were complete" "$WORK/cut.err"; then
    pass "--resume kept the $kept complete points and ran the other $((N - kept))"
else
    fail "--resume: $(cat "$WORK/cut.err")"
fi
if diff -r "$WORK/full" "$WORK/cut" >"$WORK/diff"; then
    pass "killed + resumed = uninterrupted, byte for byte"
else
    fail "killed + resumed differs: $(head -c 400 "$WORK/diff")"
fi
if [ "$(sed "s|$WORK/full|DIR|g" "$WORK/full.out")" = "$(sed "s|$WORK/cut|DIR|g" "$WORK/cut.out")" ]
then pass "same report on stdout"; else
    fail "stdout differs: $(cat "$WORK/full.out" "$WORK/cut.out")"
fi

# A resume of nothing left to do runs nothing and changes nothing.
"$HAISIM" sweep "$WORK/s.yaml" -j 2 -o "$WORK/cut" --resume >/dev/null 2>"$WORK/again.err"
if grep -q "resumed: $N of $N points" "$WORK/again.err" && diff -r "$WORK/full" "$WORK/cut" >/dev/null; then
    pass "--resume of a complete sweep runs nothing"
else
    fail "--resume of a complete sweep: $(cat "$WORK/again.err")"
fi

# Another sweep's directory cannot be resumed into.
sed -e 's/points: 10/points: 9/' "$WORK/s.yaml" >"$WORK/other.yaml"
rc=0
"$HAISIM" sweep "$WORK/other.yaml" -o "$WORK/cut" --resume >/dev/null 2>"$WORK/other.err" || rc=$?
if [ "$rc" = 1 ] && grep -q "holds results of another sweep" "$WORK/other.err"; then
    pass "--resume refuses another sweep's directory"
else
    fail "--resume into another sweep: exit $rc, $(cat "$WORK/other.err")"
fi

# A point that fails (here: its detailed outputs cannot be written, because a file sits where
# its directory goes) is reported, the others' results are kept, and --resume retries it.
cat >"$WORK/f.yaml" <<EOF
name: cli-fail
base: $SRC/scenarios/quickstart.yaml
set: {run.duration_s: 120, run.warmup_s: 0, devices.count: 10, outputs: {requests: true}}
axes:
  - {key: cloud.slots, values: [2, 4, 8]}
replications: 1
EOF
mkdir -p "$WORK/f/points"
echo "in the way" >"$WORK/f/points/0002"
rc=0
"$HAISIM" sweep "$WORK/f.yaml" -j 2 -o "$WORK/f" >"$WORK/f.out" 2>"$WORK/f.err" || rc=$?
points_in_results=$(cut -d, -f1 "$WORK/f/results.csv" | tail -n +2 | sort -u | tr '\n' ' ')
if [ "$rc" = 1 ] && grep -q "^point 2 (slots=4) failed: " "$WORK/f.out" &&
    [ -s "$WORK/f/points/0002.error" ] && [ "$points_in_results" = "1 3 " ] &&
    grep -q "1 point failed" "$WORK/f.err"; then
    pass "a failed point: exit 1, its reason in points/0002.error, points 1 and 3 assembled"
else
    fail "failed point: exit $rc, results for points '$points_in_results', $(cat "$WORK/f.out" "$WORK/f.err")"
fi
rm "$WORK/f/points/0002"
rc=0
"$HAISIM" sweep "$WORK/f.yaml" -j 2 -o "$WORK/f" --resume >/dev/null 2>"$WORK/f2.err" || rc=$?
if [ "$rc" = 0 ] && grep -q "resumed: 2 of 3 points were complete" "$WORK/f2.err" &&
    [ ! -e "$WORK/f/points/0002.error" ] && [ -s "$WORK/f/points/0002/requests.csv" ]; then
    pass "--resume retries the failed point only"
else
    fail "--resume after a failure: exit $rc, $(cat "$WORK/f2.err")"
fi

finish
