//! `audit_log`: each order's history, one row per action (who, where, when, what).

use sqlx::{Row, SqliteConnection, SqliteExecutor};

use super::Result;
use crate::model::{AuditEntry, Timestamp};

/// One action to record. `staff` and `station` are stored as given (the caller trims them).
pub struct NewEntry<'a> {
    pub order_id: &'a str,
    pub at: Timestamp,
    pub action: &'a str,
    pub staff: Option<&'a str>,
    pub station: Option<&'a str>,
    pub detail: Option<&'a str>,
}

pub async fn insert(conn: &mut SqliteConnection, e: &NewEntry<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (order_id, at, action, staff, station, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .bind(e.order_id)
    .bind(e.at)
    .bind(e.action)
    .bind(e.staff)
    .bind(e.station)
    .bind(e.detail)
    .execute(conn)
    .await?;
    Ok(())
}

/// An order's history, oldest first.
pub async fn list_for_order<'e>(
    db: impl SqliteExecutor<'e>,
    order_id: &str,
) -> Result<Vec<AuditEntry>> {
    let rows = sqlx::query(
        "SELECT id, at, action, staff, station, detail FROM audit_log
         WHERE order_id = ?1 ORDER BY at, id",
    )
    .bind(order_id)
    .fetch_all(db)
    .await?;
    Ok(rows.iter().map(entry_of).collect())
}

/// An entry from a row whose first six columns are `id, at, action, staff, station, detail`.
fn entry_of(r: &sqlx::sqlite::SqliteRow) -> AuditEntry {
    AuditEntry {
        id: r.get(0),
        at: r.get(1),
        action: r.get(2),
        staff: r.get(3),
        station: r.get(4),
        detail: r.get(5),
    }
}

/// The newest entries of one action across all orders since `since` (at most `limit`), each
/// with its order's id and number, newest first.
pub async fn recent_with_action<'e>(
    db: impl SqliteExecutor<'e>,
    action: &str,
    since: Timestamp,
    limit: i64,
) -> Result<Vec<(AuditEntry, String, String)>> {
    let rows = sqlx::query(
        "SELECT a.id, a.at, a.action, a.staff, a.station, a.detail, a.order_id,
                COALESCE(o.number, a.order_id)
         FROM audit_log a LEFT JOIN orders o ON o.id = a.order_id
         WHERE a.action = ?1 AND a.at >= ?2 ORDER BY a.id DESC LIMIT ?3",
    )
    .bind(action)
    .bind(since)
    .bind(limit)
    .fetch_all(db)
    .await?;
    Ok(rows
        .iter()
        .map(|r| (entry_of(r), r.get(6), r.get(7)))
        .collect())
}
