//! MySQL and MariaDB column types to Kafka Connect schemas and values, as Debezium's
//! MySQL/MariaDB connector maps them.
//!
//! Values reach Ferrium two ways: binlog row images (`BinlogValue`, already split into
//! integers, dates, decimal text…) during streaming, and text-protocol rows during the
//! snapshot. A [`ColumnCodec`] is compiled once per column from the DDL model and decodes
//! both, reducing each to the same intermediate first so that a row reads identically on
//! either path.

mod charset;
mod codec;
pub mod custom_converters;
mod defaults;
mod error;
pub(crate) mod family;
mod java_double;
mod json;
mod options;
mod temporal;

pub use codec::ColumnCodec;
pub use error::{TypeError, EXCERPT_CHARS};
pub use options::{BigintUnsignedMode, BinaryMode, DecimalMode, TimePrecisionMode, TypeOptions};
