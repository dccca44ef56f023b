#!/usr/bin/env bash
# bench/run.sh — Ferrium vs the database's own client (ceiling) vs Debezium, on PostgreSQL and MariaDB,
# one command. See bench/README.md.
#
#   bench/run.sh                                  full run (defaults: scale 1, 1 repetition, ~15-20 min)
#   BENCH_SCALE=0.01 bench/run.sh                 quick run (1% sizes)
#   BENCH_DATABASES=mariadb BENCH_WORKLOADS=insert,snapshot BENCH_SYSTEMS=ceiling,ferrium-null bench/run.sh
#
# Prepares everything first (services, release build, Debezium runner, Python venv), then measures
# with nothing else building. Results: bench/results/latest.{md,json,png} (+ latest-runs.json).
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)
cd "$REPO_ROOT"
export BENCH_DEBEZIUM_VERSION=${BENCH_DEBEZIUM_VERSION:-3.3.2.Final}
export BENCH_DATABASES=${BENCH_DATABASES:-postgres,mariadb}

log() { printf '[bench] %s\n' "$*" >&2; }

# tools: GNU time is not needed (the harness samples /proc), psql/pg_recvlogical come with postgresql
command -v pg_recvlogical >/dev/null || { log "installing postgresql-client"; apt-get install -y -q postgresql-client >/dev/null; }
if [[ ,$BENCH_DATABASES, == *,mariadb,* ]] && ! command -v mariadb-binlog >/dev/null; then
  log "installing mariadb-client"; apt-get install -y -q mariadb-client >/dev/null
fi

# Services. Default: a private PostgreSQL + MariaDB + Kafka for the benchmark (scripts/services.sh with its own
# data dir and ports), so that other work restarting the shared services (fault-injection tests) cannot
# disturb a measurement. BENCH_SERVICES=shared uses the shared ones (<repo>/.services, 5432/9092).
if [[ ${BENCH_SERVICES:-isolated} == isolated ]]; then
  export FERRIUM_SERVICES_DIR=${BENCH_SERVICES_DIR:-$REPO_ROOT/bench/results/tmp/services}
  export FERRIUM_PG_PORT=${BENCH_PG_PORT:-25432}
  export FERRIUM_MARIADB_PORT=${BENCH_MARIADB_PORT:-23306}
  export FERRIUM_KAFKA_PORT=${BENCH_KAFKA_PORT:-29092}
  export FERRIUM_KAFKA_CONTROLLER_PORT=${BENCH_KAFKA_CONTROLLER_PORT:-29093}
  # the schema registry of the Avro systems, started below only when one of them is measured
  export FERRIUM_REGISTRY_PORT=${BENCH_REGISTRY_PORT:-28081}
  export FERRIUM_REGISTRY_MANAGEMENT_PORT=${BENCH_REGISTRY_MANAGEMENT_PORT:-29000}
fi
log "services: ${FERRIUM_SERVICES_DIR:-$REPO_ROOT/.services} (postgres :${FERRIUM_PG_PORT:-5432}, mariadb :${FERRIUM_MARIADB_PORT:-3306}, kafka :${FERRIUM_KAFKA_PORT:-9092}); databases $BENCH_DATABASES"

if [[ ${BENCH_SKIP_PREPARE:-0} != 1 ]]; then
  log "services"
  IFS=, read -ra dbs <<<"$BENCH_DATABASES"
  for db in "${dbs[@]}"; do
    case $db in
      postgres | mariadb) scripts/services.sh up "$db" ;;
      *) log "unknown database '$db' in BENCH_DATABASES (postgres,mariadb)"; exit 2 ;;
    esac
  done
  scripts/services.sh up kafka
  # The -avro systems need a schema registry (the default systems include them). Private services get
  # their own (scripts/services.sh up registry on BENCH_REGISTRY_PORT); shared ones use the shared one,
  # which `services.sh up registry` starts if it is not running (and leaves alone if it is).
  if [[ -z ${BENCH_SYSTEMS:-} || ,$BENCH_SYSTEMS, == *avro* ]]; then
    scripts/services.sh up registry
  fi

  if [[ -z ${BENCH_FERRIUM_BIN:-} ]]; then
    log "cargo build --release -p ferrium"
    cargo build --release -p ferrium
  else
    log "using BENCH_FERRIUM_BIN=$BENCH_FERRIUM_BIN (no build)"
  fi

  log "Debezium runner (debezium $BENCH_DEBEZIUM_VERSION)"
  rm -rf bench/debezium/target/lib
  mvn -q -f bench/debezium/pom.xml -Ddebezium.version="$BENCH_DEBEZIUM_VERSION" \
      package dependency:copy-dependencies -DskipTests

  log "Python venv (bench/.venv)"
  if [[ ! -x bench/.venv/bin/python ]] || ! bench/.venv/bin/python -c 'import matplotlib, confluent_kafka, confluent_kafka.schema_registry.avro, psycopg, pymysql' 2>/dev/null; then
    python3 -m venv bench/.venv
    bench/.venv/bin/pip install -q --upgrade pip
    bench/.venv/bin/pip install -q matplotlib 'confluent-kafka[avro,schemaregistry]' 'psycopg[binary]' pymysql
  fi
fi

mkdir -p bench/results/tmp
exec bench/.venv/bin/python bench/harness/bench.py
