#!/usr/bin/env bash
# compare_bench end to end, briefly: a throwaway PostgreSQL (bench/
# pg_cluster.sh), oversightd and raw RocksDB through every workload with
# tiny windows. Fails when a point reports an error or no events, when
# the chart's data lacks a row, when an Oversight subscriber missed a
# delivery, when the read models rebuilt from PostgreSQL's copy of a
# generated domain log give a status board that differs from Oversight's,
# or when --oversightd_flags does not reach oversightd. Not a
# measurement: the windows are far too short for one.
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
  --model_events=5000 --model_queries=20 \
  --oversightd_flags=--subscription_threads=3,--command_threads=3 \
  --output_data="$work/chart.dat" >"$work/report.md"
cat "$work/report.md"

fail() {
  echo "compare_smoke_test: $*" >&2
  exit 1
}
grep -q '| error |' "$work/report.md" && fail "a point failed"
grep -q 'error:' "$work/report.md" && fail "a point has an error note"
# Every system measured every throughput row: appends x1, x4, batches x1
# and the read, each with three figures above zero; and the rebuild, with
# two (raw RocksDB holds no read model).
rows=$(grep -vc '^#' "$work/chart.dat")
[[ "$rows" -eq 5 ]] || fail "chart data has $rows rows, not 5"
while read -r label raw oversight pg; do
  figures=("$raw" "$oversight" "$pg")
  if [[ "$label" == '"rebuild"' ]]; then
    [[ "$raw" == 0 ]] || fail "a raw RocksDB rebuild: '$raw'"
    figures=("$oversight" "$pg")
  fi
  for v in "${figures[@]}"; do
    [[ "$v" =~ ^[0-9]+$ && "$v" -gt 0 ]] ||
      fail "chart row: '$label $raw $oversight $pg'"
  done
done < <(awk '!/^#/ { print $(NF - 3), $(NF - 2), $(NF - 1), $NF }' \
  "$work/chart.dat")
# Oversight's subscribers, all three ways (an event a response, batched,
# batched on the callback API), received every event sent in the window,
# and something was sent.
lag_rows=$(grep -c 'gRPC Subscribe from the end' "$work/report.md" || true)
[[ "$lag_rows" -ge 3 ]] || fail "$lag_rows Oversight lag points, not 3"
grep -q 'events a response, subscribers on the callback API |' \
  "$work/report.md" || fail "no lag row for subscribers on the callback API"
while read -r got expected; do
  [[ "$got" -gt 0 && "$got" -eq "$expected" ]] ||
    fail "Oversight subscribers got $got of $expected deliveries"
done < <(grep 'gRPC Subscribe from the end' "$work/report.md" |
  grep -o '[0-9]* of [0-9]* deliveries' | sed 's/ of / /; s/ deliveries//')
# The read models: Oversight's boards agree with PostgreSQL's on every
# call (in full when the auditor gives a justification), some were
# compared, and both sides answered.
grep -Eq 'Without a justification, the boards of [1-9][0-9]* calls were compared \(rows, ratings, closed\): 0 differed' \
  "$work/report.md" || fail "the status boards without a justification differ"
grep -Eq 'With a justification, the boards of [1-9][0-9]* calls were compared in full: 0 differed' \
  "$work/report.md" || fail "the status boards with a justification differ"
board_rows=$(grep -Ec '^\| status board now, p50 / p99 ms \(Oversight: [^)]*\) \| [0-9.]+ / [0-9.]+ \| [0-9.]+ / [0-9.]+ \|' \
  "$work/report.md" || true)
[[ "$board_rows" -eq 2 ]] || fail "a status board latency is missing"
# --oversightd_flags reach oversightd: one it refuses fails the point,
# with its reason.
refused=$("$bench" --pg="host=127.0.0.1 port=$port user=postgres dbname=postgres" \
  --oversightd="$oversightd" --dir="$work/data" --repetitions=1 --only=read \
  --read_events=100 --oversightd_flags=--subscription_threads=0 2>&1 || true)
grep -q -- '--subscription_threads must be 1 to 256, got 0' <<<"$refused" ||
  fail "a refused --oversightd_flags value did not reach oversightd: $refused"
echo "compare_smoke_test: ok"
