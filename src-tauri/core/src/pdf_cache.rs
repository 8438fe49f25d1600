//! Invoice PDFs kept on this computer, so that "Customer invoice" and the subscription invoices'
//! PDF icons open offline (README: Architecture, Offline invoice PDFs).
//!
//! After a sync, a pass downloads the PDFs of the orders' and the subscriptions' invoices, newest
//! first, a few at a time and paced, into the data folder's `pdf-cache/` (`0700`, files `0600`).
//! Each file is named after its invoice id, reduced to characters that cannot leave the folder;
//! it is written to a temporary file and renamed into place, and only a PDF is kept
//! ([`crate::invoice_pdf::download`], with its allow-list of Stripe's hosts). A new link for an
//! invoice (voided, updated) downloads it again over the old copy. The cache stays under a size
//! limit (the `settings` key [`LIMIT_KEY`], default 500 MB) by evicting the oldest invoices
//! first. A failed download is recorded and tried again after a growing delay; it never stops
//! the others, and a pass ends early when the network is gone or a sync starts.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::invoice_pdf::{self, PdfError};
use crate::private_fs;
pub use crate::store::pdf_cache::LIMIT_KEY;
use crate::store::pdf_cache::{self as rows, Entry, Wanted};
use crate::store::{self, Store, StoreError};

/// The cache's folder inside the data folder.
pub const DIR_NAME: &str = "pdf-cache";

/// The size limit when Settings has none: 500 MB.
pub const DEFAULT_LIMIT_BYTES: u64 = 500 * 1000 * 1000;

/// How a pass downloads.
#[derive(Debug, Clone)]
pub struct CacheOptions {
    /// `COMPTOIR_STRIPE_FILES_BASE` (tests only): where the PDFs are fetched from instead of
    /// Stripe's hosts, after the allow-list.
    pub files_base: Option<String>,
    /// Downloads at the same time.
    pub concurrency: usize,
    /// Downloads started per second at most, all together.
    pub per_second: f64,
    /// The delay before the first retry of a failed download; it doubles with each failure.
    pub retry_base: Duration,
    /// The longest delay between two attempts.
    pub retry_max: Duration,
}

impl Default for CacheOptions {
    fn default() -> Self {
        CacheOptions {
            files_base: None,
            concurrency: 3,
            per_second: 4.0,
            retry_base: Duration::from_secs(60),
            retry_max: Duration::from_secs(6 * 3600),
        }
    }
}

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PassReport {
    pub downloaded: u32,
    pub failed: u32,
    pub evicted: u32,
    /// A download found no network: the pass stopped, the rest waits for the next one.
    pub offline: bool,
    /// A sync started: the pass stopped to leave it the network.
    pub interrupted: bool,
    /// When the next failed download is due again (Unix seconds), if any waits.
    pub next_retry_at: Option<i64>,
}

/// The cache's folder in `data_dir`.
pub fn cache_dir(data_dir: &Path) -> PathBuf {
    data_dir.join(DIR_NAME)
}

/// The file name of an invoice's PDF in the cache: the invoice id when it is made of ASCII
/// letters, digits, `_` and `-` only (Stripe's ids are), else those characters with the rest
/// replaced and a hash of the whole id, so that two ids never share a file. Never a path: no
/// separator, no `..`, never empty or hidden.
pub fn file_name(invoice_id: &str) -> String {
    let clean: String = invoice_id
        .chars()
        .take(64)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if clean == invoice_id && !clean.is_empty() {
        format!("{clean}.pdf")
    } else {
        // FNV-1a: stable across versions and platforms, unlike the std hasher.
        let hash = invoice_id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
        format!("x{clean}-{hash:016x}.pdf")
    }
}

/// The delay before attempt `attempts + 1` after `attempts` failures.
pub fn retry_delay(attempts: i64, opts: &CacheOptions) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    opts.retry_base
        .saturating_mul(2u32.saturating_pow(doublings))
        .min(opts.retry_max)
}

/// The size limit in bytes (Settings, else 500 MB).
pub async fn limit_bytes(store: &Store) -> Result<u64, StoreError> {
    Ok(store::settings::get_value(store.pool(), LIMIT_KEY)
        .await?
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_LIMIT_BYTES))
}

/// Sets the size limit in bytes.
pub async fn set_limit_bytes(store: &Store, bytes: u64) -> Result<(), StoreError> {
    store::settings::set_value(store.pool(), LIMIT_KEY, &bytes.to_string()).await
}

/// The cached copy of the PDF at `url` (an invoice's link exactly as the store has it), if it is
/// in the cache and its file is there.
pub async fn cached_file(
    store: &Store,
    dir: &Path,
    url: &str,
) -> Result<Option<PathBuf>, StoreError> {
    let Some(entry) = rows::cached_by_url(store.pool(), url).await? else {
        return Ok(None);
    };
    Ok(path_of(dir, &entry).filter(|p| p.is_file()))
}

/// Where `entry`'s file is: always the name [`file_name`] gives, inside `dir`.
fn path_of(dir: &Path, entry: &Entry) -> Option<PathBuf> {
    let name = file_name(&entry.invoice_id);
    (entry.file.as_deref() == Some(name.as_str())).then(|| dir.join(name))
}

/// Downloads one invoice's PDF into the cache now (opening one that is not there yet), and
/// records it. The outer error is the store's; the inner one the download's.
pub async fn fetch_now(
    store: &Store,
    dir: &Path,
    wanted: &Wanted,
    opts: &CacheOptions,
) -> Result<Result<PathBuf, PdfError>, StoreError> {
    make_dir(dir)?;
    let name = file_name(&wanted.invoice_id);
    let dest = dir.join(&name);
    match invoice_pdf::download_to(&wanted.url, opts.files_base.as_deref(), &dest, true).await {
        Ok(saved) => {
            rows::put_cached(
                store.pool(),
                wanted,
                &name,
                saved.bytes as i64,
                store::now(),
            )
            .await?;
            Ok(Ok(dest))
        }
        Err(e) => Ok(Err(e)),
    }
}

fn make_dir(dir: &Path) -> Result<(), StoreError> {
    private_fs::private_dir(dir).map_err(|source| StoreError::DataDir {
        path: dir.to_owned(),
        source,
    })
}

/// At most `per_second` starts a second, shared by the downloads of a pass.
struct Pacer {
    interval: Duration,
    next: tokio::sync::Mutex<tokio::time::Instant>,
}

impl Pacer {
    fn new(per_second: f64) -> Self {
        let per_second = if per_second > 0.0 { per_second } else { 1.0 };
        Pacer {
            interval: Duration::from_secs_f64(1.0 / per_second),
            next: tokio::sync::Mutex::new(tokio::time::Instant::now()),
        }
    }

    async fn wait(&self) {
        let at = {
            let mut next = self.next.lock().await;
            let now = tokio::time::Instant::now();
            let at = (*next).max(now);
            *next = at + self.interval;
            at
        };
        tokio::time::sleep_until(at).await;
    }
}

/// Whether `w` needs downloading, given what the cache knows of it; with the failures so far.
fn needs(w: &Wanted, known: Option<&Entry>, dir: &Path, now: i64) -> Option<i64> {
    let Some(e) = known.filter(|e| e.url == w.url) else {
        return Some(0);
    };
    match e.state.as_str() {
        "cached" if path_of(dir, e).is_some_and(|p| p.is_file()) => None,
        "cached" => Some(0),
        "evicted" => None,
        _ if e.next_attempt_at.is_some_and(|at| at > now) => None,
        _ => Some(e.attempts),
    }
}

/// One pass: downloads what the cache lacks, newest first, then keeps it within its limit.
/// `stop` is asked between batches (a sync started): the pass then ends, to go on next time.
pub async fn run_pass(
    store: &Store,
    dir: &Path,
    opts: &CacheOptions,
    stop: &(dyn Fn() -> bool + Send + Sync),
) -> Result<PassReport, StoreError> {
    make_dir(dir)?;
    let pool = store.pool();
    let now = store::now();
    let wanted = rows::wanted(pool).await?;
    let known: std::collections::HashMap<String, Entry> = rows::all(pool)
        .await?
        .into_iter()
        .map(|e| (e.invoice_id.clone(), e))
        .collect();
    let limit = i64::try_from(limit_bytes(store).await?).unwrap_or(i64::MAX);
    let todo: Vec<(Wanted, i64, bool)> = wanted
        .into_iter()
        .filter_map(|w| {
            let known = known.get(&w.invoice_id);
            let had_file = known.is_some_and(|e| e.state == "cached");
            needs(&w, known, dir, now).map(|attempts| (w, attempts, had_file))
        })
        .collect();
    let mut report = PassReport::default();
    let pacer = Arc::new(Pacer::new(opts.per_second));
    for batch in todo.chunks(opts.concurrency.max(1)) {
        if stop() {
            report.interrupted = true;
            break;
        }
        // Full, and this batch is older than everything kept: the rest would be evicted at once.
        let cached = rows::cached_oldest_first(pool).await?;
        let total: i64 = cached.iter().map(|e| e.bytes).sum();
        if total >= limit
            && cached
                .first()
                .is_some_and(|oldest| batch[0].0.created < oldest.created)
        {
            break;
        }
        let downloads = batch.iter().map(|(w, _, _)| {
            let pacer = pacer.clone();
            let dest = dir.join(file_name(&w.invoice_id));
            async move {
                pacer.wait().await;
                let got =
                    invoice_pdf::download_to(&w.url, opts.files_base.as_deref(), &dest, true).await;
                (dest, got)
            }
        });
        let results = futures::future::join_all(downloads).await;
        let now = store::now();
        for ((w, attempts, had_file), (dest, got)) in batch.iter().zip(results) {
            match got {
                Ok(saved) => {
                    let name = file_name(&w.invoice_id);
                    rows::put_cached(pool, w, &name, saved.bytes as i64, now).await?;
                    report.downloaded += 1;
                }
                Err(e) => {
                    let attempts = attempts + 1;
                    let delay = retry_delay(attempts, opts).as_secs() as i64;
                    tracing::info!(invoice = %w.invoice_id, attempts, "invoice PDF not cached: {e}");
                    // A link that changed leaves no stale copy to be opened for the new one.
                    if *had_file {
                        let _ = std::fs::remove_file(&dest);
                    }
                    rows::put_failed(pool, w, attempts, now + delay, &e.to_string(), now).await?;
                    report.failed += 1;
                    if matches!(&e, PdfError::Network(s) if s.is_network()) {
                        report.offline = true;
                    }
                }
            }
        }
        let evicted = evict(store, dir, limit).await?;
        report.evicted += evicted.len() as u32;
        if report.offline
            || batch
                .iter()
                .any(|(w, _, _)| evicted.contains(&w.invoice_id))
        {
            break;
        }
    }
    // A limit lowered since the last pass applies even when nothing was downloaded.
    report.evicted += evict(store, dir, limit).await?.len() as u32;
    report.next_retry_at =
        sqlx::query_scalar("SELECT MIN(next_attempt_at) FROM pdf_cache WHERE state = 'failed'")
            .fetch_one(pool)
            .await
            .map_err(StoreError::from)?;
    Ok(report)
}

/// Removes the oldest invoices' files until the cache is within `limit` bytes; their ids.
async fn evict(store: &Store, dir: &Path, limit: i64) -> Result<Vec<String>, StoreError> {
    let cached = rows::cached_oldest_first(store.pool()).await?;
    let mut total: i64 = cached.iter().map(|e| e.bytes).sum();
    let mut evicted = Vec::new();
    for e in cached {
        if total <= limit {
            break;
        }
        if let Some(path) = path_of(dir, &e) {
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                Err(err) => {
                    tracing::warn!(invoice = %e.invoice_id, "cached PDF not removed: {err}");
                    continue;
                }
            }
        }
        rows::mark_evicted(store.pool(), &e.invoice_id, store::now()).await?;
        total -= e.bytes;
        evicted.push(e.invoice_id);
    }
    Ok(evicted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_never_leave_the_folder() {
        assert_eq!(file_name("in_1AbC"), "in_1AbC.pdf");
        for hostile in [
            "../../etc/passwd",
            "..",
            "",
            "/abs/path",
            "a\\b",
            "in_1\0x",
            "C:evil",
            ".hidden",
            "é",
            &"x".repeat(500),
        ] {
            let name = file_name(hostile);
            assert!(
                !name.contains('/') && !name.contains('\\'),
                "{hostile}: {name}"
            );
            assert!(!name.starts_with('.'), "{hostile}: {name}");
            assert!(
                name.ends_with(".pdf") && name.len() < 100,
                "{hostile}: {name}"
            );
            let joined = Path::new("/cache").join(&name);
            assert_eq!(joined.parent(), Some(Path::new("/cache")), "{hostile}");
        }
        assert_ne!(
            file_name("a/b"),
            file_name("a_b"),
            "no two ids share a file"
        );
        assert_ne!(file_name("a/b"), file_name("a\\b"));
    }

    #[test]
    fn retries_back_off_up_to_a_ceiling() {
        let o = CacheOptions::default();
        assert_eq!(retry_delay(1, &o), Duration::from_secs(60));
        assert_eq!(retry_delay(2, &o), Duration::from_secs(120));
        assert_eq!(retry_delay(4, &o), Duration::from_secs(480));
        assert_eq!(retry_delay(40, &o), Duration::from_secs(6 * 3600));
    }
}
