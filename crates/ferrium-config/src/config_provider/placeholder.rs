//! The `${provider:[path:]key}` placeholders of config values, found as Kafka's
//! `ConfigTransformer` finds them.

use std::sync::LazyLock;

use regex::Regex;

/// `org.apache.kafka.common.config.ConfigTransformer.DEFAULT_PATTERN`.
static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\$\{([^}]*?):(([^}]*?):)?([^}]*?)\}").expect("the placeholder pattern is valid")
});

/// One `${provider:path:key}` occurrence in a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder<'a> {
    /// The whole `${…}` text, at byte `start` of the value.
    pub text: &'a str,
    pub start: usize,
    pub provider: &'a str,
    /// Empty when the placeholder has no path (`${env:VAR}`), as in Kafka.
    pub path: &'a str,
    pub key: &'a str,
}

/// The placeholders of `value`, left to right, as `ConfigTransformer` finds them.
pub fn placeholders(value: &str) -> Vec<Placeholder<'_>> {
    PLACEHOLDER
        .captures_iter(value)
        .filter_map(|c| {
            let whole = c.get(0)?;
            Some(Placeholder {
                text: whole.as_str(),
                start: whole.start(),
                provider: c.get(1)?.as_str(),
                path: c.get(3).map_or("", |m| m.as_str()),
                key: c.get(4)?.as_str(),
            })
        })
        .collect()
}

/// Whether `value` holds at least one placeholder.
pub fn has_placeholder(value: &str) -> bool {
    PLACEHOLDER.is_match(value)
}
