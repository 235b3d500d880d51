#!/usr/bin/env bash
# Builds oversight_bench in Release and runs it with the default settings:
# raw RocksDB vs the event log, in-process and over gRPC (docs/benchmarks.md).
# Writes the report to bench/results/latest.md (git-ignored) and prints it.
#
#   bash bench/run.sh                       # the full run, about 4 minutes
#   bash bench/run.sh --repetitions=1       # extra flags go to the benchmark
#   BUILD_DIR=build-rel JOBS=4 bash bench/run.sh
#
# Scratch data goes to a fresh directory under $TMPDIR (default /tmp),
# removed at the end; pass --dir=/path to measure another file system.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-build-release}"
jobs="${JOBS:-2}"
cd "$root"

bash scripts/install-deps.sh >&2

# Build output goes to stderr, so that stdout is only the report.
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DOVERSIGHT_BUILD_TESTS=OFF -DOVERSIGHT_BUILD_BENCH=ON >&2
ninja -C "$build" -j"$jobs" oversight_bench >&2

mkdir -p bench/results
exec "$build/bench/oversight_bench" \
  --output_markdown=bench/results/latest.md "$@"
