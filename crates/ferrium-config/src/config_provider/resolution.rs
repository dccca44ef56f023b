//! The outcome of resolving a config's placeholders, and the scrubber that puts them back
//! into any text before it is logged or answered.

use std::collections::BTreeMap;
use std::fmt;

/// The outcome of resolving one config.
pub struct Resolution {
    /// Every value with its placeholders replaced; a value with a placeholder that could
    /// not be resolved keeps its text.
    pub props: BTreeMap<String, String>,
    /// One message per unresolved placeholder, naming the key and the provider.
    pub problems: Vec<String>,
    pub(super) scrubber: Scrubber,
}

impl fmt::Debug for Resolution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resolution")
            .field("keys", &self.props.keys().collect::<Vec<_>>())
            .field("problems", &self.problems)
            .finish_non_exhaustive()
    }
}

impl Resolution {
    /// `text` with every resolved value put back as its placeholder: for an error
    /// message built from the resolved config, before it is logged or answered.
    pub fn scrub(&self, text: &str) -> String {
        self.scrubber.scrub(text)
    }

    /// A scrubber that outlives the resolution (for a connector's later errors).
    pub fn scrubber(&self) -> Scrubber {
        self.scrubber.clone()
    }
}

/// Puts placeholders back where resolved values appear in a text.
#[derive(Clone, Default)]
pub struct Scrubber {
    /// (resolved value, its placeholder), longest value first.
    pub(super) secrets: Vec<(String, String)>,
}

impl fmt::Debug for Scrubber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scrubber({} values)", self.secrets.len())
    }
}

impl Scrubber {
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (secret, placeholder) in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), placeholder);
            }
        }
        out
    }
}
