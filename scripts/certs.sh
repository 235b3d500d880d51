#!/usr/bin/env bash
# Makes development certificates for mutual TLS with the openssl command
# line (docs/security.md): a CA, a server certificate for localhost and
# 127.0.0.1, and one client certificate per agency of the worked example,
# plus an importer, all signed by that CA.
#
#   bash scripts/certs.sh                 # into ./certs
#   CERTS_DIR=/tmp/c TRUST_DOMAIN=oversight.example bash scripts/certs.sh
#   OPERATOR=1 bash scripts/certs.sh      # also the deployment's operator
#
# A client certificate names its holder in one URI subject alternative
# name, spiffe://TRUST_DOMAIN/agency/AGENCY/role/ROLE, and a person or
# service in its subject CN. What exists is kept (FORCE=1 makes everything
# again, with a new CA), so running it twice is harmless. Keys are EC
# P-256, unencrypted, readable by their owner only: for development, not
# for production, where each agency keeps its own key and the CA signs a
# request.
#
# Files, in CERTS_DIR:
#   ca.pem, ca.key                  the development CA (valid 10 years)
#   server.pem, server.key          oversightd: DNS localhost, IP 127.0.0.1 and ::1
#   AGENCY.pem, AGENCY.key          one per agency below (valid 1 year)
#   importer.pem, importer.key      the OPCC's importer, which loads the
#                                   example on behalf of the agencies
#   operator.pem, operator.key      with OPERATOR=1 only: the deployment's
#                                   own tooling (role operator, agency
#                                   "deployment"), the one role that may
#                                   append to the raw log; no agency's
set -euo pipefail
cd "$(dirname "$0")/.."

CERTS_DIR=${CERTS_DIR:-./certs}
TRUST_DOMAIN=${TRUST_DOMAIN:-oversight.example}
DAYS=${DAYS:-365}

# The agencies of examples/dyfed-powys/, with the role their AgencyKind
# maps to (AGENCY_KIND_REVIEWING_BODY -> reviewing-body, ...), and the
# common name of their certificate. File name, agency id, role, CN.
CLIENTS=(
  "dyfed-powys-opcc dyfed-powys-opcc reviewing-body OPCC for Dyfed-Powys"
  "dyfed-powys-police dyfed-powys-police force Dyfed-Powys Police"
  "paladin paladin partner Paladin National Stalking Advocacy Service"
  "welsh-womens-aid welsh-womens-aid partner Welsh Women's Aid"
  "dyfed-powys-police-and-crime-panel dyfed-powys-police-and-crime-panel panel Dyfed-Powys Police and Crime Panel"
  "hmicfrs hmicfrs auditor HMICFRS"
  "importer dyfed-powys-opcc importer OPCC importer"
)
# The operator writes the raw log: not made unless asked for.
if [[ "${OPERATOR:-0}" == 1 ]]; then
  CLIENTS+=("operator deployment operator Deployment operator")
fi

command -v openssl >/dev/null || {
  echo "certs.sh: openssl is missing (bash scripts/install-deps.sh)" >&2
  exit 1
}
if [[ "${FORCE:-0}" == 1 ]]; then rm -f "$CERTS_DIR"/*.pem "$CERTS_DIR"/*.key; fi
mkdir -p "$CERTS_DIR"
chmod 700 "$CERTS_DIR"
umask 077
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [[ ! -f "$CERTS_DIR/ca.pem" || ! -f "$CERTS_DIR/ca.key" ]]; then
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$CERTS_DIR/ca.key" -out "$CERTS_DIR/ca.pem" -days 3650 \
    -subj "/O=Oversight development/CN=Oversight development CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  echo "certs.sh: made $CERTS_DIR/ca.pem (development CA)"
fi

# issue NAME CN EXTENSIONS: NAME.key and NAME.pem signed by the CA.
issue() {
  local name=$1 cn=$2 extensions=$3
  if [[ -f "$CERTS_DIR/$name.pem" && -f "$CERTS_DIR/$name.key" ]]; then
    return
  fi
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$CERTS_DIR/$name.key" -out "$work/$name.csr" \
    -subj "/O=Oversight development/CN=$cn" 2>/dev/null
  printf '%s\n' "$extensions" >"$work/$name.ext"
  openssl x509 -req -in "$work/$name.csr" -CA "$CERTS_DIR/ca.pem" \
    -CAkey "$CERTS_DIR/ca.key" -CAcreateserial -CAserial "$work/ca.srl" \
    -days "$DAYS" -sha256 -extfile "$work/$name.ext" \
    -out "$CERTS_DIR/$name.pem" 2>/dev/null
  echo "certs.sh: made $CERTS_DIR/$name.pem ($cn)"
}

issue server localhost "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"

for client in "${CLIENTS[@]}"; do
  read -r name agency role cn <<<"$client"
  issue "$name" "$cn" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
subjectAltName=URI:spiffe://$TRUST_DOMAIN/agency/$agency/role/$role"
done
chmod 644 "$CERTS_DIR"/*.pem
