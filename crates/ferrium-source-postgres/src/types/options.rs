//! The type-handling options Debezium exposes, parsed once from the connector config.

pub use ferrium_event::logical::modes::{BinaryMode, DecimalMode, TimePrecisionMode};

/// `interval.handling.mode`
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntervalMode {
    /// `io.debezium.time.MicroDuration`, int64 microseconds.
    Numeric,
    /// `io.debezium.time.Interval`, an ISO-8601 duration string.
    String,
}

/// `hstore.handling.mode`
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HstoreMode {
    /// A JSON object as text, tagged `io.debezium.data.Json`.
    Json,
    /// A Connect `map<string,string>`.
    Map,
}

/// Everything that changes how a column's value is represented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeOptions {
    pub decimal: DecimalMode,
    pub time: TimePrecisionMode,
    pub binary: BinaryMode,
    pub interval: IntervalMode,
    pub hstore: HstoreMode,
    /// `money.fraction.digits`
    pub money_fraction_digits: u32,
    /// `include.unknown.datatypes`: emit unknown types as their text form instead of failing.
    pub include_unknown: bool,
    /// `unavailable.value.placeholder` (unchanged TOAST values).
    pub unavailable_placeholder: String,
}

impl Default for TypeOptions {
    fn default() -> Self {
        TypeOptions {
            decimal: DecimalMode::Precise,
            time: TimePrecisionMode::Adaptive,
            binary: BinaryMode::Bytes,
            interval: IntervalMode::Numeric,
            hstore: HstoreMode::Json,
            money_fraction_digits: 2,
            include_unknown: false,
            unavailable_placeholder: "__debezium_unavailable_value".to_string(),
        }
    }
}
