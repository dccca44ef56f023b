//! Trust and key stores as Debezium's MySQL connector takes them (`database.ssl.truststore`,
//! `database.ssl.keystore`, each with a `.password`): PKCS12, Java's default store type; a
//! JKS store is named with the `keytool` command that converts it; and, as Ferrium's own
//! extension, a PEM file (certificates, and for a key store its private key too).

use std::path::Path;

use base64::Engine;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::TlsError;

/// A key store's content: the client certificate chain and its private key.
pub type Identity = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>);

/// The certificates of a trust store.
pub fn read_trust_store(
    option: &str,
    path: &Path,
    password: Option<&str>,
) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let bytes = read(option, path)?;
    let certs = match kind(option, path, &bytes)? {
        Kind::Pem => CertificateDer::pem_slice_iter(&bytes)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad(option, path, &e.to_string()))?,
        Kind::Pkcs12 => {
            let parsed = pkcs12(option, path, &bytes, password)?;
            let mut certs = Vec::new();
            let der = |cert: &openssl::x509::X509Ref| {
                cert.to_der()
                    .map(CertificateDer::from)
                    .map_err(|e| bad(option, path, &e.to_string()))
            };
            if let Some(cert) = &parsed.cert {
                certs.push(der(cert)?);
            }
            for cert in parsed.ca.iter().flatten() {
                certs.push(der(cert)?);
            }
            certs
        }
    };
    if certs.is_empty() {
        return Err(TlsError(format!(
            "{option}: {} holds no certificate",
            path.display()
        )));
    }
    Ok(certs)
}

/// The client certificate chain and private key of a key store.
pub fn read_key_store(
    option: &str,
    path: &Path,
    password: Option<&str>,
) -> Result<Identity, TlsError> {
    let bytes = read(option, path)?;
    let (chain, key) = match kind(option, path, &bytes)? {
        Kind::Pem => {
            let chain = CertificateDer::pem_slice_iter(&bytes)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| bad(option, path, &e.to_string()))?;
            let key = PrivateKeyDer::from_pem_slice(&bytes).map_err(|e| {
                bad(
                    option,
                    path,
                    &format!("no unencrypted private key in it ({e}); a PEM key store holds the certificate chain and its key"),
                )
            })?;
            (chain, key)
        }
        Kind::Pkcs12 => {
            let parsed = pkcs12(option, path, &bytes, password)?;
            let (Some(cert), Some(key)) = (parsed.cert, parsed.pkey) else {
                return Err(bad(
                    option,
                    path,
                    "it holds no private key with its certificate",
                ));
            };
            let mut chain = vec![CertificateDer::from(
                cert.to_der()
                    .map_err(|e| bad(option, path, &e.to_string()))?,
            )];
            for ca in parsed.ca.iter().flatten() {
                chain.push(CertificateDer::from(
                    ca.to_der().map_err(|e| bad(option, path, &e.to_string()))?,
                ));
            }
            let pkcs8 = key
                .private_key_to_pkcs8()
                .map_err(|e| bad(option, path, &e.to_string()))?;
            (chain, PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pkcs8)))
        }
    };
    if chain.is_empty() {
        return Err(bad(option, path, "it holds no certificate for its key"));
    }
    Ok((chain, key))
}

/// PEM text of DER items, for libraries that read PEM buffers.
pub fn to_pem(label: &str, items: &[&[u8]]) -> Vec<u8> {
    let mut out = String::new();
    for der in items {
        let encoded = base64::engine::general_purpose::STANDARD.encode(der);
        out.push_str(&format!("-----BEGIN {label}-----\n"));
        for line in encoded.as_bytes().chunks(64) {
            out.push_str(&String::from_utf8_lossy(line));
            out.push('\n');
        }
        out.push_str(&format!("-----END {label}-----\n"));
    }
    out.into_bytes()
}

/// What a store file holds, by its content (a file name says nothing reliable).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    Pem,
    Pkcs12,
    Jks,
}

/// JKS by its magic number, PEM by its armour, anything else taken for PKCS12 (DER).
pub fn store_kind(bytes: &[u8]) -> StoreKind {
    if bytes.starts_with(&[0xFE, 0xED, 0xFE, 0xED]) {
        StoreKind::Jks
    } else if bytes.windows(11).any(|w| w == b"-----BEGIN ") {
        StoreKind::Pem
    } else {
        StoreKind::Pkcs12
    }
}

/// The `keytool` command that turns a JKS store into one Ferrium reads.
pub const JKS_CONVERSION: &str = "keytool -importkeystore -srcstoretype JKS -srckeystore FILE -deststoretype PKCS12 -destkeystore FILE.p12";

enum Kind {
    Pem,
    Pkcs12,
}

fn kind(option: &str, path: &Path, bytes: &[u8]) -> Result<Kind, TlsError> {
    match store_kind(bytes) {
        StoreKind::Jks => Err(TlsError(format!(
            "{option}: {} is a JKS store, which Ferrium does not read; convert it to PKCS12 (Java's default store type since Java 9): {JKS_CONVERSION}",
            path.display()
        ))),
        StoreKind::Pem => Ok(Kind::Pem),
        StoreKind::Pkcs12 => Ok(Kind::Pkcs12),
    }
}

fn pkcs12(
    option: &str,
    path: &Path,
    bytes: &[u8],
    password: Option<&str>,
) -> Result<openssl::pkcs12::ParsedPkcs12_2, TlsError> {
    let store = openssl::pkcs12::Pkcs12::from_der(bytes).map_err(|_| {
        bad(
            option,
            path,
            "it is neither a PKCS12 store nor PEM; give a PKCS12 (.p12) store or a PEM file",
        )
    })?;
    store.parse2(password.unwrap_or("")).map_err(|_| {
        TlsError(format!(
            "{option}: the PKCS12 store {} does not open with the password given; check {option}.password",
            path.display()
        ))
    })
}

fn read(option: &str, path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path)
        .map_err(|e| TlsError(format!("{option}: cannot read {}: {e}", path.display())))
}

fn bad(option: &str, path: &Path, problem: &str) -> TlsError {
    TlsError(format!("{option}: {}: {problem}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str, body: &[u8]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("ferrium-tls-stores-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, body).unwrap();
        path
    }

    /// A PKCS12 store made here with OpenSSL, holding a self-signed certificate and its key.
    fn pkcs12_store(password: &str) -> (Vec<u8>, Vec<u8>) {
        use openssl::{asn1::Asn1Time, hash::MessageDigest, pkey::PKey, rsa::Rsa, x509::X509};
        let key = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
        let mut name = openssl::x509::X509NameBuilder::new().unwrap();
        name.append_entry_by_text("CN", "store-test").unwrap();
        let name = name.build();
        let mut cert = X509::builder().unwrap();
        cert.set_subject_name(&name).unwrap();
        cert.set_issuer_name(&name).unwrap();
        cert.set_pubkey(&key).unwrap();
        cert.set_not_before(&Asn1Time::days_from_now(0).unwrap())
            .unwrap();
        cert.set_not_after(&Asn1Time::days_from_now(1).unwrap())
            .unwrap();
        cert.sign(&key, MessageDigest::sha256()).unwrap();
        let cert = cert.build();
        let store = openssl::pkcs12::Pkcs12::builder()
            .name("store-test")
            .pkey(&key)
            .cert(&cert)
            .build2(password)
            .unwrap();
        (store.to_der().unwrap(), cert.to_der().unwrap())
    }

    #[test]
    fn a_pkcs12_key_store_gives_its_certificate_and_key() {
        let (store, cert) = pkcs12_store("s3cret");
        let path = temp("client.p12", &store);
        let (chain, key) = read_key_store("database.ssl.keystore", &path, Some("s3cret")).unwrap();
        assert_eq!(chain[0].as_ref(), cert.as_slice());
        assert!(matches!(key, PrivateKeyDer::Pkcs8(_)));
        let trusted = read_trust_store("database.ssl.truststore", &path, Some("s3cret")).unwrap();
        assert_eq!(trusted[0].as_ref(), cert.as_slice());
    }

    #[test]
    fn a_wrong_store_password_names_the_password_option_not_the_password() {
        let (store, _) = pkcs12_store("s3cret");
        let path = temp("wrong.p12", &store);
        let e = read_trust_store("database.ssl.truststore", &path, Some("guess")).unwrap_err();
        assert!(
            e.0.contains("check database.ssl.truststore.password"),
            "{e}"
        );
        assert!(!e.0.contains("guess"), "{e}");
    }

    #[test]
    fn a_jks_store_gets_the_keytool_conversion() {
        let path = temp("trust.jks", &[0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 2]);
        let e = read_trust_store("database.ssl.truststore", &path, None).unwrap_err();
        assert!(
            e.0.contains("keytool -importkeystore -srcstoretype JKS"),
            "{e}"
        );
    }

    #[test]
    fn pem_written_here_reads_back() {
        let (_, cert) = pkcs12_store("x");
        let pem = to_pem("CERTIFICATE", &[&cert, &cert]);
        let path = temp("two.pem", &pem);
        let certs = read_trust_store("database.ssl.truststore", &path, None).unwrap();
        assert_eq!(certs.len(), 2);
        assert_eq!(certs[1].as_ref(), cert.as_slice());
    }
}
