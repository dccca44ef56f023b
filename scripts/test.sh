#!/usr/bin/env bash
# The project's test command: formatting, lints, then every test — unit tests and the
# integration tests against the real PostgreSQL and Kafka that `scripts/services.sh up`
# starts. Integration tests fail (never skip) when those services are not running.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/services.sh up
# The tests read the services' settings (ports, the test CA's folder, the SASL listener).
eval "$(scripts/services.sh env)"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace -- --test-threads "${FERRIUM_TEST_THREADS:-4}" 2>&1 | tee "$log"
# One closing line for the whole run (cargo prints one per test binary, the last of
# which is often an empty doc-test run).
awk '/^test result:/ { p += $4; f += $6 } END { printf "Tests: %d passed, %d failed\n", p, f }' "$log"
