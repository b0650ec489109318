# Same scenario and seed => byte-identical outputs across runs and whatever the way
# replications are requested; a different seed => different numbers.
. "$(dirname "$0")/lib.bash"

SCEN=$SRC/scenarios/quickstart.yaml
SHORT=(--set run.duration_s=900 --set run.warmup_s=60)

# run_to NAME ARGS...: runs into $WORK/NAME, stdout to $WORK/NAME.stdout.
run_to() {
    local name=$1
    shift
    "$HAISIM" run "$SCEN" "${SHORT[@]}" -o "$WORK/$name" "$@" >"$WORK/$name.stdout"
}

same() {
    if cmp -s "$2" "$3"; then pass "$1"; else fail "$1: $2 and $3 differ"; fi
}

differ() {
    if cmp -s "$2" "$3"; then fail "$1: $2 and $3 are identical"; else pass "$1"; fi
}

run_to a
run_to b
for f in summary.json summary.csv latency_cdf.dat latency_cdf.gp; do
    same "two runs, same seed: $f" "$WORK/a/$f" "$WORK/b/$f"
done
same "two runs, same seed: stdout table" "$WORK/a.stdout" "$WORK/b.stdout"

# The scenario says replications: 5 and seed: 42; saying so on the command line changes
# nothing.
run_to c --reps 5 --seed 42
same "--reps 5 --seed 42 equals the scenario's own: summary.json" "$WORK/a/summary.json" \
    "$WORK/c/summary.json"

# Replication r draws from streams seeded by (seed, r, name): the first 3 replications of a
# 5-replication run are the 3 of a 3-replication run, so their per-replication CSV rows
# match, and so does the CDF data, which comes from replication 1.
run_to d --reps 3
run_to e --reps 3
same "--reps 3 twice: summary.csv" "$WORK/d/summary.csv" "$WORK/e/summary.csv"
differ "--reps 3 differs from --reps 5" "$WORK/a/summary.csv" "$WORK/d/summary.csv"
same "replication 1's CDF is the same whether 3 or 5 are run" "$WORK/a/latency_cdf.dat" \
    "$WORK/d/latency_cdf.dat"
# first_reps K FILE: the first K per-replication values of every metric in summary.json.
first_reps() {
    awk -v k="$1" -F'"replications": \\[' 'NF > 1 {
        split($2, v, /, |\]/); line = ""
        for (i = 1; i <= k; i++) line = line v[i] " "
        print line }' "$2"
}
first_reps 3 "$WORK/a/summary.json" >"$WORK/a.first3"
first_reps 3 "$WORK/d/summary.json" >"$WORK/d.first3"
if [ -s "$WORK/a.first3" ]; then
    same "replications 1-3 are the same whether 3 or 5 are run" "$WORK/a.first3" "$WORK/d.first3"
else
    fail "no per-replication values found in summary.json"
fi

run_to f --seed 43
differ "different seed, different numbers: summary.csv" "$WORK/a/summary.csv" "$WORK/f/summary.csv"

# JSON and CSV on stdout are the same bytes as the files written with -o.
"$HAISIM" run "$SCEN" "${SHORT[@]}" --format json >"$WORK/g.json"
same "--format json on stdout equals summary.json" "$WORK/a/summary.json" "$WORK/g.json"
"$HAISIM" run "$SCEN" "${SHORT[@]}" --format csv >"$WORK/g.csv"
same "--format csv on stdout equals summary.csv" "$WORK/a/summary.csv" "$WORK/g.csv"

# Nothing partial is left behind.
if ls "$WORK"/a/*.partial >/dev/null 2>&1; then fail "partial files left in output"; else
    pass "no .partial files"
fi

finish
