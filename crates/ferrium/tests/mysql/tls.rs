//! TLS to MariaDB (`database.ssl.mode` with each connector class's values, trust and key
//! stores) against the services' server: TLS on from the test CA, the user `ferrium_tls`
//! created `REQUIRE SSL` and `ferrium_tls_cert` `REQUIRE SUBJECT` of the CA's client
//! certificate, so a login proves the session was encrypted.

use std::time::Duration;

use crate::support::{run_to_exit, tls_file, Ferrium, TestDb};

const WAIT: Duration = Duration::from_secs(60);
const MARIADB_CLASS: &str = "io.debezium.connector.mariadb.MariaDbConnector";

async fn tls_db(tag: &str) -> TestDb {
    let mut db = TestDb::create(tag).await;
    db.exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(16)); INSERT INTO t VALUES (1, 'one')")
        .await;
    db
}

async fn streams_one_change(db: &mut TestDb, ferrium: &Ferrium) {
    let topic = db.topic("t");
    let snapshot = ferrium.collect(&topic, 1, WAIT);
    assert_eq!(snapshot[0].after()["v"], "one");
    db.exec("INSERT INTO t VALUES (2, 'two')").await;
    let streamed = ferrium.collect(&topic, 1, WAIT);
    assert_eq!(streamed[0].op(), Some("c"));
    assert_eq!(streamed[0].after()["v"], "two");
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_identity_with_a_pem_trust_store_snapshots_and_streams_as_a_require_ssl_user() {
    let mut db = tls_db("tls_identity").await;
    let ca = tls_file("ca.crt");
    let connector = db.write_connector(&db.connector(&[
        ("database.user", "ferrium_tls"),
        ("database.password", "ferrium_tls"),
        ("database.ssl.mode", "verify_identity"),
        ("database.ssl.truststore", &ca),
    ]));
    let ferrium = Ferrium::start(&connector, &db.worker(&[]));
    streams_one_change(&mut db, &ferrium).await;
    assert!(ferrium.stop().success());
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_mariadb_class_reads_pkcs12_trust_and_key_stores() {
    let mut db = tls_db("tls_p12").await;
    let connector = db.write_connector(&db.connector(&[
        ("connector.class", MARIADB_CLASS),
        ("database.user", "ferrium_tls_cert"),
        ("database.password", ""),
        ("database.ssl.mode", "verify-full"),
        ("database.ssl.truststore", &tls_file("truststore.p12")),
        ("database.ssl.truststore.password", "ferrium-store"),
        ("database.ssl.keystore", &tls_file("ferrium_tls_cert.p12")),
        ("database.ssl.keystore.password", "ferrium-store"),
    ]));
    let ferrium = Ferrium::start(&connector, &db.worker(&[]));
    streams_one_change(&mut db, &ferrium).await;
    let log = ferrium.log();
    assert!(
        !log.contains("ferrium-store"),
        "a store password was logged:\n{log}"
    );
    assert!(ferrium.stop().success());
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_certificate_from_another_ca_is_refused_at_once_naming_the_fix() {
    let db = tls_db("tls_wrong_ca").await;
    let connector = db.write_connector(&db.connector(&[
        ("database.user", "ferrium_tls"),
        ("database.password", "ferrium_tls"),
        ("database.ssl.mode", "verify_ca"),
        ("database.ssl.truststore", &tls_file("other-ca.crt")),
    ]));
    let (status, log) = run_to_exit(&connector, Some(&db.worker(&[])), WAIT);
    assert!(!status.success());
    assert!(log.contains("TLS handshake failed"), "{log}");
    assert!(
        log.contains("not issued by a CA in database.ssl.truststore"),
        "{log}"
    );
    assert!(
        !log.contains("retriable error"),
        "a refused certificate is not retried:\n{log}"
    );
    db.drop().await;
}

/// Connector options, and what the log must say.
type Case = (
    &'static [(&'static str, &'static str)],
    &'static [&'static str],
);

#[tokio::test(flavor = "multi_thread")]
async fn bad_tls_settings_are_refused_by_name() {
    let db = tls_db("tls_bad").await;
    let cases: [Case; 4] = [
        // The MariaDB class's default is disable; the REQUIRE SSL user is told why it failed.
        (
            &[("connector.class", MARIADB_CLASS), ("database.user", "ferrium_tls"), ("database.password", "ferrium_tls")],
            &["rejected the login of user 'ferrium_tls'", "REQUIRE SSL", "database.ssl.mode"],
        ),
        // A MySQL-class value under the MariaDB class.
        (
            &[("connector.class", MARIADB_CLASS), ("database.ssl.mode", "verify_identity")],
            &["'database.ssl.mode=verify_identity' is not a value of io.debezium.connector.mariadb.MariaDbConnector", "verify-full"],
        ),
        // A trust store the mode would not read.
        (
            &[("database.ssl.mode", "required"), ("database.ssl.truststore", "/etc/ferrium-ca.pem")],
            &["'database.ssl.truststore' is set, but database.ssl.mode does not check", "verify_identity"],
        ),
        (
            &[
                ("database.ssl.mode", "verify_ca"),
                ("database.ssl.truststore", "TRUSTSTORE"),
                ("database.ssl.truststore.password", "not-the-password"),
            ],
            &["check database.ssl.truststore.password"],
        ),
    ];
    let truststore = tls_file("truststore.p12");
    for (options, expected) in cases {
        let options: Vec<(&str, &str)> = options
            .iter()
            .map(|(k, v)| {
                (
                    *k,
                    if *v == "TRUSTSTORE" {
                        truststore.as_str()
                    } else {
                        *v
                    },
                )
            })
            .collect();
        let connector = db.write_connector(&db.connector(&options));
        let (status, log) = run_to_exit(&connector, Some(&db.worker(&[])), WAIT);
        assert!(!status.success(), "{options:?}");
        for needle in expected {
            assert!(log.contains(needle), "{options:?}: no '{needle}' in\n{log}");
        }
        assert!(!log.contains("not-the-password"), "{log}");
    }
    db.drop().await;
}
