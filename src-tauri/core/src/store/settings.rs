//! `settings`: merchant preferences and small app facts (never a secret).

use sqlx::{SqliteConnection, SqliteExecutor};

use super::Result;
use crate::model::{
    Settings, SlipFormat, SlipLayout, SlipSettings, SYNC_INTERVAL_DEFAULT_SECS,
    SYNC_INTERVAL_MAX_SECS, SYNC_INTERVAL_MIN_SECS,
};

const LANGUAGE: &str = "language";
pub const STATION: &str = "station_name";
pub const STAFF: &str = "staff_name";
const PRINTER: &str = "printer_name";
const SYNC_INTERVAL: &str = "sync_interval_secs";
pub const LAST_SYNCED_AT: &str = "last_synced_at";
const SLIP_FORMAT: &str = "slip_format";
const SLIP_LAYOUT: &str = "slip_layout";

pub async fn get_value<'e>(db: impl SqliteExecutor<'e>, key: &str) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT value FROM settings WHERE key = ?1")
            .bind(key)
            .fetch_optional(db)
            .await?,
    )
}

pub async fn set_value<'e>(db: impl SqliteExecutor<'e>, key: &str, value: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn get(conn: &mut SqliteConnection) -> Result<Settings> {
    Ok(Settings {
        language: get_value(&mut *conn, LANGUAGE)
            .await?
            .filter(|l| l == "fr" || l == "en"),
        station_name: get_value(&mut *conn, STATION).await?.unwrap_or_default(),
        staff_name: get_value(&mut *conn, STAFF).await?.unwrap_or_default(),
        printer_name: get_value(&mut *conn, PRINTER).await?.unwrap_or_default(),
        sync_interval_secs: get_value(&mut *conn, SYNC_INTERVAL)
            .await?
            .and_then(|v| v.parse().ok())
            .filter(|v| (SYNC_INTERVAL_MIN_SECS..=SYNC_INTERVAL_MAX_SECS).contains(v))
            .unwrap_or(SYNC_INTERVAL_DEFAULT_SECS),
    })
}

pub async fn save(conn: &mut SqliteConnection, s: &Settings) -> Result<()> {
    match s.language.as_deref() {
        Some(l @ ("fr" | "en")) => set_value(&mut *conn, LANGUAGE, l).await?,
        _ => {
            sqlx::query("DELETE FROM settings WHERE key = ?1")
                .bind(LANGUAGE)
                .execute(&mut *conn)
                .await?;
        }
    }
    set_value(&mut *conn, STATION, s.station_name.trim()).await?;
    set_value(&mut *conn, STAFF, s.staff_name.trim()).await?;
    set_value(&mut *conn, PRINTER, s.printer_name.trim()).await?;
    set_value(&mut *conn, SYNC_INTERVAL, &s.sync_interval_secs.to_string()).await?;
    Ok(())
}

/// How this station prints packing slips (PDF in A4 unless set).
pub async fn get_slip(conn: &mut SqliteConnection) -> Result<SlipSettings> {
    Ok(SlipSettings {
        format: get_value(&mut *conn, SLIP_FORMAT)
            .await?
            .map(|v| SlipFormat::parse(&v))
            .unwrap_or_default(),
        layout: get_value(&mut *conn, SLIP_LAYOUT)
            .await?
            .map(|v| SlipLayout::parse(&v))
            .unwrap_or_default(),
    })
}

pub async fn save_slip(conn: &mut SqliteConnection, s: SlipSettings) -> Result<()> {
    set_value(&mut *conn, SLIP_FORMAT, s.format.as_str()).await?;
    set_value(&mut *conn, SLIP_LAYOUT, s.layout.as_str()).await?;
    Ok(())
}

pub async fn last_synced_at<'e>(db: impl SqliteExecutor<'e>) -> Result<Option<i64>> {
    Ok(get_value(db, LAST_SYNCED_AT)
        .await?
        .and_then(|v| v.parse().ok()))
}
