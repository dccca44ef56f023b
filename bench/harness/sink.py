#!/usr/bin/env python3
"""bench/harness/sink.py — the sink benchmark (bench/sink.sh prepares, this measures; see bench/README.md).

Fills one topic with N change events (Ferrium's PostgreSQL source, exactly-once, a snapshot of an
N-row table, JSON with schemas), then starts each system on that full topic with an empty target
table and times it from process start until `count(*)` of its table reaches N. Stdlib only: the
database is polled with psql, the topic is counted by the baseline program's --count-only mode.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import bench  # noqa: E402  (psql, /proc sampling, stop, log; reads FERRIUM_*_PORT at import)
from bench import log, psql, proc_cpu_s, proc_hwm_mb, stop  # noqa: E402

REPO, RESULTS, TMP, KAFKA = bench.REPO, bench.RESULTS, bench.TMP, bench.KAFKA
FERRIUM = bench.FERRIUM
BASELINE = os.environ.get("BENCH_SINK_BASELINE_BIN") or os.path.join(REPO, "target", "release", "examples",
                                                                     "sink_baseline")
JAVA = os.environ.get("BENCH_JAVA", "java")
SINK_DIR = os.path.join(REPO, "bench", "sink", "target")
CONNECT_CP = os.path.join(SINK_DIR, "connect-lib", "*")
PLUGINS = os.path.join(SINK_DIR, "plugins")
DBZ_JDBC_VERSION = os.environ.get("BENCH_DEBEZIUM_JDBC_VERSION", "3.3.1.Final")

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
ROWS = int(os.environ.get("BENCH_SINK_ROWS") or int(200_000 * SCALE))
TIMEOUT = float(os.environ.get("BENCH_TIMEOUT", "900"))
NAME = os.environ.get("BENCH_RESULTS_NAME", "sink")
REPS = int(os.environ.get("BENCH_REPS", "1"))
ALL_SYSTEMS = ["hand-written", "ferrium-jdbc-sink", "debezium-jdbc-sink"]
SYSTEMS = [s for s in os.environ.get("BENCH_SINK_SYSTEMS", ",".join(ALL_SYSTEMS)).split(",") if s]
RUN_ID = bench.RUN_ID
SRC_DB, DST_DB = "bench_sink_src", "bench_sink_dst"
POLL_S = 0.25

# The same options for both JDBC sinks (the brief's: upsert by record key, tables created, deletes on).
SINK_OPTIONS = {"insert.mode": "upsert", "primary.key.mode": "record_key", "schema.evolution": "basic",
                "delete.enabled": "true"}
TABLES = {"hand-written": "baseline_t", "ferrium-jdbc-sink": "ferrium_t", "debezium-jdbc-sink": "debezium_t"}
SHAPE = "id int primary key, name text, amount numeric(12,2), created_at timestamp(6), qty bigint"
# What every target must hold at the end, compared with the source (a cheap whole-table check).
CHECK = "select count(*), sum(qty), sum(amount), sum(length(name)), max(created_at)::text from %s"


def jdbc_url():
    return "jdbc:postgresql://%s:%s/%s" % (bench.PG_HOST, bench.PG_PORT, DST_DB)


def prepare_source():
    log("source: %s.public.t with %d rows" % (SRC_DB, ROWS))
    psql("select pg_drop_replication_slot(slot_name) from pg_replication_slots where database = '%s' and not active"
         % SRC_DB)
    psql("drop database if exists %s with (force)" % SRC_DB)
    psql("create database %s" % SRC_DB)
    psql("create table public.t(%s)" % SHAPE, db=SRC_DB)
    psql("insert into public.t select i, 'name ' || md5(i::text), (i %% 100000) / 100.0 + 0.01, "
         "timestamp '2026-01-01' + i * interval '1 second' + (i %% 1000) * interval '1 microsecond', "
         "i::bigint * 1000003 from generate_series(1, %d) i" % ROWS, db=SRC_DB)
    psql("create publication bench_sink_pub for table public.t", db=SRC_DB)
    psql("vacuum analyze public.t", db=SRC_DB)
    psql("drop database if exists %s with (force)" % DST_DB)
    psql("create database %s" % DST_DB)


def fill_topic(rundir):
    """Ferrium's PostgreSQL source, exactly-once, snapshot.mode=initial, until the topic holds ROWS records."""
    prefix = "bs" + RUN_ID
    topic = prefix + ".public.t"
    slot = "bs_" + RUN_ID
    cfg = {"connector.class": "io.debezium.connector.postgresql.PostgresConnector",
           "database.hostname": bench.PG_HOST, "database.port": bench.PG_PORT, "database.user": "postgres",
           "database.password": "", "database.dbname": SRC_DB, "topic.prefix": prefix, "plugin.name": "pgoutput",
           "slot.name": slot, "publication.name": "bench_sink_pub", "publication.autocreate.mode": "disabled",
           "table.include.list": "public\\.t", "snapshot.mode": "initial"}
    os.makedirs(rundir, exist_ok=True)
    with open(os.path.join(rundir, "source.json"), "w") as f:
        json.dump([{"name": prefix + "-source", "config": cfg}], f, indent=1)
    with open(os.path.join(rundir, "source-worker.properties"), "w") as f:
        f.write("bootstrap.servers=%s\nexactly.once.source.support=enabled\noffset.storage.topic=%s-offsets\n"
                "offset.flush.interval.ms=1000\n" % (KAFKA, prefix))
    err = open(os.path.join(rundir, "source.stderr"), "w")
    log("filling topic %s (Ferrium source, exactly-once, snapshot)" % topic)
    t0 = time.monotonic()
    src = subprocess.Popen([FERRIUM, "run", os.path.join(rundir, "source.json"), "--worker",
                            os.path.join(rundir, "source-worker.properties")],
                           stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
    try:
        count = subprocess.run([BASELINE, "--bootstrap", KAFKA, "--topic", topic, "--count-only", str(ROWS)],
                               capture_output=True, text=True, timeout=TIMEOUT)
        if count.returncode != 0:
            raise RuntimeError("counting %s failed: %s" % (topic, count.stderr.strip()))
    finally:
        stop(src)
        err.close()
        psql("select pg_drop_replication_slot('%s')" % slot, db=SRC_DB, check=False)
    log("topic %s holds %d records (%.1f s)" % (topic, ROWS, time.monotonic() - t0))
    return topic


def ferrium_cmd(rundir, topic, table, rep):
    name = "bench-sink-ferrium-%s-%d" % (RUN_ID, rep)
    cfg = {"connector.class": "io.debezium.connector.jdbc.JdbcSinkConnector", "topics": topic,
           "connection.url": jdbc_url(), "connection.username": "postgres", "connection.password": "",
           "collection.name.format": table}
    cfg.update(SINK_OPTIONS)
    with open(os.path.join(rundir, "connectors.json"), "w") as f:
        json.dump([{"name": name, "config": cfg}], f, indent=1)
    with open(os.path.join(rundir, "worker.properties"), "w") as f:
        f.write("bootstrap.servers=%s\noffset.storage.topic=%s-offsets\noffset.flush.interval.ms=1000\n"
                % (KAFKA, name))
    return [FERRIUM, "run", os.path.join(rundir, "connectors.json"), "--worker",
            os.path.join(rundir, "worker.properties")]


def debezium_cmd(rundir, topic, table, rep):
    # a new name (so a new consumer group connect-<name>) per run: Connect resumes a sink from its group
    name = "bench-sink-debezium-%s-%d" % (RUN_ID, rep)
    worker = {"bootstrap.servers": KAFKA,
              "key.converter": "org.apache.kafka.connect.json.JsonConverter",
              "value.converter": "org.apache.kafka.connect.json.JsonConverter",
              "key.converter.schemas.enable": "true", "value.converter.schemas.enable": "true",
              "offset.storage.file.filename": os.path.join(rundir, "connect.offsets"),
              "offset.flush.interval.ms": "10000", "plugin.path": PLUGINS,
              "listeners": "http://127.0.0.1:" + os.environ.get("BENCH_CONNECT_PORT", "28083")}
    conn = {"name": name, "connector.class": "io.debezium.connector.jdbc.JdbcSinkConnector", "tasks.max": "1",
            "topics": topic, "connection.url": jdbc_url(), "connection.username": "postgres",
            "connection.password": "", "collection.name.format": table}
    conn.update(SINK_OPTIONS)
    for fname, props in (("connect-standalone.properties", worker), ("connector.properties", conn)):
        with open(os.path.join(rundir, fname), "w") as f:
            f.write("".join("%s=%s\n" % kv for kv in props.items()))
    with open(os.path.join(rundir, "log4j2.properties"), "w") as f:
        f.write("rootLogger.level=INFO\nrootLogger.appenderRef.stdout.ref=STDOUT\nappender.stdout.type=Console\n"
                "appender.stdout.name=STDOUT\nappender.stdout.target=SYSTEM_ERR\nappender.stdout.layout.type="
                "PatternLayout\nappender.stdout.layout.pattern=[%d] %p %m (%c)%n\n")
    # connect-standalone.sh's heap (KAFKA_HEAP_OPTS) and kafka-run-class.sh's GC flags
    return [JAVA, "-Xms256M", "-Xmx2G", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
            "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent",
            "-Dlog4j2.configurationFile=" + os.path.join(rundir, "log4j2.properties"),
            "-cp", CONNECT_CP, "org.apache.kafka.connect.cli.ConnectStandalone",
            os.path.join(rundir, "connect-standalone.properties"), os.path.join(rundir, "connector.properties")]


def baseline_cmd(rundir, topic, table, rep):
    psql("create table public.%s(%s)" % (table, SHAPE), db=DST_DB)
    return [BASELINE, "--bootstrap", KAFKA, "--topic", topic, "--table", table,
            "--pg", "host=%s port=%s user=postgres dbname=%s" % (bench.PG_HOST, bench.PG_PORT, DST_DB)]


def target_count(table):
    out = psql("select count(*) from public.%s" % table, db=DST_DB, check=False)
    return int(out) if out.isdigit() else 0


def measure(system, topic, expected_check, rep):
    table = TABLES[system]
    rundir = os.path.join(TMP, "sink-%s-%s-%d" % (RUN_ID, system, rep))
    os.makedirs(rundir, exist_ok=True)
    psql("drop table if exists public.%s" % table, db=DST_DB)
    psql("drop table if exists public.__ferrium_sink_offsets", db=DST_DB)
    cmd = {"hand-written": baseline_cmd, "ferrium-jdbc-sink": ferrium_cmd,
           "debezium-jdbc-sink": debezium_cmd}[system](rundir, topic, table, rep)
    log("%s: %s" % (system, " ".join(cmd)))
    err_path = os.path.join(rundir, "stderr")
    err = open(err_path, "w")
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=err, stderr=subprocess.STDOUT, start_new_session=True)
    result = {"system": system, "rep": rep, "rows": ROWS, "table": table, "ok": False}
    t_first = None
    cpu = hwm = None
    try:
        while True:
            n = target_count(table)
            now = time.monotonic()
            if n > 0 and t_first is None:
                t_first = now
            if n >= ROWS:
                break
            if proc.poll() is not None:
                raise RuntimeError("%s exited (%s) with %d of %d rows" % (system, proc.returncode, n, ROWS))
            if now - t0 > TIMEOUT:
                raise RuntimeError("%s timed out after %.0f s with %d of %d rows" % (system, TIMEOUT, n, ROWS))
            cpu, hwm = proc_cpu_s(proc.pid), proc_hwm_mb(proc.pid)
            time.sleep(POLL_S)
        elapsed = time.monotonic() - t0
        cpu, hwm = proc_cpu_s(proc.pid) or cpu, proc_hwm_mb(proc.pid) or hwm
        result.update(ok=True, seconds=round(elapsed, 2), rows_per_sec=round(ROWS / elapsed),
                      time_to_first_row_s=round(t_first - t0, 2),
                      # under a second (a few polls) says more about the polling than the system
                      rows_per_sec_after_first_row=round(ROWS / (now - t_first)) if now - t_first >= 1 else None,
                      cpu_s=cpu, peak_rss_mb=round(hwm, 1) if hwm else None)
        got = psql(CHECK % ("public." + table), db=DST_DB)
        result["target_matches_source"] = got == expected_check
        if got != expected_check:
            result["target_check"], result["source_check"] = got, expected_check
        log("%s rep %d: %d rows in %.1f s = %d rows/s (first row after %.1f s; CPU %.1f s; peak RSS %s MB; %s)"
            % (system, rep, ROWS, elapsed, ROWS / elapsed, t_first - t0, cpu or 0, result["peak_rss_mb"],
               "target equals source" if got == expected_check else "TARGET DIFFERS: %s vs %s" % (got, expected_check)))
    except RuntimeError as e:
        result["error"] = str(e)
        log("FAILED %s" % e)
    finally:
        stop(proc, grace=15)
        err.close()
    if not result["ok"]:
        with open(err_path, errors="replace") as f:
            result["stderr_tail"] = f.read()[-3000:]
    elif not os.environ.get("BENCH_KEEP"):
        shutil.rmtree(rundir, ignore_errors=True)
    return result


def ratio(a, b):
    return round(a / b, 2) if a and b else None


def med(vals):
    vals = sorted(v for v in vals if v is not None)
    return statistics.median(vals) if vals else None


def aggregate(runs):
    """Per system: medians over the repetitions, rows/s and ratios with min and max; ratios are taken
    per repetition against the same repetition's hand-written and Debezium runs."""
    rate = {(r["system"], r["rep"]): r["rows_per_sec"] for r in runs if r["ok"]}
    rows = []
    for system in SYSTEMS:
        ok = [r for r in runs if r["system"] == system and r["ok"]]
        row = {"system": system, "reps": REPS, "ok_reps": len(ok)}
        if ok:
            for key in ("rows_per_sec", "seconds", "time_to_first_row_s", "rows_per_sec_after_first_row",
                        "cpu_s", "peak_rss_mb"):
                vals = [r[key] for r in ok if r.get(key) is not None]
                row[key] = med(vals)
                if vals:
                    row[key + "_min"], row[key + "_max"] = min(vals), max(vals)
            row["target_matches_source"] = all(r["target_matches_source"] for r in ok)
            for other, key in (("hand-written", "vs_hand_written"), ("debezium-jdbc-sink", "vs_debezium")):
                vals = [ratio(r["rows_per_sec"], rate.get((other, r["rep"]))) for r in ok]
                vals = [v for v in vals if v is not None]
                row[key] = med(vals)
                if vals:
                    row[key + "_min"], row[key + "_max"] = min(vals), max(vals)
        rows.append(row)
    return rows


def spread(row, key, fmt):
    v = row.get(key)
    if v is None:
        return "–"
    text = fmt(v)
    if REPS > 1 and row.get(key + "_min") is not None:
        text += " (%s–%s)" % (fmt(row[key + "_min"]), fmt(row[key + "_max"]))
    return text


def write_results(runs, info):
    agg = aggregate(runs)
    with open(os.path.join(RESULTS, NAME + ".json"), "w") as f:
        json.dump({"info": info, "results": agg, "runs": runs}, f, indent=1)
    num = lambda v: f"{round(v):,}"  # noqa: E731
    r2 = lambda v: "%.2f" % v  # noqa: E731
    r1 = lambda v: "%.1f" % v  # noqa: E731
    lines = ["# Sink benchmark: apply rate from a full topic into PostgreSQL", "",
             "%s rows (%s change events of a snapshot, JSON with schemas, one partition) applied by each system "
             "into an empty table of the target database; rows/s = rows ÷ seconds from process start until "
             "`count(*)` of the target reached %s (polled every %.2f s; start-up included). %s" %
             (f"{ROWS:,}", f"{ROWS:,}", f"{ROWS:,}", POLL_S,
              "Median of %d repetitions (interleaved), min–max in brackets; ratios per repetition." % REPS
              if REPS > 1 else "One repetition."), "",
             "| system | rows/s | vs hand-written | vs Debezium | seconds | first row after s | rows/s after first row "
             "| CPU s | peak RSS MB | target = source |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in agg:
        if r["ok_reps"]:
            lines.append("| `%s` | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                r["system"], spread(r, "rows_per_sec", num), spread(r, "vs_hand_written", r2),
                spread(r, "vs_debezium", r2), spread(r, "seconds", r1), spread(r, "time_to_first_row_s", r1),
                spread(r, "rows_per_sec_after_first_row", num), spread(r, "cpu_s", r1),
                spread(r, "peak_rss_mb", num), "yes" if r["target_matches_source"] else "**no**"))
        else:
            lines.append("| `%s` | failed | | | | | | | | |" % r["system"])
        if r["ok_reps"] and r["ok_reps"] < REPS:
            lines[-1] += " (%d of %d repetitions failed)" % (REPS - r["ok_reps"], REPS)
    lines += ["", "Reproduce: `%s`" % info["command"], "",
              "- Systems: `hand-written` = `crates/ferrium-sink-jdbc/examples/sink_baseline.rs` (rdkafka + serde + "
              "tokio-postgres, batches of 500 rows as one multi-row `INSERT … ON CONFLICT (id) DO UPDATE`, "
              "table created beforehand, at-least-once); `ferrium-jdbc-sink` = `ferrium run` with the JDBC sink "
              "alone (exactly-once: its offsets in the target, in each batch's transaction); `debezium-jdbc-sink` = "
              "Debezium's JDBC sink %s (plugin archive from Maven Central) in Kafka Connect %s standalone "
              "(`ConnectStandalone`, `-Xms256M -Xmx2G` as connect-standalone.sh), %s." %
              (DBZ_JDBC_VERSION, info["connect_version"], info["java"]),
              "- Both JDBC sinks: `%s`, `batch.size` default (500), `collection.name.format` = the table; the "
              "table does not exist at start (`schema.evolution=basic` creates it)." %
              ", ".join("%s=%s" % kv for kv in SINK_OPTIONS.items()),
              "- CPU s = user + system of the system's own process over the whole run (start-up included); the "
              "PostgreSQL backend that executes the writes and the Kafka broker are not counted. Peak RSS = "
              "VmHWM (the JVM's includes its heap, `-Xms256M -Xmx2G`).",
              "- \"first row after\" = process start to the first row visible in the target (JVM and Connect "
              "start-up for Debezium); \"rows/s after first row\" excludes it (– when under 1 s). The polling "
              "makes each time up to %.2f s late." % POLL_S,
              "- \"target = source\": count, sum(qty), sum(amount), sum(length(name)), max(created_at) "
              "of the target equal the source table's.",
              "- Machine: %s cores, load average (1, 5, 15 min) at start %s. Other work (tests, builds) may "
              "have run on this machine at the same time (it is shared), so timings can be disturbed; compare "
              "systems within one run." % (info["cores"], " ".join(info["loadavg_start"])),
              "- Topic filled in %.1f s by Ferrium's PostgreSQL source (exactly-once, `snapshot.mode=initial`). "
              "Date: %s, services: %s (PostgreSQL :%s, Kafka %s), total %d s." % (
                  info["fill_s"], info["date"], info["services"], bench.PG_PORT, KAFKA, info["duration_s"])]
    failed = [r for r in runs if not r["ok"]]
    if failed:
        lines += ["", "## Failed measurements", ""]
        for r in failed:
            lines += ["### %s (repetition %d)" % (r["system"], r["rep"]), "", r.get("error", ""), "", "```",
                      r.get("stderr_tail", "")[-1500:], "```", ""]
    with open(os.path.join(RESULTS, NAME + ".md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    log("results: %s.md, %s.json" % (os.path.join(RESULTS, NAME), os.path.join(RESULTS, NAME)))


def connect_version():
    jars = [j for j in os.listdir(os.path.dirname(CONNECT_CP)) if j.startswith("connect-runtime-")]
    return jars[0][len("connect-runtime-"):-len(".jar")] if jars else "?"


def main():
    bad = [s for s in SYSTEMS if s not in ALL_SYSTEMS]
    if bad:
        sys.exit("unknown system(s) %s in BENCH_SINK_SYSTEMS (%s)" % (bad, ",".join(ALL_SYSTEMS)))
    os.makedirs(TMP, exist_ok=True)
    java = subprocess.run([JAVA, "-version"], capture_output=True, text=True).stderr.splitlines()
    info = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "rows": ROWS, "cores": os.cpu_count(),
            "loadavg_start": open("/proc/loadavg").read().split()[0:3],
            "command": os.environ.get("BENCH_SINK_COMMAND", "bench/sink.sh"),
            "services": os.environ.get("BENCH_SERVICES", "isolated"), "java": java[0] if java else "?",
            "connect_version": connect_version(), "debezium_jdbc_version": DBZ_JDBC_VERSION,
            "ferrium": subprocess.run([FERRIUM, "--version"], capture_output=True, text=True).stdout.strip()}
    t0 = time.monotonic()
    prepare_source()
    expected = psql(CHECK % "public.t", db=SRC_DB)
    tf = time.monotonic()
    topic = fill_topic(os.path.join(TMP, "sink-%s-source" % RUN_ID))
    info["fill_s"] = round(time.monotonic() - tf, 1)
    info["topic"] = topic
    # repetitions interleaved (every system once, then again), so drift on the machine hits all alike
    runs = [measure(s, topic, expected, rep) for rep in range(REPS) for s in SYSTEMS]
    info["duration_s"] = round(time.monotonic() - t0)
    write_results(runs, info)
    if not all(r["ok"] for r in runs):
        sys.exit(1)


if __name__ == "__main__":
    main()
