//! Into Kafka over SASL_SSL with SCRAM-SHA-512, configured with Kafka Connect's (the Java
//! client's) keys, against the services' broker listener: TLS from the test CA, the
//! SCRAM user `ferrium`. What arrives is read back over the plaintext listener.

use std::time::{Duration, Instant};

use rdkafka::Message;

use crate::support::{json_value, run_to_exit, service_env, Ferrium, TestDb, TopicReader};

/// The worker's keys for the SASL_SSL listener: its own clients (top level) and the
/// connectors' producers (`producer.`), as a Kafka Connect worker file has them.
fn sasl_worker(db: &TestDb, password: &str) -> std::path::PathBuf {
    let jaas = format!(
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"{}\" password=\"{password}\";",
        service_env("FERRIUM_KAFKA_SASL_USER")
    );
    let tls = service_env("FERRIUM_TLS_DIR");
    let lines = [
        format!(
            "bootstrap.servers={}",
            service_env("FERRIUM_KAFKA_SASL_BOOTSTRAP")
        ),
        "security.protocol=SASL_SSL".into(),
        "sasl.mechanism=SCRAM-SHA-512".into(),
        format!("sasl.jaas.config={jaas}"),
        "ssl.truststore.type=PEM".into(),
        format!("ssl.truststore.location={tls}/ca.crt"),
        "producer.security.protocol=SASL_SSL".into(),
        "producer.sasl.mechanism=SCRAM-SHA-512".into(),
        format!("producer.sasl.jaas.config={jaas}"),
        "producer.ssl.truststore.type=PKCS12".into(),
        format!("producer.ssl.truststore.location={tls}/truststore.p12"),
        "producer.ssl.truststore.password=ferrium-store".into(),
    ];
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    db.worker(&refs)
}

#[tokio::test(flavor = "multi_thread")]
async fn streams_exactly_once_over_sasl_ssl_with_scram_and_java_client_keys() {
    let db = TestDb::create("kafka_sasl").await;
    db.exec("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'one');")
        .await;
    let prefix = db.name.clone();
    let connector = db.write_connector(&db.connector(&[("topic.prefix", prefix.as_str())]));
    let ferrium = Ferrium::start(
        &connector,
        &sasl_worker(&db, &service_env("FERRIUM_KAFKA_SASL_PASSWORD")),
    );
    ferrium.wait_for_log("streaming started");
    db.exec("INSERT INTO t VALUES (2, 'two');").await;

    let topic = format!("{prefix}.public.t");
    let reader = TopicReader::subscribe(&format!("{prefix}-check"), &[&topic]);
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut values = Vec::new();
    while values.len() < 2 {
        assert!(
            Instant::now() < deadline,
            "only {values:?} arrived; log:\n{}",
            ferrium.log()
        );
        if let Some(message) = reader.next(Duration::from_millis(500)) {
            let value = json_value(&message).expect("a change value");
            values.push(value["payload"]["after"]["v"].as_str().unwrap().to_string());
            assert!(message.key().is_some());
        }
    }
    assert_eq!(values, ["one", "two"]);
    let log = ferrium.log();
    assert!(
        !log.contains(&service_env("FERRIUM_KAFKA_SASL_PASSWORD")),
        "the SCRAM password was logged:\n{log}"
    );
    assert!(ferrium.stop().success());
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_scram_password_fails_the_connector_naming_the_authentication() {
    let db = TestDb::create("kafka_sasl_bad").await;
    db.exec("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1);")
        .await;
    let prefix = db.name.clone();
    let connector = db.write_connector(&db.connector(&[("topic.prefix", prefix.as_str())]));
    let (status, log) = run_to_exit(
        &connector,
        Some(&sasl_worker(&db, "not-the-secret")),
        Duration::from_secs(90),
    );
    assert!(!status.success());
    assert!(
        log.contains("Authentication failed") || log.contains("SASL authentication"),
        "{log}"
    );
    assert!(
        !log.contains("not-the-secret"),
        "the password was logged:\n{log}"
    );
    db.drop().await;
}

/// The admin clients that create a connector's topics take `admin.` over the producer's
/// settings: a wrong password there alone fails the connector on its first topic.
#[tokio::test(flavor = "multi_thread")]
async fn admin_keys_configure_the_clients_that_create_topics() {
    let db = TestDb::create("kafka_sasl_admin").await;
    db.exec("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1);")
        .await;
    let prefix = db.name.clone();
    let connector = db.write_connector(&db.connector(&[("topic.prefix", prefix.as_str())]));
    let worker = sasl_worker(&db, &service_env("FERRIUM_KAFKA_SASL_PASSWORD"));
    let wrong = format!(
        "admin.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"{}\" password=\"not-the-admin-secret\";",
        service_env("FERRIUM_KAFKA_SASL_USER")
    );
    let mut lines = std::fs::read_to_string(&worker).unwrap();
    lines.push_str(&wrong);
    lines.push('\n');
    std::fs::write(&worker, lines).unwrap();
    let (status, log) = run_to_exit(&connector, Some(&worker), Duration::from_secs(90));
    assert!(!status.success(), "{log}");
    assert!(
        log.contains("Authentication failed") || log.contains("SASL authentication"),
        "{log}"
    );
    assert!(
        !log.contains("not-the-admin-secret"),
        "the password was logged:\n{log}"
    );
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn java_only_client_keys_are_refused_by_name() {
    let db = TestDb::create("kafka_java_keys").await;
    db.exec("CREATE TABLE t (id int PRIMARY KEY);").await;
    let connector =
        db.write_connector(&db.connector(&[("producer.override.ssl.protocol", "TLSv1.3")]));
    let worker = db.worker(&[&format!(
        "bootstrap.servers={}",
        crate::support::kafka_bootstrap()
    )]);
    let (status, log) = run_to_exit(&connector, Some(&worker), Duration::from_secs(60));
    assert!(!status.success());
    assert!(
        log.contains("producer.ssl.protocol is a setting of Java's TLS or login machinery"),
        "{log}"
    );
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_sasl_mechanism_is_refused_naming_the_supported_ones() {
    let db = TestDb::create("kafka_sasl_foo").await;
    db.exec("CREATE TABLE t (id int PRIMARY KEY);").await;
    let connector = db.write_connector(&db.connector(&[]));
    let worker = db.worker(&[
        &format!(
            "bootstrap.servers={}",
            service_env("FERRIUM_KAFKA_SASL_BOOTSTRAP")
        ),
        "producer.security.protocol=SASL_SSL",
        "producer.sasl.mechanism=FOO",
    ]);
    let (status, log) = run_to_exit(&connector, Some(&worker), Duration::from_secs(60));
    assert!(!status.success());
    assert!(
        log.contains(
            "sasl.mechanism=FOO is not supported: use one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512"
        ),
        "{log}"
    );
    db.drop().await;
}
