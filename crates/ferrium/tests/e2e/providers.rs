//! Config providers in `ferrium run`: the worker file given with `--worker` declares them
//! (as `connect-standalone worker.properties` does); its own values and the connector's
//! resolve through them. Without a worker file no provider exists, so a placeholder is
//! an error naming the key, the provider and the fix.

use std::time::Duration;

use crate::support::{
    connect, grant_sql, run_to_exit, secret_role, Ferrium, TestDb, SECRET_PASSWORD, SECRET_ROLE,
};

const T: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread")]
async fn ferrium_run_resolves_worker_and_connector_placeholders() {
    secret_role(&connect("postgres").await).await;
    let db = TestDb::create("prov_run").await;
    db.exec(&format!(
        "CREATE TABLE items (id int PRIMARY KEY);
         INSERT INTO items VALUES (1), (2);
         {}",
        grant_sql("items", &db.name)
    ))
    .await;
    let at = db.dir.path().display().to_string();
    let secrets = db.dir.path().join("secrets");
    std::fs::create_dir(&secrets).unwrap();
    std::fs::write(secrets.join("db_password"), SECRET_PASSWORD).unwrap();
    // A worker value from a placeholder too: where the offsets go.
    let elsewhere = db.dir.path().join("resolved.offsets");
    let paths = db.dir.path().join("paths.properties");
    std::fs::write(&paths, format!("offsets={}\n", elsewhere.display())).unwrap();
    let worker = db.dir.path().join("run-worker.properties");
    std::fs::write(
        &worker,
        format!(
            "offset.storage.file.filename=${{file:{}:offsets}}\n\
             offset.flush.interval.ms=100\n\
             config.providers=file,dir\n\
             config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider\n\
             config.providers.file.param.allowed.paths={at}\n\
             config.providers.dir.class=DirectoryConfigProvider\n",
            paths.display()
        ),
    )
    .unwrap();
    let connector = db.write_connector(&db.connector(&[
        ("database.user", SECRET_ROLE),
        (
            "database.password",
            &format!("${{dir:{}:db_password}}", secrets.display()),
        ),
        ("topic.prefix", "provrun"),
    ]));
    let ferrium = Ferrium::start(&connector, &worker);
    ferrium.collect("provrun.", 2, T);
    db.exec("INSERT INTO items VALUES (3);").await;
    let streamed = ferrium.collect("provrun.", 1, T);
    assert_eq!(streamed[0].after()["id"], 3);
    let (status, log) = ferrium.stop_and_log();
    assert!(status.success(), "{log}");
    assert!(
        elsewhere.exists(),
        "the offsets were not stored at the resolved path:\n{log}"
    );
    assert!(
        !log.contains(SECRET_PASSWORD),
        "the password was logged:\n{log}"
    );
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ferrium_run_without_a_worker_file_names_the_missing_provider() {
    let db = TestDb::create("prov_noworker").await;
    db.exec("CREATE TABLE items (id int PRIMARY KEY);").await;
    let connector = db
        .write_connector(&db.connector(&[("database.password", "${env:FERRIUM_TEST_PG_SECRET}")]));
    let (status, log) = run_to_exit(&connector, None, T);
    assert!(!status.success());
    for needle in [
        "'database.password'",
        "config provider 'env' is not configured",
        "ferrium run --worker",
    ] {
        assert!(log.contains(needle), "{needle} not in:\n{log}");
    }
    assert_eq!(db.confirmed_flush_lsn().await, None, "a slot was created");
    db.drop().await;
}
