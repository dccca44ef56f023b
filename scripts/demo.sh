#!/usr/bin/env bash
# The demo: a sample database, Ferrium streaming its changes, the events on your
# terminal. It starts PostgreSQL (or MariaDB) with scripts/services.sh, creates the
# `inventory` database, builds Ferrium, and runs it with the embedded default sink
# (events to stdout as JSON lines) while a small writer changes rows every two seconds.
#
#   scripts/demo.sh                    # PostgreSQL; events on stdout, offsets in .demo/
#   scripts/demo.sh --kafka            # into the local Kafka broker (topics dbserver1.inventory.*)
#   scripts/demo.sh --mysql [--kafka]  # MariaDB instead (topics dbserver2.inventory.*)
#   scripts/demo.sh --outbox [--kafka] # the outbox pattern: EventRouter turns rows of an `outbox`
#                                      # table into topics per aggregate (outbox.event.order, …)
#
# Stop it with Ctrl-C; run it again and it resumes where it stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
mode=stdout
source_db=postgres
for arg in "$@"; do
  case $arg in
    --kafka) mode=--kafka ;;
    --mysql) source_db=mariadb ;;
    --outbox) source_db=outbox ;;
    *) echo "usage: scripts/demo.sh [--mysql|--outbox] [--kafka]" >&2; exit 2 ;;
  esac
done
pg_port=${FERRIUM_PG_PORT:-5432}
mariadb_port=${FERRIUM_MARIADB_PORT:-3306}
kafka_port=${FERRIUM_KAFKA_PORT:-9092}

services=("$source_db")
if [ "$source_db" = outbox ]; then services=(postgres); fi
if [ "$mode" = "--kafka" ]; then services+=(kafka); fi
scripts/services.sh up "${services[@]}"

if [ "$source_db" = mariadb ]; then
  mariadb_() { mariadb --no-defaults --protocol=TCP -h 127.0.0.1 -P "$mariadb_port" -uroot "$@"; }
  mariadb_ -e "CREATE DATABASE IF NOT EXISTS inventory"
  if [ "$(mariadb_ -Nse "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'inventory'")" = 0 ]; then
    mariadb_ < examples/inventory-mysql.sql
    # A new database: the offsets and schema history of an earlier demo no longer apply.
    rm -rf .demo/mysql
  fi
  cargo build --release -p ferrium
  mkdir -p .demo/mysql
  worker=.demo/mysql/worker.properties
  {
    echo "offset.storage.file.filename=$root/.demo/mysql/ferrium.offsets"
    echo "offset.flush.interval.ms=1000"
    echo "value.converter.schemas.enable=false"
    echo "key.converter.schemas.enable=false"
    if [ "$mode" = "--kafka" ]; then echo "bootstrap.servers=127.0.0.1:$kafka_port"; fi
  } > "$worker"
  if [ "$mode" = "--kafka" ]; then
    sed -e "s/\"3306\"/\"$mariadb_port\"/" -e "s/127.0.0.1:9092/127.0.0.1:$kafka_port/" examples/inventory-mysql.json > .demo/mysql/connector.json
  else
    # Without Kafka the schema history goes to a file next to the offsets.
    cat > .demo/mysql/connector.json <<JSON
{"name": "inventory-mysql-connector", "config": {
  "connector.class": "io.debezium.connector.mysql.MySqlConnector",
  "database.hostname": "127.0.0.1", "database.port": "$mariadb_port",
  "database.user": "root", "database.password": "",
  "database.server.id": "184054", "topic.prefix": "dbserver2",
  "database.include.list": "inventory"}}
JSON
  fi
  (
    i=0
    while sleep 2; do
      i=$((i + 1))
      mariadb_ inventory -e "START TRANSACTION;
        INSERT INTO orders (purchaser, product_id, quantity) VALUES (1 + $i % 4, 1 + $i % 3, $i);
        UPDATE products SET price = price + 0.10 WHERE id = 1 + $i % 3;
        DELETE FROM orders WHERE $i % 5 = 0 ORDER BY id LIMIT 1;
        COMMIT;" >/dev/null 2>&1 || true
    done
  ) &
  writer=$!
  trap 'kill $writer 2>/dev/null || true' EXIT
  echo "Streaming the changes of MariaDB database 'inventory' (Ctrl-C to stop)..." >&2
  target/release/ferrium run .demo/mysql/connector.json --worker "$worker"
  exit $?
fi

psql_() { psql -h 127.0.0.1 -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 -q "$@"; }

if [ "$source_db" = outbox ]; then
  if ! psql_ -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'shop'" | grep -q 1; then
    psql_ -d postgres -c "CREATE DATABASE shop"
    psql_ -d shop -f examples/outbox/outbox.sql
  fi
  if ! psql_ -d postgres -tAc "SELECT 1 FROM pg_replication_slots WHERE slot_name = 'ferrium_outbox_demo'" | grep -q 1; then
    rm -f .demo/outbox/ferrium.offsets
  fi
  cargo build --release -p ferrium
  mkdir -p .demo/outbox
  worker=.demo/outbox/worker.properties
  {
    echo "offset.storage.file.filename=$root/.demo/outbox/ferrium.offsets"
    echo "offset.flush.interval.ms=1000"
    echo "value.converter.schemas.enable=false"
    echo "key.converter.schemas.enable=false"
    if [ "$mode" = "--kafka" ]; then echo "bootstrap.servers=127.0.0.1:$kafka_port"; fi
  } > "$worker"
  sed "s/\"database.port\": \"5432\"/\"database.port\": \"$pg_port\"/" examples/outbox/outbox-postgres.json > .demo/outbox/connector.json
  # A service at work: each order and its domain events, written in one transaction.
  (
    i=1
    while sleep 2; do
      i=$((i + 1))
      psql_ -d shop -c "BEGIN;
        INSERT INTO orders (customer_id, status, total) VALUES (1 + $i % 3, 'placed', $i * 10);
        INSERT INTO outbox SELECT gen_random_uuid(), 'order', currval('orders_id_seq')::text, 'OrderPlaced',
          json_build_object('orderId', currval('orders_id_seq'), 'customerId', 1 + $i % 3, 'total', $i * 10);
        INSERT INTO outbox SELECT gen_random_uuid(), 'customer', (1 + $i % 3)::text, 'CustomerOrdered',
          json_build_object('customerId', 1 + $i % 3, 'orderId', currval('orders_id_seq'));
        COMMIT;" >/dev/null 2>&1 || true
    done
  ) &
  writer=$!
  trap 'kill $writer 2>/dev/null || true' EXIT
  echo "Routing the outbox of database 'shop' to topics outbox.event.<aggregatetype> (Ctrl-C to stop)..." >&2
  target/release/ferrium run .demo/outbox/connector.json --worker "$worker"
  exit $?
fi
if ! psql_ -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'inventory'" | grep -q 1; then
  psql_ -d postgres -c "CREATE DATABASE inventory"
  psql_ -d inventory -f examples/inventory.sql
fi
# Offsets of an earlier demo whose slot is gone (e.g. after `services.sh down --purge`)
# cannot be resumed; the demo then starts over with a new snapshot.
if ! psql_ -d postgres -tAc "SELECT 1 FROM pg_replication_slots WHERE slot_name = 'ferrium_demo'" | grep -q 1; then
  rm -f .demo/ferrium.offsets
fi

cargo build --release -p ferrium
mkdir -p .demo
worker=.demo/worker.properties
{
  echo "offset.storage.file.filename=$root/.demo/ferrium.offsets"
  echo "offset.flush.interval.ms=1000"
  echo "value.converter.schemas.enable=false"
  echo "key.converter.schemas.enable=false"
  if [ "$mode" = "--kafka" ]; then echo "bootstrap.servers=127.0.0.1:$kafka_port"; fi
} > "$worker"
sed "s/\"database.port\": \"5432\"/\"database.port\": \"$pg_port\"/" examples/inventory-postgres.json > .demo/connector.json

# A writer that keeps the database busy: new orders, price changes, a deleted order.
(
  i=0
  while sleep 2; do
    i=$((i + 1))
    psql_ -d inventory -c "BEGIN;
      INSERT INTO inventory.orders (purchaser, product_id, quantity) VALUES (1 + $i % 4, 1 + $i % 3, $i);
      UPDATE inventory.products SET price = price + 0.10 WHERE id = 1 + $i % 3;
      DELETE FROM inventory.orders WHERE id = (SELECT min(id) FROM inventory.orders) AND $i % 5 = 0;
      COMMIT;" >/dev/null 2>&1 || true
  done
) &
writer=$!
trap 'kill $writer 2>/dev/null || true' EXIT

echo "Streaming the changes of database 'inventory' (Ctrl-C to stop)..." >&2
if [ "$mode" = "--kafka" ]; then
  echo "Events go to Kafka at 127.0.0.1:$kafka_port, topics dbserver1.inventory.*" >&2
fi
target/release/ferrium run .demo/connector.json --worker "$worker"
