//! `tracking_entries`: the parcels' tracking links recorded when an order ships.

use sqlx::{Row, SqliteConnection};

use super::Result;
use crate::model::Timestamp;

/// A parcel as stored: the carrier's id (built-in or custom), the number, the link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTracking {
    pub carrier: Option<String>,
    pub number: Option<String>,
    pub url: String,
    pub created_at: Timestamp,
}

pub async fn insert(conn: &mut SqliteConnection, order_id: &str, t: &StoredTracking) -> Result<()> {
    sqlx::query(
        "INSERT INTO tracking_entries (order_id, carrier, number, url, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .bind(order_id)
    .bind(&t.carrier)
    .bind(&t.number)
    .bind(&t.url)
    .bind(t.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// An order's parcels, in the order they were recorded.
pub async fn list_for_order(
    conn: &mut SqliteConnection,
    order_id: &str,
) -> Result<Vec<StoredTracking>> {
    Ok(sqlx::query(
        "SELECT carrier, number, url, created_at FROM tracking_entries
         WHERE order_id = ?1 ORDER BY created_at, id",
    )
    .bind(order_id)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|t| StoredTracking {
        carrier: t.get(0),
        number: t.get(1),
        url: t.get(2),
        created_at: t.get(3),
    })
    .collect())
}

/// Removes an order's parcels ("Mark as not sent"); returns their links, for the history.
pub async fn delete_for_order(conn: &mut SqliteConnection, order_id: &str) -> Result<Vec<String>> {
    let urls: Vec<String> =
        sqlx::query_scalar("SELECT url FROM tracking_entries WHERE order_id = ?1 ORDER BY id")
            .bind(order_id)
            .fetch_all(&mut *conn)
            .await?;
    sqlx::query("DELETE FROM tracking_entries WHERE order_id = ?1")
        .bind(order_id)
        .execute(conn)
        .await?;
    Ok(urls)
}
