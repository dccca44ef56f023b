#!/usr/bin/env python3
"""Steady-rate insert load for the latency workload.

usage: loadgen.py DSN RATE_ROWS_PER_S SECONDS [ROWS_PER_TXN]

Inserts RATE rows/s into public.t (payload ~200 bytes) in transactions of ROWS_PER_TXN rows (10),
on an absolute schedule (a late transaction is sent at once, never skipped). Prints one JSON line
with what it achieved.
"""
import json
import sys
import time

import psycopg


def main():
    dsn, rate, seconds = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    per_txn = int(sys.argv[4]) if len(sys.argv) > 4 else 10
    txns = int(rate * seconds / per_txn)
    interval = per_txn / rate
    sql = ("insert into public.t(payload) select repeat(md5(random()::text), 6) "
           "from generate_series(1, %s)" % per_txn)
    late = 0
    with psycopg.connect(dsn, autocommit=False) as conn:
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
    print(json.dumps({"rows": txns * per_txn, "seconds": elapsed,
                      "rate": txns * per_txn / elapsed, "late_txns": late}))


if __name__ == "__main__":
    main()
