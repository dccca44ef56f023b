//! MySQL types to Kafka Connect schemas and values (filled in by the types work).
