//! `payments` and `disputes`: what Stripe says of each order's PaymentIntent (status, refunds,
//! failure) and the account's disputes. Orders find theirs by `payment_intent_id`; the order's
//! computed payment state is written by `store::orders::set_payment`.

use serde_json::Value;
use sqlx::{Row, SqliteConnection, SqliteExecutor};

use super::Result;
use crate::model::{Dispute, DisputeSummary, PaymentFacts};

/// Writes a PaymentIntent's facts. A refund date already known is kept unless a newer one comes.
pub async fn upsert(conn: &mut SqliteConnection, f: &PaymentFacts, raw: &Value) -> Result<()> {
    sqlx::query(
        "INSERT INTO payments (payment_intent_id, status, method, amount, amount_received,
            charge_id, amount_refunded, refunded_at, failure, updated_at, raw)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT(payment_intent_id) DO UPDATE SET status = excluded.status,
            method = COALESCE(excluded.method, payments.method), amount = excluded.amount,
            amount_received = excluded.amount_received,
            charge_id = COALESCE(excluded.charge_id, payments.charge_id),
            amount_refunded = excluded.amount_refunded,
            refunded_at = CASE WHEN excluded.amount_refunded = 0 THEN NULL
                ELSE COALESCE(excluded.refunded_at, payments.refunded_at) END,
            failure = excluded.failure, updated_at = excluded.updated_at, raw = excluded.raw",
    )
    .bind(&f.payment_intent_id)
    .bind(&f.status)
    .bind(&f.method)
    .bind(f.amount)
    .bind(f.amount_received)
    .bind(&f.charge_id)
    .bind(f.amount_refunded)
    .bind(f.refunded_at)
    .bind(&f.failure)
    .bind(super::now())
    .bind(raw.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Notes when a refund of this payment was made (from a refund event or the refunds list).
pub async fn note_refund<'e>(
    db: impl SqliteExecutor<'e>,
    payment_intent_id: &str,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE payments SET refunded_at = max(COALESCE(refunded_at, 0), ?2)
         WHERE payment_intent_id = ?1",
    )
    .bind(payment_intent_id)
    .bind(at)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn get<'e>(
    db: impl SqliteExecutor<'e>,
    payment_intent_id: &str,
) -> Result<Option<PaymentFacts>> {
    let row = sqlx::query(
        "SELECT payment_intent_id, status, method, amount, amount_received, charge_id,
            amount_refunded, refunded_at, failure
         FROM payments WHERE payment_intent_id = ?1",
    )
    .bind(payment_intent_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| PaymentFacts {
        payment_intent_id: r.get(0),
        status: r.get(1),
        method: r.get(2),
        amount: r.get(3),
        amount_received: r.get(4),
        charge_id: r.get(5),
        amount_refunded: r.get(6),
        refunded_at: r.get(7),
        failure: r.get(8),
    }))
}

pub async fn upsert_dispute(conn: &mut SqliteConnection, d: &Dispute, raw: &Value) -> Result<()> {
    sqlx::query(
        "INSERT INTO disputes (id, payment_intent_id, charge_id, status, reason, amount, currency,
            due_by, created, raw)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT(id) DO UPDATE SET
            payment_intent_id = COALESCE(excluded.payment_intent_id, disputes.payment_intent_id),
            charge_id = COALESCE(excluded.charge_id, disputes.charge_id), status = excluded.status,
            reason = excluded.reason, amount = excluded.amount, currency = excluded.currency,
            due_by = excluded.due_by, created = excluded.created, raw = excluded.raw",
    )
    .bind(&d.summary.id)
    .bind(&d.payment_intent_id)
    .bind(&d.charge_id)
    .bind(&d.summary.status)
    .bind(&d.summary.reason)
    .bind(d.summary.amount)
    .bind(&d.currency)
    .bind(d.summary.due_by)
    .bind(d.created)
    .bind(raw.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The newest dispute on a payment, by its PaymentIntent or its charge.
pub async fn dispute_for<'e>(
    db: impl SqliteExecutor<'e>,
    payment_intent_id: &str,
    charge_id: Option<&str>,
) -> Result<Option<DisputeSummary>> {
    let row = sqlx::query(
        "SELECT id, status, reason, amount, due_by FROM disputes
         WHERE payment_intent_id = ?1 OR (?2 IS NOT NULL AND charge_id = ?2)
         ORDER BY created DESC, id DESC LIMIT 1",
    )
    .bind(payment_intent_id)
    .bind(charge_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| DisputeSummary {
        id: r.get(0),
        status: r.get(1),
        reason: r.get(2),
        amount: r.get(3),
        due_by: r.get(4),
    }))
}

/// The PaymentIntent of a charge, when its payment is known.
pub async fn by_charge<'e>(db: impl SqliteExecutor<'e>, charge_id: &str) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT payment_intent_id FROM payments WHERE charge_id = ?1")
            .bind(charge_id)
            .fetch_optional(db)
            .await?,
    )
}
