//! The PostgreSQL role whose password the config-provider tests resolve from a
//! placeholder. `scripts/services.sh` makes the server ask `ferrium_auth_test` (and only
//! it) for its password (scram-sha-256), so a wrong or unresolved password fails the
//! login for real. The role is shared with the wrong-password test, which creates it only
//! when missing, so it is given this password but never dropped.

#![allow(dead_code)]

use tokio_postgres::Client;

pub const SECRET_ROLE: &str = "ferrium_auth_test";
/// Distinctive, so that a grep of logs and answers cannot find it by accident.
pub const SECRET_PASSWORD: &str = "Fp7-pr0vider-S3cret-q41x";

/// Gives the role [`SECRET_PASSWORD`]. Tests running at once take turns (an advisory
/// lock): concurrent `ALTER ROLE`s of one role fail with "tuple concurrently updated".
pub async fn secret_role(admin: &Client) {
    admin
        .batch_execute(&format!(
            "BEGIN;
             SELECT pg_advisory_xact_lock(774411);
             DO $$ BEGIN
               IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{SECRET_ROLE}') THEN
                 CREATE ROLE {SECRET_ROLE} LOGIN REPLICATION;
               END IF;
             END $$;
             ALTER ROLE {SECRET_ROLE} LOGIN REPLICATION PASSWORD '{SECRET_PASSWORD}';
             COMMIT;"
        ))
        .await
        .unwrap_or_else(|e| panic!("setting up role {SECRET_ROLE}: {e}"));
}

/// SQL giving the role what a connector needs in a test database owned by `postgres`:
/// read rights on `table`, and the publication `publication` for it (one for all
/// tables needs a superuser).
pub fn grant_sql(table: &str, publication: &str) -> String {
    format!(
        "GRANT SELECT ON {table} TO {SECRET_ROLE};
         CREATE PUBLICATION {publication} FOR TABLE {table};"
    )
}
