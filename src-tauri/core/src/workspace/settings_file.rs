//! The station's settings as one file (README: Settings export and import): Settings →
//! *Export settings* writes them, *Import settings* reads them into another station or a fresh
//! install.
//!
//! The file is JSON, versioned (`format` and `version`), and holds the station and staff
//! names, the language, the printer, the background sync's interval, the custom carriers, the
//! SMTP settings **without** their password, and the shipping rates the merchant marked as
//! pickups (or not). It never holds a secret: the Stripe key and the SMTP password stay in the
//! OS keychain.
//!
//! An import reads the whole file and checks everything before it changes anything: a file that
//! is too large, not a Comptoir settings file, from a newer version, with a field this version
//! does not know, with anything that looks like a password or a key, or with a value Settings
//! would refuse, is refused with the reason and changes nothing. The writes then go in one
//! transaction. New SMTP server or user name: the stored password belonged to the old one and is
//! removed first (as when Settings save such a change, `mail::save_settings_and_password`).

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use super::{keychain, settings::validate_settings, Result, Workspace, WorkspaceError};
use crate::carriers::CustomCarrier;
use crate::mail::{self, SmtpSecurity, SmtpSettings};
use crate::model::Settings;
use crate::problem::{Problem, SettingsFileReason};
use crate::secrets::SecretKind;
use crate::store::{self, StoreError};

/// What the file's `format` says.
pub const SETTINGS_FILE_FORMAT: &str = "comptoir-station-settings";
/// The file's version; a file of a later version is refused (a newer Comptoir wrote it).
pub const SETTINGS_FILE_VERSION: u32 = 1;
/// The largest file an import reads: a station's settings take a few kilobytes.
const MAX_FILE_BYTES: u64 = 256 * 1024;

/// The file, as written and read. Unknown fields are refused at every level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsFile {
    pub format: String,
    pub version: u32,
    /// When it was exported, in Unix seconds (for the merchant's eyes only).
    pub exported_at: i64,
    pub station: StationPart,
    pub custom_carriers: Vec<CarrierPart>,
    /// `None`: no SMTP settings in the file; an import leaves the station's as they are.
    pub smtp: Option<SmtpPart>,
    /// The shipping rates the merchant said are (or are not) pickups.
    pub pickup_rates: Vec<PickupPart>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StationPart {
    pub language: Option<String>,
    pub station_name: String,
    pub staff_name: String,
    pub printer_name: String,
    pub sync_interval_secs: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CarrierPart {
    pub id: String,
    pub name: String,
    pub template: String,
}

/// The SMTP settings without a password (there is no field for one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpPart {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub from_name: String,
    pub from_address: String,
    pub reply_to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PickupPart {
    /// The Stripe shipping rate's id.
    pub id: String,
    /// Its name, for the merchant reading the file.
    pub name: String,
    pub is_pickup: bool,
}

/// A part of the settings an import changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SettingsPart {
    Language,
    StationName,
    StaffName,
    Printer,
    SyncInterval,
    CustomCarriers,
    Smtp,
    PickupRates,
}

/// What an import changed, for the window to say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportReport {
    /// The parts that changed, in Settings' order; empty when the file matched the station.
    pub changed: Vec<SettingsPart>,
    /// The new SMTP server or user name left the stored password behind: type it again.
    pub smtp_password_removed: bool,
    /// Pickup choices for shipping rates this account does not have (skipped).
    pub rates_not_found: u32,
}

fn refused(reason: SettingsFileReason, detail: Option<String>) -> WorkspaceError {
    WorkspaceError::Refused(Problem::SettingsFileRefused { reason, detail })
}

/// Field names that would carry a secret: no settings file has one.
const SECRET_WORDS: [&str; 6] = [
    "password",
    "secret",
    "api_key",
    "apikey",
    "token",
    "stripe_key",
];
/// How Stripe's secret values start (keys, webhook secrets).
const SECRET_PREFIXES: [&str; 5] = ["sk_live_", "sk_test_", "rk_live_", "rk_test_", "whsec_"];

/// The first place in `v` that holds, or is named like, a secret: its path (`smtp.password`).
fn find_secret(v: &Value, path: &str) -> Option<String> {
    match v {
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let here = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            let key = k.to_ascii_lowercase();
            if SECRET_WORDS.iter().any(|w| key.contains(w)) {
                return Some(here);
            }
            find_secret(v, &here)
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| find_secret(v, &format!("{path}[{i}]"))),
        Value::String(s) => SECRET_PREFIXES
            .iter()
            .any(|p| s.trim().starts_with(p))
            .then(|| path.to_owned()),
        _ => None,
    }
}

/// Reads a settings file's bytes, or says why it is refused. Checks the shape only; the values
/// are checked by [`Workspace::import_settings`].
pub fn parse(bytes: &[u8]) -> Result<SettingsFile> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large());
    }
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|_| refused(SettingsFileReason::NotSettings, None))?;
    if value.get("format").and_then(Value::as_str) != Some(SETTINGS_FILE_FORMAT) {
        return Err(refused(SettingsFileReason::NotSettings, None));
    }
    match value.get("version").and_then(Value::as_u64) {
        Some(v) if v > u64::from(SETTINGS_FILE_VERSION) => {
            return Err(refused(
                SettingsFileReason::NewerVersion,
                Some(v.to_string()),
            ));
        }
        Some(v) if v >= 1 => {}
        _ => return Err(refused(SettingsFileReason::NotSettings, None)),
    }
    if let Some(path) = find_secret(&value, "") {
        return Err(refused(SettingsFileReason::HasSecret, Some(path)));
    }
    serde_json::from_value(value).map_err(|e| {
        let message = e.to_string();
        match message.strip_prefix("unknown field `") {
            Some(rest) => refused(
                SettingsFileReason::UnknownField,
                rest.split('`').next().map(str::to_owned),
            ),
            None => refused(SettingsFileReason::NotSettings, None),
        }
    })
}

fn too_large() -> WorkspaceError {
    refused(
        SettingsFileReason::TooLarge,
        Some((MAX_FILE_BYTES / 1024).to_string()),
    )
}

impl SmtpPart {
    fn from_settings(s: &SmtpSettings) -> Self {
        SmtpPart {
            host: s.host.clone(),
            port: s.port,
            security: s.security,
            username: s.username.clone(),
            from_name: s.from_name.clone(),
            from_address: s.from_address.clone(),
            reply_to: s.reply_to.clone(),
        }
    }

    fn to_settings(&self) -> SmtpSettings {
        SmtpSettings {
            host: self.host.clone(),
            port: self.port,
            security: self.security,
            username: self.username.clone(),
            from_name: self.from_name.clone(),
            from_address: self.from_address.clone(),
            reply_to: self.reply_to.clone(),
            accept_invalid_certs: false,
        }
    }
}

impl Workspace {
    /// The station's settings as a settings file (nothing secret).
    pub async fn export_settings(&self) -> Result<SettingsFile> {
        let s = self.settings().await?;
        let cur = self.current().await;
        let pool = cur.store.pool();
        let carriers = crate::fulfilment::custom_carriers(pool)
            .await
            .map_err(super::fulfilment_error)?;
        let smtp = mail::load_settings(pool).await.map_err(super::mail_error)?;
        let rates = store::shipping_rates::list(pool).await?;
        Ok(SettingsFile {
            format: SETTINGS_FILE_FORMAT.to_owned(),
            version: SETTINGS_FILE_VERSION,
            exported_at: store::now(),
            station: StationPart {
                language: s.language,
                station_name: s.station_name,
                staff_name: s.staff_name,
                printer_name: s.printer_name,
                sync_interval_secs: s.sync_interval_secs,
            },
            custom_carriers: carriers
                .into_iter()
                .map(|c| CarrierPart {
                    id: c.id,
                    name: c.name,
                    template: c.template,
                })
                .collect(),
            smtp: smtp.as_ref().map(SmtpPart::from_settings),
            pickup_rates: rates
                .into_iter()
                .filter(|r| r.pickup_set_by_merchant)
                .map(|r| PickupPart {
                    id: r.id,
                    name: r.display_name,
                    is_pickup: r.is_pickup,
                })
                .collect(),
        })
    }

    /// Writes the settings file to `path` (created or replaced, private to the user).
    pub async fn export_settings_to(&self, path: &Path) -> Result<()> {
        let file = self.export_settings().await?;
        let mut json = serde_json::to_string_pretty(&file).map_err(StoreError::Corrupt)?;
        json.push('\n');
        crate::private_fs::write_private(path, json.as_bytes()).map_err(|source| {
            WorkspaceError::Io {
                path: path.to_owned(),
                source,
            }
        })
    }

    /// Imports the settings file at `path` ([`Workspace::import_settings`]).
    pub async fn import_settings_from(&self, path: &Path) -> Result<ImportReport> {
        let unreadable = |_| refused(SettingsFileReason::Unreadable, None);
        let len = std::fs::metadata(path).map_err(unreadable)?.len();
        if len > MAX_FILE_BYTES {
            return Err(too_large());
        }
        let bytes = std::fs::read(path).map_err(unreadable)?;
        self.import_settings(&bytes).await
    }

    /// Imports a settings file: everything is checked first, then written in one transaction;
    /// on any refusal nothing changes. Says what changed.
    pub async fn import_settings(&self, bytes: &[u8]) -> Result<ImportReport> {
        let file = parse(bytes)?;
        let before = self.settings().await?;
        let settings = Settings {
            language: file.station.language.clone(),
            station_name: file.station.station_name.trim().to_owned(),
            staff_name: file.station.staff_name.trim().to_owned(),
            printer_name: file.station.printer_name.trim().to_owned(),
            sync_interval_secs: file.station.sync_interval_secs,
        };
        validate_settings(&settings)?;
        let mut carriers: Vec<CustomCarrier> = Vec::with_capacity(file.custom_carriers.len());
        for c in &file.custom_carriers {
            let c = CustomCarrier::new(&c.id, &c.name, &c.template)?;
            if carriers.iter().any(|o| o.id == c.id) {
                return Err(WorkspaceError::Refused(Problem::CarrierDuplicateId {
                    id: c.id,
                }));
            }
            carriers.push(c);
        }
        let smtp = file.smtp.as_ref().map(SmtpPart::to_settings);
        if let Some(smtp) = &smtp {
            smtp.validate().map_err(super::mail_error)?;
        }

        let cur = self.current().await;
        let pool = cur.store.pool();
        let old_carriers = crate::fulfilment::custom_carriers(pool)
            .await
            .map_err(super::fulfilment_error)?;
        let old_smtp = mail::load_settings(pool).await.map_err(super::mail_error)?;
        let rates = store::shipping_rates::list(pool).await?;

        let mut report = ImportReport::default();
        let mut note = |changed: bool, part: SettingsPart| {
            if changed {
                report.changed.push(part);
            }
        };
        note(before.language != settings.language, SettingsPart::Language);
        note(
            before.station_name != settings.station_name,
            SettingsPart::StationName,
        );
        note(
            before.staff_name != settings.staff_name,
            SettingsPart::StaffName,
        );
        note(
            before.printer_name != settings.printer_name,
            SettingsPart::Printer,
        );
        note(
            before.sync_interval_secs != settings.sync_interval_secs,
            SettingsPart::SyncInterval,
        );
        note(old_carriers != carriers, SettingsPart::CustomCarriers);
        let smtp_changes = smtp.is_some() && smtp != old_smtp;
        note(smtp_changes, SettingsPart::Smtp);
        let mut pickups = Vec::new();
        let mut rates_not_found = 0;
        for choice in &file.pickup_rates {
            match rates.iter().find(|r| r.id == choice.id) {
                Some(rate) => {
                    if !rate.pickup_set_by_merchant || rate.is_pickup != choice.is_pickup {
                        pickups.push((choice.id.clone(), choice.is_pickup));
                    }
                }
                None => rates_not_found += 1,
            }
        }
        note(!pickups.is_empty(), SettingsPart::PickupRates);
        report.rates_not_found = rates_not_found;

        // A password belongs to its server and user name: another one's is removed before the
        // new settings are written, as Settings do (README: Configure email).
        if let Some(smtp) = &smtp {
            let new_account = old_smtp.as_ref().is_none_or(|old| !old.same_account(smtp));
            if new_account {
                let secrets = self.config.secrets.clone();
                let had = keychain(move || {
                    let had = secrets.get(SecretKind::SmtpPassword)?.is_some();
                    secrets.delete(SecretKind::SmtpPassword)?;
                    Ok(had)
                })
                .await?;
                report.smtp_password_removed = had;
            }
        }

        let mut tx = cur.store.write().await?;
        store::settings::save(&mut tx, &settings).await?;
        crate::fulfilment::save_custom_carriers(&mut *tx, &carriers)
            .await
            .map_err(super::fulfilment_error)?;
        if let Some(smtp) = &smtp {
            mail::save_settings(&mut *tx, smtp)
                .await
                .map_err(super::mail_error)?;
        }
        for (id, is_pickup) in &pickups {
            store::shipping_rates::set_pickup(&mut tx, id, *is_pickup).await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        if smtp_changes {
            self.mail_wakeup.notify_one();
        }
        tracing::info!(changed = ?report.changed, "settings imported");
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_found_by_its_name_or_its_shape() {
        let v: Value = serde_json::json!({
            "station": { "staff_name": "Camille" },
            "smtp": { "host": "smtp.example.com", "Password": "x" },
        });
        assert_eq!(find_secret(&v, "").as_deref(), Some("smtp.Password"));
        let key = ["sk", "live", "abc"].join("_");
        let v = serde_json::json!({ "custom_carriers": [{ "name": key }] });
        assert_eq!(
            find_secret(&v, "").as_deref(),
            Some("custom_carriers[0].name")
        );
        let v = serde_json::json!({ "station": { "staff_name": "Skye" } });
        assert_eq!(find_secret(&v, ""), None);
    }
}
