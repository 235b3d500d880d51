#!/usr/bin/env bash
# Installs what Oversight needs (Debian 12 packages), builds it, makes
# development certificates (scripts/certs.sh, into ./certs), runs
# oversightd with mutual TLS on an embedded RocksDB in ./data, listening on
# loopback, and loads the worked example (the Dyfed-Powys stalking and
# harassment review) through the gRPC API with the importer's certificate,
# on behalf of the agency each line names.
#
#   bash scripts/run.sh                      # 127.0.0.1:50051, ./data, ./certs
#   LISTEN=127.0.0.1:6000 DATA_DIR=/srv/oversight bash scripts/run.sh
#   LOAD_EXAMPLE=0 bash scripts/run.sh       # start without the example
#   INSECURE=1 bash scripts/run.sh           # the test mode: plaintext,
#                                            # identity from call metadata
#                                            # (the CLI's --agency, --role)
#
# Loading is safe to repeat: every command carries a request id, so lines
# already applied are recognised and nothing is written twice.
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
CERTS_DIR=${CERTS_DIR:-./certs}
TRUST_DOMAIN=${TRUST_DOMAIN:-oversight.example}
EXAMPLE=examples/dyfed-powys/stalking-review-2025-01.jsonl
CLI=("$BUILD_DIR/clients/oversight" --server="$LISTEN")

# READER: the CLI as someone who may read the raw log (an auditor).
if [[ "${INSECURE:-0}" == 1 ]]; then
  SERVER_FLAGS=(--insecure_identity_from_metadata)
  HOW="plaintext, identity from call metadata (test mode)"
  # The import goes as the CLI's test-mode importer, for each line's agency.
  READER=("${CLI[@]}" --agency=hmicfrs --role=auditor)
else
  CERTS_DIR="$CERTS_DIR" TRUST_DOMAIN="$TRUST_DOMAIN" bash scripts/certs.sh
  SERVER_FLAGS=(--tls_cert="$CERTS_DIR/server.pem"
    --tls_key="$CERTS_DIR/server.key" --tls_client_ca="$CERTS_DIR/ca.pem"
    --tls_trust_domain="$TRUST_DOMAIN")
  READER=("${CLI[@]}" --cert="$CERTS_DIR/hmicfrs.pem"
    --key="$CERTS_DIR/hmicfrs.key" --ca="$CERTS_DIR/ca.pem")
  CLI+=(--cert="$CERTS_DIR/importer.pem" --key="$CERTS_DIR/importer.key"
    --ca="$CERTS_DIR/ca.pem")
  HOW="mutual TLS, client certificates from $CERTS_DIR/ca.pem"
fi

echo "oversightd: starting on $LISTEN ($HOW) with data in $DATA_DIR (Ctrl-C stops it)"
"$BUILD_DIR/services/oversightd" --listen="$LISTEN" --data_dir="$DATA_DIR" \
  "${SERVER_FLAGS[@]}" &
SERVER=$!
trap 'kill -TERM "$SERVER" 2>/dev/null || true; wait "$SERVER"; exit' INT TERM

# Wait until it answers (opening verifies the whole chain first). Every
# role may ask for the head; without TLS the role is the CLI's --role.
until "${READER[@]}" --timeout_seconds=1 head >/dev/null 2>&1; do
  if ! kill -0 "$SERVER" 2>/dev/null; then
    wait "$SERVER" || exit $?
  fi
  sleep 0.2
done

if [[ "${LOAD_EXAMPLE:-1}" != 0 ]]; then
  echo "loading the worked example: $EXAMPLE"
  "${CLI[@]}" import "$EXAMPLE"
fi
echo "try, in another terminal: ${READER[*]} read-all --all"
wait "$SERVER"
