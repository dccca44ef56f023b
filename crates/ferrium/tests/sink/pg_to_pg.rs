//! PostgreSQL → Kafka → PostgreSQL: a read model kept by the JDBC sink from native
//! Debezium envelopes and from records flattened by `ExtractNewRecordState`, through
//! inserts, updates, a primary-key change, deletes, tombstones, a truncate, a column
//! added mid-stream, and an unchanged TOASTed value; every type family of the source
//! lands as the matching column type with its full value.

use crate::harness::{assert_verified, pg_source, pg_url, start, verify, PgDb, Target};

const SCHEMA: &str = "
    CREATE TABLE orders (
        id int PRIMARY KEY,
        customer text NOT NULL,
        total numeric(12,2),
        ratio numeric,
        placed_at timestamp(6),
        placed_tz timestamptz,
        ship_date date,
        ship_time time,
        wait interval,
        flags bit(8),
        tags text[],
        doc jsonb,
        ref uuid,
        active boolean,
        qty smallint,
        big bigint,
        score double precision,
        r real,
        raw bytea,
        payload text
    );
    CREATE TABLE items (id int PRIMARY KEY, name text);";

/// Compared on both sides: every column in a text form both databases agree on.
fn select(table: &str) -> String {
    format!(
        "SELECT id::text, customer, total::text, ratio::text, placed_at::text, placed_tz::text, ship_date::text, \
         ship_time::text, extract(epoch from wait)::text, flags::text, tags::text, doc::text, ref::text, active::text, \
         qty::text, big::text, score::text, r::text, raw::text, md5(payload), note FROM {table} ORDER BY id"
    )
}

async fn source_rows(db: &PgDb, sql: &str) -> Vec<String> {
    db.client
        .query(sql, &[])
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (0..r.len())
                .map(|i| r.get::<_, Option<String>>(i).unwrap_or_else(|| "∅".into()))
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect()
}

async fn scenario(tag: &str, flattened: bool) {
    let source = PgDb::create(tag).await;
    source.exec(SCHEMA).await;
    let mut target = Target::postgres(&format!("{tag}_rm")).await;
    let prefix = source.name.clone();
    let mut sink_options = vec![
        ("insert.mode", "upsert"),
        ("primary.key.mode", "record_key"),
        ("delete.enabled", "true"),
        ("truncate.enabled", "true"),
        ("schema.evolution", "basic"),
    ];
    if flattened {
        sink_options.extend([
            ("transforms", "unwrap"),
            (
                "transforms.unwrap.type",
                "io.debezium.transforms.ExtractNewRecordState",
            ),
            (
                "transforms.unwrap.delete.tombstone.handling.mode",
                "tombstone",
            ),
            ("collection.name.format", "rm_${topic}"),
        ]);
    } else {
        sink_options.push(("collection.name.format", "${source.table}"));
    }
    let regex = format!("{prefix}\\.public\\..*");
    sink_options.push(("topics.regex", &regex));
    let sink = target.sink(&format!("{prefix}-sink"), "", &sink_options);
    let ferrium = start(
        source.dir.path(),
        &prefix,
        &[
            pg_source(&source, &prefix, &[("skipped.operations", "none")]),
            sink,
        ],
    );
    let (orders, items) = if flattened {
        (
            format!("rm_{prefix}_public_orders"),
            format!("rm_{prefix}_public_items"),
        )
    } else {
        ("orders".to_string(), "items".to_string())
    };

    source
        .exec(
            "INSERT INTO orders VALUES
             (1, 'ann', 12.50, 3.14159, '2024-02-29 13:14:15.123456', '2024-02-29 13:14:15.5+02', '2024-02-29', '23:59:59.999999',
              '1 day 02:03:04.5', B'10100000', '{a,\"b c\",NULL}', '{\"k\": [1, 2]}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
              true, -32768, 9223372036854775807, 1.5e300, 0.25, '\\x00ff10',
              (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 200) i)),
             (2, 'bob', -0.01, 1e-30, '1970-01-01 00:00:00', NULL, '0001-01-01', '24:00:00', '-5 minutes', B'00000001',
              '{}', '[]', NULL, false, 7, -1, -0.5, -1.25, '\\x', 'short'),
             (3, 'cy', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
             INSERT INTO items VALUES (1, 'one'), (2, 'two');",
        )
        .await;
    // An update that leaves the TOASTed payload unchanged, a primary-key change, a
    // delete, and a truncate.
    source
        .exec("UPDATE orders SET customer = 'ann2' WHERE id = 1")
        .await;
    source.exec("UPDATE orders SET id = 30 WHERE id = 3").await;
    source.exec("DELETE FROM orders WHERE id = 2").await;
    source
        .exec("TRUNCATE items; INSERT INTO items VALUES (3, 'three')")
        .await;
    // A column added mid-stream, under schema.evolution=basic.
    source.exec("ALTER TABLE orders ADD COLUMN note text").await;
    source
        .exec("INSERT INTO orders (id, customer, note) VALUES (4, 'dee', 'new column'); UPDATE orders SET note = 'later' WHERE id = 1")
        .await;

    let expected = source_rows(&source, &select("orders")).await;
    assert_eq!(expected.len(), 3, "{expected:?}");
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    target
        .wait_for_rows(&select(&orders), &expected, &ferrium)
        .await;
    // ExtractNewRecordState drops truncate events, as Debezium's does: a flattened
    // read model keeps the truncated rows.
    let items_expected: &[&str] = if flattened {
        &["1|one", "2|two", "3|three"]
    } else {
        &["3|three"]
    };
    target
        .wait_for_rows(
            &format!("SELECT id::text, name FROM {items} ORDER BY id"),
            items_expected,
            &ferrium,
        )
        .await;
    // The applied offsets sit in the target, beside the rows.
    let stored = target
        .rows(&format!(
            "SELECT count(*)::text FROM __ferrium_sink_offsets WHERE connector = '{prefix}-sink'"
        ))
        .await;
    assert_eq!(stored, ["2"], "one offset row per partition read");
    ferrium.stop();
    let source_url = pg_url(&source.name);
    assert_verified(
        &source_url,
        "postgres",
        "public.orders",
        &target,
        &orders,
        &[],
    );
    // A row changed by hand in the read model is found, named by key and column.
    target
        .exec(&format!("UPDATE {orders} SET qty = 99 WHERE id = 1"))
        .await;
    let (code, report) = verify(
        &source_url,
        "postgres",
        "public.orders",
        &target,
        &orders,
        &[],
    );
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains("1 different") && report.contains("qty"),
        "{report}"
    );
    source.drop().await;
    target.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn native_envelopes_build_an_identical_read_model() {
    scenario("sink_pg_native", false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn flattened_records_build_an_identical_read_model() {
    scenario("sink_pg_flat", true).await;
}
