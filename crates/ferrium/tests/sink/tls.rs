//! The JDBC sink and `ferrium verify` over TLS to PostgreSQL and MariaDB, as the services' TLS-only
//! role and user `ferrium_tls`: pgjdbc's `sslmode`/`sslrootcert` and the MySQL drivers'
//! `sslMode` and trust store URL parameters, checked for real.

use crate::harness::{pg_source, pg_url, start, verify, PgDb, Target};
use crate::support::tls_file;

const SINK: &[(&str, &str)] = &[
    ("insert.mode", "upsert"),
    ("primary.key.mode", "record_key"),
    ("schema.evolution", "basic"),
    ("collection.name.format", "${source.table}"),
];

#[tokio::test(flavor = "multi_thread")]
async fn a_read_model_is_written_and_verified_over_verify_full_tls() {
    let source = PgDb::create("sink_tls").await;
    source
        .exec("CREATE TABLE orders (id int PRIMARY KEY, customer text NOT NULL)")
        .await;
    let mut target = Target::postgres("sink_tls_rm").await;
    // The TLS-only role writes the read model.
    target
        .exec("GRANT ALL ON SCHEMA public TO ferrium_tls")
        .await;
    let prefix = source.name.clone();
    let topic = format!("{prefix}.public.orders");
    let mut sink = target.sink(&format!("{prefix}-sink"), &topic, SINK);
    let tls_url = |url: String, ca_file: &str| {
        format!(
            "{url}?sslmode=verify-full&sslrootcert={}",
            tls_file(ca_file)
        )
    };
    sink["config"]["connection.url"] = tls_url(target.jdbc_url(), "ca.crt").into();
    sink["config"]["connection.username"] = "ferrium_tls".into();
    sink["config"]["connection.password"] = "ferrium_tls".into();
    let ferrium = start(
        source.dir.path(),
        &prefix,
        &[pg_source(&source, &prefix, &[]), sink],
    );
    source
        .exec("INSERT INTO orders VALUES (1, 'ann'), (2, 'bob'); UPDATE orders SET customer = 'ann2' WHERE id = 1;")
        .await;
    target
        .wait_for_rows(
            "SELECT id::text, customer FROM orders ORDER BY id",
            &["1|ann2", "2|bob"],
            &ferrium,
        )
        .await;
    ferrium.stop();

    let source_url = tls_url(pg_url(&source.name), "ca.crt");
    let password = ["--source-password", "ferrium_tls"];
    let (code, report) = verify(
        &source_url,
        "ferrium_tls",
        "public.orders",
        &target,
        "orders",
        &password,
    );
    assert_eq!(code, 0, "{report}");
    assert!(
        report.contains("0 missing, 0 extra, 0 different"),
        "{report}"
    );

    let wrong = tls_url(pg_url(&source.name), "other-ca.crt");
    let (code, report) = verify(
        &wrong,
        "ferrium_tls",
        "public.orders",
        &target,
        "orders",
        &password,
    );
    assert_ne!(code, 0, "{report}");
    assert!(
        report.contains("not issued by a CA in sslrootcert"),
        "{report}"
    );
    assert!(
        !report.contains("ferrium_tls\n") && !report.contains("password=ferrium_tls"),
        "{report}"
    );
    source.drop().await;
    target.drop().await;
}

/// MariaDB as the read model, written by the `REQUIRE SSL` user `ferrium_tls` with
/// MariaDB Connector/J's `sslMode=verify-full&serverSslCert=…`, then verified with
/// Connector/J's spelling (a PKCS12 trust store as `trustCertificateKeyStoreUrl`); a URL
/// trusting another CA is refused with a clear error.
#[tokio::test(flavor = "multi_thread")]
async fn a_mariadb_read_model_is_written_and_verified_over_verify_full_tls() {
    let source = PgDb::create("sink_tls_my").await;
    source
        .exec("CREATE TABLE orders (id int PRIMARY KEY, customer text NOT NULL)")
        .await;
    let mut target = Target::mariadb("sink_tls_my_rm").await;
    let database = target.name().to_string();
    target
        .exec(&format!("GRANT ALL ON `{database}`.* TO 'ferrium_tls'@'%'"))
        .await;
    let prefix = source.name.clone();
    let topic = format!("{prefix}.public.orders");
    let mut sink = target.sink(&format!("{prefix}-sink"), &topic, SINK);
    let target_url = target.jdbc_url();
    let maria_tls = |ca_file: &str| {
        format!(
            "{target_url}?sslMode=verify-full&serverSslCert={}",
            tls_file(ca_file)
        )
    };
    sink["config"]["connection.url"] = maria_tls("ca.crt").into();
    sink["config"]["connection.username"] = "ferrium_tls".into();
    sink["config"]["connection.password"] = "ferrium_tls".into();
    let ferrium = start(
        source.dir.path(),
        &prefix,
        &[pg_source(&source, &prefix, &[]), sink],
    );
    source
        .exec("INSERT INTO orders VALUES (1, 'ann'), (2, 'bob'); UPDATE orders SET customer = 'ann2' WHERE id = 1;")
        .await;
    target
        .wait_for_rows(
            "SELECT id, customer FROM orders ORDER BY id",
            &["1|ann2", "2|bob"],
            &ferrium,
        )
        .await;
    ferrium.stop();

    let verify_against = |target_url: &str| {
        let source_url = pg_url(&source.name);
        let out = std::process::Command::new(crate::support::ferrium_binary())
            .args([
                "verify",
                "--source-url",
                &source_url,
                "--source-user",
                "postgres",
                "--source-table",
                "public.orders",
                "--target-url",
                target_url,
                "--target-user",
                "ferrium_tls",
                "--target-password",
                "ferrium_tls",
                "--target-table",
                "orders",
            ])
            .output()
            .expect("the ferrium binary starts");
        let report = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        crate::support::transcript::keep("ferrium cli", &report);
        (out.status.code().unwrap_or(-1), report)
    };
    let connector_j = format!(
        "{target_url}?sslMode=VERIFY_IDENTITY&trustCertificateKeyStoreUrl=file:{}&trustCertificateKeyStorePassword=ferrium-store",
        tls_file("truststore.p12")
    );
    let (code, report) = verify_against(&connector_j);
    assert_eq!(code, 0, "{report}");
    assert!(
        report.contains("0 missing, 0 extra, 0 different"),
        "{report}"
    );
    let (code, report) = verify_against(&maria_tls("other-ca.crt"));
    assert_ne!(code, 0, "{report}");
    assert!(report.to_lowercase().contains("certificate"), "{report}");
    assert!(!report.contains("ferrium-store"), "{report}");
    source.drop().await;
    target.drop().await;
}
