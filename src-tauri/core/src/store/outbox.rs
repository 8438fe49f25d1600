//! `outbox`: emails waiting to be sent, being sent, sent, or given up on (README: Configure email).
//!
//! An email is written here before any SMTP traffic and carries a Message-ID fixed at that
//! moment. [`claim_due`] moves a row from `pending` to `sending` in one statement, so two
//! senders never take the same email; [`mark_sent`] records the server's acceptance right after
//! it arrives. A process killed in between leaves the row in `sending`; [`recover_stale`] puts
//! it back to `pending`, and the resend carries the same Message-ID (see `crate::mail`).
//!
//! [`cancel_unsent`] cancels emails no sender holds (`pending`, `failed`): they are never sent.
//! An email a sender holds right now cannot be stopped; the cancellation is remembered on it
//! (`cancelled_at`), so an attempt that does not end with the server's acceptance cancels it
//! rather than trying again ([`mark_failed`], [`release`], [`recover_stale`]).

use sqlx::{AssertSqlSafe, SqliteExecutor};

use super::{not_found, Result};
use crate::model::Timestamp;
use crate::problem::Problem;

pub use crate::model::{OutboxEmail, OutboxState};

/// An email to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEmail {
    pub kind: String,
    pub order_id: Option<String>,
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    message_id: String,
    kind: String,
    order_id: Option<String>,
    recipient: String,
    subject: String,
    text_body: String,
    html_body: String,
    state: String,
    attempts: i64,
    last_error: Option<String>,
    last_problem: Option<String>,
    next_attempt_at: i64,
    created_at: i64,
    sent_at: Option<i64>,
}

impl From<Row> for OutboxEmail {
    fn from(r: Row) -> Self {
        OutboxEmail {
            id: r.id,
            message_id: r.message_id,
            kind: r.kind,
            order_id: r.order_id,
            recipient: r.recipient,
            subject: r.subject,
            text_body: r.text_body,
            html_body: r.html_body,
            state: OutboxState::parse(&r.state),
            attempts: u32::try_from(r.attempts).unwrap_or(u32::MAX),
            last_problem: last_problem(r.last_problem.as_deref(), r.last_error.is_some()),
            last_error: r.last_error,
            next_attempt_at: r.next_attempt_at,
            created_at: r.created_at,
            sent_at: r.sent_at,
        }
    }
}

// A constant column list: no caller-supplied text reaches the SQL.
const COLUMNS: &str = "id, message_id, kind, order_id, recipient, subject, text_body, html_body, \
                       state, attempts, last_error, last_problem, next_attempt_at, created_at, \
                       sent_at";

/// The stored problem of the last failure; a failure an earlier version recorded (English
/// only) reads as [`Problem::EmailFailedEarlier`].
fn last_problem(stored: Option<&str>, failed: bool) -> Option<Problem> {
    match stored.map(serde_json::from_str::<Problem>) {
        Some(Ok(p)) => Some(p),
        Some(Err(e)) => {
            tracing::warn!("unreadable outbox problem: {e}");
            Some(Problem::EmailFailedEarlier)
        }
        None => failed.then_some(Problem::EmailFailedEarlier),
    }
}

/// An email that waits for a Stripe write goes once the write is on Stripe (`done`) or will
/// never be (`skipped`: this station works alone); see `crate::sharing`. A constant.
const RELEASED: &str = "(after_write IS NULL OR after_write IN \
    (SELECT id FROM stripe_writes WHERE state IN ('done', 'skipped')))";

/// A new, globally unique Message-ID (`<random@domain>`), e.g. with the sender's domain.
pub fn new_message_id(domain: &str) -> String {
    let random: u128 = rand::random();
    let domain = domain.trim();
    let domain = if domain.is_empty() {
        "comptoir.local"
    } else {
        domain
    };
    format!("<{random:032x}@{domain}>")
}

/// Queues `email` with `message_id` (see [`new_message_id`]), due now.
pub async fn enqueue<'e>(
    db: impl SqliteExecutor<'e>,
    email: &NewEmail,
    message_id: &str,
    now: Timestamp,
) -> Result<OutboxEmail> {
    let sql = format!(
        "INSERT INTO outbox (message_id, kind, order_id, recipient, subject, text_body, html_body,
                             state, attempts, next_attempt_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', 0, ?8, ?8)
         RETURNING {COLUMNS}"
    );
    let row: Row = sqlx::query_as(AssertSqlSafe(sql))
        .bind(message_id)
        .bind(&email.kind)
        .bind(&email.order_id)
        .bind(&email.recipient)
        .bind(&email.subject)
        .bind(&email.text_body)
        .bind(&email.html_body)
        .bind(now)
        .fetch_one(db)
        .await?;
    Ok(row.into())
}

pub async fn get<'e>(db: impl SqliteExecutor<'e>, id: i64) -> Result<OutboxEmail> {
    let sql = format!("SELECT {COLUMNS} FROM outbox WHERE id = ?1");
    let row: Row = sqlx::query_as(AssertSqlSafe(sql))
        .bind(id)
        .fetch_one(db)
        .await
        .map_err(not_found(format!("email {id}")))?;
    Ok(row.into())
}

/// Every email about `order_id`, oldest first.
pub async fn list_for_order<'e>(
    db: impl SqliteExecutor<'e>,
    order_id: &str,
) -> Result<Vec<OutboxEmail>> {
    let sql = format!("SELECT {COLUMNS} FROM outbox WHERE order_id = ?1 ORDER BY created_at, id");
    let rows: Vec<Row> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(order_id)
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Every email, newest first (for an outbox view and for tests).
pub async fn list<'e>(db: impl SqliteExecutor<'e>) -> Result<Vec<OutboxEmail>> {
    let sql = format!("SELECT {COLUMNS} FROM outbox ORDER BY created_at DESC, id DESC");
    let rows: Vec<Row> = sqlx::query_as(AssertSqlSafe(sql)).fetch_all(db).await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Whether a run would find anything to send: a pending email due by `now`, or one left
/// `sending` by a sender that died (claimed before `claimed_before`, not cancelled), which
/// `recover_stale` puts back. The mail worker asks this before it reads the password.
pub async fn any_due<'e>(
    db: impl SqliteExecutor<'e>,
    now: Timestamp,
    claimed_before: Timestamp,
) -> Result<bool> {
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM outbox
                        WHERE (state = 'pending' AND next_attempt_at <= ?1 AND {RELEASED})
                           OR (state = 'sending' AND cancelled_at IS NULL
                               AND (claimed_at IS NULL OR claimed_at < ?2)))"
    );
    Ok(sqlx::query_scalar(AssertSqlSafe(sql))
        .bind(now)
        .bind(claimed_before)
        .fetch_one(db)
        .await?)
}

/// Claims up to `limit` due emails (pending, `next_attempt_at <= now`), oldest due first, by
/// moving them to `sending` in a single statement: a concurrent claimer cannot take them too.
pub async fn claim_due<'e>(
    db: impl SqliteExecutor<'e>,
    now: Timestamp,
    limit: u32,
) -> Result<Vec<OutboxEmail>> {
    let sql = format!(
        "UPDATE outbox SET state = 'sending', claimed_at = ?1
         WHERE id IN (SELECT id FROM outbox
                      WHERE state = 'pending' AND next_attempt_at <= ?1 AND {RELEASED}
                      ORDER BY next_attempt_at, id LIMIT ?2)
         RETURNING {COLUMNS}"
    );
    let rows: Vec<Row> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(db)
        .await?;
    let mut emails: Vec<OutboxEmail> = rows.into_iter().map(Into::into).collect();
    // RETURNING does not promise an order.
    emails.sort_by_key(|e| (e.next_attempt_at, e.id));
    Ok(emails)
}

/// Records that the server accepted a claimed email.
pub async fn mark_sent<'e>(db: impl SqliteExecutor<'e>, id: i64, now: Timestamp) -> Result<()> {
    sqlx::query(
        "UPDATE outbox SET state = 'sent', sent_at = ?2, attempts = attempts + 1,
                           last_error = NULL, last_problem = NULL, claimed_at = NULL
         WHERE id = ?1",
    )
    .bind(id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// Records a failed attempt on a claimed email: back to `pending` until `retry_at`, or
/// `failed` for good when `retry_at` is `None`; `cancelled` when a cancellation was asked for
/// while it was being sent. `error` is the English of the log, `problem` what the window words.
pub async fn mark_failed<'e>(
    db: impl SqliteExecutor<'e>,
    id: i64,
    error: &str,
    problem: &Problem,
    retry_at: Option<Timestamp>,
) -> Result<()> {
    let problem = serde_json::to_string(problem)?;
    sqlx::query(
        "UPDATE outbox SET state = CASE WHEN cancelled_at IS NOT NULL THEN 'cancelled'
                                        WHEN ?3 IS NULL THEN 'failed' ELSE 'pending' END,
                           next_attempt_at = COALESCE(?3, next_attempt_at),
                           attempts = attempts + 1, last_error = ?2, last_problem = ?4,
                           claimed_at = NULL
         WHERE id = ?1 AND state = 'sending'",
    )
    .bind(id)
    .bind(error)
    .bind(retry_at)
    .bind(problem)
    .execute(db)
    .await?;
    Ok(())
}

/// Gives a claimed email back untried (the sender stopped before attempting it), or cancels
/// it when a cancellation was asked for meanwhile.
pub async fn release<'e>(db: impl SqliteExecutor<'e>, id: i64) -> Result<()> {
    sqlx::query(
        "UPDATE outbox
         SET state = CASE WHEN cancelled_at IS NOT NULL THEN 'cancelled' ELSE 'pending' END,
             claimed_at = NULL
         WHERE id = ?1 AND state = 'sending'",
    )
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// Queues a `failed` email, or a `pending` one waiting for its next attempt, again due at
/// `now` (the merchant's "Retry now"), with the same Message-ID. Returns the email, or `None`
/// when it is in no state to be retried (sent, being sent, cancelled): nothing changes then
/// (`crate::mail::retry_now` says why).
pub async fn retry<'e>(
    db: impl SqliteExecutor<'e>,
    id: i64,
    now: Timestamp,
) -> Result<Option<OutboxEmail>> {
    let sql = format!(
        "UPDATE outbox SET state = 'pending', next_attempt_at = ?2
         WHERE id = ?1 AND state IN ('failed', 'pending')
         RETURNING {COLUMNS}"
    );
    let row: Option<Row> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(id)
        .bind(now)
        .fetch_optional(db)
        .await?;
    Ok(row.map(Into::into))
}

/// What [`cancel_unsent`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cancelled {
    /// Emails cancelled: they will never be sent.
    pub cancelled: Vec<i64>,
    /// Emails a sender held at that moment: they may already have gone. If their attempt
    /// fails, they are cancelled instead of tried again.
    pub in_flight: Vec<i64>,
    /// Emails already accepted by the server: left as they are.
    pub already_sent: Vec<i64>,
}

/// Cancels the unsent emails of `kind` about `order_id` (`pending`, and `failed` ones, which
/// "Retry now" could otherwise send later). Meant to run in the transaction of the action that
/// makes them wrong (e.g. "Mark as not sent" for the shipping email).
pub async fn cancel_unsent(
    conn: &mut sqlx::SqliteConnection,
    order_id: &str,
    kind: &str,
    now: Timestamp,
) -> Result<Cancelled> {
    let cancelled: Vec<i64> = sqlx::query_scalar(
        "UPDATE outbox SET state = 'cancelled', cancelled_at = ?3, claimed_at = NULL
         WHERE order_id = ?1 AND kind = ?2 AND state IN ('pending', 'failed')
         RETURNING id",
    )
    .bind(order_id)
    .bind(kind)
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    let in_flight: Vec<i64> = sqlx::query_scalar(
        "UPDATE outbox SET cancelled_at = COALESCE(cancelled_at, ?3)
         WHERE order_id = ?1 AND kind = ?2 AND state = 'sending'
         RETURNING id",
    )
    .bind(order_id)
    .bind(kind)
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    let already_sent: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM outbox WHERE order_id = ?1 AND kind = ?2 AND state = 'sent' ORDER BY id",
    )
    .bind(order_id)
    .bind(kind)
    .fetch_all(&mut *conn)
    .await?;
    let mut done = Cancelled {
        cancelled,
        in_flight,
        already_sent,
    };
    // RETURNING does not promise an order.
    done.cancelled.sort_unstable();
    done.in_flight.sort_unstable();
    Ok(done)
}

/// Crash recovery: emails claimed before `claimed_before` and still `sending` belonged to a
/// sender that died; they go back to `pending`, due at once (or to `cancelled`, when a
/// cancellation was asked for meanwhile). Returns how many.
pub async fn recover_stale<'e>(
    db: impl SqliteExecutor<'e>,
    claimed_before: Timestamp,
) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE outbox
         SET state = CASE WHEN cancelled_at IS NOT NULL THEN 'cancelled' ELSE 'pending' END,
             claimed_at = NULL
         WHERE state = 'sending' AND (claimed_at IS NULL OR claimed_at < ?1)",
    )
    .bind(claimed_before)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Makes a queued email wait for a Stripe write (README: Stations): the shipping email goes
/// only once this station's "Sent" is on Stripe unchallenged.
pub async fn wait_for_write<'e>(db: impl SqliteExecutor<'e>, id: i64, write_id: i64) -> Result<()> {
    sqlx::query("UPDATE outbox SET after_write = ?2 WHERE id = ?1")
        .bind(id)
        .bind(write_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Cancels the unsent emails that waited for these writes (another station acted first).
/// Returns their ids.
pub async fn cancel_waiting_for(
    conn: &mut sqlx::SqliteConnection,
    write_ids: &[i64],
    now: Timestamp,
) -> Result<Vec<i64>> {
    let mut ids = Vec::new();
    for w in write_ids {
        let mut got: Vec<i64> = sqlx::query_scalar(
            "UPDATE outbox SET state = 'cancelled', cancelled_at = ?2, claimed_at = NULL
             WHERE after_write = ?1 AND state IN ('pending', 'failed') RETURNING id",
        )
        .bind(w)
        .bind(now)
        .fetch_all(&mut *conn)
        .await?;
        ids.append(&mut got);
    }
    ids.sort_unstable();
    Ok(ids)
}
