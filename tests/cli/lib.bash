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

# Ends the script: non-zero exit when any check failed.
finish() {
    if [ "$failures" -ne 0 ]; then
        echo "$failures check(s) failed" >&2
        exit 1
    fi
    echo "all checks passed"
}
