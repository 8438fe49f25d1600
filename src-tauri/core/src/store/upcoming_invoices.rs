//! `upcoming_invoices`: the last `create_preview` answer per subscription, so the next charge
//! can be shown offline with the time it was fetched.

use serde_json::Value;
use sqlx::{Row, SqliteExecutor};

use super::Result;

/// The cached preview and when it was fetched, if any.
pub async fn get<'e>(
    db: impl SqliteExecutor<'e>,
    subscription_id: &str,
) -> Result<Option<(Value, i64)>> {
    let row =
        sqlx::query("SELECT raw, fetched_at FROM upcoming_invoices WHERE subscription_id = ?1")
            .bind(subscription_id)
            .fetch_optional(db)
            .await?;
    match row {
        Some(r) => Ok(Some((
            serde_json::from_str(&r.get::<String, _>(0))?,
            r.get(1),
        ))),
        None => Ok(None),
    }
}

pub async fn put<'e>(
    db: impl SqliteExecutor<'e>,
    subscription_id: &str,
    raw: &Value,
    fetched_at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO upcoming_invoices (subscription_id, fetched_at, raw) VALUES (?1, ?2, ?3)
         ON CONFLICT(subscription_id) DO UPDATE SET fetched_at = excluded.fetched_at, raw = excluded.raw",
    )
    .bind(subscription_id)
    .bind(fetched_at)
    .bind(raw.to_string())
    .execute(db)
    .await?;
    Ok(())
}

/// Forgets the preview, when Stripe says there is no upcoming invoice any more.
pub async fn delete<'e>(db: impl SqliteExecutor<'e>, subscription_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM upcoming_invoices WHERE subscription_id = ?1")
        .bind(subscription_id)
        .execute(db)
        .await?;
    Ok(())
}
