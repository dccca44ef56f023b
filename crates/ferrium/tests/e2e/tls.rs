//! TLS to PostgreSQL (`database.sslmode` and its files) against the services' server:
//! `ssl=on` with a certificate from the test CA, the role `ferrium_tls` admitted only over
//! TLS with its password, and `ferrium_tls_cert` only with a client certificate.

use std::time::Duration;

use crate::support::{connect, run_to_exit, tls_file, Ferrium, TestDb};

const WAIT: Duration = Duration::from_secs(60);

/// A database whose table `t` the TLS roles can capture: the publication is made here,
/// as only a superuser may create one FOR ALL TABLES.
async fn tls_db(tag: &str) -> TestDb {
    let db = TestDb::create(tag).await;
    db.exec(&format!(
        "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'one');
         CREATE PUBLICATION {} FOR ALL TABLES;",
        db.name
    ))
    .await;
    db
}

/// Whether every session of `user` on this database, the walsender included, is encrypted;
/// and how many there are.
async fn sessions_encrypted(db: &TestDb, user: &str) -> (bool, i64) {
    let row = connect("postgres")
        .await
        .query_one(
            "SELECT coalesce(bool_and(s.ssl), false), count(*) FROM pg_stat_activity a \
             JOIN pg_stat_ssl s ON s.pid = a.pid \
             WHERE a.usename = $1 AND a.datname = $2 AND a.backend_type = 'walsender'",
            &[&user, &db.name],
        )
        .await
        .unwrap();
    (row.get(0), row.get(1))
}

async fn streams_one_change(db: &TestDb, ferrium: &Ferrium) {
    let snapshot = ferrium.collect("test.public.t", 1, WAIT);
    assert_eq!(snapshot[0].payload()["after"]["v"], "one");
    ferrium.wait_for_log("streaming started");
    db.exec("INSERT INTO t VALUES (2, 'two');").await;
    let streamed = ferrium.collect("test.public.t", 1, WAIT);
    assert_eq!(streamed[0].op(), Some("c"));
    assert_eq!(streamed[0].payload()["after"]["v"], "two");
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_full_snapshots_and_streams_as_a_role_admitted_only_over_tls() {
    let db = tls_db("tls_full").await;
    let ca = tls_file("ca.crt");
    let connector = db.write_connector(&db.connector(&[
        ("database.user", "ferrium_tls"),
        ("database.password", "ferrium_tls"),
        ("database.sslmode", "verify-full"),
        ("database.sslrootcert", &ca),
        ("publication.autocreate.mode", "disabled"),
    ]));
    let ferrium = Ferrium::start(&connector, &db.worker(&[]));
    streams_one_change(&db, &ferrium).await;
    assert_eq!(
        sessions_encrypted(&db, "ferrium_tls").await,
        (true, 1),
        "the replication session must be encrypted"
    );
    let log = ferrium.log();
    assert!(!log.contains("password=ferrium_tls"), "{log}");
    assert!(ferrium.stop().success());
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_certificate_logs_in_a_role_that_has_no_password() {
    let db = tls_db("tls_cert").await;
    let connector = db.write_connector(&db.connector(&[
        ("database.user", "ferrium_tls_cert"),
        ("database.sslmode", "verify-ca"),
        ("database.sslrootcert", &tls_file("ca.crt")),
        ("database.sslcert", &tls_file("ferrium_tls_cert.crt")),
        ("database.sslkey", &tls_file("ferrium_tls_cert.key")),
        ("publication.autocreate.mode", "disabled"),
    ]));
    let ferrium = Ferrium::start(&connector, &db.worker(&[]));
    streams_one_change(&db, &ferrium).await;
    assert_eq!(sessions_encrypted(&db, "ferrium_tls_cert").await, (true, 1));
    assert!(ferrium.stop().success());
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn allow_falls_back_to_tls_when_the_server_refuses_plaintext() {
    let db = tls_db("tls_allow").await;
    let connector = db.write_connector(&db.connector(&[
        ("database.user", "ferrium_tls"),
        ("database.password", "ferrium_tls"),
        ("database.sslmode", "allow"),
        ("publication.autocreate.mode", "disabled"),
    ]));
    let ferrium = Ferrium::start(&connector, &db.worker(&[]));
    streams_one_change(&db, &ferrium).await;
    assert_eq!(sessions_encrypted(&db, "ferrium_tls").await, (true, 1));
    assert!(ferrium.stop().success());
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_certificate_from_another_ca_is_refused_at_once_naming_the_fix() {
    let db = tls_db("tls_wrong_ca").await;
    let connector = db.write_connector(&db.connector(&[
        ("database.user", "ferrium_tls"),
        ("database.password", "ferrium_tls"),
        ("database.sslmode", "verify-full"),
        ("database.sslrootcert", &tls_file("other-ca.crt")),
        ("publication.autocreate.mode", "disabled"),
    ]));
    let (status, log) = run_to_exit(&connector, Some(&db.worker(&[])), WAIT);
    assert!(!status.success());
    assert!(log.contains("TLS handshake failed"), "{log}");
    assert!(log.contains("not issued by a CA in sslrootcert"), "{log}");
    assert!(log.contains("database.sslrootcert"), "{log}");
    assert!(
        !log.contains("retriable error"),
        "a refused certificate is not retried:\n{log}"
    );
    assert_eq!(db.confirmed_flush_lsn().await, None, "no slot was created");
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tls_only_role_in_plaintext_is_told_to_turn_tls_on() {
    let db = tls_db("tls_plain").await;
    let connector = db.write_connector(&db.connector(&[
        ("database.user", "ferrium_tls"),
        ("database.password", "ferrium_tls"),
        ("database.sslmode", "disable"),
        ("publication.autocreate.mode", "disabled"),
    ]));
    let (status, log) = run_to_exit(&connector, Some(&db.worker(&[])), WAIT);
    assert!(!status.success());
    assert!(log.contains("no encryption"), "{log}");
    assert!(log.contains("set database.sslmode"), "{log}");
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_certificate_role_without_a_certificate_is_told_to_set_sslcert_and_sslkey() {
    let db = tls_db("tls_nocert").await;
    let connector = db.write_connector(&db.connector(&[
        ("database.user", "ferrium_tls_cert"),
        ("database.sslmode", "verify-full"),
        ("database.sslrootcert", &tls_file("ca.crt")),
        ("publication.autocreate.mode", "disabled"),
    ]));
    let (status, log) = run_to_exit(&connector, Some(&db.worker(&[])), WAIT);
    assert!(!status.success());
    let error = log
        .lines()
        .find(|l| l.contains("rejected the login of role 'ferrium_tls_cert'"))
        .unwrap_or_else(|| panic!("{log}"));
    assert!(
        error.contains("connection requires a valid client certificate"),
        "{log}"
    );
    assert!(
        error.contains("set database.sslcert and database.sslkey"),
        "{log}"
    );
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_file_pgjdbc_reads_but_ferrium_does_not_is_refused_with_the_conversion() {
    let db = tls_db("tls_der_key").await;
    let der = db.dir.path().join("client.pk8");
    std::fs::write(&der, [0x30u8, 0x82, 0x04, 0xbe, 0x02, 0x01, 0x00]).unwrap();
    let connector = db.write_connector(&db.connector(&[
        ("database.user", "ferrium_tls_cert"),
        ("database.sslmode", "require"),
        ("database.sslcert", &tls_file("ferrium_tls_cert.crt")),
        ("database.sslkey", &der.display().to_string()),
    ]));
    let (status, log) = run_to_exit(&connector, Some(&db.worker(&[])), WAIT);
    assert!(!status.success());
    assert!(log.contains("database.sslkey"), "{log}");
    assert!(log.contains("openssl pkcs8 -inform DER -nocrypt"), "{log}");
    db.drop().await;
}
