//! One side's database connection: opened from a JDBC URL, its session set so values
//! print in a fixed form (UTC, ISO dates, ISO intervals), and rows streamed as text
//! within one consistent read, never held.

use std::borrow::Cow;
use std::time::Duration;

use ferrium_config::{JdbcDialect, JdbcUrl};
use ferrium_tls::{PgConnectError, PgTls};
use mysql_async::prelude::Queryable;
use tokio_postgres::IsolationLevel;

use crate::catalog::{ColumnInfo, TableInfo};
use crate::error::{Side, VerifyError};
use crate::sql;

/// Where one side's table is and how to log in.
#[derive(Clone)]
pub struct Endpoint {
    /// `jdbc:postgresql://…`, `jdbc:mariadb://…` or `jdbc:mysql://…`.
    pub url: String,
    /// Overrides the URL's `user` parameter.
    pub user: Option<String>,
    /// Overrides the URL's `password` parameter.
    pub password: Option<String>,
    /// `schema.table` (PostgreSQL), `database.table` (MySQL), or a bare name: the URL's
    /// `currentSchema` (else `public`) or database.
    pub table: String,
}

impl std::fmt::Debug for Endpoint {
    // Never print the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("url", &self.url.split('?').next().unwrap_or(""))
            .field("user", &self.user)
            .field("table", &self.table)
            .finish()
    }
}

/// Rows read per round trip from PostgreSQL: bounds memory whatever the table's size.
const PG_BATCH: i32 = 5_000;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

pub(crate) enum Conn {
    Pg(tokio_postgres::Client),
    My(mysql_async::Conn),
}

pub(crate) struct Database {
    pub side: Side,
    pub url: JdbcUrl,
    pub conn: Conn,
}

impl Database {
    pub async fn open(side: Side, endpoint: &Endpoint) -> Result<Database, VerifyError> {
        let url =
            JdbcUrl::parse(&endpoint.url).map_err(|message| VerifyError::Url { side, message })?;
        let user = endpoint
            .user
            .clone()
            .or_else(|| url.params.get("user").cloned());
        let password = endpoint
            .password
            .clone()
            .or_else(|| url.params.get("password").cloned());
        let connect_error = |message: String| VerifyError::Connect {
            side,
            url: url.display(),
            message,
        };
        let conn = match url.dialect {
            JdbcDialect::Postgres => {
                let tls = PgTls::from_keys(
                    |key| url.params.get(key).cloned(),
                    |key| format!("the URL parameter {key}"),
                )
                .map_err(|e| VerifyError::Unsupported {
                    side,
                    message: e.to_string(),
                })?;
                let mut config = tokio_postgres::Config::new();
                config
                    .host(&url.host)
                    .port(url.port)
                    .dbname(&url.database)
                    .application_name("ferrium-verify")
                    .connect_timeout(CONNECT_TIMEOUT);
                match &user {
                    Some(user) => config.user(user),
                    None => {
                        return Err(connect_error(format!(
                            "no user given; pass --{side}-user or user= in the URL"
                        )))
                    }
                };
                if let Some(password) = &password {
                    config.password(password);
                }
                let (client, _connection) =
                    tls.connect(&config, "verify").await.map_err(|e| match e {
                        PgConnectError::Postgres(e) => connect_error(pg_message(&e)),
                        other => connect_error(other.to_string()),
                    })?;
                client
                    .batch_execute(
                        "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; \
                         SET IntervalStyle = 'iso_8601'; SET extra_float_digits = 1",
                    )
                    .await
                    .map_err(|e| connect_error(pg_message(&e)))?;
                Conn::Pg(client)
            }
            JdbcDialect::Mysql => {
                let tls = ferrium_tls::MysqlTls::from_url(|k| url.params.get(k).cloned())
                    .map_err(|e| connect_error(e.to_string()))?;
                let opts = mysql_async::OptsBuilder::default()
                    .ip_or_hostname(url.host.clone())
                    .tcp_port(url.port)
                    .user(user)
                    .pass(password)
                    .db_name(Some(url.database.clone()))
                    .prefer_socket(false);
                let mut conn = tokio::time::timeout(CONNECT_TIMEOUT, tls.connect(opts))
                    .await
                    .map_err(|_| {
                        connect_error(format!("no answer in {}s", CONNECT_TIMEOUT.as_secs()))
                    })?
                    .map_err(|e| connect_error(e.to_string()))?;
                // TIMESTAMP columns then print in UTC, like PostgreSQL's timestamptz here.
                conn.query_drop("SET time_zone = '+00:00', NAMES utf8mb4")
                    .await
                    .map_err(|e| connect_error(e.to_string()))?;
                Conn::My(conn)
            }
        };
        Ok(Database { side, url, conn })
    }

    /// Streams every row of `columns` to `each` as text (`None` for NULL) and returns the
    /// number of rows, all read in one consistent snapshot.
    pub async fn scan(
        &mut self,
        table: &TableInfo,
        columns: &[&ColumnInfo],
        mut each: impl FnMut(&[Option<Cow<'_, str>>]),
    ) -> Result<u64, VerifyError> {
        let side = self.side;
        let err = move |e: String| VerifyError::Query { side, message: e };
        let mut rows = 0u64;
        match &mut self.conn {
            Conn::Pg(client) => {
                let query = sql::pg_select(table, columns);
                let tx = client
                    .build_transaction()
                    .isolation_level(IsolationLevel::RepeatableRead)
                    .read_only(true)
                    .start()
                    .await
                    .map_err(|e| err(pg_message(&e)))?;
                let portal = tx
                    .bind(query.as_str(), &[])
                    .await
                    .map_err(|e| err(pg_message(&e)))?;
                loop {
                    let batch = tx
                        .query_portal(&portal, PG_BATCH)
                        .await
                        .map_err(|e| err(pg_message(&e)))?;
                    if batch.is_empty() {
                        break;
                    }
                    for row in &batch {
                        let mut values: Vec<Option<Cow<'_, str>>> =
                            Vec::with_capacity(columns.len());
                        for i in 0..columns.len() {
                            let v: Option<&str> =
                                row.try_get(i).map_err(|e| err(pg_message(&e)))?;
                            values.push(v.map(Cow::Borrowed));
                        }
                        each(&values);
                        rows += 1;
                    }
                }
                tx.commit().await.map_err(|e| err(pg_message(&e)))?;
            }
            Conn::My(conn) => {
                let query = sql::my_select(table, columns);
                conn.query_drop("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
                    .await
                    .map_err(|e| err(e.to_string()))?;
                let mut result = conn
                    .query_iter(query)
                    .await
                    .map_err(|e| err(e.to_string()))?;
                while let Some(row) = result.next().await.map_err(|e| err(e.to_string()))? {
                    let values: Vec<Option<Cow<'_, str>>> =
                        (0..columns.len()).map(|i| my_text(row.as_ref(i))).collect();
                    each(&values);
                    rows += 1;
                }
                drop(result);
                conn.query_drop("COMMIT")
                    .await
                    .map_err(|e| err(e.to_string()))?;
            }
        }
        Ok(rows)
    }

    /// The row whose key columns (the first `key.len()` of `columns`) have the given
    /// canonical values, as text; `None` when it is not there (any more) or its key cannot
    /// be written as a literal.
    pub async fn lookup(
        &mut self,
        table: &TableInfo,
        columns: &[&ColumnInfo],
        key: &[Option<String>],
    ) -> Result<Option<Vec<Option<String>>>, VerifyError> {
        let side = self.side;
        let err = move |e: String| VerifyError::Query { side, message: e };
        match &mut self.conn {
            Conn::Pg(client) => {
                let mut conditions = Vec::new();
                let mut params: Vec<String> = Vec::new();
                for (column, value) in columns.iter().zip(key) {
                    let c = sql::quote_pg(&column.name);
                    match value {
                        None => conditions.push(format!("{c} IS NULL")),
                        Some(value) => {
                            let Some(input) = sql::pg_key_input(column, value) else {
                                return Ok(None);
                            };
                            params.push(input);
                            conditions.push(format!(
                                "{c} = ${}::text::{}",
                                params.len(),
                                column.type_name
                            ));
                        }
                    }
                }
                let query = format!(
                    "{} WHERE {} LIMIT 1",
                    sql::pg_select(table, columns),
                    conditions.join(" AND ")
                );
                let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = params
                    .iter()
                    .map(|p| p as &(dyn tokio_postgres::types::ToSql + Sync))
                    .collect();
                let rows = client
                    .query(query.as_str(), &refs)
                    .await
                    .map_err(|e| err(pg_message(&e)))?;
                let Some(row) = rows.first() else {
                    return Ok(None);
                };
                let mut out = Vec::with_capacity(columns.len());
                for i in 0..columns.len() {
                    let v: Option<&str> = row.try_get(i).map_err(|e| err(pg_message(&e)))?;
                    out.push(v.map(str::to_string));
                }
                Ok(Some(out))
            }
            Conn::My(conn) => {
                let mut conditions = Vec::new();
                for (column, value) in columns.iter().zip(key) {
                    match sql::my_key_condition(column, value.as_deref()) {
                        Some(c) => conditions.push(c),
                        None => return Ok(None),
                    }
                }
                let query = format!(
                    "{} WHERE {} LIMIT 1",
                    sql::my_select(table, columns),
                    conditions.join(" AND ")
                );
                let rows: Vec<mysql_async::Row> =
                    conn.query(query).await.map_err(|e| err(e.to_string()))?;
                Ok(rows.first().map(|row| {
                    (0..columns.len())
                        .map(|i| my_text(row.as_ref(i)).map(Cow::into_owned))
                        .collect()
                }))
            }
        }
    }
}

/// A MySQL text-protocol value as text.
fn my_text(value: Option<&mysql_async::Value>) -> Option<Cow<'_, str>> {
    match value? {
        mysql_async::Value::NULL => None,
        mysql_async::Value::Bytes(bytes) => Some(String::from_utf8_lossy(bytes)),
        // The text protocol sends only bytes; other variants come from the binary one.
        other => Some(Cow::Owned(
            other.as_sql(false).trim_matches('\'').to_string(),
        )),
    }
}

/// A PostgreSQL error with the server's message, which `Display` of the client's error
/// leaves out.
pub(crate) fn pg_message(error: &tokio_postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => error.to_string(),
    }
}
