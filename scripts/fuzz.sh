#!/usr/bin/env bash
# Coverage-guided fuzzing of the readers, the format detector, the config loader and the
# timestamp parsers (fuzz/README.md).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Builds the fuzz crate on the stable toolchain (`cargo fuzz build -s none`: no sanitizer,
# coverage instrumentation only), then runs each target (all by default) for the given time
# (60 s by default), one after the other, starting from the checked-in seeds
# (fuzz/seeds/TARGET, read only) plus what earlier runs found (fuzz/corpus/TARGET, not
# checked in). A panic, abort, timeout (10 s per input) or memory use above 2 GiB is a crash:
# libFuzzer writes the input to fuzz/artifacts/TARGET/ and stops that target.
# Prints executions and crashes per target; exits 1 when any target crashed.
set -u
cd "$(dirname "$0")/.."

secs="${1:-60}"
shift || true
case "$secs" in
  '' | *[!0-9]*) echo "usage: $0 [SECONDS_PER_TARGET] [TARGET...]" >&2; exit 2 ;;
esac

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz (crates.io)..." >&2
  cargo install cargo-fuzz --locked || exit 2
fi

# Two jobs at most unless told otherwise: the fuzz build is a second full build of the crate.
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
cargo fuzz build -s none || exit 2

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list)
fi

mkdir -p fuzz/logs
status=0
summary=()
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t" "fuzz/seeds/$t"
  log="fuzz/logs/$t.log"
  before=$(find "fuzz/artifacts/$t" -type f | wc -l)
  start=$(date +%s)
  cargo fuzz run -s none "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
    -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$t/" >"$log" 2>&1
  rc=$?
  elapsed=$(( $(date +%s) - start ))
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
  if [ -z "$execs" ]; then
    # Stopped by a crash: the last status line has the count.
    execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  fi
  after=$(find "fuzz/artifacts/$t" -type f | wc -l)
  crashes=$(( after - before ))
  if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then
    crashes=1 # a failure libFuzzer could not save an input for (see the log)
  fi
  [ "$crashes" -gt 0 ] && status=1
  line=$(printf '%-16s %6ss %12s execs %4s crashes  corpus %s  (log %s)' \
    "$t" "$elapsed" "${execs:-?}" "$crashes" "$(find "fuzz/corpus/$t" -type f | wc -l)" "$log")
  echo "$line"
  summary+=("$line")
  if [ "$crashes" -gt 0 ]; then
    grep -E 'panicked at|ERROR: libFuzzer|SUMMARY|Test unit written' "$log" | head -5 | sed 's/^/    /'
  fi
done

echo
echo "== fuzz summary (${secs}s per target) =="
printf '%s\n' "${summary[@]}"
exit "$status"
