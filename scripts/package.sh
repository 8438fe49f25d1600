#!/usr/bin/env bash
# Builds Comptoir's Linux bundles with the Tauri CLI from npm (ui/node_modules/.bin/tauri,
# @tauri-apps/cli): README, Architecture, Packaging.
#
#   bash scripts/package.sh                  # release build: .deb and .rpm
#   bash scripts/package.sh --debug          # debug build (CI's install test): quicker, larger
#   bash scripts/package.sh --bundles deb    # only some bundles (deb, rpm, appimage)
#
# The bundles land in target/<release|debug>/bundle/<deb|rpm>/ and their paths are printed
# last, one a line. AppImage is built by the release workflow (.github/workflows/release.yml):
# its tools are downloaded from GitHub at build time. Windows and macOS installers are built
# there too, on their own systems.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

profile=release
bundles=deb,rpm
while [ $# -gt 0 ]; do
    case "$1" in
        --debug) profile=debug ;;
        --bundles)
            [ $# -ge 2 ] || { echo "package.sh: --bundles needs a list (deb,rpm,appimage)" >&2; exit 2; }
            bundles=$2
            shift
            ;;
        -h | --help)
            sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "package.sh: unknown argument '$1' (--debug, --bundles LIST)" >&2
            exit 2
            ;;
    esac
    shift
done

export CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
export RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup}
case ":$PATH:" in
    *":$CARGO_HOME/bin:"*) ;;
    *) export PATH="$CARGO_HOME/bin:$PATH" ;;
esac

tauri=ui/node_modules/.bin/tauri
if [ ! -x "$tauri" ]; then
    echo "package.sh: $tauri is missing: run 'bash scripts/setup.sh' (npm ci in ui/) first" >&2
    exit 1
fi

if [ "$profile" = release ]; then
    # Compiles with the release profile (Cargo.toml) after tauri.conf.json's beforeBuildCommand
    # has built ui/dist, which the binary embeds (feature custom-protocol).
    args=(build --ci --bundles "$bundles" --features custom-protocol)
else
    # The debug build is the one scripts/test.sh makes: the same command line, so that with
    # `build` run first nothing compiles here (`cargo build` alone would resolve features
    # without the dev-dependencies and compile a second copy of many crates). ui/dist is left
    # as it is: rebuilding it would make cargo embed it again.
    if [ ! -f ui/dist/index.html ]; then
        echo "==> npm run build (ui/dist)"
        (cd ui && npm run build)
    fi
    echo "==> cargo test --workspace --features custom-protocol --no-run"
    cargo test --workspace --features custom-protocol --no-run
    # Bundles target/debug/comptoir as cargo wrote it. It is left unpatched (the E2E tests run
    # it too): the patch only marks the bundle type for the updater.
    args=(bundle --ci --debug --bundles "$bundles" --features custom-protocol --no-binary-patching)
fi

echo "==> tauri ${args[*]}"
"$tauri" "${args[@]}"

# Print what was built, newest version only (the version is in tauri.conf.json).
version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' tauri.conf.json)
out=target/$profile/bundle
echo "==> bundles (version $version):"
IFS=, read -r -a wanted <<<"$bundles"
for b in "${wanted[@]}"; do
    case "$b" in
        deb) ls "$out"/deb/*_"$version"_*.deb ;;
        rpm) ls "$out"/rpm/*-"$version"-*.rpm ;;
        appimage) ls "$out"/appimage/*_"$version"_*.AppImage ;;
        *) echo "package.sh: unknown bundle '$b'" >&2; exit 2 ;;
    esac
done
