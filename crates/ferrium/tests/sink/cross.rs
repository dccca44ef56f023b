//! Read models across databases: MariaDB → Kafka → PostgreSQL and PostgreSQL → Kafka →
//! MariaDB, each type family landing as the target's matching column type, proved
//! equal to the source by `ferrium verify`.

use crate::harness::{
    assert_verified, mariadb_source, mariadb_url, pg_source, pg_url, start, start_waiting, PgDb,
    Target,
};
use crate::mysql_support;

const SINK: &[(&str, &str)] = &[
    ("insert.mode", "upsert"),
    ("primary.key.mode", "record_key"),
    ("delete.enabled", "true"),
    ("schema.evolution", "basic"),
    ("collection.name.format", "${source.table}"),
];

#[tokio::test(flavor = "multi_thread")]
async fn mariadb_changes_build_a_postgresql_read_model() {
    let mut source = mysql_support::TestDb::create("sink_my2pg").await;
    source
        .exec(
            "CREATE TABLE orders (id int PRIMARY KEY, customer varchar(40) NOT NULL, total decimal(10,2), placed datetime(6),
             day date, t time(6), flags bit(8), ok tinyint(1), size enum('s','m','l'), opts set('a','b','c'), doc json,
             score double, raw varbinary(16), yr year, note text)",
        )
        .await;
    let mut target = Target::postgres("sink_my2pg_rm").await;
    let prefix = source.name.clone();
    let topic = format!("{prefix}.{}.orders", source.name);
    let sink = target.sink(&format!("{prefix}-sink"), &topic, SINK);
    let ferrium = start_waiting(
        source.dir.path(),
        &prefix,
        &[mariadb_source(&source, &prefix), sink],
        "streaming the binlog",
    );
    source
        .exec(
            "INSERT INTO orders VALUES
             (1, 'ann', 12.50, '2024-02-29 13:14:15.123456', '2024-02-29', '23:59:59.999999', b'10000000', 1, 'm', 'a,c',
              '{\"k\": [1, 2]}', 1.5e300, x'00ff10', 2024, 'first'),
             (2, 'bob', -0.01, '1970-01-01 00:00:00', '1000-01-01', '00:00:00', b'00000001', 0, 's', '', '[]', -0.5, x'', 1999, NULL),
             (3, 'cy', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
             UPDATE orders SET customer = 'ann2', note = NULL WHERE id = 1;
             UPDATE orders SET id = 30 WHERE id = 3;
             DELETE FROM orders WHERE id = 2;",
        )
        .await;
    target
        .wait_for_rows(
            "SELECT id::text, customer FROM orders ORDER BY id",
            &["1|ann2", "30|cy"],
            &ferrium,
        )
        .await;
    ferrium.stop();
    let source_table = format!("{}.orders", source.name);
    assert_verified(
        &mariadb_url(&source.name),
        "root",
        &source_table,
        &target,
        "orders",
        &[],
    );
    source.drop().await;
    target.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postgresql_changes_build_a_mariadb_read_model() {
    let source = PgDb::create("sink_pg2my").await;
    source
        .exec(
            "CREATE TABLE orders (id int PRIMARY KEY, customer text NOT NULL, total numeric(12,2), ratio numeric,
             placed_at timestamp(6), ship_date date, ship_time time, flags bit(8), active boolean, qty smallint, big bigint,
             score double precision, r real, raw bytea, ref uuid, doc jsonb, note text)",
        )
        .await;
    let mut target = Target::mariadb("sink_pg2my_rm").await;
    let prefix = source.name.clone();
    let topic = format!("{prefix}.public.orders");
    let sink = target.sink(&format!("{prefix}-sink"), &topic, SINK);
    let ferrium = start(
        source.dir.path(),
        &prefix,
        &[pg_source(&source, &prefix, &[]), sink],
    );
    source
        .exec(
            "INSERT INTO orders VALUES
             (1, 'ann', 12.50, 3.14159, '2024-02-29 13:14:15.123456', '2024-02-29', '23:59:59.999999', B'10000000', true,
              -32768, 9223372036854775807, 1.5e300, 0.25, '\\x00ff10', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"k\": [1, 2]}', 'x'),
             (2, 'bob', -0.01, 1e-30, '1970-01-01 00:00:00', '1000-01-01', '00:00:00', B'00000001', false, 7, -1, -0.5, -1.25,
              '\\x', NULL, '[]', NULL),
             (3, 'cy', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
             UPDATE orders SET customer = 'ann2' WHERE id = 1;
             UPDATE orders SET id = 30 WHERE id = 3;
             DELETE FROM orders WHERE id = 2;",
        )
        .await;
    target
        .wait_for_rows(
            "SELECT CAST(id AS CHAR), customer FROM orders ORDER BY id",
            &["1|ann2", "30|cy"],
            &ferrium,
        )
        .await;
    ferrium.stop();
    assert_verified(
        &pg_url(&source.name),
        "postgres",
        "public.orders",
        &target,
        "orders",
        &[],
    );
    source.drop().await;
    target.drop().await;
}
