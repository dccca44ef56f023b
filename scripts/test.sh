#!/usr/bin/env bash
# The project's test command: formatting, lints, then every test — unit tests and the
# integration tests against the real PostgreSQL and Kafka that `scripts/services.sh up`
# starts. Integration tests fail (never skip) when those services are not running. Last, the
# tests' logs and HTTP answers are scanned for their secrets (scripts/secret-scan.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/services.sh up
# The tests read the services' settings (ports, the test CA's folder, the SASL listener).
eval "$(scripts/services.sh env)"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
log=$(mktemp)
# Every log line and HTTP answer of the tests' Ferrium processes, scanned for secrets below.
export FERRIUM_TEST_TRANSCRIPTS
FERRIUM_TEST_TRANSCRIPTS=$(mktemp -d)
trap 'rm -rf "$log" "$FERRIUM_TEST_TRANSCRIPTS"' EXIT
cargo test --workspace -- --test-threads "${FERRIUM_TEST_THREADS:-4}" 2>&1 | tee "$log"
scripts/secret-scan.sh "$FERRIUM_TEST_TRANSCRIPTS"
# One closing line for the whole run (cargo prints one per test binary, the last of
# which is often an empty doc-test run).
awk '/^test result:/ { p += $4; f += $6 } END { printf "Tests: %d passed, %d failed\n", p, f }' "$log"
