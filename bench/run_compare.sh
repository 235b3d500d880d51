#!/usr/bin/env bash
# Oversight side by side with raw RocksDB and a PostgreSQL event store, in
# one run on this machine (docs/benchmarks.md, "Against PostgreSQL"):
# installs PostgreSQL 15, libpq and gnuplot through scripts/install-deps.sh,
# builds compare_bench and oversightd in Release, starts a PostgreSQL of
# its own in a temporary directory on a loopback port (fsync = on,
# synchronous_commit = on), runs every workload, stops PostgreSQL and
# removes its directory. Writes bench/results/compare.md (the report, also
# printed), compare.dat and compare.svg (the chart), all git-ignored.
#
#   bash bench/run_compare.sh                    # the full run, ~10 minutes
#   bash bench/run_compare.sh --repetitions=1    # extra flags: compare_bench
#   PG_PORT=5499 BUILD_DIR=build-rel bash bench/run_compare.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-build-release}"
jobs="${JOBS:-2}"
port="${PG_PORT:-54329}"
cd "$root"

bash scripts/install-deps.sh --bench >&2
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DOVERSIGHT_BUILD_TESTS=OFF -DOVERSIGHT_BUILD_BENCH=ON >&2
ninja -C "$build" -j"$jobs" compare_bench oversightd >&2

work="$(mktemp -d "${TMPDIR:-/tmp}/oversight-compare.XXXXXX")"
stop() {
  bash bench/pg_cluster.sh stop "$work"
  rm -rf "$work"
}
trap stop EXIT
bash bench/pg_cluster.sh start "$work" "$port"

mkdir -p bench/results "$work/data"
"$build/bench/compare_bench" \
  --pg="host=127.0.0.1 port=$port user=postgres dbname=postgres" \
  --oversightd="$build/services/oversightd" --dir="$work/data" \
  --output_markdown=bench/results/compare.md \
  --output_data=bench/results/compare.dat "$@"
gnuplot -e "datafile='bench/results/compare.dat'" \
  -e "outfile='bench/results/compare.svg'" bench/compare_chart.gp
echo "run_compare: wrote bench/results/compare.md and compare.svg" >&2
