#!/usr/bin/env bash
# scripts/services.sh — real PostgreSQL, MariaDB, Kafka and a schema registry on 127.0.0.1 for
# Ferrium's integration tests.
#
# No Docker here: the servers come from Debian packages (PostgreSQL, MariaDB), from the official
# Apache Kafka jars on Maven Central (scripts/kafka/pom.xml) and from Apicurio Registry's distribution
# on Maven Central (Confluent-compatible API, schemas in an H2 file), and run as plain background processes.
# Everything they write (data, logs, pid files, jars, the Python venv of tests/tools) lives under one
# folder, $FERRIUM_SERVICES_DIR (default <repo>/.services); only Maven's cache goes to ~/.m2.
#
# Usage:
#   scripts/services.sh deps                          install the OS packages (build deps + servers)
#   scripts/services.sh up [postgres|mariadb|kafka|registry|toxiproxy]
#                                                     install if needed, start, wait until ready
#                                                     (all five by default; running ones are left alone;
#                                                     `registry` also sets up tests/tools' Python venv)
#   scripts/services.sh down [--purge]                stop all; --purge also deletes $FERRIUM_SERVICES_DIR
#   scripts/services.sh down <service...>             stop only those (data kept)
#   scripts/services.sh restart postgres|mariadb|kafka|registry|toxiproxy
#                                                     stop and start one (data survives, the
#                                                     registry's schemas and ids too)
#   scripts/services.sh status                        what runs (always exits 0)
#   scripts/services.sh env                           `export` lines for the connection settings
#   scripts/services.sh logs [service...]             tail of the service logs
#   scripts/services.sh psql [args]                   psql as postgres over TCP
#   scripts/services.sh mariadb [args]                mariadb client as root over TCP
#   scripts/services.sh kafka <cmd> [args]            small Kafka client (scripts/kafka/KafkaCli.java):
#                                                     ping | list | create T [N] | describe T | delete T |
#                                                     produce T VALUE [KEY] | consume T [MAX] [TIMEOUT_MS]
#
# Settings (environment):
#   FERRIUM_SERVICES_DIR           data root                       (<repo>/.services)
#   FERRIUM_PG_PORT                PostgreSQL port                 (5432)
#   FERRIUM_MARIADB_PORT           MariaDB port                    (3306)
#   FERRIUM_KAFKA_PORT             Kafka broker (PLAINTEXT) port   (9092)
#   FERRIUM_KAFKA_CONTROLLER_PORT  Kafka KRaft controller port     (9093)
#   FERRIUM_KAFKA_SASL_PORT        Kafka SASL_SSL port (SCRAM)     (9094)
#   FERRIUM_KAFKA_PROXY_PORT       Kafka through toxiproxy         (9095)
#   FERRIUM_KAFKA_PROXIED_PORT     the broker listener behind it   (9096)
#   FERRIUM_KAFKA_HEAP_OPTS        broker JVM heap                 (-Xms256m -Xmx768m)
#   FERRIUM_REGISTRY_PORT          schema registry HTTP port       (8081)
#   FERRIUM_REGISTRY_MANAGEMENT_PORT  registry health/metrics port (9000)
#   FERRIUM_REGISTRY_HEAP_OPTS     registry JVM heap               (-Xms128m -Xmx512m)
#   FERRIUM_REGISTRY_TLS_PORT      the registry over https with basic auth (8443)
#   FERRIUM_REGISTRY_MTLS_PORT     the registry over https with a client certificate (8444)
#   FERRIUM_TOXIPROXY_PORT         toxiproxy's HTTP API port       (8474)
#   FERRIUM_SERVICES_TIMEOUT       seconds to wait for each service to be ready / to stop (120)
#
# Connection facts: PostgreSQL user `postgres`, trust auth, replication allowed, wal_level=logical,
# ssl=on with a certificate from a test CA made here ($FERRIUM_SERVICES_DIR/tls/ca.crt, exported as
# FERRIUM_PG_SSLROOTCERT and FERRIUM_CA_CERT), the role ferrium_tls (password ferrium_tls) over TLS
# only, and ferrium_tls_cert by client certificate (tls/ferrium_tls_cert.{crt,key}) over TLS only
# (MariaDB has the same certificate and users; tls/*.p12 are PKCS12 copies, password ferrium-store);
# MariaDB user `root` with an empty password, binlog ROW/FULL with GTIDs; Kafka at 127.0.0.1:9092,
# single KRaft node (broker+controller), auto topic creation on, internal topics with RF 1, and a
# SASL_SSL listener at 127.0.0.1:9094 (SCRAM-SHA-512 user ferrium, password ferrium-secret; TLS from
# the test CA; exported as FERRIUM_KAFKA_SASL_BOOTSTRAP, _USER and _PASSWORD); the schema
# registry's Confluent API at http://127.0.0.1:8081/apis/ccompat/v7 (Apicurio: global compatibility
# defaults to NONE, not Confluent's BACKWARD), and the same registry behind nginx as secured
# registries are run: https://127.0.0.1:8443/apis/ccompat/v7 with basic auth (user ferrium-registry,
# password registry-secret; FERRIUM_SCHEMA_REGISTRY_TLS_URL, _USER, _PASSWORD) and
# https://127.0.0.1:8444/apis/ccompat/v7 with a client certificate from the test CA
# (FERRIUM_SCHEMA_REGISTRY_MTLS_URL), both with the test CA's server certificate. The registry needs
# Java 21+, found under /usr/lib/jvm/ when the default java is older. Shopify's toxiproxy (built
# with Go from the Go module proxy; Go's module cache stays in ~/go) puts network faults between
# Ferrium and a server: its API at http://127.0.0.1:8474 (FERRIUM_TOXIPROXY_URL), where tests make
# their own proxies, and one proxy made here, `kafka`, at 127.0.0.1:9095 (FERRIUM_KAFKA_PROXY_BOOTSTRAP)
# in front of a broker listener that advertises that address, so every connection a Kafka client
# makes after bootstrap goes through the proxy too.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SERVICES_DIR=${FERRIUM_SERVICES_DIR:-$REPO_ROOT/.services}
PG_PORT=${FERRIUM_PG_PORT:-5432}
MARIADB_PORT=${FERRIUM_MARIADB_PORT:-3306}
KAFKA_PORT=${FERRIUM_KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${FERRIUM_KAFKA_CONTROLLER_PORT:-9093}
KAFKA_SASL_PORT=${FERRIUM_KAFKA_SASL_PORT:-9094}
KAFKA_PROXY_PORT=${FERRIUM_KAFKA_PROXY_PORT:-9095}
KAFKA_PROXIED_PORT=${FERRIUM_KAFKA_PROXIED_PORT:-9096}
# The SCRAM-SHA-512 user of the broker's SASL_SSL listener.
KAFKA_SCRAM_USER=ferrium
KAFKA_SCRAM_PASSWORD=ferrium-secret
KAFKA_HEAP_OPTS=${FERRIUM_KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}
REGISTRY_PORT=${FERRIUM_REGISTRY_PORT:-8081}
REGISTRY_MANAGEMENT_PORT=${FERRIUM_REGISTRY_MANAGEMENT_PORT:-9000}
REGISTRY_HEAP_OPTS=${FERRIUM_REGISTRY_HEAP_OPTS:--Xms128m -Xmx512m}
REGISTRY_TLS_PORT=${FERRIUM_REGISTRY_TLS_PORT:-8443}
REGISTRY_MTLS_PORT=${FERRIUM_REGISTRY_MTLS_PORT:-8444}
# The basic-auth user of the registry's https gateway.
REGISTRY_USER=ferrium-registry
REGISTRY_PASSWORD=registry-secret
TOXIPROXY_PORT=${FERRIUM_TOXIPROXY_PORT:-8474}
TIMEOUT=${FERRIUM_SERVICES_TIMEOUT:-120}
ALL_SERVICES=(postgres mariadb kafka registry toxiproxy)

PG_DIR=$SERVICES_DIR/postgres          # owned by postgres
PG_DATA=$PG_DIR/data
PG_LOG=$PG_DIR/postgres.log
MARIADB_DIR=$SERVICES_DIR/mariadb      # owned by mysql
MARIADB_DATA=$MARIADB_DIR/data
MARIADB_LOG=$MARIADB_DIR/mariadb.log
MARIADB_PID=$MARIADB_DIR/mariadbd.pid
KAFKA_DIR=$SERVICES_DIR/kafka          # owned by root
KAFKA_LIB=$KAFKA_DIR/lib
KAFKA_DATA=$KAFKA_DIR/data
KAFKA_LOGS=$KAFKA_DIR/logs
KAFKA_PID=$KAFKA_DIR/kafka.pid
KAFKA_POM=$REPO_ROOT/scripts/kafka/pom.xml
KAFKA_CLI_SRC=$REPO_ROOT/scripts/kafka/KafkaCli.java
MAVEN_DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1
TLS_DIR=$SERVICES_DIR/tls            # the test CA and the certificates it issued (owned by root)
REGISTRY_VERSION=3.3.3                 # Apicurio Registry; 3.x needs Java 21+
REGISTRY_DIR=$SERVICES_DIR/registry    # owned by root
REGISTRY_DIST=$REGISTRY_DIR/dist       # the unpacked distribution (quarkus-run.jar, lib/, app/)
REGISTRY_LOG=$REGISTRY_DIR/registry.log
REGISTRY_PID=$REGISTRY_DIR/registry.pid
GATEWAY_DIR=$REGISTRY_DIR/gateway      # nginx in front of the registry: https, basic auth, client certs
GATEWAY_PID=$GATEWAY_DIR/nginx.pid
GATEWAY_LOG=$GATEWAY_DIR/error.log
TOXIPROXY_VERSION=2.12.0
TOXIPROXY_DIR=$SERVICES_DIR/toxiproxy  # owned by root
TOXIPROXY_BIN=$TOXIPROXY_DIR/bin/toxiproxy-server
TOXIPROXY_LOG=$TOXIPROXY_DIR/toxiproxy.log
TOXIPROXY_PID=$TOXIPROXY_DIR/toxiproxy.pid

# OS packages. Build deps of the Rust workspace (rdkafka's cmake build, openssl, curl, sasl, zlib)
# and the servers/tools this script runs.
BUILD_PACKAGES=(build-essential cmake pkg-config libssl-dev libcurl4-openssl-dev libsasl2-dev zlib1g-dev)
# curl and tar: the registry's readiness check and its distribution; python3-venv: tests/tools' venv;
# nginx-light: the registry's https gateway;
# iptables: the network-fault tests' blackholes (packets dropped, as toxiproxy cannot: see toxiproxy_up).
SERVICE_PACKAGES=(postgresql postgresql-contrib mariadb-server mariadb-client iproute2 procps util-linux
  curl tar python3-venv openssl iptables nginx-light)

# ---------------------------------------------------------------------------------------------------
# helpers

log() { printf '[services] %s\n' "$*" >&2; }
die() { printf '[services] ERROR: %s\n' "$*" >&2; exit 1; }

# die, showing the last lines of a log file first
die_with_log() {
  local file=$1 f; shift
  local files=("$file")
  # the broker's stdout catches what happens before log4j is up (JVM errors, bad classpath)
  [[ $file == "$KAFKA_LOGS/server.log" ]] && files+=("$KAFKA_LOGS/kafkaServer.out")
  for f in "${files[@]}"; do
    [[ -s $f ]] || continue
    printf '[services] ---- last 60 lines of %s ----\n' "$f" >&2
    tail -n 60 "$f" >&2 || true
    printf '[services] ---- end of %s ----\n' "$f" >&2
  done
  die "$*"
}

need_root() { [[ $(id -u) -eq 0 ]] || die "run as root (apt-get, runuser and chown need it)"; }

# true when PID is a live (non-zombie) process whose command line matches the regex
pid_alive() {
  local pid=$1 pattern=${2:-}
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]] || return 1
  [[ -z $pattern ]] || tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -Eq -- "$pattern"
}

pid_cmd() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | cut -c1-160 || true; }

port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# PID of the process listening on a TCP port, if ss can tell
port_pid() {
  ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2 || true
}

# Refuse to start on a port some other process holds: two servers must never share a data dir or port.
ensure_port_free() {
  local port=$1 what=$2 var=$3 pid
  if port_open "$port"; then
    pid=$(port_pid "$port")
    die "$what: port $port is already in use${pid:+ by PID $pid ($(pid_cmd "$pid"))}; stop it or set $var"
  fi
}

# Stop a process: send SIGNAL, wait up to TIMEOUT seconds, SIGKILL as a last resort.
stop_pid() {
  local name=$1 pid=$2 signal=$3 i
  pid_alive "$pid" || return 0
  log "$name: stopping PID $pid (SIG$signal)"
  kill -s "$signal" "$pid" 2>/dev/null || true
  for ((i = 0; i < TIMEOUT * 5; i++)); do
    pid_alive "$pid" || { log "$name: stopped"; return 0; }
    sleep 0.2
  done
  log "$name: PID $pid still alive after ${TIMEOUT}s, sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do pid_alive "$pid" || return 0; sleep 0.2; done
  die "$name: could not kill PID $pid"
}

# Poll CHECK (a command) until it succeeds; fail with the log tail when PID dies or time runs out.
wait_ready() {
  local name=$1 logfile=$2 pidfn=$3; shift 3
  local deadline=$((SECONDS + TIMEOUT)) pid
  until "$@" >/dev/null 2>&1; do
    pid=$($pidfn)
    if [[ -z $pid ]] || ! pid_alive "$pid"; then
      die_with_log "$logfile" "$name: the server process exited during start-up (see the log above)"
    fi
    ((SECONDS < deadline)) || die_with_log "$logfile" "$name: not ready after ${TIMEOUT}s (see the log above)"
    sleep 0.5
  done
}

# Make every ancestor of DIR searchable (o+x) so the postgres/mysql users can reach their data dirs.
ensure_traversable() {
  local dir=$1 path="" part parts
  IFS=/ read -ra parts <<<"${dir#/}"
  for part in "${parts[@]}"; do
    path=$path/$part
    if [[ -d $path ]] && ! runuser -u nobody -- test -x "$path" 2>/dev/null; then
      log "making $path searchable by other users (chmod o+x) so postgres/mysql can reach their data"
      chmod o+x "$path"
    fi
  done
}

# Run a command as another user from a neutral cwd, without our lock fd.
as_user() { local user=$1; shift; (cd / && runuser -u "$user" -- "$@" 9>&-); }

# Unix sockets have a ~107 byte path limit; fall back to a short dir under /tmp for a deep repo path.
socket_dir() {
  local preferred=$1 tag=$2
  if ((${#preferred} < 80)); then
    echo "$preferred"
  else
    echo "/tmp/ferrium-$tag-$(printf '%s' "$SERVICES_DIR" | md5sum | cut -c1-8)"
  fi
}

lock_services_dir() {
  mkdir -p "$SERVICES_DIR"
  chmod 755 "$SERVICES_DIR"
  exec 9>"$SERVICES_DIR/.lock"
  flock -w 900 9 || die "another services.sh holds $SERVICES_DIR/.lock"
}

# ---------------------------------------------------------------------------------------------------
# OS packages

pkg_installed() { [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]; }

# The major version of a java binary (default: the one on PATH), 0 when it cannot tell.
java_major() {
  local v
  v=$("${1:-java}" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' || true)
  [[ $v =~ ^[0-9]+$ ]] || v=0
  echo "$v"
}

# Install apt packages without letting their postinst start Debian's own services (they would grab
# ports 5432/3306): a policy-rc.d that says "no" (exit 101) is in place during the install.
apt_install() {
  local created=0 rc=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    created=1
  fi
  log "apt-get update"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq || rc=$?
  if ((rc == 0)); then
    log "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0 install -y -qq \
      --no-install-recommends "$@" 9>&- || rc=$?
  fi
  ((created)) && rm -f /usr/sbin/policy-rc.d
  ((rc == 0)) || die "apt-get failed (exit $rc) installing: $*"
}

cmd_deps() {
  need_root
  local missing=() p
  for p in "${BUILD_PACKAGES[@]}" "${SERVICE_PACKAGES[@]}"; do
    pkg_installed "$p" || missing+=("$p")
  done
  # Java 17+ with javac (Kafka 4.x needs 17) and Maven: often preinstalled outside apt (e.g. Temurin).
  if ! command -v javac >/dev/null || (($(java_major) < 17)); then
    pkg_installed openjdk-17-jdk-headless || missing+=(openjdk-17-jdk-headless)
  fi
  command -v mvn >/dev/null || missing+=(maven)
  # The registry needs Java 21+. Debian 12 has no such package (registry_java then says what to do);
  # newer releases do.
  if ! (registry_java >/dev/null 2>&1) && [[ -n $(apt-cache madison openjdk-21-jre-headless 2>/dev/null) ]]; then
    pkg_installed openjdk-21-jre-headless || missing+=(openjdk-21-jre-headless)
  fi
  if ((${#missing[@]})); then
    apt_install "${missing[@]}"
    stop_debian_mariadb
  else
    log "deps: all OS packages present"
  fi
}

# Kafka needs Java 17+; prefer the default java, else Debian's 17.
setup_java() {
  if (($(java_major) < 17)); then
    local j
    for j in /usr/lib/jvm/java-1[7-9]-openjdk-*/bin /usr/lib/jvm/java-2[0-9]-openjdk-*/bin; do
      [[ -x $j/java ]] && { PATH=$j:$PATH; break; }
    done
  fi
  (($(java_major) >= 17)) || die "kafka: Java 17 or newer is needed (found: $(java -version 2>&1 | head -n1))"
  command -v javac >/dev/null || die "kafka: javac not found (install openjdk-17-jdk-headless)"
}

# ---------------------------------------------------------------------------------------------------
# PostgreSQL

# ---------------------------------------------------------------------------------------------------
# TLS: one test CA for every service, made once per services dir

# Issues $TLS_DIR/<name>.{crt,key} from the test CA with the given subject and x509v3 extensions.
tls_issue() {
  local name=$1 subject=$2 ext=$3
  openssl req -new -newkey rsa:2048 -nodes -keyout "$TLS_DIR/$name.key" -subj "$subject" \
    -out "$TLS_DIR/$name.csr" 2>/dev/null &&
    printf '%b\n' "$ext" >"$TLS_DIR/$name.ext" &&
    openssl x509 -req -in "$TLS_DIR/$name.csr" -CA "$TLS_DIR/ca.crt" -CAkey "$TLS_DIR/ca.key" \
      -CAcreateserial -days 3650 -sha256 -extfile "$TLS_DIR/$name.ext" -out "$TLS_DIR/$name.crt" 2>/dev/null &&
    rm -f "$TLS_DIR/$name.csr" "$TLS_DIR/$name.ext"
}

# ca.crt signs server.crt (DNS:localhost and IP:127.0.0.1, for every server) and a client
# certificate for the role ferrium_tls_cert; other-ca.crt issued nothing, for the tests that must
# see a wrong CA refused.
tls_ensure() {
  [[ -f $TLS_DIR/ca.crt && -f $TLS_DIR/server.crt && -f $TLS_DIR/ferrium_tls_cert.crt && -f $TLS_DIR/other-ca.crt &&
    -f $TLS_DIR/ferrium_tls_cert.p12 ]] && return 0
  log "tls: creating the test CA and its certificates in $TLS_DIR"
  rm -rf "$TLS_DIR"
  mkdir -p "$TLS_DIR"
  openssl req -x509 -new -newkey rsa:2048 -nodes -days 3650 -sha256 -subj "/CN=Ferrium test CA" \
    -keyout "$TLS_DIR/ca.key" -out "$TLS_DIR/ca.crt" 2>/dev/null || die "tls: openssl could not create the CA"
  openssl req -x509 -new -newkey rsa:2048 -nodes -days 3650 -sha256 -subj "/CN=Untrusted test CA" \
    -keyout "$TLS_DIR/other-ca.key" -out "$TLS_DIR/other-ca.crt" 2>/dev/null || die "tls: openssl could not create the second CA"
  tls_issue server "/CN=localhost" "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth" ||
    die "tls: openssl could not issue the server certificate"
  tls_issue ferrium_tls_cert "/CN=ferrium_tls_cert" "extendedKeyUsage=clientAuth" ||
    die "tls: openssl could not issue the client certificate"
  # The same CA and client identity as Java stores (PKCS12, password ferrium-store), the form
  # Debezium's database.ssl.truststore and database.ssl.keystore take.
  openssl pkcs12 -export -nokeys -in "$TLS_DIR/ca.crt" -passout pass:ferrium-store \
    -out "$TLS_DIR/truststore.p12" 2>/dev/null &&
    openssl pkcs12 -export -in "$TLS_DIR/ferrium_tls_cert.crt" -inkey "$TLS_DIR/ferrium_tls_cert.key" \
      -certfile "$TLS_DIR/ca.crt" -name ferrium_tls_cert -passout pass:ferrium-store \
      -out "$TLS_DIR/ferrium_tls_cert.p12" 2>/dev/null || die "tls: openssl could not write the PKCS12 stores"
  chmod 755 "$TLS_DIR"
  chmod 644 "$TLS_DIR"/*.crt
  chmod 600 "$TLS_DIR"/*.key "$TLS_DIR"/*.p12
}

pg_bindir() {
  local d
  d=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n1)
  [[ -n $d && -x $d/postgres ]] || die "postgres: no server found in /usr/lib/postgresql/*/bin (run: $0 deps)"
  echo "$d"
}

pg_pid() {
  [[ -f $PG_DATA/postmaster.pid ]] || return 0
  local pid
  pid=$(head -n1 "$PG_DATA/postmaster.pid" 2>/dev/null || true)
  if pid_alive "$pid" postgres; then echo "$pid"; fi
}

# After a crash or kill -9 the old postmaster can linger a moment as a zombie; postgres then refuses
# to start ("lock file ... already exists"). Wait for it to vanish, then drop the stale pid file.
pg_wait_old_postmaster_gone() {
  [[ -f $PG_DATA/postmaster.pid ]] || return 0
  local pid i
  pid=$(head -n1 "$PG_DATA/postmaster.pid" 2>/dev/null || true)
  if [[ $pid =~ ^[0-9]+$ ]]; then
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  fi
  rm -f "$PG_DATA/postmaster.pid"
}

pg_query_ok() { psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -Atqc 'SELECT 1' | grep -qx 1; }

# Debian's postinst creates (and on systemd hosts starts) a cluster on 5432. If one uses our port,
# stop it and make it manual-start so it never takes the port again.
pg_disable_debian_clusters() {
  command -v pg_lsclusters >/dev/null || return 0
  local ver name port status rest
  while read -r ver name port status rest; do
    [[ $port == "$PG_PORT" ]] || continue
    if [[ $status == online* ]]; then
      log "postgres: stopping Debian's cluster $ver/$name, it holds port $PG_PORT"
      pg_ctlcluster "$ver" "$name" stop -m fast 9>&- || true
    fi
    if [[ -f /etc/postgresql/$ver/$name/start.conf ]] && ! grep -qx manual "/etc/postgresql/$ver/$name/start.conf"; then
      log "postgres: setting Debian's cluster $ver/$name to start manually (start.conf)"
      echo manual >"/etc/postgresql/$ver/$name/start.conf"
    fi
  done < <(pg_lsclusters --no-header 2>/dev/null || true)
}

pg_write_config() {
  local sockdir=$1
  cat >"$PG_DATA/ferrium.conf" <<EOF
# Written by scripts/services.sh on every start; edits here are overwritten.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$sockdir'
max_connections = 200
wal_level = logical
max_wal_senders = 20
max_replication_slots = 20
wal_sender_timeout = 60s
fsync = off
ssl = on
ssl_cert_file = '$PG_DIR/tls/server.crt'
ssl_key_file = '$PG_DIR/tls/server.key'
ssl_ca_file = '$PG_DIR/tls/ca.crt'
EOF
  cat >"$PG_DATA/pg_hba.conf" <<'EOF'
# Written by scripts/services.sh: trust for everything local (test-only server on loopback),
# except the role ferrium_auth_test, which must give its password (the wrong-password test), and
# the TLS roles: ferrium_tls (its password, over TLS only) and ferrium_tls_cert (a client
# certificate from the test CA whose CN is the role), each with an explicit reject after its
# hostssl lines so that no plaintext path lets it in.
host    all          ferrium_auth_test   127.0.0.1/32  scram-sha-256
host    replication  ferrium_auth_test   127.0.0.1/32  scram-sha-256
hostssl all          ferrium_tls         127.0.0.1/32  scram-sha-256
hostssl replication  ferrium_tls         127.0.0.1/32  scram-sha-256
host    all          ferrium_tls         all           reject
host    replication  ferrium_tls         all           reject
hostssl all          ferrium_tls_cert    127.0.0.1/32  cert
hostssl replication  ferrium_tls_cert    127.0.0.1/32  cert
host    all          ferrium_tls_cert    all           reject
host    replication  ferrium_tls_cert    all           reject
local   all          all                 trust
host    all          all   127.0.0.1/32  trust
host    all          all   ::1/128       trust
local   replication  all                 trust
host    replication  all   127.0.0.1/32  trust
host    replication  all   ::1/128       trust
EOF
  # PostgreSQL refuses a key others can read, so it gets its own copies.
  mkdir -p "$PG_DIR/tls"
  cp "$TLS_DIR/ca.crt" "$TLS_DIR/server.crt" "$TLS_DIR/server.key" "$PG_DIR/tls/"
  chown -R postgres:postgres "$PG_DIR/tls"
  chmod 600 "$PG_DIR/tls/server.key"
  chown postgres:postgres "$PG_DATA/ferrium.conf" "$PG_DATA/pg_hba.conf"
  grep -q "^include_if_exists = 'ferrium.conf'" "$PG_DATA/postgresql.conf" ||
    echo "include_if_exists = 'ferrium.conf'" >>"$PG_DATA/postgresql.conf"
}

pg_up() {
  local bin sockdir
  bin=$(pg_bindir)
  if [[ -n $(pg_pid) ]]; then
    log "postgres: already running (PID $(pg_pid))"
  else
    id postgres >/dev/null 2>&1 || die "postgres: user 'postgres' missing (run: $0 deps)"
    [[ -f /usr/share/postgresql/$(basename "$(dirname "$bin")")/extension/hstore.control ]] ||
      log "postgres: warning: hstore extension not found (package postgresql-contrib)"
    pg_disable_debian_clusters
    ensure_port_free "$PG_PORT" postgres FERRIUM_PG_PORT
    ensure_traversable "$SERVICES_DIR"
    sockdir=$(socket_dir "$PG_DIR/run" pg)
    mkdir -p "$PG_DIR" "$sockdir"
    chown postgres:postgres "$PG_DIR" "$sockdir"
    chmod 755 "$PG_DIR" "$sockdir"
    if [[ ! -f $PG_DATA/PG_VERSION ]]; then
      log "postgres: initdb $PG_DATA"
      rm -rf "$PG_DATA"
      as_user postgres "$bin/initdb" -D "$PG_DATA" -A trust -U postgres -E UTF8 --locale=C.UTF-8 \
        >"$PG_DIR/initdb.log" 2>&1 || die_with_log "$PG_DIR/initdb.log" "postgres: initdb failed"
    fi
    pg_write_config "$sockdir"
    pg_wait_old_postmaster_gone
    log "postgres: starting on 127.0.0.1:$PG_PORT"
    if ! as_user postgres "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$TIMEOUT" start >"$PG_DIR/pg_ctl.log" 2>&1; then
      cat "$PG_DIR/pg_ctl.log" >&2
      die_with_log "$PG_LOG" "postgres: pg_ctl start failed (see the output above)"
    fi
  fi
  wait_ready postgres "$PG_LOG" pg_pid pg_query_ok
  pg_setup_tls_roles
  log "postgres: ready at 127.0.0.1:$PG_PORT ($(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -Atqc 'SHOW server_version'), wal_level=$(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -Atqc 'SHOW wal_level'))"
}

# Fast shutdown (SIGINT): ends sessions and replication connections; SIGTERM ("smart") would wait for them.
pg_down() { stop_pid postgres "$(pg_pid)" INT; }

# The TLS test roles: ferrium_tls reaches the server only over TLS with its password, and
# ferrium_tls_cert only with a client certificate (pg_hba.conf); pg_read_all_data lets them read
# every test database, REPLICATION open a slot.
pg_setup_tls_roles() {
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -Atq >/dev/null <<'EOF' ||
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ferrium_tls') THEN
    CREATE ROLE ferrium_tls LOGIN REPLICATION PASSWORD 'ferrium_tls';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ferrium_tls_cert') THEN
    CREATE ROLE ferrium_tls_cert LOGIN REPLICATION;
  END IF;
END $$;
GRANT pg_read_all_data TO ferrium_tls, ferrium_tls_cert;
EOF
    die "postgres: could not create the TLS test roles"
}

# ---------------------------------------------------------------------------------------------------
# MariaDB

mariadb_pid() {
  [[ -f $MARIADB_PID ]] || return 0
  local pid
  pid=$(cat "$MARIADB_PID" 2>/dev/null || true)
  if pid_alive "$pid" 'mariadbd|mysqld'; then echo "$pid"; fi
}

mariadb_socket() { echo "$(socket_dir "$MARIADB_DIR/run" mariadb)/mariadbd.sock"; }

mariadb_socket_ok() { mariadb-admin --no-defaults --socket="$(mariadb_socket)" -uroot --connect-timeout=2 ping; }

mariadb_tcp_ok() {
  mariadb --no-defaults --protocol=TCP -h 127.0.0.1 -P "$MARIADB_PORT" -uroot --connect-timeout=2 -Nse 'SELECT 1' | grep -qx 1
}

# Debian's own mariadb service (datadir /var/lib/mysql) binds 3306 if its postinst started it.
stop_debian_mariadb() {
  local pid
  pid=$(cat /run/mysqld/mysqld.pid 2>/dev/null || true)
  if pid_alive "$pid" 'mariadbd|mysqld'; then
    log "mariadb: stopping Debian's mariadb service (PID $pid)"
    stop_pid "debian-mariadb" "$pid" TERM
  fi
  if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null; then
    systemctl disable --now mariadb.service >/dev/null 2>&1 || true
  fi
}

mariadb_start_process() {
  local sock=$1
  setsid mariadbd --no-defaults \
    --user=mysql \
    --datadir="$MARIADB_DATA" \
    --socket="$sock" \
    --port="$MARIADB_PORT" \
    --bind-address=127.0.0.1 \
    --skip-name-resolve \
    --pid-file="$MARIADB_PID" \
    --log-error="$MARIADB_LOG" \
    --character-set-server=utf8mb4 \
    --collation-server=utf8mb4_general_ci \
    --max-connections=200 \
    --server-id=1 \
    --log-bin="$MARIADB_DATA/binlog" \
    --binlog-format=ROW \
    --binlog-row-image=FULL \
    --binlog-row-metadata=FULL \
    --gtid-strict-mode=1 \
    --log-slave-updates \
    --ssl-ca="$MARIADB_DIR/tls/ca.crt" \
    --ssl-cert="$MARIADB_DIR/tls/server.crt" \
    --ssl-key="$MARIADB_DIR/tls/server.key" \
    >>"$MARIADB_DIR/mariadbd.out" 2>&1 </dev/null 9>&- &
}

# root with an empty password over TCP from 127.0.0.1 (and ::1, %); done once, over the socket.
mariadb_setup_root() {
  local marker=$MARIADB_DIR/.root-over-tcp-done
  [[ -f $marker ]] && return 0
  log "mariadb: allowing root with an empty password over TCP"
  mariadb --no-defaults --socket="$(mariadb_socket)" -uroot <<'SQL' || die_with_log "$MARIADB_LOG" "mariadb: could not set up root over TCP"
CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
CREATE USER IF NOT EXISTS 'root'@'::1' IDENTIFIED BY '';
CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY '';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO 'root'@'::1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;
FLUSH PRIVILEGES;
SQL
  touch "$marker"
}

# The TLS test users: ferrium_tls (password ferrium_tls) only over TLS, ferrium_tls_cert only with
# the test CA's client certificate; both with the rights Debezium's MySQL connector needs.
mariadb_setup_tls_users() {
  mariadb --no-defaults --socket="$(mariadb_socket)" -uroot <<'SQL' || die_with_log "$MARIADB_LOG" "mariadb: could not create the TLS test users"
CREATE USER IF NOT EXISTS 'ferrium_tls'@'%' IDENTIFIED BY 'ferrium_tls' REQUIRE SSL;
CREATE USER IF NOT EXISTS 'ferrium_tls_cert'@'%' REQUIRE SUBJECT '/CN=ferrium_tls_cert';
GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'ferrium_tls'@'%';
GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'ferrium_tls_cert'@'%';
SQL
}

mariadb_up() {
  local sock
  if [[ -n $(mariadb_pid) ]]; then
    log "mariadb: already running (PID $(mariadb_pid))"
  else
    command -v mariadbd >/dev/null || die "mariadb: mariadbd not found (run: $0 deps)"
    id mysql >/dev/null 2>&1 || die "mariadb: user 'mysql' missing (run: $0 deps)"
    stop_debian_mariadb
    ensure_port_free "$MARIADB_PORT" mariadb FERRIUM_MARIADB_PORT
    ensure_traversable "$SERVICES_DIR"
    sock=$(mariadb_socket)
    mkdir -p "$MARIADB_DIR" "$(dirname "$sock")" "$MARIADB_DIR/tls"
    chown mysql:mysql "$MARIADB_DIR" "$(dirname "$sock")"
    # mariadbd reads its key as the mysql user.
    cp "$TLS_DIR/ca.crt" "$TLS_DIR/server.crt" "$TLS_DIR/server.key" "$MARIADB_DIR/tls/"
    chown -R mysql:mysql "$MARIADB_DIR/tls"
    chmod 600 "$MARIADB_DIR/tls/server.key"
    chmod 755 "$MARIADB_DIR" "$(dirname "$sock")"
    if [[ ! -d $MARIADB_DATA/mysql ]]; then
      log "mariadb: mariadb-install-db $MARIADB_DATA"
      rm -rf "$MARIADB_DATA" "$MARIADB_DIR/.root-over-tcp-done"
      (cd / && mariadb-install-db --no-defaults --user=mysql --datadir="$MARIADB_DATA" \
        --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve 9>&-) \
        >"$MARIADB_DIR/install-db.log" 2>&1 ||
        die_with_log "$MARIADB_DIR/install-db.log" "mariadb: mariadb-install-db failed"
    fi
    rm -f "$MARIADB_PID" "$sock"
    log "mariadb: starting on 127.0.0.1:$MARIADB_PORT"
    mariadb_start_process "$sock"
    # the pid file appears a moment after the start; until then use the launched PID
    local launched=$! deadline=$((SECONDS + 30))
    until [[ -s $MARIADB_PID ]] || ! pid_alive "$launched" || ((SECONDS > deadline)); do sleep 0.2; done
    [[ -s $MARIADB_PID ]] || echo "$launched" >"$MARIADB_PID"
  fi
  wait_ready mariadb "$MARIADB_LOG" mariadb_pid mariadb_socket_ok
  mariadb_setup_root
  mariadb_setup_tls_users
  wait_ready mariadb "$MARIADB_LOG" mariadb_pid mariadb_tcp_ok
  log "mariadb: ready at 127.0.0.1:$MARIADB_PORT ($(mariadb --no-defaults --protocol=TCP -h 127.0.0.1 -P "$MARIADB_PORT" -uroot -Nse 'SELECT CONCAT(VERSION(), ", binlog_format=", @@binlog_format)'))"
}

mariadb_down() { stop_pid mariadb "$(mariadb_pid)" TERM; }

# ---------------------------------------------------------------------------------------------------
# Kafka (single KRaft node: broker + controller, official jars from Maven Central)

kafka_version() { sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$KAFKA_POM" | head -n1; }

kafka_pid() {
  [[ -f $KAFKA_PID ]] || return 0
  local pid
  pid=$(cat "$KAFKA_PID" 2>/dev/null || true)
  if pid_alive "$pid" 'kafka\.Kafka'; then echo "$pid"; fi
}

# Fetch the broker's jars with Maven into $KAFKA_LIB (again only when scripts/kafka/pom.xml changes).
kafka_fetch_jars() {
  local stamp want tmp
  want=$(sha256sum "$KAFKA_POM" | cut -d' ' -f1)
  stamp=$KAFKA_LIB/.pom.sha256
  if [[ -f $stamp && $(cat "$stamp") == "$want" ]] && compgen -G "$KAFKA_LIB/kafka_2.13-*.jar" >/dev/null; then
    return 0
  fi
  command -v mvn >/dev/null || die "kafka: mvn not found (run: $0 deps)"
  log "kafka: fetching Kafka $(kafka_version) jars with Maven (first time only)"
  mkdir -p "$KAFKA_LOGS"
  tmp=$KAFKA_DIR/lib.tmp
  rm -rf "$tmp"
  (cd "$(dirname "$KAFKA_POM")" && mvn -B -q -f "$KAFKA_POM" "$MAVEN_DEPENDENCY_PLUGIN:copy-dependencies" \
    -DoutputDirectory="$tmp" -DincludeScope=runtime 9>&-) >"$KAFKA_LOGS/mvn.log" 2>&1 ||
    die_with_log "$KAFKA_LOGS/mvn.log" "kafka: Maven could not fetch the jars for $KAFKA_POM"
  compgen -G "$tmp/kafka_2.13-*.jar" >/dev/null || die "kafka: Maven ran but no kafka_2.13 jar arrived in $tmp"
  rm -rf "$KAFKA_LIB" "$KAFKA_DIR/cli"
  mv "$tmp" "$KAFKA_LIB"
  echo "$want" >"$stamp"
  log "kafka: $(find "$KAFKA_LIB" -name '*.jar' | wc -l) jars in $KAFKA_LIB"
}

# Compile scripts/kafka/KafkaCli.java once (it only needs kafka-clients from $KAFKA_LIB).
kafka_build_cli() {
  local want
  want=$(sha256sum "$KAFKA_CLI_SRC" | cut -d' ' -f1)
  [[ -f $KAFKA_DIR/cli/KafkaCli.class && $(cat "$KAFKA_DIR/cli/.src.sha256" 2>/dev/null) == "$want" ]] && return 0
  rm -rf "$KAFKA_DIR/cli"
  mkdir -p "$KAFKA_DIR/cli"
  javac -nowarn -cp "$KAFKA_LIB/*" -d "$KAFKA_DIR/cli" "$KAFKA_CLI_SRC" >"$KAFKA_LOGS/javac.log" 2>&1 ||
    die_with_log "$KAFKA_LOGS/javac.log" "kafka: could not compile $KAFKA_CLI_SRC"
  echo "$want" >"$KAFKA_DIR/cli/.src.sha256"
}

kafka_cli() {
  java -Xmx256m -Dlog4j2.configurationFile="$KAFKA_DIR/config/tools-log4j2.properties" \
    -cp "$KAFKA_DIR/cli:$KAFKA_LIB/*" KafkaCli "127.0.0.1:$KAFKA_PORT" "$@" 9>&-
}

kafka_write_config() {
  mkdir -p "$KAFKA_DIR/config"
  # Static quorum (controller.quorum.voters) rather than `format --standalone`: the voter endpoint then
  # comes from this file on every start, so changing FERRIUM_KAFKA_CONTROLLER_PORT needs no re-format.
  cat >"$KAFKA_DIR/config/server.properties" <<EOF
# Written by scripts/services.sh on every start; edits here are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
# PROXIED listens behind toxiproxy's kafka proxy and advertises the proxy's address.
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT,SASL_SSL://127.0.0.1:$KAFKA_SASL_PORT,PROXIED://127.0.0.1:$KAFKA_PROXIED_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,SASL_SSL://127.0.0.1:$KAFKA_SASL_PORT,PROXIED://127.0.0.1:$KAFKA_PROXY_PORT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,PROXIED:PLAINTEXT
# SASL_SSL: SCRAM-SHA-512 users, TLS with the test CA's server certificate.
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.ssl.keystore.type=PKCS12
listener.name.sasl_ssl.ssl.keystore.location=$KAFKA_DIR/tls/server.p12
listener.name.sasl_ssl.ssl.keystore.password=ferrium-store
log.dirs=$KAFKA_DATA
num.partitions=1
auto.create.topics.enable=true
# single node: internal topics with RF 1 / min ISR 1, one partition each
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
  # shutdownHook=disable: otherwise log4j2 stops logging while Kafka's own shutdown hook still runs.
  cat >"$KAFKA_DIR/config/log4j2.properties" <<'EOF'
status = warn
name = ferrium-kafka
shutdownHook = disable
appender.file.type = RollingFile
appender.file.name = FILE
appender.file.fileName = ${sys:kafka.logs.dir}/server.log
appender.file.filePattern = ${sys:kafka.logs.dir}/server.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 50MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.reqch.name = kafka.network.RequestChannel$
logger.reqch.level = WARN
EOF
  cat >"$KAFKA_DIR/config/tools-log4j2.properties" <<'EOF'
status = warn
appender.stderr.type = Console
appender.stderr.name = STDERR
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.stderr.ref = STDERR
EOF
}

# Format the storage once. The cluster id is kept beside the data ($KAFKA_DIR/cluster.id) and in
# data/meta.properties; a restart never re-formats, so topics and offsets survive.
kafka_format_once() {
  local cid tools_log=(-Dlog4j2.configurationFile="$KAFKA_DIR/config/tools-log4j2.properties")
  if [[ -f $KAFKA_DATA/meta.properties ]]; then
    cid=$(sed -n 's/^cluster.id=//p' "$KAFKA_DATA/meta.properties")
    [[ -f $KAFKA_DIR/cluster.id ]] || echo "$cid" >"$KAFKA_DIR/cluster.id"
    return 0
  fi
  if [[ -d $KAFKA_DATA ]] && [[ -n $(ls -A "$KAFKA_DATA") ]]; then
    log "kafka: $KAFKA_DATA has no meta.properties (interrupted format?); wiping it"
    rm -rf "$KAFKA_DATA"
  fi
  if [[ -s $KAFKA_DIR/cluster.id ]]; then
    cid=$(cat "$KAFKA_DIR/cluster.id")
  else
    cid=$(java -Xmx256m "${tools_log[@]}" -cp "$KAFKA_LIB/*" kafka.tools.StorageTool random-uuid 9>&-) ||
      die "kafka: StorageTool random-uuid failed"
    echo "$cid" >"$KAFKA_DIR/cluster.id"
  fi
  log "kafka: formatting $KAFKA_DATA (cluster id $cid)"
  java -Xmx256m "${tools_log[@]}" -cp "$KAFKA_LIB/*" kafka.tools.StorageTool format \
    -t "$cid" -c "$KAFKA_DIR/config/server.properties" >"$KAFKA_LOGS/format.log" 2>&1 9>&- ||
    die_with_log "$KAFKA_LOGS/format.log" "kafka: StorageTool format failed"
}

kafka_started_in_log() { grep -q 'Kafka Server started' "$KAFKA_LOGS/server.log"; }
kafka_ready() { port_open "$KAFKA_PORT" && kafka_started_in_log && kafka_cli ping; }

# The broker's TLS identity: the test CA's server certificate as a PKCS12 store.
kafka_write_keystore() {
  mkdir -p "$KAFKA_DIR/tls"
  openssl pkcs12 -export -in "$TLS_DIR/server.crt" -inkey "$TLS_DIR/server.key" -certfile "$TLS_DIR/ca.crt" \
    -name localhost -passout pass:ferrium-store -out "$KAFKA_DIR/tls/server.p12" 2>/dev/null ||
    die "kafka: openssl could not write the broker's keystore"
  chmod 600 "$KAFKA_DIR/tls/server.p12"
}

kafka_up() {
  setup_java
  mkdir -p "$KAFKA_DIR" "$KAFKA_LOGS"
  kafka_fetch_jars
  kafka_write_config
  kafka_write_keystore
  kafka_build_cli
  if [[ -n $(kafka_pid) ]]; then
    log "kafka: already running (PID $(kafka_pid))"
  else
    # A second broker on the same data dir is destructive: it writes the metadata log before it
    # notices the ports are taken. So never start while anything holds either port.
    ensure_port_free "$KAFKA_PORT" kafka FERRIUM_KAFKA_PORT
    ensure_port_free "$KAFKA_CONTROLLER_PORT" kafka FERRIUM_KAFKA_CONTROLLER_PORT
    ensure_port_free "$KAFKA_SASL_PORT" kafka FERRIUM_KAFKA_SASL_PORT
    ensure_port_free "$KAFKA_PROXIED_PORT" kafka FERRIUM_KAFKA_PROXIED_PORT
    kafka_format_once
    [[ -f $KAFKA_LOGS/server.log ]] && mv -f "$KAFKA_LOGS/server.log" "$KAFKA_LOGS/server.log.prev"
    log "kafka: starting Kafka $(kafka_version) on 127.0.0.1:$KAFKA_PORT (controller :$KAFKA_CONTROLLER_PORT)"
    # Tests create thousands of partitions, each a few open files (the broker died with "Too many
    # open files" at 20,000 partitions under the default 1024).
    ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)"
    # The inner bash records its own PID (= the JVM's after exec) in kafka.pid.
    # shellcheck disable=SC2086,SC2016 # KAFKA_HEAP_OPTS is a list of JVM flags; $$ is for the inner bash
    setsid bash -c 'echo $$ >"$0"; exec "$@"' "$KAFKA_PID" \
      java $KAFKA_HEAP_OPTS -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
      -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 \
      -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
      -Dkafka.logs.dir="$KAFKA_LOGS" -Dlog4j2.configurationFile="$KAFKA_DIR/config/log4j2.properties" \
      -cp "$KAFKA_LIB/*" kafka.Kafka "$KAFKA_DIR/config/server.properties" \
      >"$KAFKA_LOGS/kafkaServer.out" 2>&1 </dev/null 9>&- &
    local deadline=$((SECONDS + 10))
    until [[ -n $(kafka_pid) ]] || ((SECONDS > deadline)); do sleep 0.1; done
  fi
  wait_ready kafka "$KAFKA_LOGS/server.log" kafka_pid kafka_ready
  kafka_cli scram-user "$KAFKA_SCRAM_USER" "$KAFKA_SCRAM_PASSWORD" >/dev/null ||
    die_with_log "$KAFKA_LOGS/server.log" "kafka: could not create the SCRAM user $KAFKA_SCRAM_USER"
  log "kafka: ready at 127.0.0.1:$KAFKA_PORT, SASL_SSL (SCRAM-SHA-512) at 127.0.0.1:$KAFKA_SASL_PORT ($(kafka_cli ping 2>/dev/null))"
}

kafka_down() { stop_pid kafka "$(kafka_pid)" TERM; }

# ---------------------------------------------------------------------------------------------------
# Schema registry (Apicurio Registry from Maven Central; its Confluent-compatible API is what Kafka
# clients and Ferrium's Avro converter talk to)

registry_url() { echo "http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7"; }

registry_pid() {
  [[ -f $REGISTRY_PID ]] || return 0
  local pid
  pid=$(cat "$REGISTRY_PID" 2>/dev/null || true)
  if pid_alive "$pid" 'quarkus-run\.jar'; then echo "$pid"; fi
}

# Apicurio Registry 3.x is compiled for Java 21. Use the default java when it is new enough, else the
# newest JDK under /usr/lib/jvm/ (images here default to Debian's 17 and carry e.g. a Temurin 25 beside it).
registry_java() {
  local best="" best_major=0 j m
  if command -v java >/dev/null && (($(java_major) >= 21)); then
    command -v java
    return 0
  fi
  for j in /usr/lib/jvm/*/bin/java; do
    [[ -x $j ]] || continue
    m=$(java_major "$j")
    if ((m > best_major)); then best=$j; best_major=$m; fi
  done
  ((best_major >= 21)) || die "registry: Apicurio Registry $REGISTRY_VERSION needs Java 21 or newer, and neither the default java ($(java_major)) nor /usr/lib/jvm/*/bin/java (newest: $best_major) is; install a Java 21+ JDK or JRE under /usr/lib/jvm/ (openjdk-21-jre-headless where apt has it, Debian 13+; else Eclipse Temurin 21 or 25)"
  echo "$best"
}

# Fetch and unpack the distribution into $REGISTRY_DIST (again only when REGISTRY_VERSION changes).
# dependency:copy rather than dependency:get: it puts the tarball where we say, wherever ~/.m2 is.
registry_fetch() {
  [[ -f $REGISTRY_DIST/quarkus-run.jar && $(cat "$REGISTRY_DIST/.version" 2>/dev/null) == "$REGISTRY_VERSION" ]] &&
    return 0
  command -v mvn >/dev/null || die "registry: mvn not found (run: $0 deps)"
  command -v tar >/dev/null || die "registry: tar not found (run: $0 deps)"
  log "registry: fetching Apicurio Registry $REGISTRY_VERSION with Maven (first time only, ~160 MB)"
  local tmp=$REGISTRY_DIR/dist.tmp
  rm -rf "$tmp"
  mkdir -p "$tmp"
  (cd "$REGISTRY_DIR" && mvn -B -q "$MAVEN_DEPENDENCY_PLUGIN:copy" \
    -Dartifact="io.apicurio:apicurio-registry-app:$REGISTRY_VERSION:tar.gz:all" -DoutputDirectory="$tmp" 9>&-) \
    >"$REGISTRY_DIR/mvn.log" 2>&1 ||
    die_with_log "$REGISTRY_DIR/mvn.log" "registry: Maven could not fetch io.apicurio:apicurio-registry-app:$REGISTRY_VERSION"
  local tarball=$tmp/apicurio-registry-app-$REGISTRY_VERSION-all.tar.gz
  [[ -f $tarball ]] || die "registry: Maven ran but $tarball did not arrive"
  tar -xzf "$tarball" -C "$tmp" || die "registry: could not unpack $tarball"
  rm -f "$tarball"
  [[ -f $tmp/quarkus-run.jar ]] || die "registry: no quarkus-run.jar in the Apicurio Registry $REGISTRY_VERSION tarball"
  echo "$REGISTRY_VERSION" >"$tmp/.version"
  rm -rf "$REGISTRY_DIST"
  mv "$tmp" "$REGISTRY_DIST"
}

registry_ready() { curl -sf --max-time 2 "$(registry_url)/subjects"; }

registry_up() {
  local java
  java=$(registry_java)
  mkdir -p "$REGISTRY_DIR"
  registry_fetch
  if [[ -n $(registry_pid) ]]; then
    log "registry: already running (PID $(registry_pid))"
  else
    ensure_port_free "$REGISTRY_PORT" registry FERRIUM_REGISTRY_PORT
    ensure_port_free "$REGISTRY_MANAGEMENT_PORT" registry FERRIUM_REGISTRY_MANAGEMENT_PORT
    [[ -f $REGISTRY_LOG ]] && mv -f "$REGISTRY_LOG" "$REGISTRY_LOG.prev"
    log "registry: starting Apicurio Registry $REGISTRY_VERSION on 127.0.0.1:$REGISTRY_PORT (management :$REGISTRY_MANAGEMENT_PORT, Java $(java_major "$java"))"
    # Storage is named explicitly so that a stray APICURIO_* in the caller's environment cannot point
    # the test registry at a real database: H2 in a file under $REGISTRY_DIR (Apicurio's default is H2
    # in memory), so schemas and their ids survive `restart registry` as a production registry's do,
    # and events written before a restart still decode after it; `down --purge` deletes it. Without
    # QUARKUS_MANAGEMENT_HOST the health port would listen on all interfaces.
    # The inner bash records its own PID (= the JVM's after exec) and runs from the distribution's
    # folder: Quarkus also reads ./config/application.properties, which must be the distribution's
    # (none), not the caller's. Not in a ( ) subshell: that one would linger, holding our lock (fd 9).
    # shellcheck disable=SC2086,SC2016 # REGISTRY_HEAP_OPTS is a list of JVM flags; $$ is for the inner bash
    setsid env \
      QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT="$REGISTRY_PORT" \
      QUARKUS_MANAGEMENT_HOST=127.0.0.1 QUARKUS_MANAGEMENT_PORT="$REGISTRY_MANAGEMENT_PORT" \
      APICURIO_STORAGE_KIND=sql APICURIO_STORAGE_SQL_KIND=h2 APICURIO_DATASOURCE_URL="jdbc:h2:file:$REGISTRY_DIR/data/registry" \
      bash -c 'echo $$ >"$0"; cd "$1" && shift && exec "$@"' "$REGISTRY_PID" "$REGISTRY_DIST" \
      "$java" $REGISTRY_HEAP_OPTS -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
      -Djava.io.tmpdir="$REGISTRY_DIR" -jar quarkus-run.jar \
      >"$REGISTRY_LOG" 2>&1 </dev/null 9>&- &
    local deadline=$((SECONDS + 10))
    until [[ -n $(registry_pid) ]] || ((SECONDS > deadline)); do sleep 0.1; done
  fi
  wait_ready registry "$REGISTRY_LOG" registry_pid registry_ready
  log "registry: ready at $(registry_url)"
  gateway_up
}

registry_down() {
  gateway_down
  stop_pid registry "$(registry_pid)" TERM
}

# The registry's https gateway: nginx with the test CA's server certificate, one port that asks for
# basic auth and one that asks for a client certificate, both proxying to the registry.
gateway_pid() {
  local pid
  pid=$(cat "$GATEWAY_PID" 2>/dev/null || true)
  if pid_alive "$pid" 'nginx'; then echo "$pid"; fi
}

gateway_url() { echo "https://127.0.0.1:$1/apis/ccompat/v7"; }

gateway_ready() {
  curl -sf --max-time 2 --cacert "$TLS_DIR/ca.crt" -u "$REGISTRY_USER:$REGISTRY_PASSWORD" \
    "$(gateway_url "$REGISTRY_TLS_PORT")/subjects" >/dev/null &&
    curl -sf --max-time 2 --cacert "$TLS_DIR/ca.crt" --cert "$TLS_DIR/ferrium_tls_cert.crt" \
      --key "$TLS_DIR/ferrium_tls_cert.key" "$(gateway_url "$REGISTRY_MTLS_PORT")/subjects" >/dev/null
}

gateway_write_config() {
  mkdir -p "$GATEWAY_DIR/tmp"
  chown www-data: "$GATEWAY_DIR/tmp"
  # The workers (www-data) read the password file on each request; the hash is of a test password.
  printf '%s:%s\n' "$REGISTRY_USER" "$(openssl passwd -apr1 "$REGISTRY_PASSWORD")" >"$GATEWAY_DIR/htpasswd"
  chmod 644 "$GATEWAY_DIR/htpasswd"
  cat >"$GATEWAY_DIR/nginx.conf" <<EOF
user www-data;
worker_processes 1;
pid $GATEWAY_PID;
error_log $GATEWAY_LOG warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $GATEWAY_DIR/tmp/body;
  proxy_temp_path $GATEWAY_DIR/tmp/proxy;
  fastcgi_temp_path $GATEWAY_DIR/tmp/fastcgi;
  uwsgi_temp_path $GATEWAY_DIR/tmp/uwsgi;
  scgi_temp_path $GATEWAY_DIR/tmp/scgi;
  ssl_certificate $TLS_DIR/server.crt;
  ssl_certificate_key $TLS_DIR/server.key;
  server {
    listen 127.0.0.1:$REGISTRY_TLS_PORT ssl;
    auth_basic "schema registry";
    auth_basic_user_file $GATEWAY_DIR/htpasswd;
    location / { proxy_pass http://127.0.0.1:$REGISTRY_PORT; proxy_set_header Authorization ""; }
  }
  server {
    listen 127.0.0.1:$REGISTRY_MTLS_PORT ssl;
    ssl_client_certificate $TLS_DIR/ca.crt;
    ssl_verify_client on;
    location / { proxy_pass http://127.0.0.1:$REGISTRY_PORT; }
  }
}
EOF
}

gateway_up() {
  command -v nginx >/dev/null || die "registry: nginx not found (run: $0 deps)"
  mkdir -p "$GATEWAY_DIR"
  if [[ -n $(gateway_pid) ]]; then
    log "registry: https gateway already running (PID $(gateway_pid))"
  else
    ensure_port_free "$REGISTRY_TLS_PORT" registry FERRIUM_REGISTRY_TLS_PORT
    ensure_port_free "$REGISTRY_MTLS_PORT" registry FERRIUM_REGISTRY_MTLS_PORT
    gateway_write_config
    nginx -c "$GATEWAY_DIR/nginx.conf" -e "$GATEWAY_LOG" 9>&- || die_with_log "$GATEWAY_LOG" "registry: nginx did not start"
  fi
  wait_ready "registry gateway" "$GATEWAY_LOG" gateway_pid gateway_ready
  log "registry: https at $(gateway_url "$REGISTRY_TLS_PORT") (basic auth) and $(gateway_url "$REGISTRY_MTLS_PORT") (client certificate)"
}

gateway_down() { stop_pid "registry gateway" "$(gateway_pid)" QUIT; }

# ---------------------------------------------------------------------------------------------------
# toxiproxy (Shopify's TCP fault proxy, built from the Go module proxy)

toxiproxy_pid() {
  [[ -f $TOXIPROXY_PID ]] || return 0
  local pid
  pid=$(cat "$TOXIPROXY_PID" 2>/dev/null || true)
  if pid_alive "$pid" 'toxiproxy-server'; then echo "$pid"; fi
}

# The go binary: on PATH, else Go's usual install folders; Debian's golang-go as the last resort.
toxiproxy_go() {
  local g
  for g in "$(command -v go || true)" /usr/local/go/bin/go /usr/lib/go/bin/go; do
    [[ -n $g && -x $g ]] && { echo "$g"; return 0; }
  done
  apt_install golang-go >&2
  command -v go || die "toxiproxy: no go binary after installing golang-go"
}

# Build toxiproxy-server once per version into $TOXIPROXY_DIR/bin.
toxiproxy_fetch() {
  [[ -x $TOXIPROXY_BIN && $(cat "$TOXIPROXY_DIR/bin/.version" 2>/dev/null) == "$TOXIPROXY_VERSION" ]] && return 0
  local go tmp=$TOXIPROXY_DIR/bin.tmp
  go=$(toxiproxy_go)
  log "toxiproxy: building v$TOXIPROXY_VERSION with $($go version | cut -d' ' -f3) (first time only)"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  GOBIN=$tmp GOFLAGS=-modcacherw "$go" install "github.com/Shopify/toxiproxy/v2/cmd/server@v$TOXIPROXY_VERSION" \
    >"$TOXIPROXY_DIR/build.log" 2>&1 9>&- ||
    die_with_log "$TOXIPROXY_DIR/build.log" "toxiproxy: go install github.com/Shopify/toxiproxy/v2/cmd/server@v$TOXIPROXY_VERSION failed"
  mv "$tmp/server" "$tmp/toxiproxy-server"
  echo "$TOXIPROXY_VERSION" >"$tmp/.version"
  rm -rf "$TOXIPROXY_DIR/bin"
  mv "$tmp" "$TOXIPROXY_DIR/bin"
}

toxiproxy_ready() { curl -sf --max-time 2 "http://127.0.0.1:$TOXIPROXY_PORT/proxies/kafka"; }

# The proxies made at start; tests make (and delete) their own through the API. A blackhole is not
# one of toxiproxy's toxics: its `timeout` toxic discards bytes inside a live TCP stream, which no
# real network does (TCP retransmits) and which would corrupt any protocol, so the tests drop the
# proxy port's packets with iptables instead.
toxiproxy_write_config() {
  cat >"$TOXIPROXY_DIR/proxies.json" <<EOF
[{"name": "kafka", "listen": "127.0.0.1:$KAFKA_PROXY_PORT", "upstream": "127.0.0.1:$KAFKA_PROXIED_PORT", "enabled": true}]
EOF
}

toxiproxy_up() {
  mkdir -p "$TOXIPROXY_DIR"
  toxiproxy_fetch
  toxiproxy_write_config
  if [[ -n $(toxiproxy_pid) ]]; then
    log "toxiproxy: already running (PID $(toxiproxy_pid))"
  else
    ensure_port_free "$TOXIPROXY_PORT" toxiproxy FERRIUM_TOXIPROXY_PORT
    ensure_port_free "$KAFKA_PROXY_PORT" toxiproxy FERRIUM_KAFKA_PROXY_PORT
    log "toxiproxy: starting v$TOXIPROXY_VERSION, API on 127.0.0.1:$TOXIPROXY_PORT"
    # shellcheck disable=SC2016 # $$ is for the inner bash
    LOG_LEVEL=warn setsid bash -c 'echo $$ >"$0"; exec "$@"' "$TOXIPROXY_PID" \
      "$TOXIPROXY_BIN" -host 127.0.0.1 -port "$TOXIPROXY_PORT" -config "$TOXIPROXY_DIR/proxies.json" \
      >"$TOXIPROXY_LOG" 2>&1 </dev/null 9>&- &
    local deadline=$((SECONDS + 10))
    until [[ -n $(toxiproxy_pid) ]] || ((SECONDS > deadline)); do sleep 0.1; done
  fi
  wait_ready toxiproxy "$TOXIPROXY_LOG" toxiproxy_pid toxiproxy_ready
  log "toxiproxy: ready, API at http://127.0.0.1:$TOXIPROXY_PORT, Kafka through it at 127.0.0.1:$KAFKA_PROXY_PORT"
}

toxiproxy_down() { stop_pid toxiproxy "$(toxiproxy_pid)" TERM; }

# ---------------------------------------------------------------------------------------------------
# commands

check_service() {
  case $1 in
    postgres | mariadb | kafka | registry | toxiproxy) ;;
    *) die "unknown service '$1' (expected: ${ALL_SERVICES[*]})" ;;
  esac
}

cmd_up() {
  need_root
  local services=("$@") s start=$SECONDS
  ((${#services[@]})) || services=("${ALL_SERVICES[@]}")
  for s in "${services[@]}"; do check_service "$s"; done
  cmd_deps
  lock_services_dir
  tls_ensure
  for s in "${services[@]}"; do
    case $s in
      postgres) pg_up ;;
      mariadb) mariadb_up ;;
      kafka) kafka_up ;;
      registry)
        registry_up
        # the registry's test client (tests/tools/avro_consume.py) comes with it
        "$REPO_ROOT/scripts/python-env.sh" >/dev/null 9>&- || die "registry: could not set up the Python venv (see above)"
        ;;
      toxiproxy) toxiproxy_up ;;
    esac
  done
  log "up: ${services[*]} ready in $((SECONDS - start))s"
}

cmd_down() {
  need_root
  local purge=0 a named=()
  for a in "$@"; do
    case $a in
      --purge) purge=1 ;;
      postgres | mariadb | kafka | registry | toxiproxy) named+=("$a") ;;
      *) die "down: unknown argument '$a' (expected: --purge or service names)" ;;
    esac
  done
  ((purge && ${#named[@]})) && die "down: --purge deletes every service's data; name no service with it"
  [[ -d $SERVICES_DIR ]] || { log "down: nothing to do ($SERVICES_DIR does not exist)"; return 0; }
  lock_services_dir
  if ((${#named[@]})); then
    # One service stopped, the others left running (e.g. a fault test's registry outage).
    for a in "${named[@]}"; do
      case $a in
        postgres) pg_down ;;
        mariadb) mariadb_down ;;
        kafka) kafka_down ;;
        registry) registry_down ;;
        toxiproxy) toxiproxy_down ;;
      esac
    done
    return 0
  fi
  toxiproxy_down
  registry_down
  kafka_down
  mariadb_down
  pg_down
  if ((purge)); then
    log "down: removing $SERVICES_DIR"
    rm -rf "$SERVICES_DIR"
    rm -rf "/tmp/ferrium-pg-$(printf '%s' "$SERVICES_DIR" | md5sum | cut -c1-8)" \
      "/tmp/ferrium-mariadb-$(printf '%s' "$SERVICES_DIR" | md5sum | cut -c1-8)"
  fi
}

cmd_restart() {
  need_root
  (($# == 1)) || die "usage: $0 restart postgres|mariadb|kafka|registry|toxiproxy"
  check_service "$1"
  lock_services_dir
  case $1 in
    postgres) pg_down && tls_ensure && pg_up ;;
    mariadb) mariadb_down && tls_ensure && mariadb_up ;;
    kafka) kafka_down && tls_ensure && kafka_up ;;
    registry) registry_down && registry_up ;;
    toxiproxy) toxiproxy_down && toxiproxy_up ;;
  esac
}

cmd_status() {
  local pid
  echo "services dir: $SERVICES_DIR"
  pid=$(pg_pid 2>/dev/null || true)
  if [[ -n $pid ]]; then echo "postgres: running (PID $pid) on 127.0.0.1:$PG_PORT, data $PG_DATA"; else echo "postgres: stopped"; fi
  pid=$(mariadb_pid 2>/dev/null || true)
  if [[ -n $pid ]]; then echo "mariadb:  running (PID $pid) on 127.0.0.1:$MARIADB_PORT, data $MARIADB_DATA"; else echo "mariadb:  stopped"; fi
  pid=$(kafka_pid 2>/dev/null || true)
  if [[ -n $pid ]]; then
    echo "kafka:    running (PID $pid) on 127.0.0.1:$KAFKA_PORT (controller :$KAFKA_CONTROLLER_PORT), Kafka $(kafka_version), data $KAFKA_DATA"
  else
    echo "kafka:    stopped"
  fi
  pid=$(registry_pid 2>/dev/null || true)
  if [[ -n $pid ]]; then
    echo "registry: running (PID $pid) at $(registry_url) (management :$REGISTRY_MANAGEMENT_PORT), Apicurio Registry $REGISTRY_VERSION, schemas in $REGISTRY_DIR/data"
  else
    echo "registry: stopped"
  fi
  pid=$(gateway_pid 2>/dev/null || true)
  if [[ -n $pid ]]; then
    echo "registry gateway: running (PID $pid), https on 127.0.0.1:$REGISTRY_TLS_PORT (basic auth) and :$REGISTRY_MTLS_PORT (client certificate)"
  else
    echo "registry gateway: stopped"
  fi
  pid=$(toxiproxy_pid 2>/dev/null || true)
  if [[ -n $pid ]]; then
    echo "toxiproxy: running (PID $pid), API at http://127.0.0.1:$TOXIPROXY_PORT, Kafka through it at 127.0.0.1:$KAFKA_PROXY_PORT"
  else
    echo "toxiproxy: stopped"
  fi
  return 0
}

cmd_env() {
  cat <<EOF
export FERRIUM_SERVICES_DIR='$SERVICES_DIR'
export FERRIUM_PG_HOST=127.0.0.1
export FERRIUM_PG_PORT=$PG_PORT
export FERRIUM_PG_USER=postgres
export FERRIUM_PG_URL='postgres://postgres@127.0.0.1:$PG_PORT/postgres'
export FERRIUM_PG_SSLROOTCERT='$TLS_DIR/ca.crt'
export FERRIUM_CA_CERT='$TLS_DIR/ca.crt'
export FERRIUM_TLS_DIR='$TLS_DIR'
export FERRIUM_MARIADB_HOST=127.0.0.1
export FERRIUM_MARIADB_PORT=$MARIADB_PORT
export FERRIUM_MARIADB_USER=root
export FERRIUM_MARIADB_URL='mysql://root@127.0.0.1:$MARIADB_PORT'
export FERRIUM_KAFKA_PORT=$KAFKA_PORT
export FERRIUM_KAFKA_CONTROLLER_PORT=$KAFKA_CONTROLLER_PORT
export FERRIUM_KAFKA_BOOTSTRAP=127.0.0.1:$KAFKA_PORT
export FERRIUM_KAFKA_SASL_BOOTSTRAP=127.0.0.1:$KAFKA_SASL_PORT
export FERRIUM_KAFKA_SASL_USER=$KAFKA_SCRAM_USER
export FERRIUM_KAFKA_SASL_PASSWORD=$KAFKA_SCRAM_PASSWORD
export FERRIUM_REGISTRY_PORT=$REGISTRY_PORT
export FERRIUM_REGISTRY_MANAGEMENT_PORT=$REGISTRY_MANAGEMENT_PORT
export FERRIUM_SCHEMA_REGISTRY_URL='$(registry_url)'
export FERRIUM_SCHEMA_REGISTRY_TLS_URL='$(gateway_url "$REGISTRY_TLS_PORT")'
export FERRIUM_SCHEMA_REGISTRY_USER=$REGISTRY_USER
export FERRIUM_SCHEMA_REGISTRY_PASSWORD=$REGISTRY_PASSWORD
export FERRIUM_SCHEMA_REGISTRY_MTLS_URL='$(gateway_url "$REGISTRY_MTLS_PORT")'
export FERRIUM_TOXIPROXY_URL=http://127.0.0.1:$TOXIPROXY_PORT
export FERRIUM_KAFKA_PROXY_BOOTSTRAP=127.0.0.1:$KAFKA_PROXY_PORT
EOF
}

cmd_logs() {
  local services=("$@") s f
  ((${#services[@]})) || services=("${ALL_SERVICES[@]}")
  for s in "${services[@]}"; do
    check_service "$s"
    case $s in
      postgres) f=$PG_LOG ;;
      mariadb) f=$MARIADB_LOG ;;
      kafka) f=$KAFKA_LOGS/server.log ;;
      registry) f=$REGISTRY_LOG ;;
      toxiproxy) f=$TOXIPROXY_LOG ;;
    esac
    echo "==== $s: last 40 lines of $f ===="
    if [[ -f $f ]]; then tail -n 40 "$f"; else echo "(no log)"; fi
    if [[ $s == registry && -s $GATEWAY_LOG ]]; then
      echo "==== registry gateway: last 20 lines of $GATEWAY_LOG ===="
      tail -n 20 "$GATEWAY_LOG"
    fi
    if [[ $s == kafka && -s $KAFKA_LOGS/kafkaServer.out ]]; then
      echo "==== kafka: last 20 lines of $KAFKA_LOGS/kafkaServer.out ===="
      tail -n 20 "$KAFKA_LOGS/kafkaServer.out"
    fi
  done
  return 0
}

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }

main() {
  local cmd=${1:-help}
  (($#)) && shift
  case $cmd in
    deps) cmd_deps ;;
    up | start) cmd_up "$@" ;;
    down | stop) cmd_down "$@" ;;
    restart) cmd_restart "$@" ;;
    status) cmd_status ;;
    env) cmd_env ;;
    logs) cmd_logs "$@" ;;
    psql) exec psql -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@" ;;
    mariadb | mysql) exec mariadb --no-defaults --protocol=TCP -h 127.0.0.1 -P "$MARIADB_PORT" -uroot "$@" ;;
    kafka)
      [[ -f $KAFKA_LIB/.pom.sha256 ]] || die "kafka: jars not fetched yet (run: $0 up kafka)"
      setup_java
      kafka_build_cli
      kafka_cli "$@"
      ;;
    help | -h | --help) usage ;;
    *) usage >&2; die "unknown command '$cmd'" ;;
  esac
}

main "$@"
