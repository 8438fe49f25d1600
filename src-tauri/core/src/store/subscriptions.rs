//! `subscriptions`: cached subscriptions with their plan, cycle and payment method.

use serde_json::Value;
use sqlx::{Row, SqliteConnection, SqliteExecutor};

use super::{not_found, Result};
use crate::model::{Subscription, SubscriptionPage, SubscriptionQuery, SubscriptionRow};

pub async fn upsert(conn: &mut SqliteConnection, s: &Subscription, raw: &Value) -> Result<()> {
    sqlx::query(
        "INSERT INTO subscriptions (id, customer_id, status, product_name, currency, amount, interval,
            interval_count, start_date, current_period_end, cancel_at, cancel_at_period_end,
            ended_at, created, detail, raw)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
         ON CONFLICT(id) DO UPDATE SET customer_id = excluded.customer_id, status = excluded.status,
            product_name = excluded.product_name, currency = excluded.currency,
            amount = excluded.amount, interval = excluded.interval,
            interval_count = excluded.interval_count, start_date = excluded.start_date,
            current_period_end = excluded.current_period_end, cancel_at = excluded.cancel_at,
            cancel_at_period_end = excluded.cancel_at_period_end, ended_at = excluded.ended_at,
            created = excluded.created, detail = excluded.detail, raw = excluded.raw",
    )
    .bind(&s.id)
    .bind(&s.customer_id)
    .bind(&s.status)
    .bind(&s.product_name)
    .bind(&s.currency)
    .bind(s.amount)
    .bind(&s.interval)
    .bind(s.interval_count)
    .bind(s.start_date)
    .bind(s.current_period_end)
    .bind(s.cancel_at)
    .bind(s.cancel_at_period_end)
    .bind(s.ended_at)
    .bind(s.created)
    .bind(serde_json::to_string(s)?)
    .bind(raw.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get<'e>(db: impl SqliteExecutor<'e>, id: &str) -> Result<Subscription> {
    let detail: String = sqlx::query_scalar("SELECT detail FROM subscriptions WHERE id = ?1")
        .bind(id)
        .fetch_one(db)
        .await
        .map_err(not_found(format!("subscription {id}")))?;
    Ok(serde_json::from_str(&detail)?)
}

/// The next charge: the end of the current period, while the subscription will renew.
pub fn next_charge(s: &Subscription) -> Option<i64> {
    let renews =
        matches!(s.status.as_str(), "active" | "trialing" | "past_due") && !s.cancel_at_period_end;
    let before_end = match (s.cancel_at, s.current_period_end) {
        (Some(end), Some(next)) => next < end,
        _ => true,
    };
    (renews && before_end)
        .then_some(s.current_period_end)
        .flatten()
}

pub async fn list(conn: &mut SqliteConnection, q: &SubscriptionQuery) -> Result<SubscriptionPage> {
    let rows = sqlx::query(
        "SELECT s.detail, c.name, c.email FROM subscriptions s
         LEFT JOIN customers c ON c.id = s.customer_id
         ORDER BY s.created DESC, s.id DESC LIMIT ?1 OFFSET ?2",
    )
    .bind(q.limit.clamp(1, 500))
    .bind(q.offset.max(0))
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let s: Subscription = serde_json::from_str(&r.get::<String, _>(0))?;
        out.push(SubscriptionRow {
            next_charge: next_charge(&s),
            customer_name: r.get(1),
            customer_email: r.get(2),
            id: s.id,
            product_name: s.product_name,
            currency: s.currency,
            amount: s.amount,
            interval: s.interval,
            interval_count: s.interval_count,
            status: s.status,
            cancel_at_period_end: s.cancel_at_period_end,
            start_date: s.start_date,
        });
    }
    let total = count(&mut *conn).await?;
    Ok(SubscriptionPage { rows: out, total })
}

pub async fn count<'e>(db: impl SqliteExecutor<'e>) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM subscriptions")
        .fetch_one(db)
        .await?)
}

pub async fn ids<'e>(db: impl SqliteExecutor<'e>) -> Result<Vec<String>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM subscriptions ORDER BY id")
            .fetch_all(db)
            .await?,
    )
}
