#!/usr/bin/env bash
# scripts/secret-scan.sh FOLDER — fails if a secret the tests use appears in the transcripts
# `scripts/test.sh` kept in FOLDER: every log line of the Ferrium processes the tests ran,
# and every HTTP answer they read (REST, /metrics). Issue #13: no password, SCRAM secret or
# private key may ever appear in a log line, a REST answer or a metric.
#
# The secrets: the config-provider tests' PostgreSQL password (tests/common/secret_role.rs),
# the broker's SCRAM password, the registry gateway's password and the PKCS12 stores' password
# (scripts/services.sh), and any
# PEM private key. (The `ferrium_tls` users' password equals their name, which logs may show,
# so it is matched only as a `password=` or `"password":` value.)
set -euo pipefail
cd "$(dirname "$0")/.."
folder=${1:?usage: scripts/secret-scan.sh FOLDER}

secret_password=$(sed -n 's/^pub const SECRET_PASSWORD: &str = "\(.*\)";$/\1/p' crates/ferrium/tests/common/secret_role.rs)
scram_password=$(sed -n 's/^KAFKA_SCRAM_PASSWORD=//p' scripts/services.sh)
registry_password=$(sed -n 's/^REGISTRY_PASSWORD=//p' scripts/services.sh)
[[ -n $secret_password && -n $scram_password && -n $registry_password ]] || {
  echo "secret scan: could not read the secrets from secret_role.rs and services.sh" >&2
  exit 2
}
shopt -s nullglob
files=("$folder"/*.log)
((${#files[@]})) || { echo "secret scan: no transcripts in $folder: the tests kept nothing to scan" >&2; exit 1; }
lines=$(cat "${files[@]}" | wc -l)
found=$({
  grep -F -n -e "$secret_password" -e "$scram_password" -e "$registry_password" -e ferrium-store \
    -e 'PRIVATE KEY-----' "${files[@]}"
  grep -E -n 'password[=:" ]*ferrium_tls' "${files[@]}"
} || true)
if [[ -n $found ]]; then
  echo "secret scan: a secret appears in what the tests' Ferrium processes logged or answered:" >&2
  # Shown with the secret masked, so the report itself does not spread it.
  sed -e "s/$secret_password/<SECRET_PASSWORD>/g" -e "s/$scram_password/<SCRAM_PASSWORD>/g" \
    -e "s/$registry_password/<REGISTRY_PASSWORD>/g" \
    -e 's/ferrium-store/<STORE_PASSWORD>/g' <<<"$found" | cut -c1-400 | head -20 >&2
  exit 1
fi
echo "secret scan: $lines lines of logs and HTTP answers in ${#files[@]} transcripts, no password, SCRAM secret or private key"
