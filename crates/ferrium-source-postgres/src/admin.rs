//! Operations a worker runs on the server outside a source run: dropping the slot of a
//! deleted connector that asked for it (`slot.drop.on.stop`).

use ferrium_config::{ConfigError, ConnectorConfig};

use crate::config::PostgresConfig;
use crate::connection::connect;
use crate::error::PostgresError;

/// Drops the connector's replication slot (once no session holds it) when its config
/// says `slot.drop.on.stop=true`; returns whether it asked.
pub async fn drop_slot_if_configured(config: &ConnectorConfig) -> Result<bool, PostgresError> {
    let config = PostgresConfig::from_connector(config)
        .map_err(|e: ConfigError| PostgresError::Setup(e.to_string()))?;
    if !config.slot_drop_on_stop {
        return Ok(false);
    }
    let catalog = connect(&config, "catalog").await?;
    crate::source::drop_slot_when_free(&catalog, &config).await?;
    tracing::info!(slot = %config.slot_name, "dropped the replication slot (slot.drop.on.stop=true)");
    Ok(true)
}
