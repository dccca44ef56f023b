//! DDL statements applied to the table model (filled in by the DDL work).
