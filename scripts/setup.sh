#!/usr/bin/env bash
# Installs what Comptoir needs to build (and, with `test`, to test) on a Debian machine, and
# nothing twice: every step checks first, so a second run takes about a second.
#
#   bash scripts/setup.sh          # build: system libraries for Tauri/WebKitGTK, ui/node_modules
#   bash scripts/setup.sh test     # + Xvfb, WebKitWebDriver, D-Bus, gnome-keyring, aiosmtpd,
#                                  #   tauri-driver, cargo-nextest
#
# It may also be sourced (`. scripts/setup.sh test`); it then leaves PATH, CARGO_HOME and
# RUSTUP_HOME exported in the caller.

comptoir_setup() {
    local mode=${1:-build}
    case "$mode" in
        build | test) ;;
        *)
            echo "usage: scripts/setup.sh [build|test]" >&2
            return 2
            ;;
    esac

    local root
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

    # Pin cargo's and rustup's homes: the test run later points HOME at a throwaway directory,
    # and cargo must keep finding its registry cache and toolchains.
    export CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
    export RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup}
    case ":$PATH:" in
        *":$CARGO_HOME/bin:"*) ;;
        *) export PATH="$CARGO_HOME/bin:$PATH" ;;
    esac

    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        sudo=(sudo)
    fi

    # --- system packages (Debian) ---------------------------------------------------------
    local pkgs=(build-essential curl wget file pkg-config libssl-dev libxdo-dev
        libwebkit2gtk-4.1-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev libgtk-3-dev
        librsvg2-dev libayatana-appindicator3-dev)
    if [ "$mode" = test ]; then
        pkgs+=(xvfb xauth webkit2gtk-driver imagemagick xdotool dbus-x11 dbus gnome-keyring
            python3-aiosmtpd openssl libsecret-tools
            # The PDF packing slip's tests read its text and decode its barcode.
            poppler-utils zbar-tools)
    fi
    local missing=() p
    for p in "${pkgs[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$p")
        fi
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "setup: installing ${missing[*]}"
        # Another apt may hold the lock (unattended upgrades, a colleague): wait for it.
        local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600)
        "${apt[@]}" update
        "${apt[@]}" install -y --no-install-recommends "${missing[@]}"
    fi

    # --- toolchains that must already be on the machine -------------------------------------
    if ! command -v cargo >/dev/null 2>&1; then
        echo "setup: cargo not found (install Rust with rustup, then run this again)" >&2
        return 1
    fi
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        echo "setup: node and npm not found (Node.js 20.19 or newer is needed for Vite 8)" >&2
        return 1
    fi

    # --- UI dependencies --------------------------------------------------------------------
    # npm writes node_modules/.package-lock.json on every install: it is the stamp to compare.
    if [ ! -f "$root/ui/node_modules/.package-lock.json" ] ||
        [ "$root/ui/package-lock.json" -nt "$root/ui/node_modules/.package-lock.json" ] ||
        [ "$root/ui/package.json" -nt "$root/ui/node_modules/.package-lock.json" ]; then
        echo "setup: npm ci in ui/"
        (cd "$root/ui" && npm ci --no-audit --no-fund --loglevel=error)
    fi

    # --- test tools ---------------------------------------------------------------------------
    if [ "$mode" = test ]; then
        if ! command -v tauri-driver >/dev/null 2>&1; then
            echo "setup: cargo install tauri-driver"
            cargo install tauri-driver --version '^2' --locked
        fi
        if ! command -v cargo-nextest >/dev/null 2>&1; then
            echo "setup: cargo install cargo-nextest"
            cargo install cargo-nextest --locked
        fi
    fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    comptoir_setup "$@"
else
    comptoir_setup "$@"
fi
