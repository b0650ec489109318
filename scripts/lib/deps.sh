# deps.sh: make sure Debian packages are installed (sourced by scripts/quickstart and
# scripts/test). As root, missing packages are installed with apt-get; otherwise the one
# command that would install them is printed and the script stops.
#
# usage: ensure_packages pkg...
ensure_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ]; then
        echo "Installing: ${missing[*]}" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    else
        echo "Missing packages. Install them with:" >&2
        echo "  sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
}

# Packages needed to build haisim.
HAISIM_BUILD_PACKAGES=(gcc make cmake pkg-config libgsl-dev libyaml-dev)
