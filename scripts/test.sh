#!/usr/bin/env bash
# Installs what Oversight needs (Debian 12 packages), builds everything and
# runs the whole test suite with CTest.
#
#   bash scripts/test.sh
#   OVERSIGHT_CRASH_ROUNDS=1000 bash scripts/test.sh   # the long crash run
#   (the server crash test's count is OVERSIGHT_SERVER_CRASH_ROUNDS; its long
#   run is the binary's, README "Longer test runs")
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
# The Node client's packages, exactly as package-lock.json pins them, for
# tests/clients/partner_clients_test.py (which fails without them).
npm ci --prefix clients/node --no-audit --no-fund
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DOVERSIGHT_BUILD_TESTS=ON -DOVERSIGHT_BUILD_BENCH=ON
ninja -C "$BUILD_DIR" -j"$(nproc)"
ctest --test-dir "$BUILD_DIR" --output-on-failure -j"$(nproc)" \
  --timeout 900
