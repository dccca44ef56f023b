#!/usr/bin/env python3
"""Steady-rate insert load for the latency workload.

usage: loadgen.py postgres|mariadb DSN RATE_ROWS_PER_S SECONDS [ROWS_PER_TXN]

Inserts RATE rows/s into table t (payload ~200 bytes) in transactions of ROWS_PER_TXN rows (10),
on an absolute schedule (a late transaction is sent at once, never skipped). Prints one JSON line
with what it achieved.

  postgres  DSN is a libpq conninfo string (psycopg); the harness times events by source.ts_us
            (PostgreSQL's commit timestamp, microseconds).
  mariadb   DSN is "host:port:user:database" (PyMySQL). The binlog timestamps only have whole
            seconds, so each payload starts with "@<microseconds since the epoch>:", the server's
            NOW(6) when the INSERT ran, just before its COMMIT; the harness times events by that.
"""
import json
import sys
import time

PG_SQL = ("insert into public.t(payload) select repeat(md5(random()::text), 6) "
          "from generate_series(1, %d)")
MARIADB_SQL = ("INSERT INTO t(payload) SELECT CONCAT('@', CAST(UNIX_TIMESTAMP(NOW(6)) * 1000000 AS UNSIGNED), ':', "
               "LEFT(REPEAT(MD5(RAND()), 6), 175)) FROM seq_1_to_%d")


def connect(kind, dsn):
    if kind == "postgres":
        import psycopg
        return psycopg.connect(dsn, autocommit=False), PG_SQL
    import pymysql
    host, port, user, database = dsn.split(":")
    return pymysql.connect(host=host, port=int(port), user=user, password="", database=database,
                           autocommit=False), MARIADB_SQL


def main():
    kind, dsn, rate, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    per_txn = int(sys.argv[5]) if len(sys.argv) > 5 else 10
    txns = int(rate * seconds / per_txn)
    interval = per_txn / rate
    conn, sql = connect(kind, dsn)
    sql = sql % per_txn
    late = 0
    try:
        cur = conn.cursor()
        start = time.perf_counter()
        for i in range(txns):
            due = start + i * interval
            now = time.perf_counter()
            if now < due:
                time.sleep(due - now)
            elif now - due > 0.05:
                late += 1
            cur.execute(sql)
            conn.commit()
        elapsed = time.perf_counter() - start
    finally:
        conn.close()
    print(json.dumps({"rows": txns * per_txn, "seconds": elapsed,
                      "rate": txns * per_txn / elapsed, "late_txns": late}))


if __name__ == "__main__":
    main()
