//! The hand-written baseline of `bench/sink.sh`: what a user would write instead of a sink
//! connector for one known table — rdkafka reads a Debezium change topic (JsonConverter
//! envelopes with schemas) from the earliest offset, serde takes `payload.after`, and
//! tokio-postgres writes batches of 500 rows as one `INSERT … VALUES (…),(…) ON CONFLICT (id)
//! DO UPDATE`, committing the Kafka offsets after each batch (at-least-once). It knows the
//! table's shape at compile time, so it is the ceiling a generic sink is compared against.
//!
//! ```sh
//! sink_baseline --bootstrap 127.0.0.1:9092 --topic p.public.t \
//!   --pg 'host=127.0.0.1 port=5432 user=postgres dbname=target' --table baseline_t [--count-only N]
//! ```
//! `--count-only N` writes nothing: it reads the topic (read_committed) until N records have
//! arrived and exits 0, so the bench can wait for a topic to be full.

use std::collections::HashMap;
use std::time::Duration;

use base64::Engine;
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::{ClientConfig, Message};
use serde::Deserialize;
use tokio_postgres::types::ToSql;
use tokio_postgres::NoTls;

const BATCH: usize = 500;
/// The longest a partial batch waits for more records.
const LINGER: Duration = Duration::from_millis(100);

#[derive(Deserialize)]
struct Envelope {
    payload: Option<Payload>,
}

#[derive(Deserialize)]
struct Payload {
    after: Option<Row>,
}

/// One row of the bench table as JsonConverter writes it with Debezium's defaults: `numeric(12,2)`
/// as a base64 big-endian unscaled integer (`decimal.handling.mode=precise`), `timestamp` as
/// microseconds since the epoch (`io.debezium.time.MicroTimestamp`).
#[derive(Deserialize)]
struct Row {
    id: i32,
    name: Option<String>,
    amount: Option<String>,
    created_at: Option<i64>,
    qty: Option<i64>,
}

/// A row as text parameters, cast by the statement to the column types.
struct TextRow {
    id: i32,
    name: Option<String>,
    amount: Option<String>,
    created_at: Option<String>,
    qty: Option<i64>,
}

struct Args {
    bootstrap: String,
    topic: String,
    pg: String,
    table: String,
    count_only: Option<u64>,
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let (mut bootstrap, mut topic, mut pg, mut table, mut count_only) =
        (None, None, None, None, None);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--bootstrap" => bootstrap = Some(value),
            "--topic" => topic = Some(value),
            "--pg" => pg = Some(value),
            "--table" => table = Some(value),
            "--count-only" => {
                count_only = Some(
                    value
                        .parse()
                        .map_err(|_| format!("--count-only {value}: not a number"))?,
                )
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    let need = |v: Option<String>, name: &str| v.ok_or_else(|| format!("{name} is required"));
    let count = count_only.is_some();
    Ok(Args {
        bootstrap: need(bootstrap, "--bootstrap")?,
        topic: need(topic, "--topic")?,
        pg: if count {
            pg.unwrap_or_default()
        } else {
            need(pg, "--pg")?
        },
        table: if count {
            table.unwrap_or_default()
        } else {
            need(table, "--table")?
        },
        count_only,
    })
}

/// Kafka Connect's `Decimal`: a big-endian two's-complement unscaled integer, here with scale 2.
fn decimal_text(b64: &str, scale: u32) -> Result<String, String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|e| format!("decimal {b64:?}: {e}"))?;
    if bytes.is_empty() || bytes.len() > 16 {
        return Err(format!("decimal {b64:?}: {} bytes", bytes.len()));
    }
    let fill = if bytes[0] & 0x80 != 0 { 0xff } else { 0 };
    let mut buf = [fill; 16];
    buf[16 - bytes.len()..].copy_from_slice(&bytes);
    let v = i128::from_be_bytes(buf);
    let p = 10i128.pow(scale);
    let sign = if v < 0 { "-" } else { "" };
    let (int, frac) = (v.unsigned_abs() / p as u128, v.unsigned_abs() % p as u128);
    Ok(format!("{sign}{int}.{frac:0w$}", w = scale as usize))
}

fn timestamp_text(micros: i64) -> Result<String, String> {
    chrono::DateTime::from_timestamp_micros(micros)
        .map(|t| t.naive_utc().format("%Y-%m-%d %H:%M:%S%.6f").to_string())
        .ok_or_else(|| format!("timestamp {micros} µs out of range"))
}

fn upsert_sql(table: &str, rows: usize) -> String {
    let mut sql = format!("INSERT INTO {table} (id, name, amount, created_at, qty) VALUES ");
    for r in 0..rows {
        let b = r * 5;
        if r > 0 {
            sql.push(',');
        }
        sql.push_str(&format!(
            "(${}, ${}, ${}::text::numeric, ${}::text::timestamp, ${})",
            b + 1,
            b + 2,
            b + 3,
            b + 4,
            b + 5
        ));
    }
    sql.push_str(
        " ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, amount = EXCLUDED.amount, \
         created_at = EXCLUDED.created_at, qty = EXCLUDED.qty",
    );
    sql
}

async fn write_batch(
    client: &tokio_postgres::Client,
    full: &tokio_postgres::Statement,
    table: &str,
    batch: &mut Vec<TextRow>,
) -> Result<(), String> {
    // One statement may not touch a row twice: keep each id's last change.
    let mut last: HashMap<i32, usize> = HashMap::with_capacity(batch.len());
    for (i, r) in batch.iter().enumerate() {
        last.insert(r.id, i);
    }
    let rows: Vec<&TextRow> = batch
        .iter()
        .enumerate()
        .filter(|(i, r)| last.get(&r.id) == Some(i))
        .map(|(_, r)| r)
        .collect();
    let mut params: Vec<&(dyn ToSql + Sync)> = Vec::with_capacity(rows.len() * 5);
    for r in &rows {
        params.extend([
            &r.id as &(dyn ToSql + Sync),
            &r.name,
            &r.amount,
            &r.created_at,
            &r.qty,
        ]);
    }
    let result = if rows.len() == BATCH {
        client.execute(full, &params).await
    } else {
        client
            .execute(&upsert_sql(table, rows.len()), &params)
            .await
    };
    result.map_err(|e| format!("upsert into {table}: {e}"))?;
    batch.clear();
    Ok(())
}

fn to_text_row(row: Row) -> Result<TextRow, String> {
    Ok(TextRow {
        id: row.id,
        name: row.name,
        amount: row
            .amount
            .as_deref()
            .map(|a| decimal_text(a, 2))
            .transpose()?,
        created_at: row.created_at.map(timestamp_text).transpose()?,
        qty: row.qty,
    })
}

/// The next record; `None` while the topic does not exist yet (the source creates it).
async fn receive(
    consumer: &StreamConsumer,
) -> Result<Option<rdkafka::message::BorrowedMessage<'_>>, String> {
    match consumer.recv().await {
        Ok(m) => Ok(Some(m)),
        Err(KafkaError::MessageConsumption(RDKafkaErrorCode::UnknownTopicOrPartition)) => {
            tokio::time::sleep(Duration::from_millis(200)).await;
            Ok(None)
        }
        Err(e) => Err(format!("kafka: {e}")),
    }
}

async fn run(args: Args) -> Result<(), String> {
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", &args.bootstrap)
        .set("group.id", format!("sink-baseline-{}", std::process::id()))
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .set("isolation.level", "read_committed")
        .set("topic.metadata.refresh.interval.ms", "1000")
        .create()
        .map_err(|e| format!("kafka consumer: {e}"))?;
    consumer
        .subscribe(&[&args.topic])
        .map_err(|e| format!("subscribe {}: {e}", args.topic))?;

    if let Some(n) = args.count_only {
        let mut seen = 0u64;
        while seen < n {
            if receive(&consumer).await?.is_some() {
                seen += 1;
            }
        }
        println!("{seen}");
        return Ok(());
    }

    let (client, connection) = tokio_postgres::connect(&args.pg, NoTls)
        .await
        .map_err(|e| format!("connect to {}: {e}", args.pg))?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            eprintln!("postgres connection: {e}");
        }
    });
    let full = client
        .prepare(&upsert_sql(&args.table, BATCH))
        .await
        .map_err(|e| format!("prepare upsert into {}: {e}", args.table))?;

    let mut batch: Vec<TextRow> = Vec::with_capacity(BATCH);
    loop {
        let msg = match tokio::time::timeout(LINGER, receive(&consumer)).await {
            Ok(m) => m?,
            Err(_) => None,
        };
        if let Some(m) = &msg {
            if let Some(value) = m.payload() {
                let env: Envelope = serde_json::from_slice(value)
                    .map_err(|e| format!("record at offset {}: {e}", m.offset()))?;
                if let Some(row) = env.payload.and_then(|p| p.after) {
                    batch.push(to_text_row(row)?);
                }
            }
        }
        if batch.len() >= BATCH || (msg.is_none() && !batch.is_empty()) {
            write_batch(&client, &full, &args.table, &mut batch).await?;
            consumer
                .commit_consumer_state(CommitMode::Async)
                .map_err(|e| format!("commit offsets: {e}"))?;
        }
    }
}

#[tokio::main]
async fn main() {
    let result = match parse_args() {
        Ok(args) => run(args).await,
        Err(e) => Err(e),
    };
    if let Err(e) = result {
        eprintln!("sink_baseline: {e}");
        std::process::exit(2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_decode_with_their_scale_and_sign() {
        // 12345 = 0x3039 → 123.45; -1 = 0xff → -0.01
        assert_eq!(decimal_text("MDk=", 2).unwrap(), "123.45");
        assert_eq!(decimal_text("/w==", 2).unwrap(), "-0.01");
    }

    #[test]
    fn micro_timestamps_become_utc_text() {
        assert_eq!(
            timestamp_text(1_500_000).unwrap(),
            "1970-01-01 00:00:01.500000"
        );
    }
}
