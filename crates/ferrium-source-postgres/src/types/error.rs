//! Why a column cannot be mapped or a value cannot be decoded: the error type every source
//! shares, re-exported where the types code uses it.

pub use ferrium_event::logical::error::{excerpt, TypeError, EXCERPT_CHARS};
