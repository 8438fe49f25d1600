//! `pdf_cache`: which invoice PDFs are kept on this computer, which were evicted for space and
//! which failed to download and when to try again (README: Architecture, Offline invoice PDFs).
//! The files are in the data folder's `pdf-cache/` ([`crate::pdf_cache`]).

use sqlx::{Row, SqliteExecutor};

use super::Result;

/// The settings key of the cache's size limit in bytes (default
/// [`crate::pdf_cache::DEFAULT_LIMIT_BYTES`]).
pub const LIMIT_KEY: &str = "pdf_cache_limit_bytes";

/// An invoice whose PDF the cache wants: its id, its Stripe link, its creation time, and what
/// else its PDF shows that may change under the same link (number, status, amounts: `version`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    pub invoice_id: String,
    pub url: String,
    pub created: i64,
    pub version: String,
}

/// What the cache knows of one invoice's PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub invoice_id: String,
    pub url: String,
    pub created: i64,
    /// The invoice's [`Wanted::version`] when its file was downloaded.
    pub version: String,
    /// `cached`, `evicted` or `failed`.
    pub state: String,
    pub file: Option<String>,
    pub bytes: i64,
    pub attempts: i64,
    pub next_attempt_at: Option<i64>,
    pub last_error: Option<String>,
}

fn entry(r: &sqlx::sqlite::SqliteRow) -> Entry {
    Entry {
        invoice_id: r.get(0),
        url: r.get(1),
        created: r.get(2),
        state: r.get(3),
        file: r.get(4),
        bytes: r.get(5),
        attempts: r.get(6),
        next_attempt_at: r.get(7),
        last_error: r.get(8),
        version: r.get(9),
    }
}

/// The invoices the cache wants, as `(id, link, created, version)`: the orders' invoices and the
/// subscriptions' invoices that have a PDF link. The version joins the invoice's number, status
/// and amounts as the `invoices` table has them (an order whose invoice is not there has its
/// number only).
macro_rules! wanted_sql {
    () => {
        "
    WITH w(id, url, created, version) AS (
        SELECT o.invoice_id, json_extract(o.detail, '$.invoice_pdf'), o.created,
               COALESCE(i.number, o.number, '') || '|' || COALESCE(i.status, '') || '|' ||
               COALESCE(i.total, '') || '|' || COALESCE(i.amount_paid, '') || '|' ||
               COALESCE(i.amount_due, '')
          FROM orders o LEFT JOIN invoices i ON i.id = o.invoice_id
         WHERE o.invoice_id IS NOT NULL AND json_extract(o.detail, '$.invoice_pdf') IS NOT NULL
        UNION ALL
        SELECT id, invoice_pdf, created,
               COALESCE(number, '') || '|' || COALESCE(status, '') || '|' || total || '|' ||
               amount_paid || '|' || amount_due
          FROM invoices WHERE subscription_id IS NOT NULL AND invoice_pdf IS NOT NULL
    )"
    };
}

fn wanted_of(r: &sqlx::sqlite::SqliteRow) -> Wanted {
    Wanted {
        invoice_id: r.get(0),
        url: r.get(1),
        created: r.get(2),
        version: r.get(3),
    }
}

/// Every invoice PDF the cache wants, newest first. An invoice both an order and a
/// subscription name is listed once.
pub async fn wanted<'e>(db: impl SqliteExecutor<'e>) -> Result<Vec<Wanted>> {
    let rows = sqlx::query(concat!(
        wanted_sql!(),
        " SELECT id, MAX(url), MAX(created) AS created, MAX(version) FROM w GROUP BY id
          ORDER BY created DESC, id DESC"
    ))
    .fetch_all(db)
    .await?;
    Ok(rows.iter().map(wanted_of).collect())
}

/// The one invoice the cache wants with this id (the invoice an order or a subscription names).
pub async fn wanted_one<'e>(
    db: impl SqliteExecutor<'e>,
    invoice_id: &str,
) -> Result<Option<Wanted>> {
    let row = sqlx::query(concat!(
        wanted_sql!(),
        " SELECT id, MAX(url), MAX(created), MAX(version) FROM w WHERE id = ?1 GROUP BY id"
    ))
    .bind(invoice_id)
    .fetch_optional(db)
    .await?;
    Ok(row.as_ref().map(wanted_of))
}

/// Every entry, in no particular order.
pub async fn all<'e>(db: impl SqliteExecutor<'e>) -> Result<Vec<Entry>> {
    let rows = sqlx::query(
        "SELECT invoice_id, url, created, state, file, bytes, attempts, next_attempt_at, last_error, version FROM pdf_cache",
    )
        .fetch_all(db)
        .await?;
    Ok(rows.iter().map(entry).collect())
}

/// The cached entries, oldest invoice first (the order of eviction).
pub async fn cached_oldest_first<'e>(db: impl SqliteExecutor<'e>) -> Result<Vec<Entry>> {
    let rows = sqlx::query(
        "SELECT invoice_id, url, created, state, file, bytes, attempts, next_attempt_at, last_error, version FROM pdf_cache
          WHERE state = 'cached' ORDER BY created ASC, invoice_id ASC",
    )
    .fetch_all(db)
    .await?;
    Ok(rows.iter().map(entry).collect())
}

/// What the cache knows of this invoice's PDF, if anything.
pub async fn entry_of<'e>(db: impl SqliteExecutor<'e>, invoice_id: &str) -> Result<Option<Entry>> {
    let row = sqlx::query(
        "SELECT invoice_id, url, created, state, file, bytes, attempts, next_attempt_at, last_error, version FROM pdf_cache
          WHERE invoice_id = ?1",
    )
    .bind(invoice_id)
    .fetch_optional(db)
    .await?;
    Ok(row.as_ref().map(entry))
}

/// Records a downloaded file (replacing whatever was known of this invoice).
pub async fn put_cached<'e>(
    db: impl SqliteExecutor<'e>,
    w: &Wanted,
    file: &str,
    bytes: i64,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO pdf_cache (invoice_id, url, created, state, file, bytes, attempts,
                                next_attempt_at, last_error, updated_at, version)
         VALUES (?1, ?2, ?3, 'cached', ?4, ?5, 0, NULL, NULL, ?6, ?7)
         ON CONFLICT(invoice_id) DO UPDATE SET url = excluded.url, created = excluded.created,
             version = excluded.version, state = 'cached', file = excluded.file, bytes = excluded.bytes, attempts = 0,
             next_attempt_at = NULL, last_error = NULL, updated_at = excluded.updated_at",
    )
    .bind(&w.invoice_id)
    .bind(&w.url)
    .bind(w.created)
    .bind(file)
    .bind(bytes)
    .bind(now)
    .bind(&w.version)
    .execute(db)
    .await?;
    Ok(())
}

/// Records a failed download of `w`'s link: its attempt count, when to try again and why.
pub async fn put_failed<'e>(
    db: impl SqliteExecutor<'e>,
    w: &Wanted,
    attempts: i64,
    next_attempt_at: i64,
    error: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO pdf_cache (invoice_id, url, created, state, file, bytes, attempts,
                                next_attempt_at, last_error, updated_at, version)
         VALUES (?1, ?2, ?3, 'failed', NULL, 0, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT(invoice_id) DO UPDATE SET url = excluded.url, created = excluded.created,
             version = excluded.version, state = 'failed', file = NULL, bytes = 0, attempts = excluded.attempts,
             next_attempt_at = excluded.next_attempt_at, last_error = excluded.last_error,
             updated_at = excluded.updated_at",
    )
    .bind(&w.invoice_id)
    .bind(&w.url)
    .bind(w.created)
    .bind(attempts)
    .bind(next_attempt_at)
    .bind(error)
    .bind(now)
    .bind(&w.version)
    .execute(db)
    .await?;
    Ok(())
}

/// Records that an invoice's file was removed to stay within the size limit (its size is kept:
/// a pass downloads it again only when it fits).
pub async fn mark_evicted<'e>(
    db: impl SqliteExecutor<'e>,
    invoice_id: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE pdf_cache SET state = 'evicted', file = NULL, updated_at = ?2
          WHERE invoice_id = ?1",
    )
    .bind(invoice_id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// The cached files: how many, and the bytes they take.
pub async fn usage<'e>(db: impl SqliteExecutor<'e>) -> Result<(i64, i64)> {
    let r = sqlx::query(
        "SELECT COUNT(*), COALESCE(SUM(bytes), 0) FROM pdf_cache WHERE state = 'cached'",
    )
    .fetch_one(db)
    .await?;
    Ok((r.get(0), r.get(1)))
}

/// When the next failed download is due again (Unix seconds), if one waits.
pub async fn next_retry_at<'e>(db: impl SqliteExecutor<'e>) -> Result<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT MIN(next_attempt_at) FROM pdf_cache WHERE state = 'failed'")
            .fetch_one(db)
            .await?,
    )
}

/// Forgets every entry ("Clear" in Settings): the next pass downloads afresh, up to the limit.
pub async fn clear<'e>(db: impl SqliteExecutor<'e>) -> Result<()> {
    sqlx::query("DELETE FROM pdf_cache").execute(db).await?;
    Ok(())
}

/// What the demo store's sample PDF of an invoice shows: its number, the customer's name, the
/// currency and the total (an order's, else the invoice's).
pub async fn sample_facts<'e>(
    db: impl SqliteExecutor<'e>,
    invoice_id: &str,
) -> Result<Option<(String, Option<String>, String, i64)>> {
    let row = sqlx::query(
        "SELECT number, customer_name, currency, amount_total FROM orders WHERE invoice_id = ?1
         UNION ALL
         SELECT COALESCE(i.number, i.id), c.name, i.currency, i.total
           FROM invoices i LEFT JOIN customers c ON c.id = i.customer_id WHERE i.id = ?1
         LIMIT 1",
    )
    .bind(invoice_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| (r.get(0), r.get(1), r.get(2), r.get(3))))
}
