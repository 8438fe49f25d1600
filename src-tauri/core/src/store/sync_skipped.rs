//! `sync_skipped`: Stripe objects the sync could not read, by kind and id, for the next sync to
//! fetch again. An object read later (by a retry, an event or a full sync) leaves the table.

use sqlx::{Row, SqliteConnection, SqliteExecutor};

use super::Result;

pub async fn note(conn: &mut SqliteConnection, kind: &str, id: &str, error: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO sync_skipped (kind, id, error, at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(kind, id) DO UPDATE SET error = excluded.error, at = excluded.at",
    )
    .bind(kind)
    .bind(id)
    .bind(error)
    .bind(super::now())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn clear(conn: &mut SqliteConnection, kind: &str, id: &str) -> Result<()> {
    sqlx::query("DELETE FROM sync_skipped WHERE kind = ?1 AND id = ?2")
        .bind(kind)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Every object still to retry: (kind, id).
pub async fn list<'e>(db: impl SqliteExecutor<'e>) -> Result<Vec<(String, String)>> {
    Ok(
        sqlx::query("SELECT kind, id FROM sync_skipped ORDER BY at, kind, id")
            .fetch_all(db)
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect(),
    )
}

pub async fn count<'e>(db: impl SqliteExecutor<'e>) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM sync_skipped")
        .fetch_one(db)
        .await?)
}
