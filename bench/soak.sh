#!/usr/bin/env bash
# bench/soak.sh — the soak beyond CI's limit (#13 item 7): a PostgreSQL and a MariaDB
# connector stream a continuous writer's changes into Kafka with exactly-once while at
# least FERRIUM_SOAK_FAULTS faults (default 100) drawn at random are applied, for at least
# FERRIUM_SOAK_MINUTES minutes (default 30): network faults between Ferrium and each
# service (toxiproxy, iptables), kill -9 of either Ferrium, restarts of PostgreSQL, MariaDB
# and the broker. Every change must then have arrived exactly once in commit order per key.
#
#   bench/soak.sh                                   # 100 faults, 30 minutes
#   FERRIUM_SOAK_SEED=1796352647 bench/soak.sh      # replay a run's fault order
#   FERRIUM_SOAK_FAULTS=20 FERRIUM_SOAK_MINUTES=5 bench/soak.sh
#   FERRIUM_SOAK_ONLY="restart kafka" FERRIUM_SOAK_FAULTS=10 FERRIUM_SOAK_MINUTES=0 bench/soak.sh
#
# It is the `soak` test binary (crates/ferrium/tests/soak/), which CI runs with ten faults.
# Starts the services if they are not running. Writes bench/results/soak.md and soak.json
# (faults applied, recovery p50/p99/max, counts) and the full output to
# bench/results/tmp/soak.log. It restarts the shared services: run nothing else meanwhile.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export FERRIUM_SOAK_FAULTS="${FERRIUM_SOAK_FAULTS:-100}"
export FERRIUM_SOAK_MINUTES="${FERRIUM_SOAK_MINUTES:-30}"
export FERRIUM_SOAK_RESULTS="$PWD/bench/results"
mkdir -p bench/results/tmp
log=bench/results/tmp/soak.log

scripts/services.sh up postgres mariadb kafka toxiproxy
eval "$(scripts/services.sh env)"
cargo test -p ferrium --test soak --no-run 2>&1 | tail -1
echo "soak: $FERRIUM_SOAK_FAULTS faults, at least $FERRIUM_SOAK_MINUTES minutes; output in $log"
# No timeout of the test harness's own: the soak ends when both limits are reached.
cargo test -p ferrium --test soak -- --nocapture every_change_arrives_exactly_once 2>&1 | tee "$log" |
  grep --line-buffered -E '^soak|^  |panicked|test result'
