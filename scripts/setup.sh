# Installs what building and testing carlink need, skipping what is already there.
# Sourced by scripts/run and scripts/test; each step prints one line.

set -euo pipefail

CARGO_LEPTOS_VERSION=0.3.10
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$ROOT/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"

step() { printf '==> %s\n' "$*"; }

# The version of wasm-bindgen in Cargo.lock; the CLI must match it exactly.
wasm_bindgen_version() {
    awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

require() {
    command -v "$1" >/dev/null 2>&1 || {
        echo "error: $1 is missing. $2" >&2
        exit 1
    }
}

# Runs a command as root, with sudo when not root already.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

setup_build_tools() {
    require cargo "Install Rust with rustup (https://rustup.rs)."
    require npm "Install Node.js 20 or newer with npm."

    if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
        step "WASM target: installed"
    else
        step "WASM target: installing"
        rustup target add wasm32-unknown-unknown
    fi

    if cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
        step "cargo-leptos $CARGO_LEPTOS_VERSION: installed"
    else
        # Newer cargo-leptos releases need a newer rustc than 1.95. This takes about 11 minutes.
        step "cargo-leptos $CARGO_LEPTOS_VERSION: installing (about 11 minutes)"
        cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
    fi

    local bindgen
    bindgen=$(wasm_bindgen_version)
    if wasm-bindgen --version 2>/dev/null | grep -q " $bindgen\$\| $bindgen "; then
        step "wasm-bindgen-cli $bindgen: installed"
    else
        # Without --locked: one locked dependency of 0.2.130 is not served by the registry here.
        step "wasm-bindgen-cli $bindgen: installing (about 2 minutes)"
        cargo install wasm-bindgen-cli --version "$bindgen" --force
    fi

    if [ -x "$ROOT/tools/node_modules/.bin/wasm-opt" ]; then
        step "wasm-opt (binaryen 132): installed"
    else
        step "wasm-opt (binaryen 132): installing"
        npm ci --prefix "$ROOT/tools" --no-audit --no-fund
    fi
}

setup_browser_tools() {
    if [ -x /usr/bin/chromium ]; then
        step "Chromium: installed"
    else
        step "Chromium: installing from Debian's packages"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
    fi

    if [ -d "$ROOT/end2end/node_modules/@playwright/test" ]; then
        step "Playwright: installed"
    else
        step "Playwright: installing (the browser is Debian's Chromium, none is downloaded)"
        PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$ROOT/end2end" --no-audit --no-fund
    fi
}

# Builds the release server and WASM bundle, then writes a gzip copy of each bundle file, which
# the server sends to browsers that accept gzip.
build_release() {
    step "Building carlink (release)"
    (cd "$ROOT" && cargo leptos build --release)
    gzip -9 --keep --force "$ROOT"/target/site/pkg/*.wasm "$ROOT"/target/site/pkg/*.js "$ROOT"/target/site/pkg/*.css
}
