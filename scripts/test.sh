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

# Release mode: the suite includes a 100 MB record, property tests and end-to-end runs of the
# binary, and the benchmark shares the same build.
cargo build --release --all-targets
cargo test --release --all-targets "$@"
