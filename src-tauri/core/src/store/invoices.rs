//! `invoices`: every invoice, one-off or of a subscription, with its PDF link.

use serde_json::Value;
use sqlx::{SqliteConnection, SqliteExecutor};

use super::Result;
use crate::model::Invoice;

pub async fn upsert(conn: &mut SqliteConnection, i: &Invoice, raw: &Value) -> Result<()> {
    sqlx::query(
        "INSERT INTO invoices (id, number, customer_id, subscription_id, status, currency, total,
            amount_paid, amount_due, created, invoice_pdf, hosted_invoice_url, raw)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT(id) DO UPDATE SET number = excluded.number, customer_id = excluded.customer_id,
            subscription_id = excluded.subscription_id, status = excluded.status,
            currency = excluded.currency, total = excluded.total, amount_paid = excluded.amount_paid,
            amount_due = excluded.amount_due, created = excluded.created,
            invoice_pdf = excluded.invoice_pdf, hosted_invoice_url = excluded.hosted_invoice_url,
            raw = excluded.raw",
    )
    .bind(&i.id)
    .bind(&i.number)
    .bind(&i.customer_id)
    .bind(&i.subscription_id)
    .bind(&i.status)
    .bind(&i.currency)
    .bind(i.total)
    .bind(i.amount_paid)
    .bind(i.amount_due)
    .bind(i.created)
    .bind(&i.invoice_pdf)
    .bind(&i.hosted_invoice_url)
    .bind(raw.to_string())
    .execute(&mut *conn)
    .await?;
    super::orders::apply_invoice(
        conn,
        &i.id,
        i.number.as_deref(),
        i.invoice_pdf.as_deref(),
        i.hosted_invoice_url.as_deref(),
    )
    .await
}

/// The stored Stripe invoices of one subscription, newest first (the caller maps them).
pub async fn list_raw_for_subscription<'e>(
    db: impl SqliteExecutor<'e>,
    subscription_id: &str,
) -> Result<Vec<Value>> {
    let raws: Vec<String> = sqlx::query_scalar(
        "SELECT raw FROM invoices WHERE subscription_id = ?1 ORDER BY created DESC, id DESC",
    )
    .bind(subscription_id)
    .fetch_all(db)
    .await?;
    raws.iter().map(|r| Ok(serde_json::from_str(r)?)).collect()
}

pub async fn count<'e>(db: impl SqliteExecutor<'e>) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM invoices")
        .fetch_one(db)
        .await?)
}

pub async fn ids<'e>(db: impl SqliteExecutor<'e>) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT id FROM invoices ORDER BY id")
        .fetch_all(db)
        .await?)
}

/// The raw JSON of every paid invoice of a subscription, oldest first: the cycles a subscription
/// box ships (README: Subscription boxes).
pub async fn paid_subscription_raw(conn: &mut SqliteConnection) -> Result<Vec<Value>> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT raw FROM invoices WHERE subscription_id IS NOT NULL AND status = 'paid'
         ORDER BY created, id",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .iter()
        .filter_map(|r| serde_json::from_str(r).ok())
        .collect())
}
