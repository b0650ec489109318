# Charts: every chart kind drawn from a small sweep (its plots: list) to a PNG whose size and
# pixel dimensions are checked, with its .gp and .dat beside it; SVG output; `haisim plot`
# from the command line, from a sweep's and a run's directory; without gnuplot a clear
# message and the data and script still written.
. "$(dirname "$0")/lib.bash"

if ! command -v gnuplot >/dev/null 2>&1; then
    echo "SKIP: gnuplot is not installed (Debian package 'gnuplot-nox', installed by"
    echo "      scripts/test): the chart rendering test did not run"
    exit 0
fi

# png_size FILE: "WIDTHxHEIGHT" from the PNG header (signature, then the IHDR chunk).
png_size() {
    local b
    read -r -a b <<<"$(od -An -tu1 -j16 -N8 "$1")"
    echo "$(((b[0] << 24) + (b[1] << 16) + (b[2] << 8) + b[3]))x$(((b[4] << 24) + (b[5] << 16) + (b[6] << 8) + b[7]))"
}

# check_png FILE WxH: a PNG of that many pixels and of a plausible size, script and data beside.
check_png() {
    local file=$1 want=$2 base=${1%.png} bytes
    bytes=$(wc -c <"$file" 2>/dev/null || echo 0)
    if [ "$(head -c 8 "$file" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] &&
        [ "$(png_size "$file")" = "$want" ] && [ "$bytes" -gt 5000 ] && [ -s "$base.gp" ] &&
        [ -s "$base.dat" ]; then
        pass "$(basename "$file"): a $want PNG of $bytes bytes, .gp and .dat beside it"
    else
        fail "$(basename "$file"): $(png_size "$file" 2>/dev/null), $bytes bytes"
    fi
}

cat >"$WORK/s.yaml" <<EOF
name: cli-plot
base: $SRC/scenarios/quickstart.yaml
set: {run.duration_s: 300, run.warmup_s: 30, devices.count: 20, outputs: {requests: true}}
axes:
  - {key: devices.workload.arrival.rate_rps, values: [0.5, 1, 2]}
  - {key: cloud.slots, values: [2, 8]}
replications: 2
plots:
  - {kind: cdf, point: 2, output: cdf.png}
  - {kind: line, metric: e2e_ms_p90, x: devices.workload.arrival.rate_rps, output: line.png}
  - {kind: pareto, x: cost_usd_per_req, y: e2e_ms_p90, output: charts/pareto.png}
  - {kind: heatmap, metric: e2e_ms_mean, x: devices.workload.arrival.rate_rps, y: cloud.slots,
     variant: cloud-only, baseline: device-only, output: heatmap.png}
  - {kind: bars, where: {cloud.slots: 8}, output: bars.png}
  - {kind: timeline, point: 3, variant: cloud-only, requests: 10, output: timeline.png}
  - {kind: line, metric: ttft_ms_p50, output: line.svg}
EOF
"$HAISIM" sweep "$WORK/s.yaml" -j 2 -o "$WORK/out" >"$WORK/out.txt" 2>"$WORK/err.txt" ||
    fail "the sweep failed: $(cat "$WORK/err.txt")"
check_png "$WORK/out/cdf.png" 1200x500
check_png "$WORK/out/line.png" 900x600
check_png "$WORK/out/charts/pareto.png" 900x650
check_png "$WORK/out/heatmap.png" 900x650
check_png "$WORK/out/bars.png" 1200x550
check_png "$WORK/out/timeline.png" 1100x600
if head -c 300 "$WORK/out/line.svg" | grep -q '<svg' && grep -q 'width="900"' "$WORK/out/line.svg" &&
    grep -q 'ttft_ms_p50 against rate (req/s)' "$WORK/out/line.svg"; then
    pass "line.svg: an SVG of width 900 with its title"
else
    fail "line.svg: $(head -c 300 "$WORK/out/line.svg")"
fi
if [ "$(grep -c '^chart: ' "$WORK/out.txt")" = 7 ] && [ ! -s "$WORK/err.txt" ]; then
    pass "the sweep lists its 7 charts and gnuplot printed nothing"
else
    fail "charts: $(cat "$WORK/out.txt" "$WORK/err.txt")"
fi
# The heatmap's cells are speed-ups: device-only's mean e2e over cloud-only's (point 1).
dev=$(awk -F, '$1 == 1 && $4 == "device-only" && $5 == "e2e_ms_mean" {print $7}' "$WORK/out/aggregate.csv")
cloud=$(awk -F, '$1 == 1 && $4 == "cloud-only" && $5 == "e2e_ms_mean" {print $7}' "$WORK/out/aggregate.csv")
cell=$(awk '$1 == 0 && $2 == 0 {print $3}' "$WORK/out/heatmap.dat")
if awk -v d="$dev" -v c="$cloud" -v x="$cell" 'BEGIN {exit !(c > 0 && (x - d / c)^2 < 1e-12 * x^2)}'; then
    pass "heatmap cell (0, 0) = $cell = device-only / cloud-only mean e2e at point 1"
else
    fail "heatmap cell $cell, aggregate gives $dev / $cloud"
fi

# The script redraws the chart by itself, from its own directory.
rm "$WORK/out/bars.png"
(cd "$WORK/out" && gnuplot bars.gp)
check_png "$WORK/out/bars.png" 1200x550

# haisim plot from the command line.
"$HAISIM" plot "$WORK/out" --kind line --metric ttft_ms_p99 --x cloud.slots \
    --where devices.workload.arrival.rate_rps=2 --title "p99 TTFT at 2 req/s" \
    -o "$WORK/cli/ttft.png" >"$WORK/cli.txt"
check_png "$WORK/cli/ttft.png" 900x600
if grep -q "^chart_title = 'p99 TTFT at 2 req/s'$" "$WORK/cli/ttft.gp" &&
    [ "$(grep -c '^# series' "$WORK/cli/ttft.dat")" = 2 ]; then
    pass "plot --where fixes the other key: one line per variant, the title as given"
else
    fail "plot --where: $(cat "$WORK/cli/ttft.dat")"
fi
rc=0
"$HAISIM" plot "$WORK/out" --kind line --metric ttft_ms_p99 --x cloud.slot -o "$WORK/x.png" \
    2>"$WORK/bad.txt" || rc=$?
if [ "$rc" = 2 ] && grep -q "'cloud.slot' is not a swept key (did you mean 'cloud.slots'?)" "$WORK/bad.txt"; then
    pass "plot with a misspelt key: exit 2 and a suggestion"
else
    fail "plot with a misspelt key: exit $rc, $(cat "$WORK/bad.txt")"
fi

# A timeline from a run's own output directory.
"$HAISIM" run "$SRC/scenarios/quickstart.yaml" --reps 1 --set run.duration_s=120 \
    --set run.warmup_s=0 --set 'outputs={requests: true}' -o "$WORK/run" >/dev/null
"$HAISIM" plot "$WORK/run" --kind timeline --variant cloud-only --requests 8 -o "$WORK/run/tl.png" \
    >/dev/null
check_png "$WORK/run/tl.png" 1100x600
if [ "$(cut -d' ' -f1 "$WORK/run/tl.dat" | grep -v '^#' | sort -u | wc -l)" = 8 ]; then
    pass "the run's timeline has 8 rows"
else fail "timeline rows: $(head "$WORK/run/tl.dat")"; fi

# Without gnuplot: a clear message; the data and the script are written, no image.
rc=0
HAISIM_GNUPLOT=/nonexistent/gnuplot "$HAISIM" sweep "$WORK/s.yaml" -j 2 -o "$WORK/nognu" \
    >"$WORK/nognu.txt" 2>"$WORK/nognu.err" || rc=$?
if [ "$rc" = 0 ] && grep -q "gnuplot not found: install gnuplot (Debian: apt-get install gnuplot-nox)" \
    "$WORK/nognu.err" && [ -s "$WORK/nognu/line.dat" ] && [ -s "$WORK/nognu/line.gp" ] &&
    [ ! -e "$WORK/nognu/line.png" ] && [ -s "$WORK/nognu/results.csv" ]; then
    pass "no gnuplot: a note, the sweep still succeeds, .dat and .gp written, no image"
else
    fail "no gnuplot: exit $rc, $(cat "$WORK/nognu.err")"
fi
if cmp -s "$WORK/nognu/line.dat" "$WORK/out/line.dat" && cmp -s "$WORK/nognu/line.gp" "$WORK/out/line.gp"; then
    pass "no gnuplot: the same data and script as with it"
else fail "no gnuplot: data or script differ"; fi
rc=0
HAISIM_GNUPLOT=/nonexistent/gnuplot "$HAISIM" plot "$WORK/out" --kind bars -o "$WORK/ng/b.png" \
    >/dev/null 2>"$WORK/ng.err" || rc=$?
if [ "$rc" = 1 ] && grep -q "gnuplot not found" "$WORK/ng.err" && [ -s "$WORK/ng/b.gp" ]; then
    pass "haisim plot without gnuplot: exit 1 (no image), says why, script written"
else
    fail "haisim plot without gnuplot: exit $rc, $(cat "$WORK/ng.err")"
fi

finish
