//! `tax_rates`: the account's tax rates, so an invoice's VAT lines carry their names.

use serde_json::Value;
use sqlx::{SqliteConnection, SqliteExecutor};

use super::Result;

pub async fn upsert(conn: &mut SqliteConnection, rate: &Value) -> Result<()> {
    let Some(id) = rate.get("id").and_then(Value::as_str) else {
        return Ok(());
    };
    sqlx::query(
        "INSERT INTO tax_rates (id, display_name, percentage, inclusive, raw)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(id) DO UPDATE SET display_name = excluded.display_name,
            percentage = excluded.percentage, inclusive = excluded.inclusive, raw = excluded.raw",
    )
    .bind(id)
    .bind(rate.get("display_name").and_then(Value::as_str))
    .bind(rate.get("percentage").and_then(Value::as_f64))
    .bind(rate.get("inclusive").and_then(Value::as_bool))
    .bind(rate.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// A tax rate as Stripe sent it, by id.
pub async fn get<'e>(db: impl SqliteExecutor<'e>, id: &str) -> Result<Option<Value>> {
    let raw: Option<String> = sqlx::query_scalar("SELECT raw FROM tax_rates WHERE id = ?1")
        .bind(id)
        .fetch_optional(db)
        .await?;
    Ok(raw.and_then(|r| serde_json::from_str(&r).ok()))
}
