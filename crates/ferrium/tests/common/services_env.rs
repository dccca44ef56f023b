//! What `scripts/services.sh env` exports beyond the plain connection settings: the test
//! CA's folder and the broker's SASL listener. A missing one fails the test with the fix.

#![allow(dead_code)]

/// An exported setting.
pub fn service_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run `eval \"$(scripts/services.sh env)\"` after `scripts/services.sh up`")
    })
}

/// The path of a file the test CA made (`ca.crt`, `other-ca.crt`, `truststore.p12`, …).
pub fn tls_file(name: &str) -> String {
    let path = std::path::Path::new(&service_env("FERRIUM_TLS_DIR")).join(name);
    assert!(
        path.is_file(),
        "{} is missing: run `scripts/services.sh up`",
        path.display()
    );
    path.display().to_string()
}
