#!/usr/bin/env bash
# bench/sink.sh — the sink benchmark: Ferrium's JDBC sink vs a hand-written Rust loader (ceiling) vs
# Debezium's JDBC sink in Kafka Connect, applying one full topic into PostgreSQL. See bench/README.md.
#
#   bench/sink.sh                              200,000 rows (BENCH_SINK_ROWS), private services
#   BENCH_SCALE=0.05 bench/sink.sh             quick check (10,000 rows)
#   BENCH_SERVICES=shared bench/sink.sh        the shared services (5432/9092)
#
# Prepares first (services, release builds, Connect + the Debezium plugin from Maven Central), then
# measures with nothing building. Results: bench/results/sink.{md,json}.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)
cd "$REPO_ROOT"
export BENCH_DEBEZIUM_JDBC_VERSION=${BENCH_DEBEZIUM_JDBC_VERSION:-3.3.1.Final}
export BENCH_SINK_COMMAND=${BENCH_SINK_COMMAND:-"$(env | grep -oE '^BENCH_(SCALE|SINK_ROWS|SERVICES|SINK_SYSTEMS|REPS)=[^ ]*' | tr '\n' ' ')bench/sink.sh"}
log() { printf '[sink] %s\n' "$*" >&2; }

command -v psql >/dev/null || { log "installing postgresql-client"; apt-get install -y -q postgresql-client >/dev/null; }

# The same services as bench/run.sh: private by default (other work restarts the shared ones).
if [[ ${BENCH_SERVICES:-isolated} == isolated ]]; then
  export FERRIUM_SERVICES_DIR=${BENCH_SERVICES_DIR:-$REPO_ROOT/bench/results/tmp/services}
  export FERRIUM_PG_PORT=${BENCH_PG_PORT:-25432}
  export FERRIUM_KAFKA_PORT=${BENCH_KAFKA_PORT:-29092}
  export FERRIUM_KAFKA_CONTROLLER_PORT=${BENCH_KAFKA_CONTROLLER_PORT:-29093}
fi
log "services: ${BENCH_SERVICES:-isolated} (postgres :${FERRIUM_PG_PORT:-5432}, kafka :${FERRIUM_KAFKA_PORT:-9092})"

# Kafka Connect 4.1 and Debezium 3.3 run on Java 17+; take the newest JDK under /usr/lib/jvm as services.sh does.
if [[ -z ${BENCH_JAVA:-} ]]; then
  best=$(command -v java || true); best_major=0
  for j in /usr/lib/jvm/*/bin/java; do
    [[ -x $j ]] || continue
    m=$("$j" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    if ((${m%%.*} > best_major)); then best=$j; best_major=${m%%.*}; fi
  done
  export BENCH_JAVA=$best
fi
log "java: $BENCH_JAVA"

TARGET=${CARGO_TARGET_DIR:-$REPO_ROOT/target}
export BENCH_FERRIUM_BIN=${BENCH_FERRIUM_BIN:-$TARGET/release/ferrium}
export BENCH_SINK_BASELINE_BIN=${BENCH_SINK_BASELINE_BIN:-$TARGET/release/examples/sink_baseline}

if [[ ${BENCH_SKIP_PREPARE:-0} != 1 ]]; then
  if [[ ${BENCH_SERVICES:-isolated} == isolated ]]; then
    scripts/services.sh up postgres
    scripts/services.sh up kafka
  else
    # The shared services belong to the main checkout (a worktree's scripts/services.sh would start
    # new ones in its own .services): use them as they are, and stop if they do not answer.
    pg_isready -q -h 127.0.0.1 -p "${FERRIUM_PG_PORT:-5432}" ||
      { log "no PostgreSQL on :${FERRIUM_PG_PORT:-5432}: start the shared services (scripts/services.sh up)"; exit 2; }
  fi
  log "cargo build --release -p ferrium; --example sink_baseline"
  cargo build --release -p ferrium
  cargo build --release -p ferrium-sink-jdbc --example sink_baseline
  log "Kafka Connect runtime + Debezium JDBC sink $BENCH_DEBEZIUM_JDBC_VERSION (bench/sink/target)"
  rm -rf bench/sink/target/connect-lib bench/sink/target/plugins
  mvn -q -f bench/sink/pom.xml dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory=target/connect-lib
  mvn -q -f bench/sink/pom.xml dependency:copy \
      -Dartifact="io.debezium:debezium-connector-jdbc:$BENCH_DEBEZIUM_JDBC_VERSION:tar.gz:plugin" \
      -DoutputDirectory=target/plugin-archive
  mkdir -p bench/sink/target/plugins
  tar -xzf "bench/sink/target/plugin-archive/debezium-connector-jdbc-$BENCH_DEBEZIUM_JDBC_VERSION-plugin.tar.gz" \
      -C bench/sink/target/plugins
fi

mkdir -p bench/results/tmp
exec python3 bench/harness/sink.py
