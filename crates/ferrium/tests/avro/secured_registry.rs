//! A schema registry behind https, as production registries run: the registry's own
//! server behind nginx (`scripts/services.sh`), one port asking for basic auth and one
//! for a client certificate, both with a certificate from the test CA. The converter
//! reaches it with `schema.registry.ssl.*` and `basic.auth.*`; a wrong password or an
//! unknown CA is refused with an error naming the option to fix, and the password
//! never shows in the log.

use std::time::Duration;

use crate::registry::subjects;
use crate::support::{kafka_bootstrap, read_avro, run_to_exit, service_env, tls_file, TestDb};

const WAIT: Duration = Duration::from_secs(60);

async fn table(name: &str) -> TestDb {
    let db = TestDb::create(name).await;
    db.exec("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1);")
        .await;
    db
}

/// Key and value converters writing Avro to `url`, each with the given options.
fn converters(url: &str, options: &[(&str, String)]) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for role in ["key.converter", "value.converter"] {
        pairs.push((
            role.to_string(),
            "io.confluent.connect.avro.AvroConverter".to_string(),
        ));
        pairs.push((format!("{role}.schema.registry.url"), url.to_string()));
        for (name, value) in options {
            pairs.push((format!("{role}.{name}"), value.clone()));
        }
    }
    pairs
}

fn basic_auth(password: &str) -> Vec<(&'static str, String)> {
    vec![
        ("schema.registry.ssl.truststore.type", "PEM".into()),
        (
            "schema.registry.ssl.truststore.location",
            tls_file("ca.crt"),
        ),
        ("basic.auth.credentials.source", "USER_INFO".into()),
        (
            "basic.auth.user.info",
            format!("{}:{password}", service_env("FERRIUM_SCHEMA_REGISTRY_USER")),
        ),
    ]
}

/// Runs the connector until its first event is in Kafka and reads it back through the
/// registry (its plain port: the same schemas and ids).
async fn first_event_is_written(db: &TestDb, pairs: Vec<(String, String)>) {
    let prefix = db.name.clone();
    let mut pairs = pairs;
    pairs.push(("topic.prefix".into(), prefix.clone()));
    let options: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let worker = db.worker(&[
        &format!("bootstrap.servers={}", kafka_bootstrap()),
        &format!("offset.storage.topic={prefix}-offsets"),
    ]);
    let ferrium =
        crate::support::Ferrium::start(&db.write_connector(&db.connector(&options)), &worker);
    let topic = format!("{prefix}.public.t");
    let records = read_avro(&topic, 1, WAIT);
    assert_eq!(records[0]["value"]["after"]["id"], 1, "{records:?}");
    assert_eq!(
        subjects(&topic),
        [format!("{topic}-key"), format!("{topic}-value")]
    );
    let (status, log) = ferrium.stop_and_log();
    assert!(status.success(), "{log}");
    let password = service_env("FERRIUM_SCHEMA_REGISTRY_PASSWORD");
    assert!(
        !log.contains(&password),
        "the registry password is in the log:\n{log}"
    );
}

/// The line that says why the connector failed (the config line at start names every
/// option, so assertions look here).
fn failure(log: &str) -> &str {
    log.lines()
        .find(|line| line.contains("connector failed"))
        .unwrap_or_else(|| panic!("no 'connector failed' line:\n{log}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_registry_behind_https_and_basic_auth_is_reached_with_the_ca_and_credentials() {
    let db = table("avro_https").await;
    let url = service_env("FERRIUM_SCHEMA_REGISTRY_TLS_URL");
    let password = service_env("FERRIUM_SCHEMA_REGISTRY_PASSWORD");
    first_event_is_written(&db, converters(&url, &basic_auth(&password))).await;
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_registry_asking_for_a_client_certificate_gets_the_keystores() {
    let db = table("avro_mtls").await;
    let url = service_env("FERRIUM_SCHEMA_REGISTRY_MTLS_URL");
    // Confluent's PEM keystore: the key and its certificate chain in one file.
    let keystore = db.dir.path().join("client.pem");
    let pem = [
        std::fs::read_to_string(tls_file("ferrium_tls_cert.key")).unwrap(),
        std::fs::read_to_string(tls_file("ferrium_tls_cert.crt")).unwrap(),
    ]
    .concat();
    std::fs::write(&keystore, pem).unwrap();
    let options = [
        ("schema.registry.ssl.truststore.type", "PEM".to_string()),
        (
            "schema.registry.ssl.truststore.location",
            tls_file("ca.crt"),
        ),
        ("schema.registry.ssl.keystore.type", "PEM".to_string()),
        (
            "schema.registry.ssl.keystore.location",
            keystore.display().to_string(),
        ),
    ];
    first_event_is_written(&db, converters(&url, &options)).await;
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_registry_password_is_refused_naming_basic_auth_user_info() {
    let db = table("avro_401").await;
    let url = service_env("FERRIUM_SCHEMA_REGISTRY_TLS_URL");
    let wrong = "not-the-registry-password";
    let connector = db.write_connector(
        &db.connector(
            &converters(&url, &basic_auth(wrong))
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect::<Vec<_>>(),
        ),
    );
    let (status, log) = run_to_exit(&connector, None, WAIT);
    assert!(!status.success(), "{log}");
    let error = failure(&log);
    assert!(
        error.contains("refused the credentials (HTTP 401: Unauthorized)"),
        "{log}"
    );
    assert!(error.contains("basic.auth.user.info"), "{log}");
    assert!(!log.contains(wrong), "the password is in the log:\n{log}");
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_registry_certificate_from_another_ca_is_refused_naming_the_truststore() {
    let db = table("avro_ca").await;
    let url = service_env("FERRIUM_SCHEMA_REGISTRY_TLS_URL");
    let password = service_env("FERRIUM_SCHEMA_REGISTRY_PASSWORD");
    let mut options = basic_auth(&password);
    options[1].1 = tls_file("other-ca.crt");
    // No retries asked for: a certificate that is not trusted stays so.
    let pairs = converters(&url, &options);
    let connector = db.write_connector(
        &db.connector(
            &pairs
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect::<Vec<_>>(),
        ),
    );
    let (status, log) = run_to_exit(&connector, None, WAIT);
    assert!(!status.success(), "{log}");
    let error = failure(&log);
    assert!(
        error.contains("the TLS handshake with the schema registry at https://127.0.0.1"),
        "{log}"
    );
    assert!(error.contains("UnknownIssuer"), "{log}");
    assert!(
        error.contains("check schema.registry.ssl.truststore.location"),
        "{log}"
    );
    assert!(!error.contains("retries"), "{log}");
    db.drop().await;
}
