#!/usr/bin/env bash
# The one test command (README, CI): installs what the test suite needs when it is missing,
# then runs the whole suite. Safe to run on a fresh machine and on a developer's.
set -euo pipefail
cd "$(dirname "$0")/.."

need_cmd() { command -v "$1" >/dev/null 2>&1; }

if ! need_cmd cargo; then
    echo "test.sh: cargo is required (install Rust from your distribution or rustup)" >&2
    exit 2
fi

# The shared sample logs live beside the repository (../shared/data); tests that read them
# say so when they are absent.
if [ ! -d ../shared/data ]; then
    echo "test.sh: note: ../shared/data is absent; the real-data conformance test will report SKIPPED" >&2
fi

# The HTML report is tested in a real browser (tests/report_browser.rs): Debian's chromium.
# CI is a clean Debian machine running as root; a developer's machine may need sudo. A
# failed install stops here, loudly: the browser test would fail anyway, less clearly.
if [ ! -x /usr/bin/chromium ]; then
    echo "test.sh: installing chromium (for the HTML report's browser test)" >&2
    if [ "$(id -u)" -eq 0 ]; then
        as_root() { "$@"; }
    elif need_cmd sudo; then
        as_root() { sudo "$@"; }
    else
        echo "test.sh: /usr/bin/chromium is missing and neither root nor sudo is available to install it (apt-get install -y chromium)" >&2
        exit 2
    fi
    if ! need_cmd apt-get; then
        echo "test.sh: /usr/bin/chromium is missing and apt-get is not available: install Chromium at /usr/bin/chromium, or set TRIPLINE_SKIP_BROWSER=1 to skip the browser test" >&2
        exit 2
    fi
    if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get update \
        || ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; then
        echo "test.sh: could not install chromium with apt-get; the HTML report's browser test needs /usr/bin/chromium" >&2
        exit 2
    fi
    if [ ! -x /usr/bin/chromium ]; then
        echo "test.sh: apt-get installed chromium but /usr/bin/chromium is still missing" >&2
        exit 2
    fi
fi

# Release mode: the suite includes a 100 MB record, property tests and end-to-end runs of the
# binary, and the benchmark shares the same build.
cargo build --release --all-targets
cargo test --release --all-targets "$@"
