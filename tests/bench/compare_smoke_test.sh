#!/usr/bin/env bash
# compare_bench end to end, briefly: a throwaway PostgreSQL (bench/
# pg_cluster.sh), oversightd and raw RocksDB through every workload with
# tiny windows. Fails when a point reports an error or no events, when
# the chart's data lacks a row, or when an Oversight subscriber missed a
# delivery. Not a measurement: the windows are far too short for one.
#
#   compare_smoke_test.sh COMPARE_BENCH OVERSIGHTD SOURCE_DIR
set -euo pipefail

bench="$1"
oversightd="$2"
src="$3"
parent="${TEST_TMPDIR:-/tmp}"
# As root the cluster runs as the postgres user, which must reach it.
if [[ $(id -u) -eq 0 ]] && ! runuser -u postgres -- test -x "$parent"; then
  parent=/tmp
fi
work="$(mktemp -d "$parent/compare-smoke.XXXXXX")"
port=$((20000 + RANDOM % 20000))
cleanup() {
  bash "$src/bench/pg_cluster.sh" stop "$work"
  rm -rf "$work"
}
trap cleanup EXIT
bash "$src/bench/pg_cluster.sh" start "$work" "$port"
mkdir -p "$work/data"

"$bench" --pg="host=127.0.0.1 port=$port user=postgres dbname=postgres" \
  --oversightd="$oversightd" --dir="$work/data" --repetitions=1 \
  --duration_seconds=0.3 --warmup_seconds=0.1 --threads=1,4 \
  --batch_threads=1 --read_events=3000 --subscribers=4 --lag_appenders=2 \
  --output_data="$work/chart.dat" >"$work/report.md"
cat "$work/report.md"

fail() {
  echo "compare_smoke_test: $*" >&2
  exit 1
}
grep -q '| error |' "$work/report.md" && fail "a point failed"
grep -q 'error:' "$work/report.md" && fail "a point has an error note"
# Every system measured every throughput row: appends x1, x4, batches x1
# and the read, each with three figures above zero.
rows=$(grep -vc '^#' "$work/chart.dat")
[[ "$rows" -eq 4 ]] || fail "chart data has $rows rows, not 4"
while read -r raw oversight pg; do
  for v in "$raw" "$oversight" "$pg"; do
    [[ "$v" =~ ^[0-9]+$ && "$v" -gt 0 ]] || fail "chart row: '$raw $oversight $pg'"
  done
done < <(awk '!/^#/ { print $(NF - 2), $(NF - 1), $NF }' "$work/chart.dat")
# Oversight's subscribers, both ways, received every event sent in the
# window, and something was sent.
lag_rows=$(grep -c 'gRPC Subscribe from the end' "$work/report.md" || true)
[[ "$lag_rows" -ge 2 ]] || fail "no Oversight lag rows"
while read -r got expected; do
  [[ "$got" -gt 0 && "$got" -eq "$expected" ]] ||
    fail "Oversight subscribers got $got of $expected deliveries"
done < <(grep 'gRPC Subscribe from the end' "$work/report.md" |
  grep -o '[0-9]* of [0-9]* deliveries' | sed 's/ of / /; s/ deliveries//')
echo "compare_smoke_test: ok"
