#!/usr/bin/env bash
# The project's test command: formatting, lints, then every test — unit tests and the
# integration tests against the real PostgreSQL and Kafka that `scripts/services.sh up`
# starts. Integration tests fail (never skip) when those services are not running.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/services.sh up
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace -- --test-threads "${FERRIUM_TEST_THREADS:-4}"
