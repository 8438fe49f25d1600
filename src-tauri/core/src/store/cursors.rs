//! `sync_cursors`: where each full-sync list stopped, and the events feed's position. Written in
//! the same transaction as the page it follows, so a killed sync resumes exactly there.

use sqlx::{Row, SqliteExecutor};

use super::Result;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub name: String,
    /// The last object id written (lists) or the newest event id applied (events).
    pub cursor: Option<String>,
    pub cursor_created: Option<i64>,
    pub complete: bool,
    pub updated_at: i64,
}

pub const EVENTS: &str = "events";

pub async fn get<'e>(db: impl SqliteExecutor<'e>, name: &str) -> Result<Option<Cursor>> {
    let row = sqlx::query(
        "SELECT name, cursor, cursor_created, complete, updated_at FROM sync_cursors WHERE name = ?1",
    )
    .bind(name)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| Cursor {
        name: r.get(0),
        cursor: r.get(1),
        cursor_created: r.get(2),
        complete: r.get::<i64, _>(3) != 0,
        updated_at: r.get(4),
    }))
}

pub async fn set<'e>(
    db: impl SqliteExecutor<'e>,
    name: &str,
    cursor: Option<&str>,
    cursor_created: Option<i64>,
    complete: bool,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sync_cursors (name, cursor, cursor_created, complete, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(name) DO UPDATE SET cursor = excluded.cursor,
           cursor_created = excluded.cursor_created, complete = excluded.complete,
           updated_at = excluded.updated_at",
    )
    .bind(name)
    .bind(cursor)
    .bind(cursor_created)
    .bind(complete)
    .bind(super::now())
    .execute(db)
    .await?;
    Ok(())
}

/// Forgets every cursor, so the next sync is a full one.
pub async fn clear_all<'e>(db: impl SqliteExecutor<'e>) -> Result<()> {
    sqlx::query("DELETE FROM sync_cursors").execute(db).await?;
    Ok(())
}
