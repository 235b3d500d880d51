#!/usr/bin/env bash
# Runs every libFuzzer target of tests/fuzz/ for SECONDS each (default 60),
# each on a temporary copy of its seed corpus and kept crash inputs, so
# nothing is written into the source tree. Prints, per target, the inputs
# run (execs) and the coverage libFuzzer reports; on a crash, timeout or
# out-of-memory it prints the input (hex and base64) and where it was
# kept, and exits non-zero.
#
#   bash scripts/fuzz.sh BUILD_DIR [SECONDS]
#
# BUILD_DIR is a clang build with libFuzzer and the sanitizers, made with:
#
#   cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ \
#     -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOVERSIGHT_SANITIZE=address,undefined \
#     -DOVERSIGHT_FUZZ=ON -DOVERSIGHT_BUILD_BENCH=OFF
#   ninja -C build-fuzz record_format_fuzz command_fuzz import_file_fuzz \
#     report_fuzz page_token_fuzz fold_event_fuzz
#
# A crash input is kept in BUILD_DIR/fuzz-crashes/<target>/. Once the bug
# is understood, copy it into tests/fuzz/crashes/<target>/ (the default
# suite replays every file there: ctest -L fuzz) and fix the bug.
# docs/security.md ("Fuzzing") describes the targets and their properties.
set -uo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 BUILD_DIR [SECONDS]" >&2
  exit 2
fi
BUILD_DIR=$(cd "$1" && pwd) || exit 2
SECONDS_EACH=${2:-60}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGETS=(record_format command import_file report page_token fold_event)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/oversight-fuzz.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# Sanitizer findings stop the run and count as crashes; a leak check at
# exit would only see the targets' deliberate static state.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=0:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}

status=0
summary=()
for target in "${TARGETS[@]}"; do
  binary="$BUILD_DIR/tests/fuzz/${target}_fuzz"
  if [[ ! -x $binary ]]; then
    echo "missing $binary: build it in $BUILD_DIR (see the top of $0)" >&2
    exit 2
  fi
  corpus="$WORK/$target/corpus"
  artifacts="$WORK/$target/artifacts"
  mkdir -p "$corpus" "$artifacts"
  for seeds in "$ROOT/tests/fuzz/corpus/$target" \
               "$ROOT/tests/fuzz/crashes/$target"; do
    if [[ -d $seeds ]]; then
      find "$seeds" -maxdepth 1 -type f ! -name '.*' \
        -exec cp {} "$corpus/" \;
    fi
  done
  log="$WORK/$target/log"
  echo "== $target: ${SECONDS_EACH}s"
  # -timeout: no single input may take 10 s (a few ms is normal);
  # -rss_limit_mb: 2 GB, far above what a target needs, below the machine.
  "$binary" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" \
    >"$log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" |
    awk '{print $2}' | tail -n 1)
  cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -n 1)
  crashes=$(find "$artifacts" -type f | wc -l)
  if [[ $rc -ne 0 || $crashes -ne 0 ]]; then
    status=1
    kept="$BUILD_DIR/fuzz-crashes/$target"
    mkdir -p "$kept"
    echo "!! $target failed (exit $rc); libFuzzer's report:"
    grep -v '^#[0-9]' "$log" | tail -n 60
    for input in "$artifacts"/*; do
      [[ -f $input ]] || continue
      cp "$input" "$kept/"
      echo "-- input $(basename "$input") ($(stat -c %s "$input") bytes)," \
        "kept as $kept/$(basename "$input")"
      xxd "$input" | head -n 64
      echo "base64: $(base64 -w 0 "$input")"
    done
    summary+=("$(printf '%-14s FAILED   execs %-10s %s' "$target" \
      "${execs:-?}" "${cov:-}")")
  else
    summary+=("$(printf '%-14s ok       execs %-10s %s' "$target" \
      "${execs:-?}" "${cov:-}")")
  fi
done

echo
echo "== summary (${SECONDS_EACH}s per target)"
printf '%s\n' "${summary[@]}"
exit $status
