//! The MySQL connector's type-handling options, with Debezium's names and defaults.
//!
//! The caller parses the connector configuration; this module only holds the result.

use super::custom_converters::TinyIntToBoolean;

pub use ferrium_event::logical::modes::{BinaryMode, DecimalMode, TimePrecisionMode};

/// `bigint.unsigned.handling.mode`
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BigintUnsignedMode {
    /// `long` (the default): int64, values above 2^63-1 wrap to negative numbers.
    Long,
    /// `precise`: `org.apache.kafka.connect.data.Decimal` with scale 0.
    Precise,
}

/// Everything that changes how a column's value is represented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeOptions {
    /// `decimal.handling.mode` (default `precise`).
    pub decimal: DecimalMode,
    /// `time.precision.mode` (default `adaptive_time_microseconds`). The MySQL connector
    /// rejects `adaptive`; see [`TypeOptions::validate`].
    pub time: TimePrecisionMode,
    /// `bigint.unsigned.handling.mode` (default `long`).
    pub bigint_unsigned: BigintUnsignedMode,
    /// `binary.handling.mode` (default `bytes`).
    pub binary: BinaryMode,
    /// `enable.time.adjuster` (default `true`): years 00–69 of DATE, DATETIME and TIMESTAMP
    /// values become 2000–2069 and 70–99 become 1970–1999, as MySQL does for two-digit years.
    pub time_adjuster: bool,
    /// Whether the server is MariaDB: not an option, set once connected. MariaDB's `JSON`
    /// is `LONGTEXT` with a `json_valid` check (its binlog carries the text, not MySQL's
    /// binary JSON), so a column declared `JSON` reads as the plain string that
    /// Debezium's MariaDB connector writes for it after a snapshot.
    pub mariadb: bool,
    /// `converters` with Debezium's `TinyIntOneToBooleanConverter`.
    pub tinyint_to_boolean: Option<TinyIntToBoolean>,
}

impl Default for TypeOptions {
    fn default() -> Self {
        TypeOptions {
            decimal: DecimalMode::Precise,
            time: TimePrecisionMode::AdaptiveTimeMicroseconds,
            bigint_unsigned: BigintUnsignedMode::Long,
            binary: BinaryMode::Bytes,
            time_adjuster: true,
            mariadb: false,
            tinyint_to_boolean: None,
        }
    }
}

impl TypeOptions {
    /// Refuses what Debezium's MySQL connector refuses at configuration time
    /// (`BinlogConnectorConfig.validateTimePrecisionMode`).
    pub fn validate(&self) -> Result<(), &'static str> {
        if self.time == TimePrecisionMode::Adaptive {
            return Err("The 'adaptive' time.precision.mode is no longer supported");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_debeziums() {
        let o = TypeOptions::default();
        assert_eq!(o.decimal, DecimalMode::Precise);
        assert_eq!(o.time, TimePrecisionMode::AdaptiveTimeMicroseconds);
        assert_eq!(o.bigint_unsigned, BigintUnsignedMode::Long);
        assert_eq!(o.binary, BinaryMode::Bytes);
        assert!(o.time_adjuster);
        assert!(o.validate().is_ok());
        let adaptive = TypeOptions {
            time: TimePrecisionMode::Adaptive,
            ..TypeOptions::default()
        };
        assert!(adaptive.validate().is_err());
    }
}
