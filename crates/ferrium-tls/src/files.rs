//! Certificate and key files read into rustls's types, with errors that name the option,
//! the file and how to convert a file in a form Ferrium does not read.
//!
//! Only PEM is read. The replication session's TLS (pgwire-replication) reads PEM files
//! itself, so accepting other forms for one kind of session and not the other would make a
//! setting work for catalog queries and then fail on the stream.

use std::path::Path;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::TlsError;

/// Every certificate in the PEM file `path`, named by `option` in errors.
pub fn read_certificates(
    option: &str,
    path: &Path,
) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let text = read(option, path)?;
    if !text.contains("-----BEGIN CERTIFICATE-----") {
        return Err(TlsError(format!(
            "{option}: {} holds no PEM certificate (-----BEGIN CERTIFICATE-----); give the certificate in PEM form (convert a DER file with: openssl x509 -inform DER -in FILE -out FILE.pem)",
            path.display()
        )));
    }
    CertificateDer::pem_slice_iter(text.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            TlsError(format!(
                "{option}: {} is not a readable PEM certificate file: {e}",
                path.display()
            ))
        })
}

/// The private key in the PEM file `path` (PKCS#8, PKCS#1 or SEC1, not encrypted).
pub fn read_private_key(option: &str, path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    let text = read(option, path)?;
    if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")
        || text.contains("Proc-Type: 4,ENCRYPTED")
    {
        return Err(TlsError(format!(
            "{option}: {} is an encrypted key, which Ferrium does not decrypt; give it unencrypted, readable only by Ferrium's user (openssl pkey -in FILE -out FILE.plain.pem)",
            path.display()
        )));
    }
    if !text.contains("-----BEGIN") {
        return Err(TlsError(format!(
            "{option}: {} is not a PEM key; Ferrium reads PEM keys (PKCS#8, PKCS#1 or SEC1); convert a DER PKCS#8 key (pgjdbc's .pk8) with: openssl pkcs8 -inform DER -nocrypt -in FILE -out FILE.pem",
            path.display()
        )));
    }
    PrivateKeyDer::from_pem_slice(text.as_bytes()).map_err(|e| {
        TlsError(format!(
            "{option}: no private key could be read from {}: {e}",
            path.display()
        ))
    })
}

fn read(option: &str, path: &Path) -> Result<String, TlsError> {
    let bytes = std::fs::read(path)
        .map_err(|e| TlsError(format!("{option}: cannot read {}: {e}", path.display())))?;
    // A DER file is not UTF-8; say so as a format problem, not an I/O one.
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str, body: &[u8]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("ferrium-tls-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, body).unwrap();
        path
    }

    #[test]
    fn a_missing_file_names_the_option_and_the_path() {
        let e = read_certificates("database.sslrootcert", Path::new("/nonexistent/ca.crt"))
            .unwrap_err();
        assert!(
            e.0.starts_with("database.sslrootcert: cannot read /nonexistent/ca.crt"),
            "{e}"
        );
    }

    #[test]
    fn a_der_certificate_gets_the_conversion_command() {
        let path = temp("ca.der", &[0x30, 0x82, 0x01, 0x0a, 0xff]);
        let e = read_certificates("database.sslrootcert", &path).unwrap_err();
        assert!(e.0.contains("openssl x509 -inform DER"), "{e}");
    }

    #[test]
    fn keys_in_forms_not_read_are_refused_with_the_fix() {
        let der = temp("key.pk8", &[0x30, 0x82, 0x04, 0xbe, 0x02, 0x01]);
        let e = read_private_key("database.sslkey", &der).unwrap_err();
        assert!(e.0.contains("openssl pkcs8 -inform DER -nocrypt"), "{e}");
        let encrypted = temp(
            "key.enc.pem",
            b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIE\n-----END ENCRYPTED PRIVATE KEY-----\n",
        );
        let e = read_private_key("database.sslkey", &encrypted).unwrap_err();
        assert!(e.0.contains("encrypted key"), "{e}");
        assert!(e.0.contains("openssl pkey"), "{e}");
    }
}
