#!/usr/bin/env bash
# Installs what Oversight needs (Debian 12 packages), builds it, runs
# oversightd on an embedded RocksDB in ./data, listening on loopback, and
# loads the worked example (the Dyfed-Powys stalking and harassment review)
# through the gRPC API.
#
#   bash scripts/run.sh                      # 127.0.0.1:50051, ./data
#   LISTEN=127.0.0.1:6000 DATA_DIR=/srv/oversight bash scripts/run.sh
#   LOAD_EXAMPLE=0 bash scripts/run.sh       # start without the example
#
# Loading is safe to repeat: every command carries a request id, so lines
# already applied are recognised and nothing is written twice.
#
# Until agency certificates arrive, callers name their agency in call
# metadata, which the server accepts only on a loopback address.
#
# Stop it with Ctrl-C (SIGINT) or SIGTERM: calls in flight finish and the
# log is closed cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
BUILD_DIR=${BUILD_DIR:-build-release}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DOVERSIGHT_BUILD_TESTS=OFF -DOVERSIGHT_BUILD_BENCH=OFF >/dev/null
ninja -C "$BUILD_DIR" oversightd oversight

LISTEN=${LISTEN:-127.0.0.1:50051}
DATA_DIR=${DATA_DIR:-./data}
EXAMPLE=examples/dyfed-powys/stalking-review-2025-01.jsonl
CLI="$BUILD_DIR/clients/oversight"

echo "oversightd: starting on $LISTEN with data in $DATA_DIR (Ctrl-C stops it)"
"$BUILD_DIR/services/oversightd" --listen="$LISTEN" --data_dir="$DATA_DIR" \
  --insecure_identity_from_metadata &
SERVER=$!
trap 'kill -TERM "$SERVER" 2>/dev/null || true; wait "$SERVER"; exit' INT TERM

# Wait until it answers (opening verifies the whole chain first).
until "$CLI" --server="$LISTEN" --timeout_seconds=1 head >/dev/null 2>&1; do
  if ! kill -0 "$SERVER" 2>/dev/null; then
    wait "$SERVER" || exit $?
  fi
  sleep 0.2
done

if [[ "${LOAD_EXAMPLE:-1}" != 0 ]]; then
  echo "loading the worked example: $EXAMPLE"
  "$CLI" --server="$LISTEN" import "$EXAMPLE"
fi
echo "try, in another terminal: $CLI --server=$LISTEN read-all --all"
wait "$SERVER"
