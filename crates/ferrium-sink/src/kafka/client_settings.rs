//! Kafka Connect's client settings, written with the Java client's names, as librdkafka's.
//!
//! A Connect worker file or connector config names its security settings the Java way
//! (`sasl.jaas.config`, `ssl.truststore.location`, …); librdkafka refuses those names
//! ("No such configuration property"), so each is translated here, once, when the config is
//! read. Keys librdkafka already knows pass through; the Java-only keys without a
//! librdkafka counterpart are refused by name.

use std::collections::BTreeMap;
use std::path::Path;

use ferrium_tls::stores::{read_trust_store, store_kind, to_pem, StoreKind, JKS_CONVERSION};

/// Java client keys that configure the JVM's TLS or login machinery, with nothing in
/// librdkafka to map them to.
const JAVA_ONLY: &[&str] = &[
    "ssl.protocol",
    "ssl.provider",
    "ssl.enabled.protocols",
    "ssl.keymanager.algorithm",
    "ssl.trustmanager.algorithm",
    "ssl.secure.random.implementation",
    "ssl.engine.factory.class",
    "security.providers",
    "sasl.login.class",
    "sasl.login.callback.handler.class",
    "sasl.client.callback.handler.class",
];

/// The trust and key store keys, translated together by [`trust_store`] and [`key_store`];
/// any other `ssl.*` key goes to librdkafka as it is, which names it if unknown.
const STORE_KEYS: &[&str] = &[
    "ssl.truststore.type",
    "ssl.truststore.location",
    "ssl.truststore.password",
    "ssl.truststore.certificates",
    "ssl.keystore.type",
    "ssl.keystore.location",
    "ssl.keystore.password",
    "ssl.keystore.certificate.chain",
    "ssl.keystore.key",
    "ssl.key.password",
];

/// The JAAS login modules whose username and password librdkafka takes.
const LOGIN_MODULES: &[&str] = &[
    "org.apache.kafka.common.security.scram.ScramLoginModule",
    "org.apache.kafka.common.security.plain.PlainLoginModule",
];

/// The SASL mechanisms the login modules above serve.
const SASL_MECHANISMS: &[&str] = &["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"];

/// `settings` with the Java client's names translated; `prefix` is how the user wrote the
/// keys (`producer.`, `consumer.override.`, or empty), for messages.
pub fn librdkafka_settings(
    settings: &BTreeMap<String, String>,
    prefix: &str,
) -> Result<BTreeMap<String, String>, String> {
    let name = |key: &str| format!("{prefix}{key}");
    let mut out = BTreeMap::new();
    for (key, value) in settings {
        match key.as_str() {
            k if JAVA_ONLY.contains(&k) => {
                return Err(format!(
                    "{} is a setting of Java's TLS or login machinery, which librdkafka (Ferrium's Kafka client) has no counterpart for: remove it",
                    name(k)
                ))
            }
            "sasl.jaas.config" => {
                let (username, password) = jaas_credentials(value)
                    .map_err(|problem| format!("{}: {problem}", name(key)))?;
                out.insert("sasl.username".to_string(), username);
                out.insert("sasl.password".to_string(), password);
            }
            "sasl.mechanism" => {
                let mechanism = value.trim().to_ascii_uppercase();
                if !SASL_MECHANISMS.contains(&mechanism.as_str()) {
                    return Err(format!(
                        "{}={value} is not supported: use one of {} (GSSAPI and OAUTHBEARER are not built in)",
                        name(key),
                        SASL_MECHANISMS.join(", ")
                    ));
                }
                out.insert(key.clone(), mechanism);
            }
            "ssl.endpoint.identification.algorithm" => {
                let algorithm = match value.trim().to_ascii_lowercase().as_str() {
                    "" | "none" => "none",
                    "https" => "https",
                    other => {
                        return Err(format!(
                            "{}={other} is not supported: use https (check the broker's name, the default) or an empty value (do not)",
                            name(key)
                        ))
                    }
                };
                out.insert(key.clone(), algorithm.to_string());
            }
            // Read below, with the settings they belong with.
            k if STORE_KEYS.contains(&k) => {}
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    trust_store(settings, &name, &mut out)?;
    key_store(settings, &name, &mut out)?;
    Ok(out)
}

/// `ssl.truststore.*`: librdkafka reads CA certificates as PEM only, so a PKCS12 store is
/// read here and handed over as PEM text (`ssl.ca.pem`).
fn trust_store(
    settings: &BTreeMap<String, String>,
    name: &impl Fn(&str) -> String,
    out: &mut BTreeMap<String, String>,
) -> Result<(), String> {
    let get = |k: &str| settings.get(k).map(String::as_str);
    let kind = get("ssl.truststore.type").map(str::to_ascii_uppercase);
    let password = get("ssl.truststore.password");
    if kind.as_deref() == Some("PEM") && password.is_some() {
        return Err(format!(
            "{} is set, but a PEM trust store has no password: remove it",
            name("ssl.truststore.password")
        ));
    }
    if let Some(kind) = kind.as_deref() {
        if !["PEM", "PKCS12", "JKS"].contains(&kind) {
            return Err(format!(
                "{}={kind} is not supported: use PEM or PKCS12",
                name("ssl.truststore.type")
            ));
        }
    }
    match (
        get("ssl.truststore.location"),
        get("ssl.truststore.certificates"),
    ) {
        (Some(_), Some(_)) => Err(format!(
            "{} and {} are both set: give the CA certificates one way",
            name("ssl.truststore.location"),
            name("ssl.truststore.certificates")
        )),
        (Some(location), None) => {
            let option = name("ssl.truststore.location");
            let certs = read_trust_store(&option, Path::new(location), password)
                .map_err(|e| e.to_string())?;
            let ders: Vec<&[u8]> = certs.iter().map(|c| c.as_ref()).collect();
            out.insert(
                "ssl.ca.pem".into(),
                String::from_utf8_lossy(&to_pem("CERTIFICATE", &ders)).into_owned(),
            );
            Ok(())
        }
        (None, Some(inline)) => {
            out.insert("ssl.ca.pem".into(), inline.to_string());
            Ok(())
        }
        (None, None) if password.is_some() => Err(format!(
            "{} is set without {}",
            name("ssl.truststore.password"),
            name("ssl.truststore.location")
        )),
        (None, None) => Ok(()),
    }
}

/// `ssl.keystore.*`: a PKCS12 store librdkafka reads itself; a PEM file or inline PEM as
/// its certificate and key settings; `ssl.key.password` decrypts a PEM key.
fn key_store(
    settings: &BTreeMap<String, String>,
    name: &impl Fn(&str) -> String,
    out: &mut BTreeMap<String, String>,
) -> Result<(), String> {
    let get = |k: &str| settings.get(k).map(String::as_str);
    let location = get("ssl.keystore.location");
    let password = get("ssl.keystore.password");
    let kind = match get("ssl.keystore.type")
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        Some("PEM") => StoreKind::Pem,
        Some("PKCS12") => StoreKind::Pkcs12,
        Some("JKS") => StoreKind::Jks,
        Some(other) => {
            return Err(format!(
                "{}={other} is not supported: use PEM or PKCS12",
                name("ssl.keystore.type")
            ))
        }
        None => match location {
            Some(path) => store_kind(&std::fs::read(path).map_err(|e| {
                format!("{}: cannot read {path}: {e}", name("ssl.keystore.location"))
            })?),
            None => StoreKind::Pem,
        },
    };
    if password.is_some() && location.is_none() {
        return Err(format!(
            "{} is set without {}",
            name("ssl.keystore.password"),
            name("ssl.keystore.location")
        ));
    }
    match (kind, location) {
        (StoreKind::Jks, _) => {
            return Err(format!(
                "{} is a JKS store, which librdkafka does not read; convert it to PKCS12: {JKS_CONVERSION}",
                name("ssl.keystore.location")
            ))
        }
        (StoreKind::Pkcs12, None) => {
            return Err(format!(
                "{}=PKCS12 names no store: set {}",
                name("ssl.keystore.type"),
                name("ssl.keystore.location")
            ))
        }
        (StoreKind::Pkcs12, Some(path)) => {
            out.insert("ssl.keystore.location".into(), path.to_string());
            if let Some(password) = password {
                out.insert("ssl.keystore.password".into(), password.to_string());
            }
        }
        (StoreKind::Pem, Some(path)) => {
            if password.is_some() {
                return Err(format!(
                    "{} is set, but a PEM key store has no store password: give the key's password as {}",
                    name("ssl.keystore.password"),
                    name("ssl.key.password")
                ));
            }
            out.insert("ssl.certificate.location".into(), path.to_string());
            out.insert("ssl.key.location".into(), path.to_string());
        }
        (StoreKind::Pem, None) => {
            match (get("ssl.keystore.certificate.chain"), get("ssl.keystore.key")) {
                (Some(chain), Some(key)) => {
                    out.insert("ssl.certificate.pem".into(), chain.to_string());
                    out.insert("ssl.key.pem".into(), key.to_string());
                }
                (None, None) => {}
                _ => {
                    return Err(format!(
                        "{} and {} go together: a client certificate needs both",
                        name("ssl.keystore.certificate.chain"),
                        name("ssl.keystore.key")
                    ))
                }
            }
        }
    }
    if let Some(password) = get("ssl.key.password") {
        out.insert("ssl.key.password".into(), password.to_string());
    }
    Ok(())
}

/// The username and password of a `ScramLoginModule` or `PlainLoginModule` JAAS entry:
/// `<module> required username="…" password="…";`.
fn jaas_credentials(text: &str) -> Result<(String, String), String> {
    let text = text.trim();
    let (module, rest) = text
        .split_once(char::is_whitespace)
        .ok_or("expected '<LoginModule> required username=\"…\" password=\"…\";'")?;
    if !LOGIN_MODULES.contains(&module) {
        return Err(format!(
            "the login module {module} is not supported: use {}",
            LOGIN_MODULES.join(" or ")
        ));
    }
    let rest = rest.trim_start();
    let (flag, mut rest) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let flag = flag.trim_end_matches(';');
    if !["required", "requisite", "sufficient", "optional"].contains(&flag) {
        return Err(format!(
            "'{flag}' is not a JAAS control flag: write '{module} required username=\"…\" password=\"…\";'"
        ));
    }
    let mut options = BTreeMap::new();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() || rest.starts_with(';') {
            break;
        }
        let (key, after) = rest
            .split_once('=')
            .ok_or("an option without '=' (options are key=\"value\")")?;
        let key = key.trim();
        let (value, after) = option_value(after.trim_start())?;
        options.insert(key.to_string(), value);
        rest = after;
    }
    let mut take = |key: &str| options.remove(key).ok_or(format!("no {key}=\"…\" option"));
    let credentials = (take("username")?, take("password")?);
    if let Some(other) = options.keys().next() {
        return Err(format!(
            "the option {other} is not supported (only username and password are)"
        ));
    }
    Ok(credentials)
}

/// A quoted value (backslash escapes, as JAAS's parser takes them) or a bare word.
fn option_value(text: &str) -> Result<(String, &str), String> {
    if let Some(quoted) = text.strip_prefix('"') {
        let mut value = String::new();
        let mut chars = quoted.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some((_, escaped)) => value.push(escaped),
                    None => break,
                },
                '"' => return Ok((value, &quoted[i + 1..])),
                c => value.push(c),
            }
        }
        return Err("a quoted value is not closed".into());
    }
    let end = text
        .find(|c: char| c.is_whitespace() || c == ';')
        .unwrap_or(text.len());
    Ok((text[..end].to_string(), &text[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_scram_jaas_entry_gives_librdkafkas_username_and_password() {
        let out = librdkafka_settings(
            &settings(&[
                ("security.protocol", "SASL_SSL"),
                ("sasl.mechanism", "SCRAM-SHA-512"),
                (
                    "sasl.jaas.config",
                    r#"org.apache.kafka.common.security.scram.ScramLoginModule required username="ferrium" password="p\"w;d";"#,
                ),
            ]),
            "producer.",
        )
        .unwrap();
        assert_eq!(out["sasl.username"], "ferrium");
        assert_eq!(out["sasl.password"], "p\"w;d");
        assert_eq!(out["security.protocol"], "SASL_SSL");
        assert_eq!(out["sasl.mechanism"], "SCRAM-SHA-512");
        assert!(!out.contains_key("sasl.jaas.config"));
    }

    #[test]
    fn an_unknown_sasl_mechanism_is_refused_naming_the_supported_ones() {
        let error =
            librdkafka_settings(&settings(&[("sasl.mechanism", "FOO")]), "producer.").unwrap_err();
        assert_eq!(error, "producer.sasl.mechanism=FOO is not supported: use one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 (GSSAPI and OAUTHBEARER are not built in)");
        let out =
            librdkafka_settings(&settings(&[("sasl.mechanism", "scram-sha-256")]), "").unwrap();
        assert_eq!(out["sasl.mechanism"], "SCRAM-SHA-256");
    }

    #[test]
    fn bad_jaas_entries_are_named_without_their_password() {
        for (jaas, needle) in [
            (
                r#"com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true;"#,
                "Krb5LoginModule is not supported",
            ),
            (
                r#"org.apache.kafka.common.security.plain.PlainLoginModule required username="u";"#,
                "no password=",
            ),
            (
                r#"org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="secret1" tokenauth=true;"#,
                "tokenauth is not supported",
            ),
        ] {
            let e = librdkafka_settings(&settings(&[("sasl.jaas.config", jaas)]), "consumer.")
                .unwrap_err();
            assert!(e.starts_with("consumer.sasl.jaas.config: "), "{e}");
            assert!(e.contains(needle), "{e}");
            assert!(!e.contains("secret1"), "{e}");
        }
    }

    #[test]
    fn java_only_keys_are_refused_and_librdkafka_keys_pass() {
        let e = librdkafka_settings(&settings(&[("ssl.protocol", "TLSv1.3")]), "").unwrap_err();
        assert!(e.contains("ssl.protocol is a setting of Java's"), "{e}");
        let out = librdkafka_settings(
            &settings(&[
                ("linger.ms", "10"),
                ("ssl.ca.location", "/etc/ca.pem"),
                ("ssl.endpoint.identification.algorithm", ""),
            ]),
            "",
        )
        .unwrap();
        assert_eq!(out["linger.ms"], "10");
        assert_eq!(out["ssl.ca.location"], "/etc/ca.pem");
        assert_eq!(out["ssl.endpoint.identification.algorithm"], "none");
    }

    #[test]
    fn trust_and_key_stores_become_librdkafka_settings() {
        let inline = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        let out = librdkafka_settings(
            &settings(&[
                ("ssl.truststore.type", "PEM"),
                ("ssl.truststore.certificates", inline),
                ("ssl.keystore.type", "PKCS12"),
                ("ssl.keystore.location", "/etc/client.p12"),
                ("ssl.keystore.password", "store-pw"),
            ]),
            "",
        )
        .unwrap();
        assert_eq!(out["ssl.ca.pem"], inline);
        assert_eq!(out["ssl.keystore.location"], "/etc/client.p12");
        assert_eq!(out["ssl.keystore.password"], "store-pw");
        let e = librdkafka_settings(
            &settings(&[
                ("ssl.truststore.type", "PEM"),
                ("ssl.truststore.location", "/etc/ca.pem"),
                ("ssl.truststore.password", "x"),
            ]),
            "admin.",
        )
        .unwrap_err();
        assert!(
            e.contains(
                "admin.ssl.truststore.password is set, but a PEM trust store has no password"
            ),
            "{e}"
        );
        for (pairs, needle) in [
            (
                &[("ssl.keystore.password", "x")][..],
                "ssl.keystore.password is set without ssl.keystore.location",
            ),
            (&[("ssl.keystore.type", "PKCS12")][..], "names no store"),
            (
                &[("ssl.keystore.type", "BCFKS")][..],
                "BCFKS is not supported",
            ),
        ] {
            let e = librdkafka_settings(&settings(pairs), "").unwrap_err();
            assert!(e.contains(needle), "{e}");
        }
    }
}
