//! `pdf_cache`: which invoice PDFs are kept on this computer, which were evicted for space and
//! which failed to download and when to try again (README: Architecture, Offline invoice PDFs).
//! The files are in the data folder's `pdf-cache/` ([`crate::pdf_cache`]).

use sqlx::{Row, SqliteExecutor};

use super::Result;

/// The settings key of the cache's size limit in bytes (default
/// [`crate::pdf_cache::DEFAULT_LIMIT_BYTES`]).
pub const LIMIT_KEY: &str = "pdf_cache_limit_bytes";

/// An invoice whose PDF the cache wants: its id, its Stripe link and its creation time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    pub invoice_id: String,
    pub url: String,
    pub created: i64,
}

/// What the cache knows of one invoice's PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub invoice_id: String,
    pub url: String,
    pub created: i64,
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
    }
}

/// Every invoice PDF the cache wants, newest first: the orders' invoices and the subscriptions'
/// invoices that have a PDF link. An invoice both an order and a subscription name is listed
/// once.
pub async fn wanted<'e>(db: impl SqliteExecutor<'e>) -> Result<Vec<Wanted>> {
    let rows = sqlx::query(
        "WITH w(id, url, created) AS (
             SELECT invoice_id, json_extract(detail, '$.invoice_pdf'), created FROM orders
              WHERE invoice_id IS NOT NULL AND json_extract(detail, '$.invoice_pdf') IS NOT NULL
             UNION ALL
             SELECT id, invoice_pdf, created FROM invoices
              WHERE subscription_id IS NOT NULL AND invoice_pdf IS NOT NULL
         )
         SELECT id, url, MAX(created) AS created FROM w GROUP BY id
          ORDER BY created DESC, id DESC",
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Wanted {
            invoice_id: r.get(0),
            url: r.get(1),
            created: r.get(2),
        })
        .collect())
}

/// Every entry, in no particular order.
pub async fn all<'e>(db: impl SqliteExecutor<'e>) -> Result<Vec<Entry>> {
    let rows = sqlx::query(
        "SELECT invoice_id, url, created, state, file, bytes, attempts, next_attempt_at, last_error FROM pdf_cache",
    )
        .fetch_all(db)
        .await?;
    Ok(rows.iter().map(entry).collect())
}

/// The cached entries, oldest invoice first (the order of eviction).
pub async fn cached_oldest_first<'e>(db: impl SqliteExecutor<'e>) -> Result<Vec<Entry>> {
    let rows = sqlx::query(
        "SELECT invoice_id, url, created, state, file, bytes, attempts, next_attempt_at, last_error FROM pdf_cache
          WHERE state = 'cached' ORDER BY created ASC, invoice_id ASC",
    )
    .fetch_all(db)
    .await?;
    Ok(rows.iter().map(entry).collect())
}

/// The cached entry downloaded from exactly this link, if any.
pub async fn cached_by_url<'e>(db: impl SqliteExecutor<'e>, url: &str) -> Result<Option<Entry>> {
    let row = sqlx::query(
        "SELECT invoice_id, url, created, state, file, bytes, attempts, next_attempt_at, last_error FROM pdf_cache
          WHERE state = 'cached' AND url = ?1 LIMIT 1",
    )
    .bind(url)
    .fetch_optional(db)
    .await?;
    Ok(row.as_ref().map(entry))
}

/// The invoice whose PDF has this link, if the cache wants it (an order's or a subscription's).
pub async fn wanted_by_url<'e>(db: impl SqliteExecutor<'e>, url: &str) -> Result<Option<Wanted>> {
    let row = sqlx::query(
        "SELECT invoice_id, json_extract(detail, '$.invoice_pdf'), created FROM orders
          WHERE invoice_id IS NOT NULL AND json_extract(detail, '$.invoice_pdf') = ?1
         UNION ALL
         SELECT id, invoice_pdf, created FROM invoices
          WHERE subscription_id IS NOT NULL AND invoice_pdf = ?1
         LIMIT 1",
    )
    .bind(url)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| Wanted {
        invoice_id: r.get(0),
        url: r.get(1),
        created: r.get(2),
    }))
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
                                next_attempt_at, last_error, updated_at)
         VALUES (?1, ?2, ?3, 'cached', ?4, ?5, 0, NULL, NULL, ?6)
         ON CONFLICT(invoice_id) DO UPDATE SET url = excluded.url, created = excluded.created,
             state = 'cached', file = excluded.file, bytes = excluded.bytes, attempts = 0,
             next_attempt_at = NULL, last_error = NULL, updated_at = excluded.updated_at",
    )
    .bind(&w.invoice_id)
    .bind(&w.url)
    .bind(w.created)
    .bind(file)
    .bind(bytes)
    .bind(now)
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
                                next_attempt_at, last_error, updated_at)
         VALUES (?1, ?2, ?3, 'failed', NULL, 0, ?4, ?5, ?6, ?7)
         ON CONFLICT(invoice_id) DO UPDATE SET url = excluded.url, created = excluded.created,
             state = 'failed', file = NULL, bytes = 0, attempts = excluded.attempts,
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
    .execute(db)
    .await?;
    Ok(())
}

/// Records that an invoice's file was removed to stay within the size limit.
pub async fn mark_evicted<'e>(
    db: impl SqliteExecutor<'e>,
    invoice_id: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE pdf_cache SET state = 'evicted', file = NULL, bytes = 0, updated_at = ?2
          WHERE invoice_id = ?1",
    )
    .bind(invoice_id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// The bytes the cached files take.
pub async fn total_bytes<'e>(db: impl SqliteExecutor<'e>) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COALESCE(SUM(bytes), 0) FROM pdf_cache WHERE state = 'cached'")
            .fetch_one(db)
            .await?,
    )
}
