#!/usr/bin/env bash
# scripts/python-env.sh — the Python venv of the integration tests' tools (crates/ferrium/tests/tools:
# Confluent's own Avro (de)serializer and schema registry client, to check what Ferrium writes).
#
# It lives beside the services' data, in $FERRIUM_SERVICES_DIR/venv (default <repo>/.services/venv),
# so every worktree pointed at one services dir shares one venv and the Rust tests find it where they
# find the services. `scripts/services.sh up registry` (and plain `up`) runs this; it is idempotent and
# returns at once when the venv matches requirements.txt. Prints the venv's python on stdout.
#
# Settings: FERRIUM_SERVICES_DIR (<repo>/.services), FERRIUM_PYTHON (python3) — the base interpreter.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SERVICES_DIR=${FERRIUM_SERVICES_DIR:-$REPO_ROOT/.services}
VENV=$SERVICES_DIR/venv
REQUIREMENTS=$REPO_ROOT/crates/ferrium/tests/tools/requirements.txt
BASE_PYTHON=${FERRIUM_PYTHON:-python3}

log() { printf '[python-env] %s\n' "$*" >&2; }
die() { printf '[python-env] ERROR: %s\n' "$*" >&2; exit 1; }

# The stamp names what the venv was built from: the requirements and the base interpreter's version.
# Written last, so an interrupted install is redone from scratch next time.
want_stamp() {
  printf '%s %s\n' "$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)" \
    "$("$BASE_PYTHON" -c 'import sys; print(sys.version.split()[0])')"
}

up_to_date() {
  [[ -x $VENV/bin/python && -f $VENV/.ferrium-stamp && $(cat "$VENV/.ferrium-stamp") == "$(want_stamp)" ]]
}

command -v "$BASE_PYTHON" >/dev/null || die "$BASE_PYTHON not found (install python3 and python3-venv)"
[[ -f $REQUIREMENTS ]] || die "$REQUIREMENTS is missing"
if ! up_to_date; then
  mkdir -p "$SERVICES_DIR"
  # Its own lock (not services.sh's .lock, which `services.sh up` holds while it calls this).
  exec 8>"$SERVICES_DIR/.venv.lock"
  flock -w 900 8 || die "another python-env.sh holds $SERVICES_DIR/.venv.lock"
  if ! up_to_date; then
    log "creating $VENV from $REQUIREMENTS"
    rm -rf "$VENV"
    "$BASE_PYTHON" -m venv "$VENV" || die "$BASE_PYTHON -m venv failed (on Debian: apt-get install python3-venv)"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$REQUIREMENTS" ||
      die "pip could not install $REQUIREMENTS"
    "$VENV/bin/python" -c 'import confluent_kafka, confluent_kafka.schema_registry.avro, fastavro' ||
      die "the venv was built but confluent_kafka's Avro support does not import"
    want_stamp >"$VENV/.ferrium-stamp"
    log "ready: $("$VENV/bin/python" -c 'import confluent_kafka; print("confluent-kafka", confluent_kafka.__version__, "librdkafka", confluent_kafka.libversion()[0])')"
  fi
fi
echo "$VENV/bin/python"
