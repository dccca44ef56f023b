#!/usr/bin/env bash
# bench/callgrind.sh BIN [BIN...] — instructions each Ferrium binary executes for the same
# PostgreSQL work, counted by valgrind's callgrind: a 50,000-row snapshot and a backlog of
# 50,000 inserts in 10-row transactions, both into the stdout sink (discarded).
#
# Instruction counts repeat to within a fraction of a percent whatever else the machine does,
# so two builds (say, before and after a change) compare on a busy 2-core machine where
# wall-clock timings of a few seconds do not. They say nothing about cache misses or system
# calls: bench/run.sh measures real throughput.
#
#   git worktree add /tmp/before <commit> && (cd /tmp/before && cargo build --release -p ferrium)
#   bench/callgrind.sh /tmp/before/target/release/ferrium target/release/ferrium
#
# Needs the PostgreSQL of `scripts/services.sh up` (FERRIUM_PG_PORT, default 5432) and valgrind
# (installed from Debian's packages if missing). Writes scratch files and callgrind profiles
# (callgrind_annotate reads them) to bench/results/tmp/callgrind/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
(($# > 0)) || { echo "usage: bench/callgrind.sh BIN [BIN...]" >&2; exit 2; }
command -v valgrind >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind; }

PORT=${FERRIUM_PG_PORT:-5432}
DIR=bench/results/tmp/callgrind
ROWS=50000
mkdir -p "$DIR"
psql_in() { local db=$1; shift; PGOPTIONS='-c client_min_messages=warning' psql -h 127.0.0.1 -p "$PORT" -U postgres -d "$db" -qAtX -v ON_ERROR_STOP=1 "$@"; }

psql_in postgres -c "DROP DATABASE IF EXISTS cg_snapshot WITH (FORCE)" -c "CREATE DATABASE cg_snapshot" \
  -c "DROP DATABASE IF EXISTS cg_stream WITH (FORCE)" -c "CREATE DATABASE cg_stream" >/dev/null
for db in cg_snapshot cg_stream; do
  psql_in "$db" -c "CREATE TABLE t(id bigserial PRIMARY KEY, payload text)" -c "CREATE PUBLICATION cg_pub FOR TABLE t" >/dev/null
done
psql_in cg_snapshot -c "INSERT INTO t(payload) SELECT repeat(md5(i::text), 6) FROM generate_series(1, $ROWS) i" -c "VACUUM ANALYZE t" >/dev/null
echo "offset.storage.file.filename=$PWD/$DIR/offsets" >"$DIR/worker.properties"
connector() { # name db snapshot.mode
  cat >"$DIR/$1.json" <<EOF
{"name": "$1", "config": {"connector.class": "io.debezium.connector.postgresql.PostgresConnector",
 "database.hostname": "127.0.0.1", "database.port": "$PORT", "database.user": "postgres", "database.password": "",
 "database.dbname": "$2", "topic.prefix": "cg", "slot.name": "$1", "publication.name": "cg_pub",
 "publication.autocreate.mode": "disabled", "snapshot.mode": "$3"}}
EOF
}
connector cg_snapshot cg_snapshot initial_only
connector cg_stream cg_stream no_data

# Runs BIN under callgrind; with a target line count it stops BIN (SIGTERM) once that many
# events came out, otherwise BIN exits by itself. Prints the instruction total.
measure() { # label bin connector [lines]
  local label=$1 bin=$2 conn=$3 lines=${4:-} out="$DIR/$label.out" pid
  rm -f "$DIR/offsets"
  valgrind --tool=callgrind --callgrind-out-file="$DIR/$label.callgrind" "$bin" run "$DIR/$conn.json" \
    --worker "$DIR/worker.properties" >"$out" 2>"$DIR/$label.err" &
  pid=$!
  if [[ -n $lines ]]; then
    for ((i = 0; i < 1200; i++)); do (($(wc -l <"$out") >= lines)) && break; sleep 0.5; done
    kill -TERM "$pid" # a graceful stop (valgrind hands the signal to Ferrium)
  fi
  wait "$pid" || true
  printf '%-16s %-12s %6d events %14d instructions\n' "$label" "$conn" "$(wc -l <"$out")" \
    "$(sed -n 's/.*Collected : //p' "$DIR/$label.err")"
}

n=0
for bin in "$@"; do
  n=$((n + 1))
  label="bin$n"
  echo "== $label: $bin"
  measure "$label-snapshot" "$bin" cg_snapshot
  # A new slot, then the backlog, so that every binary streams the same changes.
  psql_in cg_stream -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'cg_stream'" \
    -c "TRUNCATE t" -c "SELECT pg_create_logical_replication_slot('cg_stream', 'pgoutput')" >/dev/null
  psql_in cg_stream -c "DO \$\$ BEGIN FOR i IN 1..$((ROWS / 10)) LOOP
      INSERT INTO t(payload) SELECT repeat(md5(j::text), 6) FROM generate_series(1, 10) j; COMMIT; END LOOP; END \$\$" >/dev/null
  measure "$label-stream" "$bin" cg_stream "$ROWS"
done
psql_in postgres -c "SELECT pg_drop_replication_slot('cg_stream')" >/dev/null 2>&1 || true
