#!/usr/bin/env bash
# Builds and opens Comptoir. Without a Stripe key configured it opens the built-in demo store.
#
#   bash scripts/run.sh
#
# Honoured if set: COMPTOIR_STRIPE_API_BASE (e.g. a local simulator), COMPTOIR_DATA_DIR (where
# the SQLite cache lives; default: the OS app-data directory).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/setup.sh build

echo "==> building the UI (ui/dist)"
(cd ui && npm run build)

for v in COMPTOIR_STRIPE_API_BASE COMPTOIR_DATA_DIR; do
    if [ -n "${!v:-}" ]; then
        echo "==> using $v=${!v}"
    fi
done

echo "==> cargo build --features custom-protocol"
cargo build --features custom-protocol

# Everything is installed and built; without a display the window has nowhere to open.
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    cat >&2 <<'MSG'
run.sh: no display ($DISPLAY and $WAYLAND_DISPLAY are both empty), so Comptoir's window has
nowhere to open. Run it from a desktop session, or inside a virtual X server:

    xvfb-run -a -s "-screen 0 1280x800x24" bash scripts/run.sh

(xvfb-run is in Debian's `xvfb` package: `bash scripts/setup.sh test` installs it.)
Everything is built: that command starts the app at once.
MSG
    exit 1
fi

# The UI is embedded at compile time with custom-protocol, so it is built first.
echo "==> cargo run --features custom-protocol"
exec cargo run --features custom-protocol
