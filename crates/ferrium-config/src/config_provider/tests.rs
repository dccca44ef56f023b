//! The config providers' tests: placeholders, each provider, resolution and scrubbing.

use super::*;

fn props(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn providers(pairs: &[(&str, &str)], env: &[(&str, &str)]) -> ConfigProviders {
    ConfigProviders::from_worker_with_env(
        &props(pairs),
        env.iter().map(|(k, v)| (k.to_string(), v.to_string())),
    )
    .unwrap()
}

fn all_three(allowed: Option<&str>) -> Vec<(String, String)> {
    let mut p = vec![
        ("config.providers".to_string(), "file, env,dir".to_string()),
        (
            "config.providers.file.class".into(),
            FILE_PROVIDER_CLASS.into(),
        ),
        (
            "config.providers.env.class".into(),
            ENV_PROVIDER_CLASS.into(),
        ),
        (
            "config.providers.dir.class".into(),
            DIRECTORY_PROVIDER_CLASS.into(),
        ),
    ];
    if let Some(a) = allowed {
        p.push(("config.providers.file.param.allowed.paths".into(), a.into()));
        p.push(("config.providers.dir.param.allowed.paths".into(), a.into()));
    }
    p
}

fn refs(p: &[(String, String)]) -> Vec<(&str, &str)> {
    p.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

#[test]
fn placeholders_follow_the_config_transformer_pattern() {
    let found = placeholders("${file:/etc/creds.properties:db.password}");
    assert_eq!(
        found,
        vec![Placeholder {
            text: "${file:/etc/creds.properties:db.password}",
            start: 0,
            provider: "file",
            path: "/etc/creds.properties",
            key: "db.password",
        }]
    );
    let env = &placeholders("${env:PGPASS}")[0];
    assert_eq!((env.provider, env.path, env.key), ("env", "", "PGPASS"));
    // Several per value, text around them kept; the path stops at the first colon
    // after the provider, the key takes the rest (Java's lazy groups).
    let many = placeholders("jdbc:${env:HOST}:${a:b:c:d}/x");
    assert_eq!(many.len(), 2);
    assert_eq!(
        (many[1].provider, many[1].path, many[1].key),
        ("a", "b", "c:d")
    );
    assert!(placeholders("${novariable}").is_empty());
    assert!(placeholders("outbox.event.${routedByValue}").is_empty());
    assert!(placeholders("$1 and ${unclosed:x").is_empty());
}

#[test]
fn the_three_providers_resolve_in_one_value() {
    let dir = tempfile::tempdir().unwrap();
    let creds = dir.path().join("creds.properties");
    std::fs::write(&creds, "db.password = pä=ss\\u0021\nother=1\n").unwrap();
    let secrets = dir.path().join("secrets");
    std::fs::create_dir(&secrets).unwrap();
    std::fs::write(secrets.join("db_password"), "s3cret\n").unwrap();
    let p = providers(&refs(&all_three(None)), &[("PGPASS", "from-env")]);
    let value = format!(
        "a=${{file:{}:db.password}};b=${{env:PGPASS}};c=${{dir:{}:db_password}}",
        creds.display(),
        secrets.display()
    );
    let r = p.resolve(&props(&[("k", &value), ("plain", "x")]));
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    // UTF-8 and properties escapes, as Kafka's FileConfigProvider; file content as is.
    assert_eq!(r.props["k"], "a=pä=ss!;b=from-env;c=s3cret\n");
    assert_eq!(r.props["plain"], "x");
    assert_eq!(
        r.scrub("login with from-env failed"),
        "login with ${env:PGPASS} failed"
    );
}

#[test]
fn unresolvable_placeholders_name_the_key_and_the_provider_never_a_value() {
    let dir = tempfile::tempdir().unwrap();
    let creds = dir.path().join("creds.properties");
    std::fs::write(&creds, "db.password=hunter2\n").unwrap();
    let p = providers(&refs(&all_three(None)), &[("SET", "v")]);
    let cases = [
        (
            format!("${{file:{}:missing}}", creds.display()),
            "'file'",
            "no key \"missing\"",
        ),
        (
            "${file:/nonexistent/x.properties:k}".into(),
            "'file'",
            "cannot read",
        ),
        ("${file:k}".into(), "'file'", "needs a file"),
        (
            "${env:UNSET_VAR}".into(),
            "'env'",
            "no environment variable \"UNSET_VAR\"",
        ),
        ("${env:/p:SET}".into(), "'env'", "takes no path"),
        (
            format!("${{dir:{}:nofile}}", dir.path().display()),
            "'dir'",
            "no file \"nofile\"",
        ),
        (
            format!("${{dir:{}:../x}}", dir.path().display()),
            "'dir'",
            "not the name of a file",
        ),
        (
            format!("${{dir:{}:k}}", creds.display()),
            "'dir'",
            "not a directory",
        ),
        (
            "${vault:secret/db:pw}".into(),
            "'vault'",
            "is not configured",
        ),
    ];
    for (value, provider, reason) in cases {
        let r = p.resolve(&props(&[("database.password", &value)]));
        assert_eq!(r.problems.len(), 1, "{value}");
        let message = &r.problems[0];
        assert!(
            message.contains("'database.password'")
                && message.contains(provider)
                && message.contains(reason),
            "{message}"
        );
        assert!(!message.contains("hunter2"), "{message}");
        // The value keeps its placeholder.
        assert_eq!(r.props["database.password"], value);
    }
    let none = ConfigProviders::default().resolve(&props(&[("k", "${env:SET}")]));
    assert!(
        none.problems[0].contains("defines no config providers"),
        "{:?}",
        none.problems
    );
}

#[test]
fn allowed_paths_confine_the_file_providers() {
    let dir = tempfile::tempdir().unwrap();
    let inside = dir.path().join("in");
    std::fs::create_dir(&inside).unwrap();
    std::fs::write(inside.join("c.properties"), "k=inside\n").unwrap();
    std::fs::write(dir.path().join("c.properties"), "k=outside\n").unwrap();
    std::fs::write(dir.path().join("k"), "outside").unwrap();
    let p = providers(&refs(&all_three(Some(&inside.display().to_string()))), &[]);
    let ok = p.resolve(&props(&[(
        "a",
        &format!("${{file:{}/c.properties:k}}", inside.display()),
    )]));
    assert_eq!(ok.props["a"], "inside");
    for value in [
        format!("${{file:{}/c.properties:k}}", dir.path().display()),
        format!("${{file:{}/../c.properties:k}}", inside.display()),
        format!("${{dir:{}/..:k}}", inside.display()),
    ] {
        let r = p.resolve(&props(&[("a", &value)]));
        assert!(
            r.problems.len() == 1 && r.problems[0].contains("outside allowed.paths"),
            "{value}: {:?}",
            r.problems
        );
    }
}

#[test]
fn env_allowlist_is_a_whole_name_match() {
    let p = providers(
        &[
            ("config.providers", "env"),
            ("config.providers.env.class", "EnvVarConfigProvider"),
            ("config.providers.env.param.allowlist.pattern", "PG.*"),
        ],
        &[("PGPASS", "a"), ("XPGPASS", "b")],
    );
    let r = p.resolve(&props(&[("a", "${env:PGPASS}"), ("b", "${env:XPGPASS}")]));
    assert_eq!(r.props["a"], "a");
    assert_eq!(r.problems.len(), 1);
    assert!(r.problems[0].contains("'b'"), "{:?}", r.problems);
}

#[test]
fn worker_provider_settings_are_checked_by_name() {
    let err = |pairs: &[(&str, &str)]| {
        ConfigProviders::from_worker_with_env(&props(pairs), Vec::new())
            .unwrap_err()
            .to_string()
    };
    let unknown = err(&[
        ("config.providers", "vault"),
        (
            "config.providers.vault.class",
            "io.confluent.csid.config.provider.vault.VaultConfigProvider",
        ),
    ]);
    assert!(
        unknown.contains("VaultConfigProvider is not supported")
            && unknown.contains(FILE_PROVIDER_CLASS)
            && unknown.contains(ENV_PROVIDER_CLASS)
            && unknown.contains(DIRECTORY_PROVIDER_CLASS),
        "{unknown}"
    );
    let no_class = err(&[("config.providers", "file")]);
    assert!(
        no_class.contains("'config.providers.file.class'"),
        "{no_class}"
    );
    let stray = err(&[("config.providers.file.class", FILE_PROVIDER_CLASS)]);
    assert!(stray.contains("names no provider"), "{stray}");
    let param = err(&[
        ("config.providers", "env"),
        ("config.providers.env.class", ENV_PROVIDER_CLASS),
        ("config.providers.env.param.allowed.paths", "/"),
    ]);
    assert!(
        param.contains("has no parameter 'allowed.paths'"),
        "{param}"
    );
    let relative = err(&[
        ("config.providers", "dir"),
        ("config.providers.dir.class", DIRECTORY_PROVIDER_CLASS),
        ("config.providers.dir.param.allowed.paths", "run/secrets"),
    ]);
    assert!(relative.contains("is not absolute"), "{relative}");
    let regex = err(&[
        ("config.providers", "env"),
        ("config.providers.env.class", ENV_PROVIDER_CLASS),
        ("config.providers.env.param.allowlist.pattern", "("),
    ]);
    assert!(regex.contains("allowlist.pattern"), "{regex}");
}

#[test]
fn debug_output_never_shows_the_environment() {
    let p = providers(
        &[
            ("config.providers", "env"),
            ("config.providers.env.class", ENV_PROVIDER_CLASS),
        ],
        &[("SECRET_VAR", "do-not-print")],
    );
    let r = p.resolve(&props(&[("database.password", "${env:SECRET_VAR}")]));
    let shown = format!("{p:?} {r:?} {:?}", r.scrubber());
    assert!(!shown.contains("do-not-print"), "{shown}");
}
