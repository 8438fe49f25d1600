//! `stripe_writes`: the durable outbox of fulfilment state written back to Stripe metadata
//! (README: Stations). A write is queued in the transaction of the action it mirrors and goes
//! out in id order; `crate::sharing` carries it out.

use sqlx::{Row, SqliteConnection, SqliteExecutor};

use super::Result;
use crate::model::Timestamp;

/// Where a write stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteState {
    Pending,
    Done,
    Conflict,
    Skipped,
}

impl WriteState {
    pub fn as_str(self) -> &'static str {
        match self {
            WriteState::Pending => "pending",
            WriteState::Done => "done",
            WriteState::Conflict => "conflict",
            WriteState::Skipped => "skipped",
        }
    }

    fn parse(s: &str) -> WriteState {
        match s {
            "done" => WriteState::Done,
            "conflict" => WriteState::Conflict,
            "skipped" => WriteState::Skipped,
            _ => WriteState::Pending,
        }
    }
}

/// A queued write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StripeWrite {
    pub id: i64,
    pub order_id: String,
    pub state: WriteState,
    /// The shared state to write, as JSON (`crate::sharing::SharedState`).
    pub payload: String,
    pub base_token: Option<String>,
    pub idempotency_key: String,
    pub attempts: i64,
    pub next_attempt_at: Timestamp,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
}

const COLUMNS: &str = "id, order_id, state, payload, base_token, idempotency_key, attempts, \
                       next_attempt_at, last_error, created_at";

fn from_row(r: &sqlx::sqlite::SqliteRow) -> StripeWrite {
    StripeWrite {
        id: r.get(0),
        order_id: r.get(1),
        state: WriteState::parse(&r.get::<String, _>(2)),
        payload: r.get(3),
        base_token: r.get(4),
        idempotency_key: r.get(5),
        attempts: r.get(6),
        next_attempt_at: r.get(7),
        last_error: r.get(8),
        created_at: r.get(9),
    }
}

/// Queues a write, due at once. Returns its id.
pub async fn insert(
    conn: &mut SqliteConnection,
    order_id: &str,
    payload: &str,
    base_token: Option<&str>,
    idempotency_key: &str,
    now: Timestamp,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO stripe_writes (order_id, payload, base_token, idempotency_key,
                                    next_attempt_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5) RETURNING id",
    )
    .bind(order_id)
    .bind(payload)
    .bind(base_token)
    .bind(idempotency_key)
    .bind(now)
    .fetch_one(conn)
    .await?)
}

/// The oldest pending write (writes go in order: a later one waits for it).
pub async fn first_pending<'e>(db: impl SqliteExecutor<'e>) -> Result<Option<StripeWrite>> {
    let sql =
        format!("SELECT {COLUMNS} FROM stripe_writes WHERE state = 'pending' ORDER BY id LIMIT 1");
    Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_optional(db)
        .await?
        .as_ref()
        .map(from_row))
}

/// How many writes are waiting.
pub async fn pending_count<'e>(db: impl SqliteExecutor<'e>) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM stripe_writes WHERE state = 'pending'")
            .fetch_one(db)
            .await?,
    )
}

/// Whether the order has a write not on Stripe yet (its local state is ahead of Stripe's).
pub async fn order_has_pending<'e>(db: impl SqliteExecutor<'e>, order_id: &str) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM stripe_writes WHERE order_id = ?1 AND state = 'pending')",
    )
    .bind(order_id)
    .fetch_one(db)
    .await?)
}

pub async fn get<'e>(db: impl SqliteExecutor<'e>, id: i64) -> Result<StripeWrite> {
    let sql = format!("SELECT {COLUMNS} FROM stripe_writes WHERE id = ?1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_one(db)
        .await
        .map_err(super::not_found(format!("Stripe write {id}")))?;
    Ok(from_row(&row))
}

/// An order's writes, oldest first.
pub async fn list_for_order<'e>(
    db: impl SqliteExecutor<'e>,
    order_id: &str,
) -> Result<Vec<StripeWrite>> {
    let sql = format!("SELECT {COLUMNS} FROM stripe_writes WHERE order_id = ?1 ORDER BY id");
    Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(order_id)
        .fetch_all(db)
        .await?
        .iter()
        .map(from_row)
        .collect())
}

/// Ends a write (done, conflict or skipped), with the reason when there is one.
pub async fn finish<'e>(
    db: impl SqliteExecutor<'e>,
    id: i64,
    state: WriteState,
    problem: Option<&str>,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "UPDATE stripe_writes SET state = ?2, last_error = COALESCE(?3, last_error),
                                  finished_at = ?4, attempts = attempts + 1
         WHERE id = ?1",
    )
    .bind(id)
    .bind(state.as_str())
    .bind(problem)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// A failed attempt: the write stays pending, due again at `next_at`.
pub async fn retry_later<'e>(
    db: impl SqliteExecutor<'e>,
    id: i64,
    problem: &str,
    next_at: Timestamp,
) -> Result<()> {
    sqlx::query(
        "UPDATE stripe_writes SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3
         WHERE id = ?1",
    )
    .bind(id)
    .bind(problem)
    .bind(next_at)
    .execute(db)
    .await?;
    Ok(())
}

/// Ends every pending write of an order as a conflict (they were built on a state another
/// station replaced). Returns their ids.
pub async fn conflict_pending_of_order(
    conn: &mut SqliteConnection,
    order_id: &str,
    problem: &str,
    now: Timestamp,
) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "UPDATE stripe_writes SET state = 'conflict', last_error = ?2, finished_at = ?3
         WHERE order_id = ?1 AND state = 'pending' RETURNING id",
    )
    .bind(order_id)
    .bind(problem)
    .bind(now)
    .fetch_all(conn)
    .await?)
}

/// Ends every pending write as skipped (the key may not write: this station works alone).
/// Returns how many.
pub async fn skip_all_pending<'e>(
    db: impl SqliteExecutor<'e>,
    problem: &str,
    now: Timestamp,
) -> Result<u64> {
    Ok(sqlx::query(
        "UPDATE stripe_writes SET state = 'skipped', last_error = ?1, finished_at = ?2
         WHERE state = 'pending'",
    )
    .bind(problem)
    .bind(now)
    .execute(db)
    .await?
    .rows_affected())
}

/// Each order whose latest write was skipped (sharing was off, or Stripe refused it for
/// good), with that write's payload, oldest first.
pub async fn last_skipped(conn: &mut SqliteConnection) -> Result<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT w.order_id, w.payload FROM stripe_writes w
         WHERE w.state = 'skipped'
           AND w.id = (SELECT MAX(x.id) FROM stripe_writes x WHERE x.order_id = w.order_id)
         ORDER BY w.id",
    )
    .fetch_all(conn)
    .await?)
}

/// The network is back (a sync just reached Stripe): waiting writes are due at once.
pub async fn due_now<'e>(db: impl SqliteExecutor<'e>, now: Timestamp) -> Result<()> {
    sqlx::query("UPDATE stripe_writes SET next_attempt_at = ?1 WHERE state = 'pending' AND next_attempt_at > ?1")
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}
