# Detailed outputs (outputs: in the scenario): requests.csv, timeseries.csv and trace.json
# are complete, consistent with the summary, and byte-identical across runs.
. "$(dirname "$0")/lib.bash"

SCEN=$SRC/scenarios/quickstart.yaml
ARGS=(--set run.duration_s=300 --set run.warmup_s=0 --reps 1
    --set 'outputs={requests: true, timeseries_s: 10, trace: {from_s: 20, to_s: 40}}')

"$HAISIM" run "$SCEN" "${ARGS[@]}" -o "$WORK/a" --format csv >"$WORK/a.csv"
"$HAISIM" run "$SCEN" "${ARGS[@]}" -o "$WORK/b" >/dev/null

for f in requests.csv timeseries.csv trace.json; do
    if [ -s "$WORK/a/$f" ]; then pass "$f written"; else fail "$f missing or empty"; fi
    if cmp -s "$WORK/a/$f" "$WORK/b/$f"; then pass "$f byte-identical across runs"; else
        fail "$f differs between two runs with the same seed"
    fi
done

# One row per request: as many rows per variant as the summary's requests_arrived.
for variant in device-only cloud-only; do
    rows=$(grep -c "^$variant,1," "$WORK/a/requests.csv" || true)
    arrived=$(awk -F, -v v="$variant" '$1 == v && $2 == "requests_arrived" {print $4}' "$WORK/a.csv")
    if [ "$rows" -gt 0 ] && [ "$rows" = "$arrived" ]; then
        pass "$variant: $rows request rows = requests_arrived"
    else
        fail "$variant: $rows request rows, summary says $arrived arrived"
    fi
done

# Every request ended completed, on the place its variant says.
bad=$(awk -F, 'NR > 1 && !(($1 == "device-only" && $11 == "device") ||
    ($1 == "cloud-only" && $11 == "cloud")) {n++} END {print n + 0}' "$WORK/a/requests.csv")
if [ "$bad" = 0 ]; then pass "every row served where its variant sends it"; else
    fail "$bad rows served elsewhere"
fi

# Time series: every 10 s from 0 while anything can happen, per variant.
first=$(awk -F, '$1 == "device-only" {print $3; exit}' "$WORK/a/timeseries.csv")
second=$(awk -F, '$1 == "device-only" {n++; if (n == 2) {print $3; exit}}' "$WORK/a/timeseries.csv")
if [ "$first" = "0.000000000" ] && [ "$second" = "10.000000000" ]; then
    pass "timeseries sampled at 0, 10 s, ..."
else
    fail "timeseries starts at '$first', '$second'"
fi

# The trace is a complete JSON document of trace events.
if [ "$(head -n 1 "$WORK/a/trace.json")" = '{"displayTimeUnit": "ms", "traceEvents": [' ] &&
    [ "$(tail -n 1 "$WORK/a/trace.json")" = "]}" ] &&
    grep -q '"name": "decode", "cat": "cloud", "ph": "X", "pid": 5' "$WORK/a/trace.json"; then
    pass "trace.json is a closed trace-event document with cloud decode spans"
else
    fail "trace.json malformed: $(head -c 200 "$WORK/a/trace.json")"
fi

# Without -o the outputs cannot be written: the run says so on stderr.
"$HAISIM" run "$SCEN" "${ARGS[@]}" >/dev/null 2>"$WORK/note"
if grep -q "need -o DIR" "$WORK/note"; then pass "without -o: a note on stderr"; else
    fail "without -o: no note (stderr: $(cat "$WORK/note"))"
fi

# A bad outputs key is bad input like any other.
rc=0
"$HAISIM" run "$SCEN" --set 'outputs={trace: {from_s: 50, to_s: 10}}' -o "$WORK/c" \
    >/dev/null 2>"$WORK/bad" || rc=$?
if [ "$rc" = 2 ] && grep -q "outputs.trace.to_s: to_s must be after from_s" "$WORK/bad" &&
    [ ! -e "$WORK/c/requests.csv" ]; then
    pass "bad outputs.trace: exit 2, located message, nothing written"
else
    fail "bad outputs.trace: exit $rc, $(cat "$WORK/bad")"
fi

finish
