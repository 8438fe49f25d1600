#!/usr/bin/env bash
# Comptoir's whole test suite, as CI runs it (.ci/run). Stops at the first failing section.
#
#   bash scripts/test.sh                 # everything
#   bash scripts/test.sh ui nextest      # only the named sections, in the usual order
#
# Sections: setup fmt ui clippy build package bindings nextest
#
# Arguments after `--` go to nextest, e.g. one E2E test alone (ui/dist must be built: the
# `ui` section does it):
#   bash scripts/test.sh nextest -- --test e2e demo_store_opens_with_orders
# Screenshots land in target/e2e-screenshots/. The install test (tests/e2e_install.rs) needs the
# .deb of the `package` section, built after `build`, and root or password-less sudo:
#   bash scripts/test.sh ui build package nextest -- --test e2e_install
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# Colour on a terminal; plain text in CI logs, whose last lines are read (nextest's summary).
if [ -z "${CARGO_TERM_COLOR:-}" ]; then
    if [ -t 1 ] && [ -z "${CI:-}" ]; then CARGO_TERM_COLOR=always; else CARGO_TERM_COLOR=never; fi
fi
export CARGO_TERM_COLOR
if [ "$CARGO_TERM_COLOR" = always ]; then
    bold=$'\033[1m' red=$'\033[1;31m' plain=$'\033[0m'
else
    bold="" red="" plain=""
fi
export RUST_BACKTRACE=1
export CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
export RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup}
case ":$PATH:" in
    *":$CARGO_HOME/bin:"*) ;;
    *) export PATH="$CARGO_HOME/bin:$PATH" ;;
esac

# One feature set for clippy, the build, the binding export and nextest: no crate is compiled
# twice for different features (build scripts and proc macros are shared with clippy too).
features=(--features custom-protocol)
bindings_dir=ui/src/lib/ipc/bindings
# Written by the same export tests: what the core's money module formats, which the UI's
# ui/src/lib/money.test.ts compares its own formatting with.
money_fixture=ui/src/lib/money.expected.json
generated=("$bindings_dir" "$money_fixture")

all_sections=(setup fmt ui clippy build package bindings nextest)
sections=()
nextest_args=()
while [ $# -gt 0 ]; do
    if [ "$1" = "--" ]; then
        shift
        nextest_args=("$@")
        break
    fi
    sections+=("$1")
    shift
done
if [ ${#sections[@]} -gt 0 ]; then
    for s in "${sections[@]}"; do
        case " ${all_sections[*]} " in
            *" $s "*) ;;
            *)
                echo "test.sh: unknown section '$s' (sections: ${all_sections[*]})" >&2
                exit 2
                ;;
        esac
    done
    wanted=" ${sections[*]} "
else
    wanted=" ${all_sections[*]} "
fi

timings=()
current=""
started=0
suite_start=$(date +%s)

section() {
    current=$1
    started=$(date +%s)
    printf '\n%s==> [%s] %s%s\n' "$bold" "$1" "$2" "$plain"
}
section_done() {
    local took=$(($(date +%s) - started))
    timings+=("$(printf '%-9s %4ss' "$current" "$took")")
    printf '%s<== [%s] ok in %ss%s\n' "$bold" "$current" "$took" "$plain"
    current=""
}
print_timings() {
    [ ${#timings[@]} -gt 0 ] || return 0
    echo
    echo "Timings:"
    printf '  %s\n' "${timings[@]}"
    echo "  total     $(($(date +%s) - suite_start))s"
}
test_home=""
on_exit() {
    local rc=$?
    if [ -n "$test_home" ]; then
        rm -rf "$test_home"
    fi
    if [ "$rc" -ne 0 ] && [ -n "$current" ]; then
        printf '\n%sFAILED: section [%s] (exit %s after %ss)%s\n' \
            "$red" "$current" "$rc" "$(($(date +%s) - started))" "$plain"
    fi
    print_timings
}
trap on_exit EXIT

want() { [[ "$wanted" == *" $1 "* ]]; }

if want setup; then
    section setup "system packages, npm ci, tauri-driver, cargo-nextest"
    bash scripts/setup.sh test
    section_done
fi

if want fmt; then
    section fmt "cargo fmt --all -- --check"
    cargo fmt --all -- --check
    section_done
fi

if want ui; then
    # ui/dist must exist before cargo compiles the app: custom-protocol embeds it.
    section ui "svelte-check, vitest, vite build (ui/dist)"
    (cd ui && npm run check && npm test && npm run build)
    section_done
fi

if want clippy; then
    section clippy "cargo clippy --workspace --all-targets ${features[*]} -- -D warnings"
    cargo clippy --workspace --all-targets "${features[@]}" -- -D warnings
    section_done
fi

if want build; then
    # nextest's own build, timed on its own; the run below then compiles nothing.
    section build "cargo nextest run --workspace ${features[*]} --no-run"
    cargo nextest run --workspace "${features[@]}" --no-run
    section_done
fi

if want package; then
    # The .deb that tests/e2e_install.rs installs with dpkg, starts and removes (README:
    # Architecture, Packaging). A debug bundle of the binary `build` just compiled: nothing
    # compiles here, Tauri only packs it.
    section package "scripts/package.sh --debug --bundles deb (the install test's .deb)"
    bash scripts/package.sh --debug --bundles deb
    section_done
fi

if want bindings; then
    section bindings "regenerate ts-rs bindings into $bindings_dir and $money_fixture, compare with git"
    # The export tests live in the library crates (comptoir-core and comptoir_app). Running
    # them across the workspace with the suite's features reuses the build nextest needs.
    cargo test --workspace "${features[@]}" --lib export_bindings
    if ! git diff --exit-code --stat -- "${generated[@]}" ||
        [ -n "$(git status --porcelain --untracked-files=all -- "${generated[@]}")" ]; then
        git status --short --untracked-files=all -- "${generated[@]}"
        echo "The generated TypeScript bindings or money fixture differ from what is committed." >&2
        echo "Run: cargo test --workspace --features custom-protocol --lib export_bindings" >&2
        echo "then commit ${generated[*]}." >&2
        exit 1
    fi
    section_done
fi

if want nextest; then
    section nextest "cargo nextest run --workspace ${features[*]} (Xvfb, D-Bus, gnome-keyring)"
    # A throwaway HOME: the keyring, WebKit caches and any app config land there, never in the
    # user's. CARGO_HOME/RUSTUP_HOME are pinned above so cargo keeps its caches.
    test_home=$(mktemp -d "${TMPDIR:-/tmp}/comptoir-test-home.XXXXXX")
    mkdir -p target/e2e-screenshots
    # xvfb-run starts Xvfb with -nolisten tcp; dbus-run-session gives a private session bus
    # on a unix socket; gnome-keyring provides the Secret Service, unlocked with a dummy password.
    mkdir -p -m 700 "$test_home/run"
    HOME=$test_home XDG_RUNTIME_DIR=$test_home/run \
        xvfb-run -a -s "-screen 0 1280x800x24" \
        dbus-run-session -- sh -c '
            printf %s pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null
            exec cargo nextest run --workspace --profile ci "$@"
        ' sh "${features[@]}" ${nextest_args[@]+"${nextest_args[@]}"}
    section_done
fi

echo
echo "Passed:${wanted% }"
