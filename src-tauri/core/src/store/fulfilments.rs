//! `fulfilments`: the local fulfilment state of each order somebody acted on (status, when,
//! who, where). Triggers copy the status into `orders.status` (see `orders`).

use sqlx::{Row, SqliteConnection};

use super::Result;
use crate::model::{FulfilmentStatus, Timestamp};

/// An order's fulfilment row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FulfilmentRow {
    pub status: FulfilmentStatus,
    pub sent_at: Option<Timestamp>,
    pub picked_up_at: Option<Timestamp>,
    pub staff: Option<String>,
    pub station: Option<String>,
    pub updated_at: Timestamp,
}

/// Writes an order's fulfilment state (replacing the previous one).
pub async fn upsert(conn: &mut SqliteConnection, order_id: &str, f: &FulfilmentRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO fulfilments (order_id, status, sent_at, picked_up_at, staff, station, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT(order_id) DO UPDATE SET status = excluded.status, sent_at = excluded.sent_at,
           picked_up_at = excluded.picked_up_at, staff = excluded.staff,
           station = excluded.station, updated_at = excluded.updated_at",
    )
    .bind(order_id)
    .bind(f.status.as_str())
    .bind(f.sent_at)
    .bind(f.picked_up_at)
    .bind(&f.staff)
    .bind(&f.station)
    .bind(f.updated_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// An order's fulfilment row; `None` when nobody has acted on it yet.
pub async fn get(conn: &mut SqliteConnection, order_id: &str) -> Result<Option<FulfilmentRow>> {
    let row = sqlx::query(
        "SELECT status, sent_at, picked_up_at, staff, station, updated_at
         FROM fulfilments WHERE order_id = ?1",
    )
    .bind(order_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|f| FulfilmentRow {
        status: FulfilmentStatus::parse(&f.get::<String, _>(0))
            .unwrap_or(FulfilmentStatus::ToBeSent),
        sent_at: f.get(1),
        picked_up_at: f.get(2),
        staff: f.get(3),
        station: f.get(4),
        updated_at: f.get(5),
    }))
}

/// The write token of the shared state this station last wrote or applied for the order
/// (README: Stations); `None` when it has none.
pub async fn shared_token(conn: &mut SqliteConnection, order_id: &str) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT shared_token FROM fulfilments WHERE order_id = ?1")
            .bind(order_id)
            .fetch_optional(conn)
            .await?
            .flatten(),
    )
}

/// Records the token of the shared state the order's row now matches.
pub async fn set_shared_token(
    conn: &mut SqliteConnection,
    order_id: &str,
    token: &str,
) -> Result<()> {
    sqlx::query("UPDATE fulfilments SET shared_token = ?2 WHERE order_id = ?1")
        .bind(order_id)
        .bind(token)
        .execute(conn)
        .await?;
    Ok(())
}
