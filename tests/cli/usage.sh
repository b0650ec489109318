# The command line's own surface: --help, --version, exit codes, output files.
. "$(dirname "$0")/lib.bash"

if "$HAISIM" --help >"$WORK/help" && grep -q "run SCENARIO.yaml" "$WORK/help" &&
    grep -q "validate SCENARIO.yaml" "$WORK/help" && grep -q -- "--set KEY.PATH=VALUE" "$WORK/help"; then
    pass "--help lists run, validate and --set"
else
    fail "--help: $(cat "$WORK/help")"
fi

if "$HAISIM" --version >"$WORK/version" && grep -Eq '^haisim [0-9]+\.[0-9]+\.[0-9]+$' "$WORK/version"; then
    pass "--version: $(cat "$WORK/version")"
else
    fail "--version: $(cat "$WORK/version")"
fi

rc=0
"$HAISIM" >/dev/null 2>"$WORK/none" || rc=$?
if [ "$rc" -eq 2 ] && grep -q "missing command" "$WORK/none"; then pass "no command: exit 2"; else
    fail "no command: exit $rc"
fi

# A run writes exactly the promised files, none of them partial, and the table on stdout.
"$HAISIM" run "$SRC/scenarios/quickstart.yaml" --set run.duration_s=600 --set run.warmup_s=60 \
    --reps 2 -o "$WORK/out/nested" >"$WORK/table"
listing=$(cd "$WORK/out/nested" && ls | tr '\n' ' ')
expected="latency_cdf.dat latency_cdf.gp latency_cdf.png summary.csv summary.json "
if [ "$listing" = "$expected" ]; then pass "output files: $listing"; else
    fail "output files: '$listing', expected '$expected'"
fi
if grep -q "device-only" "$WORK/table" && grep -q "cloud-only" "$WORK/table" &&
    grep -q "^ttft_ms_p99 " "$WORK/table"; then
    pass "table has both variants and ttft_ms_p99"
else
    fail "table: $(cat "$WORK/table")"
fi
# The CSV has one row per variant and metric, each with 2 replications.
rows=$(grep -c ',2$' "$WORK/out/nested/summary.csv" || true)
if [ "$rows" -ge 40 ]; then pass "summary.csv: $rows rows with 2 replications"; else
    fail "summary.csv: only $rows rows with 2 replications"
fi

# Without gnuplot the run still succeeds, says so on stderr, and leaves no image.
rc=0
HAISIM_GNUPLOT=/nonexistent/gnuplot "$HAISIM" run "$SRC/scenarios/quickstart.yaml" \
    --set run.duration_s=600 --set run.warmup_s=60 -o "$WORK/nognuplot" >/dev/null \
    2>"$WORK/nognuplot.err" || rc=$?
if [ "$rc" -eq 0 ] && grep -qi "gnuplot" "$WORK/nognuplot.err" &&
    [ ! -e "$WORK/nognuplot/latency_cdf.png" ] && [ -s "$WORK/nognuplot/summary.json" ]; then
    pass "gnuplot missing: a note, summaries written, no image"
else
    fail "gnuplot missing: exit $rc, stderr $(cat "$WORK/nognuplot.err")"
fi

finish
