# lib.bash: helpers shared by the command-line tests (sourced; not a test itself).
# Each test script is run by ctest as: bash SCRIPT HAISIM_BINARY SOURCE_DIR
set -euo pipefail
HAISIM=$1
SRC=$2
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
failures=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

pass() {
    echo "ok: $*"
}

# data_present FILE: true when every data file FILE names in a '# data: PATH' header line
# (PATH relative to the repository, e.g. ../shared/data/routellm/mmlu.csv: real data kept
# outside it) exists; otherwise says visibly that FILE is skipped.
data_present() {
    local path
    while read -r path; do
        if [ ! -e "$SRC/$path" ]; then
            echo "SKIP: $(basename "$1") needs $SRC/$path, which is absent"
            return 1
        fi
    done < <(sed -n 's/^# data: \([^ ]*\).*/\1/p' "$1")
    return 0
}

# Ends the script: non-zero exit when any check failed.
finish() {
    if [ "$failures" -ne 0 ]; then
        echo "$failures check(s) failed" >&2
        exit 1
    fi
    echo "all checks passed"
}
