#!/usr/bin/env bash
# Installs what Oversight needs (Debian 12 packages), builds it, and runs
# oversightd on an embedded RocksDB in ./data, listening on loopback.
#
#   bash scripts/run.sh                      # 127.0.0.1:50051, ./data
#   LISTEN=127.0.0.1:6000 DATA_DIR=/srv/oversight bash scripts/run.sh
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
echo "oversightd: starting on $LISTEN with data in $DATA_DIR (Ctrl-C stops it)"
echo "try, in another terminal: $BUILD_DIR/clients/oversight --server=$LISTEN head"
exec "$BUILD_DIR/services/oversightd" --listen="$LISTEN" --data_dir="$DATA_DIR"
