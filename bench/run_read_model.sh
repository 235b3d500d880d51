#!/usr/bin/env bash
# Builds read_model_bench (and oversightd, whose memory it measures) in
# Release and runs it: generates a realistic log of 1,000,000 domain events,
# then measures the full rebuild of the read models against a raw scan of
# the same data, GetStatusBoard and ListAttention now and as at the past,
# and oversightd's resident memory (docs/benchmarks.md, "Read models at
# 1,000,000 events"). Writes the report to bench/results/read_model.md
# (git-ignored) and prints it.
#
#   bash bench/run_read_model.sh                      # about 12 minutes
#   bash bench/run_read_model.sh --events=200000      # extra flags go to it
#   bash bench/run_read_model.sh --dir=/tmp/rm --keep # keep the log, and
#   bash bench/run_read_model.sh --dir=/tmp/rm        # measure it again
#   BUILD_DIR=build-rel JOBS=4 bash bench/run_read_model.sh
#
# Scratch data goes to a fresh directory under $TMPDIR (default /tmp),
# removed at the end unless --keep.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-build-release}"
jobs="${JOBS:-2}"
cd "$root"

bash scripts/install-deps.sh >&2

# Build output goes to stderr, so that stdout is only the report.
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DOVERSIGHT_BUILD_TESTS=OFF -DOVERSIGHT_BUILD_BENCH=ON >&2
ninja -C "$build" -j"$jobs" read_model_bench oversightd >&2

mkdir -p bench/results
exec "$build/bench/read_model_bench" --events=1000000 --queries=200 \
  --output_markdown=bench/results/read_model.md "$@"
