# docs/tutorial.md cannot drift from the program: its fenced blocks are extracted and
# replayed in order in a scratch directory that sees the repository's scenarios/.
#   ```sh tutorial               commands, run with bash -euo pipefail (stdout and stderr kept)
#   ```text tutorial-output      every line, in order, must be a line of the previous
#                                commands' output ("..." skips any number of lines)
#   ```yaml tutorial-file=NAME   written to NAME before the next commands run
#   ```sh tutorial-install       not run (it installs packages as root); each command must be
#                                an executable script of the repository that bash parses
# Any other sh or bash block is an error: every command shown must be checked. `haisim` on
# the PATH is the binary under test.
. "$(dirname "$0")/lib.bash"

if ! command -v gnuplot >/dev/null 2>&1; then
    echo "SKIP: gnuplot is not installed (Debian package 'gnuplot-nox', installed by"
    echo "      scripts/test): the tutorial draws charts, so it did not run"
    exit 0
fi

doc="$SRC/docs/tutorial.md"
mkdir -p "$WORK/blocks" "$WORK/run/bin"
ln -s "$HAISIM" "$WORK/run/bin/haisim"
ln -s "$SRC/scenarios" "$WORK/run/scenarios"

# Split the page into blocks/NNN with their kind in blocks/NNN.kind.
awk -v dir="$WORK/blocks" '
    !inside && /^```/ {
        info = substr($0, 4); n++; inside = 1
        file = sprintf("%s/%03d", dir, n)
        printf "" > file
        printf "%s\n", info > (file ".kind")
        close(file ".kind")
        next
    }
    inside && /^```[ \t]*$/ { inside = 0; close(file); next }
    inside { print > file }
' "$doc"

runs=0 outputs=0 files=0
: >"$WORK/last.out"
for kind_file in "$WORK"/blocks/*.kind; do
    block=${kind_file%.kind}
    read -r lang tag <"$kind_file" || true
    case "$tag" in
    tutorial)
        runs=$((runs + 1))
        if (cd "$WORK/run" && PATH="$WORK/run/bin:$PATH" bash -euo pipefail "$block") \
            >"$WORK/last.out" 2>&1; then
            pass "block $(basename "$block") runs: $(head -n1 "$block")"
        else
            fail "block $(basename "$block") failed: $(head -n1 "$block"): $(tail -n5 "$WORK/last.out")"
        fi
        ;;
    tutorial-output)
        outputs=$((outputs + 1))
        # Each shown line must appear, in order, among the output's lines.
        if awk -v out="$WORK/last.out" '
            function rtrim(s) { sub(/[ \t]+$/, "", s); return s }
            BEGIN { while ((getline line < out) > 0) got[++n] = rtrim(line); at = 1 }
            { want = rtrim($0) }
            want == "..." { next }
            {
                while (at <= n && got[at] != want) at++
                if (at > n) { print "missing: " want; bad = 1; exit }
                at++
            }
            END { exit bad }' "$block" >"$WORK/match"; then
            pass "output block $(basename "$block") matches the commands' output"
        else
            fail "output block $(basename "$block"): $(cat "$WORK/match"); got: $(head -c 600 "$WORK/last.out")"
        fi
        ;;
    tutorial-file=*)
        files=$((files + 1))
        cp "$block" "$WORK/run/${tag#tutorial-file=}"
        ;;
    tutorial-install)
        while read -r cmd _; do
            case "$cmd" in
            export) ;; # the PATH line: checked below, against the script's build directory
            *)
                if [ -x "$SRC/$cmd" ] && bash -n "$SRC/$cmd"; then
                    pass "install step $cmd is an executable script that parses"
                else
                    fail "install step $cmd: not an executable, parsable script in the repository"
                fi
                ;;
            esac
        done <"$block"
        dir=$(sed -n 's/^export PATH="\$PWD\/\([^:]*\):\$PATH"$/\1/p' "$block")
        if [ -n "$dir" ] && grep -q -- "-B $dir " "$SRC/scripts/quickstart"; then
            pass "the PATH line names the directory scripts/quickstart builds into ($dir)"
        else
            fail "the install block's PATH line does not match scripts/quickstart's build directory"
        fi
        ;;
    *)
        case "$lang" in
        sh | bash | shell | console)
            fail "block $(basename "$block") is a $lang block without a tutorial tag: every command must be checked"
            ;;
        esac
        ;;
    esac
done

if [ "$runs" -ge 6 ] && [ "$outputs" -ge 6 ] && [ "$files" -ge 1 ]; then
    pass "$runs command blocks, $outputs output blocks and $files file run from docs/tutorial.md"
else
    fail "too few blocks found in docs/tutorial.md ($runs commands, $outputs outputs, $files files)"
fi
[ -s "$WORK/run/out/my-sweep/e2e_p90.png" ] && [ -s "$WORK/run/out/my-sweep/ttft_p50.png" ] ||
    fail "the tutorial's charts were not drawn"

finish
