//! Packing mode's queries over `orders`, `invoices`, `tracking_entries` and `fulfilments`: the
//! scan field's lookup and the bench's queue (README: Packing mode).

use sqlx::{Row, SqliteExecutor};

use super::Result;
use crate::model::{DeliveryKind, OrderQueue, PackMatch, PackMatchKind, Timestamp};

/// The most orders one scan lists.
pub const MAX_MATCHES: usize = 20;

/// The orders a scan names, exactly: by order number, invoice number or tracking number
/// (case-insensitive), or by Checkout Session id (as Stripe writes it). `scan` is trimmed by
/// the caller. Each order once, under the first way it matched, oldest first within a way.
pub async fn lookup<'e>(db: impl SqliteExecutor<'e>, scan: &str) -> Result<Vec<PackMatch>> {
    let rows = sqlx::query(
        "SELECT id, number, customer_name, created, queue, delivery_kind, how FROM (
            SELECT o.id, o.number, o.customer_name, o.created, o.queue, o.delivery_kind, 0 AS how FROM orders o WHERE o.number = ?1 COLLATE NOCASE
            UNION ALL
            SELECT o.id, o.number, o.customer_name, o.created, o.queue, o.delivery_kind, 1 AS how FROM invoices i JOIN orders o ON o.invoice_id = i.id
                WHERE i.number = ?1 COLLATE NOCASE
            UNION ALL
            SELECT o.id, o.number, o.customer_name, o.created, o.queue, o.delivery_kind, 2 AS how FROM orders o WHERE o.id = ?1
            UNION ALL
            SELECT o.id, o.number, o.customer_name, o.created, o.queue, o.delivery_kind, 3 AS how FROM tracking_entries t JOIN orders o ON o.id = t.order_id
                WHERE t.number = ?1 COLLATE NOCASE
         ) ORDER BY how, created, id LIMIT ?2",
    )
    .bind(scan)
    .bind((MAX_MATCHES * 4) as i64)
    .fetch_all(db)
    .await?;
    let mut out: Vec<PackMatch> = Vec::new();
    for r in &rows {
        let id: String = r.get(0);
        if out.iter().any(|m| m.order_id == id) {
            continue;
        }
        out.push(PackMatch {
            order_id: id,
            number: r.get(1),
            customer_name: r.get(2),
            created: r.get(3),
            queue: r
                .get::<Option<String>, _>(4)
                .as_deref()
                .and_then(OrderQueue::parse)
                .unwrap_or(OrderQueue::ToBeSent),
            delivery_kind: DeliveryKind::parse(&r.get::<String, _>(5)),
            matched_by: match r.get::<i64, _>(6) {
                0 => PackMatchKind::OrderNumber,
                1 => PackMatchKind::InvoiceNumber,
                2 => PackMatchKind::CheckoutSession,
                _ => PackMatchKind::TrackingNumber,
            },
        });
        if out.len() == MAX_MATCHES {
            break;
        }
    }
    Ok(out)
}

/// Orders To be sent (paid: a payment hold takes an order out of that queue), and the number of
/// the oldest of them.
pub async fn remaining(conn: &mut sqlx::SqliteConnection) -> Result<(i64, Option<String>)> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE queue = 'to_be_sent'")
        .fetch_one(&mut *conn)
        .await?;
    let next: Option<String> = sqlx::query_scalar(
        "SELECT number FROM orders WHERE queue = 'to_be_sent' ORDER BY created, id LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    Ok((n, next))
}

/// Orders sent or handed over since `since` (local midnight, as the caller computes it).
pub async fn packed_since<'e>(db: impl SqliteExecutor<'e>, since: Timestamp) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM fulfilments WHERE status = 'sent' AND sent_at >= ?1)
              + (SELECT COUNT(*) FROM fulfilments WHERE status = 'picked_up'
                    AND picked_up_at >= ?1)",
    )
    .bind(since)
    .fetch_one(db)
    .await?)
}
