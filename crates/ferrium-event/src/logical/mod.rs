//! Pure encodings of Debezium's logical types, shared by every source.
//!
//! Each database source parses its own wire formats, but the numbers and strings Debezium
//! finally emits (a `Decimal`'s unscaled bytes, epoch days, ISO-8601 text, the shape
//! `binary.handling.mode` gives to bytes) are the same for all of them. They live here so
//! that two sources can never drift apart on those details.

pub mod binary;
pub mod decimal;
pub mod error;
pub mod modes;
pub mod temporal;
