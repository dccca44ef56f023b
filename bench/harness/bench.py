#!/usr/bin/env python3
"""Ferrium benchmark harness: runs the workloads against each system and database, writes bench/results/.

Run through bench/run.sh (which starts the services, builds Ferrium and the Debezium runner, and
creates the venv). Settings come from the environment (see bench/README.md):

  BENCH_DATABASES  comma list of postgres,mariadb (both)
  BENCH_SCALE      multiplies every workload size, the Debezium cap included (1.0)
  BENCH_REPS       repetitions per (system, workload) (1)
  BENCH_WORKLOADS  comma list of insert,update,bigtxn,snapshot,latency (all), run on every database
  BENCH_SYSTEMS    comma list of systems (all, see SYSTEMS)
  BENCH_DEBEZIUM_EVENTS  events one Debezium measurement reads at most, at scale 1 (50000; 0 = no cap)
  BENCH_TIMEOUT    seconds one measurement may take before it is abandoned (900)
  BENCH_LATENCY_RATE / BENCH_LATENCY_SECONDS   latency load (5000 rows/s, 15 s * scale, at least 5 s)
  BENCH_KAFKA_LIB  jars of Kafka 4.1.1 with kafka-tools (<services dir>/kafka/lib)
  BENCH_REGISTRY_URL  schema registry (Confluent API) of the Avro systems
                   (http://127.0.0.1:$FERRIUM_REGISTRY_PORT/apis/ccompat/v7; port 8081)
"""
import glob
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BENCH = os.path.join(REPO, "bench")
RESULTS = os.path.join(BENCH, "results")
# A partial run (a few systems or workloads) can be kept apart from the full one.
NAME = os.environ.get("BENCH_RESULTS_NAME", "latest")
TMP = os.path.join(RESULTS, "tmp")
FERRIUM = os.environ.get("BENCH_FERRIUM_BIN") or os.path.join(REPO, "target", "release", "ferrium")
DBZ_TARGET = os.path.join(BENCH, "debezium", "target")
DBZ_CP = DBZ_TARGET + "/classes:" + DBZ_TARGET + "/lib/*"
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", os.environ.get("FERRIUM_PG_PORT", "5432"), "postgres"
MARIADB_HOST, MARIADB_PORT, MARIADB_USER = "127.0.0.1", os.environ.get("FERRIUM_MARIADB_PORT", "3306"), "root"
KAFKA = "127.0.0.1:" + os.environ.get("FERRIUM_KAFKA_PORT", "9092")
# The broker's jars (scripts/kafka/pom.xml, kafka-tools included), for ProducerPerformance.
KAFKA_DIR = os.path.join(os.environ.get("FERRIUM_SERVICES_DIR") or os.path.join(REPO, ".services"), "kafka")
KAFKA_LIB = os.environ.get("BENCH_KAFKA_LIB") or os.path.join(KAFKA_DIR, "lib")
# The Avro systems' schema registry: the one scripts/services.sh runs beside the broker (bench/run.sh starts
# it for the private services when an Avro system is measured; the shared one is on 8081).
REGISTRY = (os.environ.get("BENCH_REGISTRY_URL") or
            "http://127.0.0.1:%s/apis/ccompat/v7" % os.environ.get("FERRIUM_REGISTRY_PORT", "8081"))

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
REPS = int(os.environ.get("BENCH_REPS", "1"))
TIMEOUT = float(os.environ.get("BENCH_TIMEOUT", "900"))
RUN_ID = time.strftime("%H%M%S") + uuid.uuid4().hex[:4]
CLK_TCK = os.sysconf("SC_CLK_TCK")

# Workload sizes at BENCH_SCALE=1, chosen so that a default run of every system, workload and database
# takes about 15-20 minutes on a 2-core machine (see bench/README.md, "Sizes and the time budget").
SIZES = {
    "insert": 300_000,          # events (rows inserted in transactions of 10)
    "update": 300_000,          # events (rows updated in transactions of 10) ...
    "update_table": 100_000,    # ... cycling over a table of this many ~1 KB rows
    "bigtxn": 1_000_000,        # rows in one transaction
    "snapshot": 1_000_000,      # rows in the table
    "latency_seconds": 15,      # seconds of steady load (BENCH_LATENCY_SECONDS overrides)
}
# Debezium reads ~3-7k events/s here, 10-30x slower than Ferrium: each Debezium measurement stops after
# this many events of the same backlog/table (its rate is flat after the JVM's warm-up). 0 = no cap.
DEBEZIUM_EVENTS = int(os.environ.get("BENCH_DEBEZIUM_EVENTS", "50000"))

# Debezium tuned settings (defaults of the connectors: max.batch.size 2048, max.queue.size 8192)
DBZ_TUNED = {"max.batch.size": "16384", "max.queue.size": "65536"}

# The cost of transforms, measured against ferrium-null in the same run: Debezium's unwrap
# (ExtractNewRecordState, the most used SMT), and a JavaScript Filter that keeps every record
# (so the output is the same as ferrium-null's and only the script's cost shows).
UNWRAP = {"transforms": "unwrap", "transforms.unwrap.type": "io.debezium.transforms.ExtractNewRecordState"}
JS_FILTER = {"transforms": "keep", "transforms.keep.type": "io.debezium.transforms.Filter",
             "transforms.keep.language": "jsr223.graal.js", "transforms.keep.condition": "value.op != 'x'"}

# The Kafka ceiling: Kafka's own producer benchmark (org.apache.kafka.tools.ProducerPerformance, Java
# client) writing the records Ferrium wrote for the same workload (a sample of them, key+value as the
# value) to the same broker. FERRIUM_PRODUCER is what Ferrium's Kafka sink sets (librdkafka;
# crates/ferrium-sink/src/kafka/mod.rs): acks=all, idempotence, linger.ms=5, lz4, and librdkafka's default
# batch.size of 1,000,000 bytes; exactly-once adds a transaction committed every 100 ms
# (transaction.boundary.interval.ms). The variants change one thing each against the at-least-once one.
FERRIUM_PRODUCER = {"acks": "all", "enable.idempotence": "true", "linger.ms": "5", "batch.size": "1000000",
                    "compression.type": "lz4"}
FERRIUM_TXN_MS = 100
PERF_SAMPLE = 5000  # records of the Ferrium run kept as the tool's payloads (picked at random per send)

# Confluent's AvroConverter for key and value (Ferrium's crates/ferrium-converter/src/avro/), against the
# JsonConverter with schemas of the other systems: the same events, a binary encoding and a schema id.
AVRO_CONVERTER = "io.confluent.connect.avro.AvroConverter"
AVRO = {"key.converter": AVRO_CONVERTER, "key.converter.schema.registry.url": REGISTRY,
        "value.converter": AVRO_CONVERTER, "value.converter.schema.registry.url": REGISTRY}

# system name -> (kind, options)
SYSTEMS = {
    "ceiling": ("ceiling", {}),
    "ferrium-null": ("ferrium", {"sink": "stdout"}),
    "ferrium-null-unwrap": ("ferrium", {"sink": "stdout", "config": UNWRAP}),
    "ferrium-null-jsfilter": ("ferrium", {"sink": "stdout", "config": JS_FILTER}),
    # Without Debezium's four context headers per event (extended.headers.enabled=false).
    "ferrium-null-noctx": ("ferrium", {"sink": "stdout", "config": {"extended.headers.enabled": "false"}}),
    # Opt-in snapshot variants: JSON without schemas, and the PostgreSQL snapshot read by two
    # connections (snapshot.max.threads=2) instead of one.
    "ferrium-null-noschemas": ("ferrium", {"sink": "stdout", "config": {
        "key.converter.schemas.enable": "false", "value.converter.schemas.enable": "false"}}),
    "ferrium-null-threads2": ("ferrium", {"sink": "stdout", "config": {"snapshot.max.threads": "2"}}),
    "ferrium": ("ferrium", {"sink": "kafka", "eos": "enabled"}),
    "ferrium-alo": ("ferrium", {"sink": "kafka", "eos": "disabled"}),
    # The same two with Avro (a schema registry) instead of JSON with schemas.
    "ferrium-avro": ("ferrium", {"sink": "kafka", "eos": "enabled", "config": AVRO, "format": "avro"}),
    "ferrium-alo-avro": ("ferrium", {"sink": "kafka", "eos": "disabled", "config": AVRO, "format": "avro"}),
    "debezium-null": ("debezium", {"sink": "stdout", "tuned": False}),
    "debezium": ("debezium", {"sink": "kafka", "tuned": False}),
    "debezium-tuned-null": ("debezium", {"sink": "stdout", "tuned": True}),
    "debezium-tuned": ("debezium", {"sink": "kafka", "tuned": True}),
    "kafka-producer-perf": ("kafka-perf", {"sink": "kafka", "props": FERRIUM_PRODUCER, "txn_ms": FERRIUM_TXN_MS}),
    "kafka-producer-perf-alo": ("kafka-perf", {"sink": "kafka", "props": FERRIUM_PRODUCER}),
    # The same two replaying the records of the workload's Ferrium->Kafka Avro run: the Avro systems' ceilings.
    "kafka-producer-perf-avro": ("kafka-perf", {"sink": "kafka", "props": FERRIUM_PRODUCER, "txn_ms": FERRIUM_TXN_MS,
                                                "format": "avro"}),
    "kafka-producer-perf-alo-avro": ("kafka-perf", {"sink": "kafka", "props": FERRIUM_PRODUCER, "format": "avro"}),
    # Kafka 4.x Java producer defaults: acks=all, idempotence, linger.ms=5, batch.size=16384, no compression
    "kafka-producer-perf-javadefaults": ("kafka-perf", {"sink": "kafka", "props": {}}),
    "kafka-producer-perf-linger0": ("kafka-perf", {"sink": "kafka", "props": dict(FERRIUM_PRODUCER, **{"linger.ms": "0"})}),
    "kafka-producer-perf-16k": ("kafka-perf", {"sink": "kafka", "props": dict(FERRIUM_PRODUCER, **{"batch.size": "16384"})}),
    "kafka-producer-perf-nocompression": ("kafka-perf", {"sink": "kafka",
                                                         "props": dict(FERRIUM_PRODUCER, **{"compression.type": "none"})}),
    "kafka-producer-perf-zstd": ("kafka-perf", {"sink": "kafka", "props": dict(FERRIUM_PRODUCER, **{"compression.type": "zstd"})}),
}
# Only measured when BENCH_SYSTEMS names them (each adds a run per workload): what one producer setting buys.
OPT_IN = {"kafka-producer-perf-javadefaults", "kafka-producer-perf-linger0", "kafka-producer-perf-16k",
          "kafka-producer-perf-nocompression", "kafka-producer-perf-zstd",
          "ferrium-null-noschemas", "ferrium-null-threads2"}
# Records of the last Ferrium->Kafka run per (workload, format "json"/"avro"): the kafka-perf systems' payloads.
FERRIUM_RECORDS = {}

WORKLOADS = ["insert", "update", "bigtxn", "snapshot", "latency"]
DATABASES = ["postgres", "mariadb"]


def log(msg):
    print("[bench %s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------
# databases: everything that differs between PostgreSQL and MariaDB. The workloads, the systems'
# runs and the measurement code below are shared; each database supplies its SQL, the connector
# settings, the ceiling command and the "capture position" a run starts from (a replication slot
# for PostgreSQL, the first binlog file of the workload for MariaDB).

def run_sql(cmd, sql, what, check=True):
    r = subprocess.run(cmd, input=sql, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError("%s failed (%s): %s" % (what, sql[:200], r.stderr.strip()))
    return r.stdout.strip()


def psql(sql, db="postgres", check=True):
    return run_sql(["psql", "-h", PG_HOST, "-p", PG_PORT, "-U", PG_USER, "-d", db, "-qAtX",
                    "-v", "ON_ERROR_STOP=1", "-f", "-"], sql, "psql", check)


def mariadb(sql, db=None, check=True):
    cmd = ["mariadb", "--no-defaults", "--protocol=TCP", "-h", MARIADB_HOST, "-P", MARIADB_PORT,
           "-u", MARIADB_USER, "--batch", "--skip-column-names"]
    return run_sql(cmd + ([db] if db else []), sql, "mariadb", check)


SERVER_IDS = iter(range(random.randint(10_000, 1_000_000) * 1000, 1 << 32))  # database.server.id, one per run


class Postgres:
    name = "postgres"
    label = "PostgreSQL"
    streaming_mode = "no_data"      # each run streams from its slot's confirmed position
    latency_mode = "no_data"

    def version(self):
        return psql("select version()")

    def begin(self):
        pass

    def end(self):
        pass

    def topic(self, prefix, db):
        return prefix + ".public.t"

    def create(self, db, full=False):
        """(Re)creates database `db` with the empty table t(id, payload)."""
        psql("select pg_drop_replication_slot(slot_name) from pg_replication_slots where database = '%s' and not active" % db)
        psql("drop database if exists %s with (force)" % db)
        psql("create database %s" % db)
        psql("create table public.t(id bigserial primary key, payload text)", db=db)
        if full:
            psql("alter table public.t replica identity full", db=db)
        psql("create publication bench_pub for table public.t", db=db)

    def fill(self, db, rows, md5s):
        """rows of md5s*32 bytes, before any capture position exists (not part of a backlog)."""
        psql("insert into public.t(payload) select repeat(md5(random()::text), %d) from generate_series(1, %d)"
             % (md5s, rows), db=db)
        psql("vacuum analyze public.t", db=db)

    def positions(self, db, workload, keys):
        """One capture position per (system, rep), taken before the backlog is written: a slot each."""
        out = {}
        for s, rep in keys:
            slot = re.sub(r"[^a-z0-9_]", "_", "b_%s_%s_%d" % (workload, s, rep))
            psql("select pg_create_logical_replication_slot('%s', 'pgoutput')" % slot, db=db)
            out[(s, rep)] = slot
        return out

    def snapshot_position(self, db, workload, system, rep):
        # the system creates the slot itself (snapshot.mode=initial); the harness drops it afterwards
        return re.sub(r"[^a-z0-9_]", "_", "b_%s_%s_%d" % (workload[:4], system, rep))

    def release(self, db, slot):
        for _ in range(100):
            row = psql("select active, coalesce(active_pid, 0) from pg_replication_slots where slot_name = '%s'" % slot)
            if not row:
                return
            active, pid = row.split("|")
            if active == "t":
                psql("select pg_terminate_backend(%s)" % pid, check=False)
                time.sleep(0.2)
                continue
            psql("select pg_drop_replication_slot('%s')" % slot, check=False)
        log("WARNING: could not drop slot %s" % slot)

    def load_small_txns(self, db, rows, per_txn=10, md5s=6):
        psql("""do $$ begin
                  for i in 1..%d loop
                    insert into public.t(payload) select repeat(md5(random()::text), %d) from generate_series(1, %d);
                    commit;
                  end loop; end $$""" % (rows // per_txn, md5s, per_txn), db=db)

    def load_updates(self, db, txns, table_rows):
        psql("""do $$ declare lo bigint := 0; begin
                  for i in 1..%d loop
                    update public.t set payload = md5(random()::text) || substr(payload, 33)
                      where id > lo and id <= lo + 10;
                    commit;
                    lo := (lo + 10) %% %d;
                  end loop; end $$""" % (txns, table_rows - table_rows % 10), db=db)

    def load_bigtxn(self, db, rows):
        psql("insert into public.t(payload) select repeat(md5(random()::text), 6) from generate_series(1, %d)"
             % rows, db=db)

    def backlog_size(self, db):
        return "WAL " + psql("select pg_size_pretty(pg_current_wal_lsn() - min(restart_lsn)) from pg_replication_slots "
                             "where database = '%s'" % db)

    def drop(self, db):
        psql("drop database if exists %s with (force)" % db)

    def ceiling_cmd(self, db, slot, snapshot):
        """(command, lines_mode): the database's own client reading the same data as fast as it can."""
        if snapshot:
            return ["psql", "-h", PG_HOST, "-p", PG_PORT, "-U", PG_USER, "-d", db, "-qAtX",
                    "-c", "COPY public.t TO STDOUT"], True
        endpos = psql("select pg_current_wal_lsn()", db=db)
        return ["pg_recvlogical", "-h", PG_HOST, "-p", PG_PORT, "-U", PG_USER, "-d", db,
                "--slot", slot, "--start", "--no-loop", "-o", "proto_version=1",
                "-o", "publication_names=bench_pub", "--endpos", endpos, "-f", "-"], False

    def connector(self, db, slot, snapshot_mode, prefix, kind, sink, rundir):
        return {
            "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
            "database.hostname": PG_HOST, "database.port": PG_PORT, "database.user": PG_USER,
            "database.password": "unused", "database.dbname": db, "topic.prefix": prefix,
            "plugin.name": "pgoutput", "slot.name": slot, "publication.name": "bench_pub",
            "publication.autocreate.mode": "disabled", "snapshot.mode": snapshot_mode,
            "table.include.list": "public\\.t",
        }

    def insert_warmup(self, db, tag):
        psql("insert into public.t(payload) values ('warmup %s')" % tag, db=db)

    def loadgen_args(self, db):
        return ["postgres", "host=%s port=%s user=%s dbname=%s" % (PG_HOST, PG_PORT, PG_USER, db)]


class MariaDb:
    """MariaDB (or MySQL) through Debezium's MySQL connector class, binlog in ROW/FULL format.

    Streaming workloads start every run at the same place: before creating the workload's database the
    harness rotates the binlog and purges the older files (FLUSH BINARY LOGS + PURGE BINARY LOGS TO), so the
    binlog holds exactly CREATE DATABASE, CREATE TABLE and the backlog, and each run reads it from its
    first file with snapshot.mode=never (the schema history is built from that DDL, as in production
    with a full binlog). This purges older binlogs: with BENCH_SERVICES=shared it drops the shared
    server's history.
    """
    name = "mariadb"
    label = "MariaDB"
    streaming_mode = "never"
    latency_mode = "no_data"
    connector_class = "io.debezium.connector.mysql.MySqlConnector"

    def __init__(self):
        self.saved_flush = None

    def version(self):
        return mariadb("SELECT CONCAT(VERSION(), ' (binlog_format=', @@binlog_format, ', binlog_row_image=', "
                       "@@binlog_row_image, ', binlog_row_metadata=', @@binlog_row_metadata, ', sync_binlog=', "
                       "@@sync_binlog, '; innodb_flush_log_at_trx_commit=0 while the harness runs)')")

    def begin(self):
        # Loading the backlogs (100,000s of small commits) with a log flush per commit would take minutes;
        # PostgreSQL runs with fsync=off for the same reason. Restored by end().
        self.saved_flush = mariadb("SELECT @@innodb_flush_log_at_trx_commit")
        mariadb("SET GLOBAL innodb_flush_log_at_trx_commit = 0")

    def end(self):
        if self.saved_flush is not None:
            mariadb("SET GLOBAL innodb_flush_log_at_trx_commit = %s" % self.saved_flush, check=False)

    def topic(self, prefix, db):
        return "%s.%s.t" % (prefix, db)

    def create(self, db, full=False):
        mariadb("DROP DATABASE IF EXISTS %s" % db)
        mariadb("FLUSH BINARY LOGS")
        self.first_binlog = mariadb("SHOW MASTER STATUS").split("\t")[0]
        mariadb("PURGE BINARY LOGS TO '%s'" % self.first_binlog)
        mariadb("CREATE DATABASE %s" % db)
        mariadb("CREATE TABLE t(id BIGINT AUTO_INCREMENT PRIMARY KEY, payload TEXT) ENGINE=InnoDB", db=db)

    def fill(self, db, rows, md5s):
        """rows of md5s*32 bytes, kept out of the binlog (sql_log_bin=0): not part of any backlog."""
        mariadb("SET SESSION sql_log_bin = 0; INSERT INTO t(payload) SELECT REPEAT(MD5(RAND()), %d) FROM seq_1_to_%d; "
                "ANALYZE TABLE t" % (md5s, rows), db=db)

    def positions(self, db, workload, keys):
        return {k: self.first_binlog for k in keys}

    def snapshot_position(self, db, workload, system, rep):
        return None

    def release(self, db, pos):
        pass

    def _proc(self, db, body):
        # the procedure itself stays out of the binlog (sql_log_bin=0): only its rows are captured
        mariadb("SET SESSION sql_log_bin = 0;\nDROP PROCEDURE IF EXISTS bench_load;\nDELIMITER //\n"
                "CREATE PROCEDURE bench_load() BEGIN %s END//\nDELIMITER ;\nSET SESSION sql_log_bin = 1;\n"
                "CALL bench_load();\nSET SESSION sql_log_bin = 0;\nDROP PROCEDURE bench_load;\n" % body, db=db)

    def load_small_txns(self, db, rows, per_txn=10, md5s=6):
        self._proc(db, "DECLARE i INT DEFAULT 0; WHILE i < %d DO START TRANSACTION; "
                       "INSERT INTO t(payload) SELECT REPEAT(MD5(RAND()), %d) FROM seq_1_to_%d; COMMIT; "
                       "SET i = i + 1; END WHILE;" % (rows // per_txn, md5s, per_txn))

    def load_updates(self, db, txns, table_rows):
        self._proc(db, "DECLARE i INT DEFAULT 0; DECLARE lo BIGINT DEFAULT 0; WHILE i < %d DO START TRANSACTION; "
                       "UPDATE t SET payload = CONCAT(MD5(RAND()), SUBSTR(payload, 33)) WHERE id > lo AND id <= lo + 10; "
                       "COMMIT; SET lo = (lo + 10) MOD %d; SET i = i + 1; END WHILE;"
                       % (txns, table_rows - table_rows % 10))

    def load_bigtxn(self, db, rows):
        mariadb("INSERT INTO t(payload) SELECT REPEAT(MD5(RAND()), 6) FROM seq_1_to_%d" % rows, db=db)

    def backlog_size(self, db):
        logs = [l.split("\t") for l in mariadb("SHOW BINARY LOGS").splitlines()]
        return "binlog %.1f MB" % (sum(int(x[1]) for x in logs if x[0] >= self.first_binlog) / 1e6)

    def drop(self, db):
        mariadb("DROP DATABASE IF EXISTS %s" % db)

    def ceiling_cmd(self, db, first_binlog, snapshot):
        if snapshot:
            return ["mariadb", "--no-defaults", "--protocol=TCP", "-h", MARIADB_HOST, "-P", MARIADB_PORT,
                    "-u", MARIADB_USER, "--batch", "--skip-column-names", "--quick", db,
                    "-e", "SELECT * FROM t"], True
        # the binlog from the workload's first file to the end of the last one, as text (base64 row events)
        return ["mariadb-binlog", "--no-defaults", "--read-from-remote-server", "-h", MARIADB_HOST,
                "-P", MARIADB_PORT, "-u", MARIADB_USER, "--to-last-log", first_binlog], False

    def connector(self, db, pos, snapshot_mode, prefix, kind, sink, rundir):
        cfg = {
            "connector.class": self.connector_class,
            "database.hostname": MARIADB_HOST, "database.port": MARIADB_PORT, "database.user": MARIADB_USER,
            "database.password": "", "database.server.id": str(next(SERVER_IDS)), "topic.prefix": prefix,
            "database.include.list": db, "table.include.list": db + "\\.t", "snapshot.mode": snapshot_mode,
            "include.schema.changes": "false",  # only row events on the counted topic/pipe
        }
        if sink == "kafka":
            cfg["schema.history.internal.kafka.topic"] = prefix + ".history"
            cfg["schema.history.internal.kafka.bootstrap.servers"] = KAFKA
            if kind == "debezium":
                cfg["schema.history.internal"] = "io.debezium.storage.kafka.history.KafkaSchemaHistory"
        elif kind == "debezium":
            cfg["schema.history.internal"] = "io.debezium.storage.file.history.FileSchemaHistory"
            cfg["schema.history.internal.file.filename"] = os.path.join(rundir, "schema-history.dat")
        # ferrium without Kafka: its default, a JSON-lines history file next to the offsets (the run dir)
        return cfg

    def insert_warmup(self, db, tag):
        mariadb("INSERT INTO t(payload) VALUES ('warmup %s')" % tag, db=db)

    def loadgen_args(self, db):
        return ["mariadb", "%s:%s:%s:%s" % (MARIADB_HOST, MARIADB_PORT, MARIADB_USER, db)]


DB_CLASSES = {"postgres": Postgres, "mariadb": MariaDb}

# ------------------------------------------------------------------------------------------------
# process sampling

def proc_cpu_s(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime
    except OSError:
        return None


def proc_hwm_mb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def stop(proc, grace=10):
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


# ------------------------------------------------------------------------------------------------
# event counters: stdout pipe, or a Kafka read_committed consumer

def is_warmup(obj):
    """The latency workload's warm-up rows (payload "warmup <run>") are not part of the measured load."""
    if "topic" in obj and "value" in obj:
        obj = obj["value"]
    if not isinstance(obj, dict):
        return False
    after = (obj.get("payload", obj) or {}).get("after") or {}
    text = after.get("payload")
    return isinstance(text, str) and text.startswith("warmup ")


def ts_us_of(obj):
    """Commit time (µs) of a change event, from ferrium's {"topic","key","value"} line or a bare value:
    the "@<µs>:" stamp at the start of after.payload when the load generator wrote one (MariaDB, whose
    binlog timestamps have whole seconds only), else source.ts_us (PostgreSQL's commit timestamp)."""
    if "topic" in obj and "value" in obj:
        obj = obj["value"]
    if obj is None:
        return None
    payload = obj.get("payload", obj)
    after = payload.get("after") or {}
    text = after.get("payload")
    if isinstance(text, str) and text.startswith("@"):
        stamp = text[1:text.find(":")]
        if stamp.isdigit():
            return int(stamp)
    src = payload.get("source") or {}
    if src.get("ts_us"):
        return src["ts_us"]
    if src.get("ts_ms"):
        return src["ts_ms"] * 1000
    return None


class Counter:
    """Counts events; records the time of the first and of the expected-th event; optional latency."""

    def __init__(self, expected, pid=None, latency=False, skip=0):
        self.expected = expected
        self.pid = pid
        self.latency = latency
        self.skip = skip          # events not counted for latency
        self.warmups = 0          # warm-up events seen (latency mode; not counted as events)
        self.count = 0
        self.bytes = 0
        self.header_bytes = 0     # Kafka: record header keys + values (Debezium's context headers)
        self.sample = None        # Kafka: a list to keep the first PERF_SAMPLE records' key+value in
        self.t_first = None
        self.t_done = None
        self.cpu_first = None
        self.latencies_ms = []
        self.done = threading.Event()
        self.error = None

    def _on_first(self):
        self.t_first = time.time()
        if self.pid:
            self.cpu_first = proc_cpu_s(self.pid)

    def _check_done(self):
        if self.count >= self.expected and self.t_done is None:
            self.t_done = time.time()
            self.done.set()

    def feed_lines(self, lines, now_us):
        for line in lines:
            if not line:
                continue
            if self.latency:
                try:
                    obj = json.loads(line)
                except ValueError:
                    obj = None
                if obj is not None and is_warmup(obj):
                    self.warmups += 1
                    continue
                self.count += 1
                ts = ts_us_of(obj) if obj is not None and self.count > self.skip else None
                if ts:
                    self.latencies_ms.append((now_us - ts) / 1000.0)
            else:
                self.count += 1


def read_pipe(counter, fd, lines_mode):
    """Drains fd until EOF. lines_mode: events are lines; else events are only timed (ceiling)."""
    buf = b""
    while True:
        try:
            chunk = os.read(fd, 1 << 20)
        except OSError:
            break
        if not chunk:
            break
        if counter.t_first is None and not counter.latency:
            counter._on_first()
        counter.bytes += len(chunk)
        if lines_mode:
            if counter.latency:
                now_us = int(time.time() * 1e6)
                data = buf + chunk
                parts = data.split(b"\n")
                buf = parts.pop()
                counter.feed_lines(parts, now_us)
                if counter.t_first is None and counter.count > 0:
                    counter._on_first()
            else:
                counter.count += chunk.count(b"\n")
            counter._check_done()
    counter.eof = True


def avro_decoder(topic):
    """Decodes a Confluent-framed Avro value (schema fetched from REGISTRY by its id) into the envelope dict
    {"before", "after", "source", "op", ...}: what is_warmup and ts_us_of read. Only the latency workload
    decodes; counting needs no decoding."""
    from confluent_kafka.schema_registry import SchemaRegistryClient
    from confluent_kafka.schema_registry.avro import AvroDeserializer
    from confluent_kafka.serialization import MessageField, SerializationContext
    deser = AvroDeserializer(SchemaRegistryClient({"url": REGISTRY}))
    ctx = SerializationContext(topic, MessageField.VALUE)
    return lambda v: deser(v, ctx)


def kafka_count(counter, topic, stop_evt, avro=False):
    from confluent_kafka import Consumer, TopicPartition, OFFSET_BEGINNING
    decode = avro_decoder(topic) if avro and counter.latency else json.loads
    c = Consumer({"bootstrap.servers": KAFKA, "group.id": "bench-" + uuid.uuid4().hex,
                  "enable.auto.commit": False, "isolation.level": "read_committed",
                  "auto.offset.reset": "earliest", "fetch.max.bytes": 52428800,
                  "max.partition.fetch.bytes": 10485760, "fetch.wait.max.ms": 50})
    try:
        parts = None
        while not stop_evt.is_set():
            md = c.list_topics(timeout=2)
            t = md.topics.get(topic)
            if t is not None and t.error is None and t.partitions:
                parts = sorted(t.partitions)
                break
            time.sleep(0.1)
        if parts is None:
            return
        c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in parts])
        # The first event's time is the earliest record timestamp (CreateTime, set by the producer when it
        # sends): the counting consumer may start late (topic discovery) and, with exactly-once, sees the
        # records only at commit, in bulk; either would make the first->last span wrong at small scales.
        min_ts_ms = None
        while not stop_evt.is_set():
            # consume() waits for num_messages OR the timeout: keep the timeout short (it adds to latency)
            msgs = c.consume(num_messages=10000, timeout=0.005)
            if not msgs:
                continue
            now_us = int(time.time() * 1e6)
            n = 0
            for m in msgs:
                if m.error():
                    continue
                v = m.value()
                if counter.latency and v:
                    try:
                        obj = decode(v)
                    except ValueError:  # JSON's, and the Avro deserializer's SerializationError
                        obj = None
                    if obj is not None and is_warmup(obj):
                        counter.warmups += 1
                        continue
                    ts = ts_us_of(obj) if obj is not None and counter.count + n + 1 > counter.skip else None
                    if ts:
                        counter.latencies_ms.append((now_us - ts) / 1000.0)
                n += 1
                k = m.key()
                counter.bytes += len(v or b"") + len(k or b"")
                hs = m.headers()
                if hs:
                    counter.header_bytes += sum(len(hk) + len(hv or b"") for hk, hv in hs)
                if counter.sample is not None and len(counter.sample) < PERF_SAMPLE:
                    counter.sample.append((k or b"") + (v or b""))
            for m in (msgs if counter.count == 0 else ()):  # the first batch holds the earliest records
                if not m.error():
                    tstype, ts = m.timestamp()
                    if ts and ts > 0 and (min_ts_ms is None or ts < min_ts_ms):
                        min_ts_ms = ts
            if n and counter.t_first is None:
                counter._on_first()
            if min_ts_ms is not None and counter.t_first is not None:
                counter.t_first = min(counter.t_first, min_ts_ms / 1000.0)
            counter.count += n
            counter._check_done()
    except Exception as e:  # noqa: BLE001
        counter.error = repr(e)
        counter.done.set()
    finally:
        c.close()


# ------------------------------------------------------------------------------------------------
# systems

def ferrium_files(rundir, name, cfg, opts):
    with open(os.path.join(rundir, "connector.json"), "w") as f:
        json.dump({"name": name, "config": cfg}, f, indent=1)
    lines = ["offset.storage.file.filename=" + os.path.join(rundir, "ferrium.offsets"),
             "offset.flush.interval.ms=60000"]
    if opts["sink"] == "kafka":
        lines += ["bootstrap.servers=" + KAFKA, "exactly.once.source.support=" + opts["eos"],
                  "offset.storage.topic=bench-ferrium-offsets", "group.id=bench-" + name]
    with open(os.path.join(rundir, "worker.properties"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return [FERRIUM, "run", os.path.join(rundir, "connector.json"),
            "--worker", os.path.join(rundir, "worker.properties")]


def debezium_files(rundir, name, cfg, opts):
    props = {
        "name": name,
        "offset.storage": "org.apache.kafka.connect.storage.FileOffsetBackingStore",
        "offset.storage.file.filename": os.path.join(rundir, "debezium.offsets"),
        "offset.flush.interval.ms": "60000",
        "converter.schemas.enable": "true",
    }
    props.update(cfg)
    if opts["tuned"]:
        props.update(DBZ_TUNED)
    path = os.path.join(rundir, "engine.properties")
    with open(path, "w") as f:
        for k, v in props.items():
            f.write("%s=%s\n" % (k, v.replace("\\", "\\\\")))
    cmd = ["java", "-Xmx2g", "-cp", DBZ_CP, "dev.ferrium.bench.DebeziumRunner", path, opts["sink"]]
    if opts["sink"] == "kafka":
        cmd.append(KAFKA)
    return cmd


class SetupError(Exception):
    """A system cannot be measured in this run (missing jars, no records to replay)."""


def kafka_perf_files(rundir, name, topic, workload, expected, opts):
    """ProducerPerformance sending `expected` records to `topic`, each picked at random from the records
    the same workload's Ferrium->Kafka run wrote (its first PERF_SAMPLE), so sizes and compressibility
    match Ferrium's. The tool sends no key: each payload is Ferrium's key+value bytes as the value (the
    topic has one partition, so a key would not change where a record goes)."""
    fmt_ = opts.get("format", "json")
    src = FERRIUM_RECORDS.get((workload, fmt_))
    if not src:
        raise SetupError("no Ferrium->Kafka %s run of %s earlier in this run to take the records from "
                         "(BENCH_SYSTEMS needs %s)" % (fmt_, workload, " or ".join(
                             s for s, (k, o) in SYSTEMS.items()
                             if k == "ferrium" and o["sink"] == "kafka" and o.get("format", "json") == fmt_)))
    # kafka-tools-<version>.jar, not kafka-tools-api (which the broker has anyway)
    if not glob.glob(os.path.join(KAFKA_LIB, "kafka-tools-[0-9]*.jar")):
        raise SetupError("no kafka-tools jar in %s: scripts/services.sh up kafka fetches it (scripts/kafka/pom.xml), "
                         "or set BENCH_KAFKA_LIB" % KAFKA_LIB)
    records, text_safe = payload_records(src["records"])
    payloads = os.path.join(rundir, "payloads.txt")
    with open(payloads, "wb") as f:
        f.write(b"\n".join(records))
    cmd = ["java", "-Xmx512M", "-cp", os.path.join(KAFKA_LIB, "*")]
    log4j = os.path.join(KAFKA_DIR, "config", "tools-log4j2.properties")
    if os.path.exists(log4j):
        cmd.append("-Dlog4j2.configurationFile=" + log4j)
    cmd += ["org.apache.kafka.tools.ProducerPerformance", "--topic", topic, "--num-records", str(expected),
            "--payload-file", payloads, "--throughput", "-1",
            "--producer-props", "bootstrap.servers=" + KAFKA, "client.id=" + name]
    cmd += ["%s=%s" % kv for kv in opts["props"].items()]
    if opts.get("txn_ms"):
        cmd += ["--transactional-id", name, "--transaction-duration-ms", str(opts["txn_ms"])]
    info = {"payload_from": "%s rep %d" % (src["system"], src["rep"]), "payload_samples": len(records),
            "payload_bytes_avg": sum(map(len, records)) / len(records), "payload_text_safe": text_safe,
            "producer_props": dict(opts["props"]), "transaction_ms": opts.get("txn_ms")}
    return cmd, info


def payload_records(records):
    """The records as ProducerPerformance can replay them: it reads the payload file as UTF-8 text, splits it
    at newlines and sends each part's UTF-8 bytes, so a record must be valid UTF-8 without a newline. JSON
    records are (returned as they are). Binary ones (Avro: varints, the schema id) are not: each byte >= 0x80
    loses its top bit and a newline becomes 0x0B — the same length, and nearly the same content for lz4 (the
    text columns and the repeating framing stay as they are). Returns (records, whether they were changed)."""
    def ok(r):
        try:
            r.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return b"\n" not in r
    if all(ok(r) for r in records):
        return records, False
    table = bytes((b & 0x7F) if (b & 0x7F) != 0x0A else 0x0B for b in range(256))
    return [r.translate(table) for r in records], True


def perf_summary(path):
    """ProducerPerformance's own last line: 'N records sent, X records/sec (Y MB/sec), A ms avg latency, ...'."""
    try:
        with open(path, errors="replace") as f:
            lines = [l for l in f if "records sent" in l]
    except OSError:
        return {}
    m = re.search(r"records sent, ([\d.]+) records/sec \(([\d.]+) MB/sec\), ([\d.]+) ms avg latency", lines[-1]) if lines else None
    return {"tool_events_per_sec": float(m.group(1)), "tool_mb_per_sec": float(m.group(2)),
            "tool_avg_latency_ms": float(m.group(3)), "tool_summary": lines[-1].strip()} if m else {}


def measure(dbx, system, workload, rep, db, pos, expected, snapshot_mode=None, latency_load=None):
    """Starts one system on capture position `pos` (a slot, a binlog file) of database `db`, waits for
    `expected` events (or the Debezium cap), returns a metrics dict. `workload` is the full name
    (<database>-<workload>)."""
    kind, opts = SYSTEMS[system]
    snapshot_mode = snapshot_mode or dbx.streaming_mode
    if kind == "debezium" and latency_load is None and DEBEZIUM_EVENTS > 0:
        expected = min(expected, n(DEBEZIUM_EVENTS))
    name = re.sub(r"[^a-z0-9]", "_", "b%s_%s_%s_%d" % (RUN_ID, workload, system, rep))
    prefix = name
    rundir = os.path.join(TMP, name)
    os.makedirs(rundir, exist_ok=True)
    errlog = open(os.path.join(rundir, "stderr.log"), "wb")
    lines_mode = True
    perf = kind == "kafka-perf"
    perf_info = {}
    if kind == "ceiling":
        cmd, lines_mode = dbx.ceiling_cmd(db, pos, snapshot_mode == "initial")
    elif perf:
        try:
            cmd, perf_info = kafka_perf_files(rundir, name, dbx.topic(prefix, db), workload, expected, opts)
        except SetupError as e:
            errlog.close()
            log("FAILED %s/%s rep %d: %s" % (system, workload, rep, e))
            return {"system": system, "workload": workload, "database": dbx.name, "rep": rep, "ok": False,
                    "events": 0, "expected": expected, "bytes": 0, "rundir": rundir, "error": str(e)}
    else:
        cfg = dbx.connector(db, pos, snapshot_mode, prefix, kind, opts["sink"], rundir)
        if kind == "ferrium":
            cfg = dict(cfg, **opts.get("config", {}))
            cmd = ferrium_files(rundir, name, cfg, opts)
            if os.environ.get("BENCH_FERRIUM_PREFIX"):  # e.g. "perf record -g -o /tmp/x.data --" (RSS/CPU then wrong)
                import shlex
                cmd = shlex.split(os.environ["BENCH_FERRIUM_PREFIX"].replace("{name}", name)) + cmd
        else:
            cmd = debezium_files(rundir, name, cfg, opts)

    use_kafka = opts.get("sink") == "kafka"
    t_start = time.time()
    # ProducerPerformance prints a progress line every 5 s and a summary: to a file, parsed at the end
    stdout = open(os.path.join(rundir, "stdout.log"), "wb") if perf else subprocess.PIPE
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=errlog, start_new_session=True)
    counter = Counter(expected, pid=proc.pid, latency=latency_load is not None)
    if kind == "ferrium" and use_kafka and latency_load is None:
        counter.sample = []  # the records a kafka-perf system replays
    stop_evt = threading.Event()
    reader = None
    if not perf:
        reader = threading.Thread(target=read_pipe, args=(counter, proc.stdout.fileno(), lines_mode and not use_kafka),
                                  daemon=True)
    if use_kafka:
        if not perf:
            counter_stdout = Counter(1 << 62)  # drain stdout anyway
            reader = threading.Thread(target=read_pipe, args=(counter_stdout, proc.stdout.fileno(), True), daemon=True)
        kthread = threading.Thread(target=kafka_count, args=(counter, dbx.topic(prefix, db), stop_evt,
                                                             opts.get("format") == "avro"), daemon=True)
        kthread.start()
    if reader is not None:
        reader.start()

    loadinfo = None
    if latency_load is not None:
        # warm-up: insert a row until the system emits it, so the load starts on a streaming system
        deadline = time.time() + 180
        last_insert = 0.0
        while counter.warmups < 1 and time.time() < deadline and proc.poll() is None:
            if time.time() - last_insert > 1:
                dbx.insert_warmup(db, name)
                last_insert = time.time()
            time.sleep(0.05)
        lg = subprocess.run([sys.executable, os.path.join(BENCH, "harness", "loadgen.py")] + dbx.loadgen_args(db) +
                            [str(latency_load[0]), str(latency_load[1])], capture_output=True, text=True)
        if lg.returncode != 0:
            log("loadgen failed: " + lg.stderr[-2000:])
        else:
            loadinfo = json.loads(lg.stdout.strip().splitlines()[-1])

    deadline = time.time() + TIMEOUT
    ceiling_ru = None
    ceiling_hwm = None
    cpu_samples = [(t_start, 0.0)]
    perf_ru = None
    perf_hwm = None
    while (kind == "ceiling" or not counter.done.is_set()) and time.time() < deadline:
        if perf:
            # ProducerPerformance exits once every record is acknowledged, usually before the counting
            # consumer has read them all: reap it for its rusage, then keep waiting for the consumer.
            if perf_ru is None:
                hwm = proc_hwm_mb(proc.pid)
                if hwm is not None:
                    perf_hwm = max(perf_hwm or 0.0, hwm)
                cpu_samples.append((time.time(), proc_cpu_s(proc.pid)))
                pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
                if pid != 0:
                    proc.returncode = os.waitstatus_to_exitcode(status)
                    perf_ru = ru
                    if proc.returncode != 0:
                        break
            counter.done.wait(0.05)
            continue
        if kind != "ceiling" and proc.poll() is not None:
            break
        if kind == "ceiling":
            # reap it ourselves to get its rusage (it exits on its own at --endpos / end of COPY)
            hwm = proc_hwm_mb(proc.pid)  # sampled: wait4's ru_maxrss carries the parent's pre-exec RSS
            if hwm is not None:
                ceiling_hwm = max(ceiling_hwm or 0.0, hwm)
            pid, _status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid == 0:
                counter.done.wait(0.05)
                continue
            proc.returncode = os.waitstatus_to_exitcode(_status)
            ceiling_ru = ru
            reader.join(5)
            if counter.t_done is None:
                counter.t_done = time.time()
            break
        cpu_samples.append((time.time(), proc_cpu_s(proc.pid)))
        counter.done.wait(0.1)
    t_end = counter.t_done
    if use_kafka and counter.t_first is not None:
        # the consumer sees the first record late; take the process CPU sampled at the first record's time
        before = [c for t, c in cpu_samples if t <= counter.t_first and c is not None]
        if before:
            counter.cpu_first = before[-1]
    rss = proc_hwm_mb(proc.pid)
    cpu_end = proc_cpu_s(proc.pid)
    if perf and rss is None:
        rss = perf_hwm  # exited (a zombie has no VmHWM) between the last sample and now
    if perf_ru is not None:
        rss = perf_hwm
        cpu_end = perf_ru.ru_utime + perf_ru.ru_stime
    if ceiling_ru is not None:
        rss = ceiling_hwm
        cpu_end = ceiling_ru.ru_utime + ceiling_ru.ru_stime  # whole run (pg_recvlogical/psql only)
        counter.cpu_first = 0.0
    if perf and perf_ru is None and t_end is not None:
        # the consumer was quicker than the tool's close(): let it finish and print its summary (its CPU
        # and RSS above were taken at the last event, as for the other systems)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            pass
    exit_early = proc.poll()
    if perf and exit_early == 0:
        exit_early = None  # exiting is what it does; only a failure code or the consumer's count matter
    stop(proc)
    stop_evt.set()
    errlog.close()
    if perf:
        stdout.close()
    if kind == "ceiling":
        counter.count = expected  # pg_recvlogical/COPY/mariadb-binlog/SELECT: events = rows in the backlog/table
    ok = t_end is not None and counter.count >= expected and counter.error is None
    if (ceiling_ru is not None or perf_ru is not None) and proc.returncode != 0:
        ok, exit_early = False, proc.returncode
    res = {"system": system, "workload": workload, "database": dbx.name, "rep": rep, "ok": ok,
           "events": counter.count, "expected": expected, "bytes": counter.bytes, "rundir": rundir}
    if counter.count:
        res["bytes_per_event"] = counter.bytes / counter.count  # Kafka: key + value
    if use_kafka and counter.count:
        res["header_bytes_per_event"] = counter.header_bytes / counter.count
    if perf:
        res.update(perf_info)
        res.update(perf_summary(os.path.join(rundir, "stdout.log")))
    if not ok:
        res["error"] = counter.error or ("process exited %s" % exit_early if exit_early is not None else "timeout")
        with open(os.path.join(rundir, "stderr.log"), "rb") as f:
            res["stderr_tail"] = f.read()[-1500:].decode("utf-8", "replace")
        log("FAILED %s/%s rep %d: %s (%d/%d events)" % (system, workload, rep, res["error"], counter.count, expected))
        return res
    if counter.sample:
        FERRIUM_RECORDS[(workload, opts.get("format", "json"))] = {"records": counter.sample, "system": system,
                                                                  "rep": rep}
    span = max(t_end - counter.t_first, 1e-6)
    res.update({
        "seconds": span,
        "events_per_sec": expected / span,
        "mb_per_sec": counter.bytes / span / 1e6,
        "time_to_first_event_s": counter.t_first - t_start,
        "wall_s": t_end - t_start,
        "peak_rss_mb": rss,
        "cpu_s_total": cpu_end,
        "cpu_s_per_million": ((cpu_end - (counter.cpu_first or 0)) / expected * 1e6) if cpu_end is not None else None,
    })
    if latency_load is not None:
        lat = sorted(counter.latencies_ms)
        if lat:
            res.update({"p50_ms": pct(lat, 50), "p99_ms": pct(lat, 99), "max_ms": lat[-1],
                        "latency_samples": len(lat)})
        res["load"] = loadinfo
        if loadinfo:
            res["events_per_sec"] = loadinfo["rate"]
            res["mb_per_sec"] = counter.bytes / max(loadinfo["seconds"], 1e-6) / 1e6
    log("%s/%s rep %d: %.0f ev/s, %.1f MB/s, ttfe %.2fs, rss %s MB, cpu/M %s%s" % (
        system, workload, rep, res["events_per_sec"], res["mb_per_sec"], res["time_to_first_event_s"],
        fmt(rss), fmt(res["cpu_s_per_million"]),
        (", p50 %.1f p99 %.1f max %.1f ms" % (res["p50_ms"], res["p99_ms"], res["max_ms"])) if "p50_ms" in res else ""))
    if kind != "ceiling":
        shutil.rmtree(rundir, ignore_errors=True) if ok and not os.environ.get("BENCH_KEEP") else None
    return res


def pct(sorted_vals, p):
    if not sorted_vals:
        return None
    k = (len(sorted_vals) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(sorted_vals) - 1)
    return sorted_vals[lo] + (sorted_vals[hi] - sorted_vals[lo]) * (k - lo)


def fmt(v, nd=1):
    return "-" if v is None else ("%.*f" % (nd, v))


# ------------------------------------------------------------------------------------------------
# workloads (the same on every database; dbx supplies the SQL)

def n(base):
    return max(10, int(base * SCALE))


def streaming(dbx, workload, systems):
    wl = "%s-%s" % (dbx.name, workload)
    db = "bench_" + workload
    if workload == "insert":
        expected = n(SIZES["insert"])
        expected -= expected % 10
        dbx.create(db)
    elif workload == "update":
        table_rows = n(SIZES["update_table"])
        expected = n(SIZES["update"])
        expected -= expected % 10
        dbx.create(db, full=True)
        dbx.fill(db, table_rows, 30)  # ~1 KB rows, not part of the backlog
    else:  # bigtxn
        expected = n(SIZES["bigtxn"])
        dbx.create(db)
    # kafka-perf systems replay Ferrium's records and read nothing from the database
    keys = [(s, rep) for rep in range(REPS) for s in systems if SYSTEMS[s][0] != "kafka-perf"]
    pos = dbx.positions(db, workload, keys)
    log("%s: generating the backlog (%d events) for %d runs" % (wl, expected, len(keys)))
    t0 = time.time()
    if workload == "insert":
        dbx.load_small_txns(db, expected)
    elif workload == "update":
        dbx.load_updates(db, expected // 10, table_rows)
    else:
        dbx.load_bigtxn(db, expected)
    log("%s: backlog written in %.1fs (%s)" % (wl, time.time() - t0, dbx.backlog_size(db)))
    results = []
    for rep in range(REPS):
        for s in systems:
            results.append(measure(dbx, s, wl, rep, db, pos.get((s, rep)), expected))
            if (s, rep) in pos:
                dbx.release(db, pos[(s, rep)])
    dbx.drop(db)
    return results


def snapshot(dbx, systems):
    wl = dbx.name + "-snapshot"
    db = "bench_snapshot"
    expected = n(SIZES["snapshot"])
    dbx.create(db)
    log("%s: loading %d rows" % (wl, expected))
    t0 = time.time()
    dbx.fill(db, expected, 6)
    log("%s: table loaded in %.1fs" % (wl, time.time() - t0))
    results = []
    for rep in range(REPS):
        for s in systems:
            pos = dbx.snapshot_position(db, "snapshot", s, rep) if SYSTEMS[s][0] != "kafka-perf" else None
            results.append(measure(dbx, s, wl, rep, db, pos, expected, snapshot_mode="initial"))
            if pos:
                dbx.release(db, pos)
    dbx.drop(db)
    return results


def latency(dbx, systems):
    wl = dbx.name + "-latency"
    db = "bench_latency"
    rate = float(os.environ.get("BENCH_LATENCY_RATE", "5000"))
    seconds = float(os.environ.get("BENCH_LATENCY_SECONDS", str(max(5.0, SIZES["latency_seconds"] * SCALE))))
    dbx.create(db)
    results = []
    for rep in range(REPS):
        for s in systems:
            if SYSTEMS[s][0] in ("ceiling", "kafka-perf"):
                continue
            pos = dbx.positions(db, "lat", [(s, rep)])[(s, rep)]
            expected = int(rate * seconds / 10) * 10
            results.append(measure(dbx, s, wl, rep, db, pos, expected, snapshot_mode=dbx.latency_mode,
                                   latency_load=(rate, seconds)))
            dbx.release(db, pos)
    dbx.drop(db)
    return results


# ------------------------------------------------------------------------------------------------
# aggregation and output

FIELDS = ["events_per_sec", "mb_per_sec", "p50_ms", "p99_ms", "max_ms", "peak_rss_mb", "cpu_s_per_million",
          "time_to_first_event_s", "bytes_per_event", "header_bytes_per_event", "tool_events_per_sec"]


def aggregate(runs):
    rows = []
    keys = []
    for r in runs:
        k = (r["system"], r["workload"])
        if k not in keys:
            keys.append(k)
    for system, workload in keys:
        rs = [r for r in runs if r["system"] == system and r["workload"] == workload]
        good = [r for r in rs if r["ok"]]
        row = {"system": system, "workload": workload, "database": rs[0].get("database"),
               "events_measured": statistics.median([r["expected"] for r in rs]),
               "reps": len(rs), "ok_reps": len(good)}
        for f in FIELDS:
            vals = [r[f] for r in good if r.get(f) is not None]
            row[f] = statistics.median(vals) if vals else None
            row[f + "_min"] = min(vals) if vals else None
            row[f + "_max"] = max(vals) if vals else None
        if len(good) < len(rs):
            row["errors"] = [r.get("error") for r in rs if not r["ok"]]
        rows.append(row)
    return rows


def ratios(runs, a, b, workload):
    """median over repetitions of events/s(a) / events/s(b), each ratio from the same repetition. b may be
    a tuple of systems: then the lowest of their rates in that repetition (all of them must have one)."""
    vals = []
    bs = b if isinstance(b, tuple) else (b,)
    for rep in range(REPS):
        def eps(s):
            rs = [r for r in runs if r["system"] == s and r["workload"] == workload and r["rep"] == rep and r["ok"]]
            return rs[0]["events_per_sec"] if rs else None
        ea, eb = eps(a), [eps(s) for s in bs]
        if ea and all(eb):
            vals.append(ea / min(eb))
    return (statistics.median(vals), min(vals), max(vals)) if vals else None


def env_info(dbxs):
    info = {"run_id": RUN_ID, "scale": SCALE, "reps": REPS, "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "host": "%d cpus, %.0f GB RAM" % (os.cpu_count(), os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)}
    try:
        info["ferrium_git"] = subprocess.run(["git", "-C", REPO, "describe", "--always", "--dirty"],
                                             capture_output=True, text=True).stdout.strip()
    except OSError:
        pass
    for dbx in dbxs:
        info[dbx.name] = dbx.version()
    info["debezium"] = ("debezium-embedded + debezium-connector-postgres / debezium-connector-mysql %s (embedded "
                        "engine, JsonConverter schemas enabled; defaults: max.batch.size 2048, max.queue.size 8192; "
                        "tuned: %s)" % (os.environ.get("BENCH_DEBEZIUM_VERSION", "?"), DBZ_TUNED))
    info["sizes"] = ("scale 1: %s; each Debezium throughput measurement stops after %s events (scaled: %s)"
                     % (", ".join("%s %s" % kv for kv in SIZES.items()),
                        DEBEZIUM_EVENTS if DEBEZIUM_EVENTS > 0 else "no cap",
                        n(DEBEZIUM_EVENTS) if DEBEZIUM_EVENTS > 0 else "-"))
    info["kafka"] = "Apache Kafka 4.1.1 broker (scripts/services.sh), single node"
    info["avro"] = ("-avro systems: key and value with %s, schema registry %s (Apicurio Registry, Confluent API, "
                    "scripts/services.sh); others: JsonConverter with schemas" % (AVRO_CONVERTER, REGISTRY))
    info["kafka_producer_perf"] = ("org.apache.kafka.tools.ProducerPerformance (kafka-tools 4.1.1, Java client), "
                                   "--throughput -1, payloads: the first %d records (key+value) of the same workload's "
                                   "Ferrium->Kafka run; kafka-producer-perf: %s, a transaction every %d ms (as Ferrium's "
                                   "exactly-once); -alo: the same without transactions; other variants change one "
                                   "setting of -alo" % (PERF_SAMPLE, FERRIUM_PRODUCER, FERRIUM_TXN_MS))
    return info


def write_results(runs, info):
    rows = aggregate(runs)
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, NAME + ".json"), "w") as f:
        json.dump(rows, f, indent=1)
    with open(os.path.join(RESULTS, NAME + "-runs.json"), "w") as f:
        json.dump({"info": info, "runs": runs}, f, indent=1)
    md = ["# Ferrium benchmark results", ""]
    for k, v in info.items():
        md.append("- **%s**: %s" % (k, v))
    md += ["", "Each figure: median over the repetitions, [min–max] for throughput. Throughput is measured from the "
           "first to the last expected event (startup excluded; see time to first event). CPU is user+system time of "
           "the system's process (not the database server's) per million events over the same span. \"events\" is how many "
           "events each system was measured on: Debezium's throughput runs stop after the cap in **sizes** above, "
           "on the same backlog/table the others read in full.", ""]
    workloads = []
    for r in rows:
        if r["workload"] not in workloads:
            workloads.append(r["workload"])
    for w in workloads:
        md += ["## " + w, "",
               "| system | events | events/s [min–max] | MB/s | B/event | p50 ms | p99 ms | max ms | peak RSS MB | CPU s / M events | first event s | ok |",
               "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in rows:
            if r["workload"] != w:
                continue
            eps = ("%s [%s–%s]" % (fmt(r["events_per_sec"], 0), fmt(r["events_per_sec_min"], 0), fmt(r["events_per_sec_max"], 0))
                   if r["events_per_sec"] is not None else "failed")
            md.append("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d/%d |" % (
                r["system"], r["events_measured"], eps, fmt(r["mb_per_sec"]), fmt(r["bytes_per_event"], 0),
                fmt(r["p50_ms"]), fmt(r["p99_ms"]), fmt(r["max_ms"]),
                fmt(r["peak_rss_mb"], 0), fmt(r["cpu_s_per_million"]), fmt(r["time_to_first_event_s"], 2),
                r["ok_reps"], r["reps"]))
        comps = [("ferrium-null", "ceiling"), ("ferrium", "ceiling"),
                 ("ferrium", "kafka-producer-perf"), ("ferrium", ("ceiling", "kafka-producer-perf")),
                 ("ferrium-alo", "ceiling"), ("ferrium-alo", "kafka-producer-perf-alo"),
                 ("ferrium-alo", ("ceiling", "kafka-producer-perf-alo")),
                 ("kafka-producer-perf", "kafka-producer-perf-alo"),
                 ("ferrium-avro", "ferrium"), ("ferrium-alo-avro", "ferrium-alo"),
                 ("ferrium-avro", "kafka-producer-perf-avro"), ("ferrium-avro", ("ceiling", "kafka-producer-perf-avro")),
                 ("ferrium-alo-avro", "kafka-producer-perf-alo-avro"),
                 ("ferrium-alo-avro", ("ceiling", "kafka-producer-perf-alo-avro")),
                 ("kafka-producer-perf-avro", "kafka-producer-perf"),
                 ("kafka-producer-perf-alo-avro", "kafka-producer-perf-alo")]
        comps += [(v, "kafka-producer-perf-alo") for v in sorted(OPT_IN) if SYSTEMS[v][0] == "kafka-perf"]
        comps += [("ferrium-null", "debezium-null"),
                 ("ferrium-null-unwrap", "ferrium-null"), ("ferrium-null-jsfilter", "ferrium-null"),
                 ("ferrium-null", "ferrium-null-noctx"),
                 ("ferrium-null-noschemas", "ceiling"), ("ferrium-null-threads2", "ceiling"),
                 ("ferrium-null-threads2", "ferrium-null"),
                 ("ferrium", "debezium"), ("ferrium-alo", "debezium"), ("ferrium-null", "debezium-tuned-null"),
                 ("ferrium", "debezium-tuned")]
        lines = []
        for a, b in comps:
            q = ratios(runs, a, b, w)
            if q:
                bname = b if isinstance(b, str) else "lower of (%s)" % ", ".join(b)
                lines.append("| %s / %s | %.2fx [%.2f–%.2f] |" % (a, bname, q[0], q[1], q[2]))
        if lines and not w.endswith("latency"):
            md += ["", "| events/s ratio (same repetition) | median [min–max] |", "|---|---|"] + lines
        perf = [r for r in runs if r["workload"] == w and r.get("payload_samples")]
        fkafka = [r for r in runs if r["workload"] == w and r["ok"] and SYSTEMS[r["system"]][0] == "ferrium"
                  and r.get("header_bytes_per_event") is not None]
        if perf:
            # per kafka-perf system: which Ferrium run (of its format) it replayed, and those records' size
            per = []
            for ps in sorted({r["system"] for r in perf}):
                rs = [r for r in perf if r["system"] == ps]
                per.append("%s: %d records of %s, %.0f B key+value on average%s" % (
                    ps, rs[0]["payload_samples"], ", ".join(sorted({r["payload_from"] for r in rs})),
                    statistics.median(r["payload_bytes_avg"] for r in rs),
                    " (binary, made text-safe at the same length: bytes >= 0x80 without their top bit)"
                    if any(r.get("payload_text_safe") for r in rs) else ""))
            md += ["", "Kafka ceiling payloads — %s%s." % ("; ".join(per),
                "; Ferrium's records also carry %.0f B of headers per event, which ProducerPerformance does not send"
                % fkafka[0]["header_bytes_per_event"] if fkafka else "")]
        md.append("")
    errs = [r for r in runs if not r["ok"]]
    if errs:
        md += ["## Failed measurements", ""]
        for r in errs:
            md.append("- %s / %s rep %d: %s — `%s`" % (r["system"], r["workload"], r["rep"], r.get("error"),
                                                      (r.get("stderr_tail") or "").strip().splitlines()[-1:] if r.get("stderr_tail") else ""))
        md.append("")
    md.append("![events per second](%s.png)" % NAME)
    with open(os.path.join(RESULTS, NAME + ".md"), "w") as f:
        f.write("\n".join(md) + "\n")
    plot(rows)


def plot(rows):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib missing: no plot")
        return
    workloads, systems = [], []
    for r in rows:
        if r["workload"] not in workloads and not r["workload"].endswith("latency"):
            workloads.append(r["workload"])
        if r["system"] not in systems:
            systems.append(r["system"])
    lat = [r for r in rows if r["workload"].endswith("latency") and r["p50_ms"] is not None]
    ncols = 2 if lat else 1
    fig, axes = plt.subplots(1, ncols, figsize=(max(8, 2.4 * len(workloads)) + (5 if lat else 0), 5),
                             gridspec_kw={"width_ratios": [3, 1.3] if lat else [1]}, squeeze=False)
    ax = axes[0][0]
    width = 0.8 / max(1, len(systems))
    for i, s in enumerate(systems):
        xs, ys, lo, hi = [], [], [], []
        for j, w in enumerate(workloads):
            r = next((r for r in rows if r["system"] == s and r["workload"] == w), None)
            if r and r["events_per_sec"]:
                xs.append(j + (i - (len(systems) - 1) / 2) * width)
                ys.append(r["events_per_sec"])
                lo.append(r["events_per_sec"] - r["events_per_sec_min"])
                hi.append(r["events_per_sec_max"] - r["events_per_sec"])
        ax.bar(xs, ys, width, label=s, yerr=[lo, hi], capsize=2)
    ax.set_xticks(range(len(workloads)))
    ax.set_xticklabels(workloads, rotation=30, ha="right", fontsize=8)
    if any(r["events_per_sec"] for r in rows if r["workload"] in workloads):
        ax.set_yscale("log")  # matplotlib refuses a log scale with nothing on it (every run failed)
    ax.set_ylabel("events/s (median, min–max)")
    ax.set_title("Throughput (scale %g, %d reps)" % (SCALE, REPS))
    ax.legend(fontsize=8, ncol=2)
    if lat:
        ax2 = axes[0][1]
        names = ["%s %s" % (r["database"], r["system"]) for r in lat]
        xs = range(len(lat))
        ax2.bar([x - 0.2 for x in xs], [r["p50_ms"] for r in lat], 0.4, label="p50")
        ax2.bar([x + 0.2 for x in xs], [r["p99_ms"] for r in lat], 0.4, label="p99")
        ax2.set_xticks(list(xs))
        ax2.set_xticklabels(names, rotation=45, ha="right", fontsize=8)
        ax2.set_yscale("log")
        ax2.set_ylabel("commit → readable, ms")
        ax2.set_title("Latency at a steady rate")
        ax2.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(RESULTS, NAME + ".png"), dpi=110)


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    databases = [d for d in os.environ.get("BENCH_DATABASES", ",".join(DATABASES)).split(",") if d]
    workloads = [w for w in os.environ.get("BENCH_WORKLOADS", ",".join(WORKLOADS)).split(",") if w]
    default_systems = ",".join(s for s in SYSTEMS if s not in OPT_IN)
    systems = [s for s in os.environ.get("BENCH_SYSTEMS", default_systems).split(",") if s]
    for s in systems:
        if s not in SYSTEMS:
            sys.exit("unknown system %s (known: %s)" % (s, ", ".join(SYSTEMS)))
    # the kafka-perf systems replay the records of the Ferrium->Kafka run before them in each repetition
    systems = ([s for s in systems if SYSTEMS[s][0] != "kafka-perf"] +
               [s for s in systems if SYSTEMS[s][0] == "kafka-perf"])
    if any(SYSTEMS[s][1].get("format") == "avro" and SYSTEMS[s][0] == "ferrium" for s in systems):
        # Ferrium waits for a registry that does not answer (that is its policy): fail here instead, clearly
        import urllib.request
        try:
            urllib.request.urlopen(REGISTRY + "/subjects", timeout=5).read()
        except OSError as e:
            sys.exit("the Avro systems need the schema registry at %s (%s): bench/run.sh starts it for the private "
                     "services; with BENCH_SERVICES=shared run scripts/services.sh up registry, or set "
                     "BENCH_REGISTRY_URL" % (REGISTRY, e))
    for d in databases:
        if d not in DB_CLASSES:
            sys.exit("unknown database %s (known: %s)" % (d, ", ".join(DB_CLASSES)))
    for w in workloads:
        if w not in WORKLOADS:
            sys.exit("unknown workload %s (known: %s)" % (w, ", ".join(WORKLOADS)))
    os.makedirs(TMP, exist_ok=True)
    dbxs = [DB_CLASSES[d]() for d in databases]
    info = env_info(dbxs)
    log("run %s: scale %g, %d reps, databases %s, workloads %s, systems %s" % (
        RUN_ID, SCALE, REPS, databases, workloads, systems))
    runs = []
    t_run = time.time()
    for dbx in dbxs:
        dbx.begin()
        try:
            for w in workloads:
                t0 = time.time()
                if w in ("insert", "update", "bigtxn"):
                    runs += streaming(dbx, w, systems)
                elif w == "snapshot":
                    runs += snapshot(dbx, systems)
                else:
                    runs += latency(dbx, systems)
                log("%s-%s done in %.0fs" % (dbx.name, w, time.time() - t0))
                info["duration_s"] = round(time.time() - t_run)
                write_results(runs, info)  # partial results survive an interrupted run
        finally:
            dbx.end()
    info["duration_s"] = round(time.time() - t_run)
    write_results(runs, info)
    print(open(os.path.join(RESULTS, NAME + ".md")).read())


if __name__ == "__main__":
    main()
