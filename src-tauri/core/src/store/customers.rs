//! `customers`: cached Stripe customers, deleted ones included (orders still name them).

use serde_json::Value;
use sqlx::{Row, SqliteConnection, SqliteExecutor};

use super::{not_found, Result};
use crate::model::Customer;

pub async fn upsert(conn: &mut SqliteConnection, c: &Customer, raw: &Value) -> Result<()> {
    sqlx::query(
        "INSERT INTO customers (id, deleted, name, email, phone, preferred_locale, created, raw)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT(id) DO UPDATE SET
           deleted = excluded.deleted,
           -- A deleted customer's stub has no name: keep what we knew.
           name = CASE WHEN excluded.deleted THEN customers.name ELSE excluded.name END,
           email = CASE WHEN excluded.deleted THEN customers.email ELSE excluded.email END,
           phone = CASE WHEN excluded.deleted THEN customers.phone ELSE excluded.phone END,
           preferred_locale = CASE WHEN excluded.deleted THEN customers.preferred_locale ELSE excluded.preferred_locale END,
           created = CASE WHEN excluded.deleted THEN customers.created ELSE excluded.created END,
           raw = CASE WHEN excluded.deleted THEN customers.raw ELSE excluded.raw END",
    )
    .bind(&c.id)
    .bind(c.deleted)
    .bind(&c.name)
    .bind(&c.email)
    .bind(&c.phone)
    .bind(&c.preferred_locale)
    .bind(c.created)
    .bind(raw.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// A customer's stored Stripe object, and whether it is deleted (a deletion keeps the last known
/// record in `raw`, see `upsert`; the column says it is gone). The caller maps it
/// (`stripe::mapping::stored_customer`).
pub async fn get_raw<'e>(db: impl SqliteExecutor<'e>, id: &str) -> Result<(Value, bool)> {
    let (raw, deleted): (String, bool) =
        sqlx::query("SELECT raw, deleted FROM customers WHERE id = ?1")
            .bind(id)
            .fetch_one(db)
            .await
            .map(|r| (r.get::<String, _>(0), r.get::<bool, _>(1)))
            .map_err(not_found(format!("customer {id}")))?;
    Ok((serde_json::from_str(&raw)?, deleted))
}

pub async fn count<'e>(db: impl SqliteExecutor<'e>) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM customers")
        .fetch_one(db)
        .await?)
}

pub async fn exists<'e>(db: impl SqliteExecutor<'e>, id: &str) -> Result<bool> {
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM customers WHERE id = ?1")
            .bind(id)
            .fetch_one(db)
            .await?
            > 0,
    )
}

/// Records that the full sync `listed_in` (its end time) listed these customers.
pub async fn mark_listed(conn: &mut SqliteConnection, ids: &[&str], listed_in: i64) -> Result<()> {
    for id in ids {
        sqlx::query("UPDATE customers SET listed_in = ?2 WHERE id = ?1")
            .bind(id)
            .bind(listed_in)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Customers the store holds as live that the full sync `listed_in` did not list: deleted in
/// Stripe since (or created after that sync began), to be read by id.
pub async fn unlisted_ids<'e>(db: impl SqliteExecutor<'e>, listed_in: i64) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM customers WHERE deleted = 0 AND (listed_in IS NULL OR listed_in <> ?1)",
    )
    .bind(listed_in)
    .fetch_all(db)
    .await?)
}

/// Customers that an order, a subscription or an invoice names but the store does not hold.
pub async fn missing_ids<'e>(db: impl SqliteExecutor<'e>) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT customer_id FROM (
            SELECT customer_id FROM orders UNION SELECT customer_id FROM subscriptions
            UNION SELECT customer_id FROM invoices)
         WHERE customer_id IS NOT NULL AND customer_id NOT IN (SELECT id FROM customers)",
    )
    .fetch_all(db)
    .await?)
}
