//! The station's settings (the background sync's interval among them) and which shipping rates
//! are pickups.

use super::{Result, Workspace, WorkspaceError};
use crate::model::{Settings, ShippingRate, SYNC_INTERVAL_MAX_SECS, SYNC_INTERVAL_MIN_SECS};
use crate::problem::{Problem, SettingField};
use crate::store::{self, StoreError};

/// The longest station or staff name, in characters.
const MAX_NAME: usize = 80;

impl Workspace {
    pub async fn settings(&self) -> Result<Settings> {
        let cur = self.current().await;
        let mut conn = cur.store.pool().acquire().await.map_err(StoreError::from)?;
        Ok(store::settings::get(&mut conn).await?)
    }

    pub async fn save_settings(&self, s: &Settings) -> Result<Settings> {
        validate_settings(s)?;
        let cur = self.current().await;
        let mut tx = cur.store.write().await?;
        store::settings::save(&mut tx, s).await?;
        let saved = store::settings::get(&mut tx).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(saved)
    }
}

/// Checks the station's settings before anything is saved (Settings, and an imported file).
pub(super) fn validate_settings(s: &Settings) -> Result<()> {
    if let Some(l) = &s.language {
        if l != "fr" && l != "en" {
            return Err(WorkspaceError::Refused(Problem::UnknownLanguage {
                value: l.clone(),
            }));
        }
    }
    for (field, value) in [
        (SettingField::StationName, &s.station_name),
        (SettingField::StaffName, &s.staff_name),
    ] {
        if value.chars().count() > MAX_NAME {
            return Err(WorkspaceError::Refused(Problem::SettingTooLong {
                field,
                max: MAX_NAME as u32,
            }));
        }
    }
    crate::printing::validate_printer(&s.printer_name)?;
    if !(SYNC_INTERVAL_MIN_SECS..=SYNC_INTERVAL_MAX_SECS).contains(&s.sync_interval_secs) {
        return Err(WorkspaceError::Refused(Problem::SyncIntervalOutOfRange {
            value: s.sync_interval_secs,
            min: SYNC_INTERVAL_MIN_SECS,
            max: SYNC_INTERVAL_MAX_SECS,
        }));
    }
    Ok(())
}

impl Workspace {
    pub async fn shipping_rates(&self) -> Result<Vec<ShippingRate>> {
        let cur = self.current().await;
        Ok(store::shipping_rates::list(cur.store.pool()).await?)
    }

    pub async fn set_shipping_rate_pickup(
        &self,
        id: &str,
        is_pickup: bool,
    ) -> Result<Vec<ShippingRate>> {
        let cur = self.current().await;
        let mut tx = cur.store.write().await?;
        if !store::shipping_rates::exists(&mut *tx, id).await? {
            return Err(StoreError::NotFound(format!("shipping rate {id}")).into());
        }
        store::shipping_rates::set_pickup(&mut tx, id, is_pickup).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(store::shipping_rates::list(cur.store.pool()).await?)
    }
}
