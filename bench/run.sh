#!/usr/bin/env bash
# bench/run.sh — Ferrium vs the PostgreSQL ceiling vs Debezium, one command. See bench/README.md.
#
#   bench/run.sh                                  full run (defaults: scale 1, 3 repetitions)
#   BENCH_SCALE=0.01 BENCH_REPS=1 bench/run.sh    quick run (1% sizes)
#   BENCH_WORKLOADS=insert,snapshot BENCH_SYSTEMS=ceiling,ferrium-null bench/run.sh
#
# Prepares everything first (services, release build, Debezium runner, Python venv), then measures
# with nothing else building. Results: bench/results/latest.{md,json,png} (+ latest-runs.json).
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)
cd "$REPO_ROOT"
export BENCH_DEBEZIUM_VERSION=${BENCH_DEBEZIUM_VERSION:-3.3.2.Final}

log() { printf '[bench] %s\n' "$*" >&2; }

# tools: GNU time is not needed (the harness samples /proc), psql/pg_recvlogical come with postgresql
command -v pg_recvlogical >/dev/null || { log "installing postgresql-client"; apt-get install -y -q postgresql-client >/dev/null; }

# Services. Default: a private PostgreSQL + Kafka for the benchmark (scripts/services.sh with its own
# data dir and ports), so that other work restarting the shared services (fault-injection tests) cannot
# disturb a measurement. BENCH_SERVICES=shared uses the shared ones (<repo>/.services, 5432/9092).
if [[ ${BENCH_SERVICES:-isolated} == isolated ]]; then
  export FERRIUM_SERVICES_DIR=${BENCH_SERVICES_DIR:-$REPO_ROOT/bench/results/tmp/services}
  export FERRIUM_PG_PORT=${BENCH_PG_PORT:-25432}
  export FERRIUM_KAFKA_PORT=${BENCH_KAFKA_PORT:-29092}
  export FERRIUM_KAFKA_CONTROLLER_PORT=${BENCH_KAFKA_CONTROLLER_PORT:-29093}
fi
log "services: ${FERRIUM_SERVICES_DIR:-$REPO_ROOT/.services} (postgres :${FERRIUM_PG_PORT:-5432}, kafka :${FERRIUM_KAFKA_PORT:-9092})"

if [[ ${BENCH_SKIP_PREPARE:-0} != 1 ]]; then
  log "services"
  scripts/services.sh up postgres
  scripts/services.sh up kafka

  log "cargo build --release -p ferrium"
  cargo build --release -p ferrium

  log "Debezium runner (debezium $BENCH_DEBEZIUM_VERSION)"
  rm -rf bench/debezium/target/lib
  mvn -q -f bench/debezium/pom.xml -Ddebezium.version="$BENCH_DEBEZIUM_VERSION" \
      package dependency:copy-dependencies -DskipTests

  log "Python venv (bench/.venv)"
  if [[ ! -x bench/.venv/bin/python ]] || ! bench/.venv/bin/python -c 'import matplotlib, confluent_kafka, psycopg' 2>/dev/null; then
    python3 -m venv bench/.venv
    bench/.venv/bin/pip install -q --upgrade pip
    bench/.venv/bin/pip install -q matplotlib confluent-kafka 'psycopg[binary]'
  fi
fi

mkdir -p bench/results/tmp
exec bench/.venv/bin/python bench/harness/bench.py
