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
            concurrency: 4,
            per_second: 10.0,
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

/// What Settings shows of the cache of the store on screen.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct PdfCacheStatus {
    /// The invoice PDFs kept.
    pub files: u32,
    /// The bytes they take.
    #[ts(type = "number")]
    pub bytes: u64,
    /// The size limit, in MB (1,000,000 bytes); 0 keeps none.
    pub limit_mb: u32,
    /// The demo store: its PDFs are samples made on this computer.
    pub demo: bool,
}

/// The cache's folder in `data_dir`.
pub fn cache_dir(data_dir: &Path) -> PathBuf {
    data_dir.join(DIR_NAME)
}

/// The cache folder of the store whose database is `store_path`: `pdf-cache/<its file stem>/`
/// (`demo`, `stripe-acct_…-test`), so that each store keeps its own files.
pub fn store_dir(data_dir: &Path, store_path: &Path) -> PathBuf {
    let stem = store_path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let clean: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let clean = if clean.is_empty() {
        "store".to_owned()
    } else {
        clean
    };
    cache_dir(data_dir).join(clean)
}

/// Makes the demo store's sample PDF of one invoice in the cache now (opening one a pass has
/// not made yet) and records it.
pub async fn make_sample(
    store: &Store,
    dir: &Path,
    wanted: &Wanted,
    opts: &CacheOptions,
) -> Result<PathBuf, StoreError> {
    make_dir(dir)?;
    let name = file_name(&wanted.invoice_id);
    let dest = dir.join(&name);
    let bytes = obtain(store, wanted, Origin::Samples, &dest, opts)
        .await
        .map_err(|e| StoreError::DataDir {
            path: dir.to_owned(),
            source: std::io::Error::other(e.to_string()),
        })?;
    rows::put_cached(store.pool(), wanted, &name, bytes as i64, store::now()).await?;
    Ok(dest)
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

/// The cached copy of this invoice's PDF, if it is in the cache, its file is there, and it was
/// downloaded from the invoice's current link. `version_current` says whether the invoice has
/// not changed since (a voided or paid invoice keeps its link): `false` when it has.
pub async fn cached_file(
    store: &Store,
    dir: &Path,
    invoice_id: &str,
) -> Result<Option<(PathBuf, bool)>, StoreError> {
    let Some(entry) = rows::entry_of(store.pool(), invoice_id).await? else {
        return Ok(None);
    };
    if entry.state != "cached" {
        return Ok(None);
    }
    let Some(path) = path_of(dir, &entry).filter(|p| p.is_file()) else {
        return Ok(None);
    };
    let current = rows::wanted_one(store.pool(), invoice_id)
        .await?
        .is_some_and(|w| w.url == entry.url && w.version == entry.version);
    Ok(Some((path, current)))
}

/// Where `entry`'s file is: always the name [`file_name`] gives, inside `dir`.
fn path_of(dir: &Path, entry: &Entry) -> Option<PathBuf> {
    let name = file_name(&entry.invoice_id);
    (entry.file.as_deref() == Some(name.as_str())).then(|| dir.join(name))
}

fn make_dir(dir: &Path) -> Result<(), StoreError> {
    if let Some(parent) = dir.parent() {
        private_fs::private_dir(parent).map_err(|source| StoreError::DataDir {
            path: parent.to_owned(),
            source,
        })?;
    }
    private_fs::private_dir(dir).map_err(|source| StoreError::DataDir {
        path: dir.to_owned(),
        source,
    })
}

/// What the cache holds: the files, their bytes, and the limit.
pub async fn usage(store: &Store) -> Result<(i64, i64, u64), StoreError> {
    let (files, bytes) = rows::usage(store.pool()).await?;
    Ok((files, bytes, limit_bytes(store).await?))
}

/// Removes every cached file and what the cache knew ("Clear" in Settings): the next pass
/// downloads the newest again, up to the limit. Only the cache's own files are removed: the
/// names [`file_name`] gives and the temporary files of a download, nothing else in `dir`.
pub async fn clear(store: &Store, dir: &Path) -> Result<(), StoreError> {
    rows::clear(store.pool()).await?;
    let Ok(read) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for e in read.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let ours = name.ends_with(".pdf") || (name.starts_with('.') && name.ends_with(".part"));
        if ours && e.file_type().is_ok_and(|t| t.is_file()) {
            if let Err(err) = std::fs::remove_file(e.path()) {
                tracing::warn!("cached PDF {name} not removed: {err}");
            }
        }
    }
    Ok(())
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

/// Whether `w` needs downloading, given what the cache knows of it: `Some(failures so far)`.
/// A new link or a changed invoice (number, status, amounts) downloads it again.
fn needs(w: &Wanted, known: Option<&Entry>, dir: &Path, now: i64) -> Option<i64> {
    let Some(e) = known.filter(|e| e.url == w.url && e.version == w.version) else {
        return Some(0);
    };
    match e.state.as_str() {
        "cached" if path_of(dir, e).is_some_and(|p| p.is_file()) => None,
        "cached" | "evicted" => Some(0),
        _ if e.next_attempt_at.is_some_and(|at| at > now) => None,
        _ => Some(e.attempts),
    }
}

/// Where a pass gets the PDFs from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Stripe's file hosts (or the simulator through `files_base`, tests only).
    Stripe,
    /// Generated on this computer: the demo store's sample invoices (its links lead nowhere).
    Samples,
}

/// One PDF, fetched or made.
async fn obtain(
    store: &Store,
    w: &Wanted,
    origin: Origin,
    dest: &Path,
    opts: &CacheOptions,
) -> Result<u64, PdfError> {
    match origin {
        Origin::Stripe => invoice_pdf::download_to(&w.url, opts.files_base.as_deref(), dest, true)
            .await
            .map(|s| s.bytes),
        Origin::Samples => {
            let facts = rows::sample_facts(store.pool(), &w.invoice_id)
                .await
                .map_err(|e| PdfError::Client(e.to_string()))?;
            let bytes = sample_pdf(&w.invoice_id, w.created, facts);
            invoice_pdf::write_atomically(dest, &bytes, true)?;
            Ok(bytes.len() as u64)
        }
    }
}

/// One pass: downloads what the cache lacks, newest first, then keeps it within its limit.
/// `stop` is asked before each batch (a sync started): the pass then ends, to go on next time.
pub async fn run_pass(
    store: &Store,
    dir: &Path,
    origin: Origin,
    opts: &CacheOptions,
    stop: &(dyn Fn() -> bool + Send + Sync),
) -> Result<PassReport, StoreError> {
    make_dir(dir)?;
    let pool = store.pool();
    let now = store::now();
    let limit = i64::try_from(limit_bytes(store).await?).unwrap_or(i64::MAX);
    let mut report = PassReport::default();
    let wanted = if limit == 0 {
        Vec::new()
    } else {
        rows::wanted(pool).await?
    };
    let known: std::collections::HashMap<String, Entry> = rows::all(pool)
        .await?
        .into_iter()
        .map(|e| (e.invoice_id.clone(), e))
        .collect();
    let todo: Vec<(Wanted, i64, Option<Entry>)> = wanted
        .into_iter()
        .filter_map(|w| {
            let known = known.get(&w.invoice_id);
            needs(&w, known, dir, now).map(|attempts| (w, attempts, known.cloned()))
        })
        .collect();
    let pacer = Arc::new(Pacer::new(opts.per_second));
    'batches: for batch in todo.chunks(opts.concurrency.max(1)) {
        if stop() {
            report.interrupted = true;
            break;
        }
        // Full, and this batch is older than everything kept: the rest would be evicted at
        // once. An invoice evicted earlier comes back only if it fits.
        let cached = rows::cached_oldest_first(pool).await?;
        let total: i64 = cached.iter().map(|e| e.bytes).sum();
        let oldest_kept = cached.first().map(|e| e.created);
        let older = |w: &Wanted| oldest_kept.is_some_and(|c| w.created < c);
        if total >= limit && older(&batch[0].0) {
            break;
        }
        let batch: Vec<_> = batch
            .iter()
            .filter(|(w, _, e)| {
                let evicted = e
                    .as_ref()
                    .filter(|e| e.state == "evicted" && e.url == w.url);
                !evicted.is_some_and(|e| older(w) && total + e.bytes > limit)
            })
            .collect();
        if batch.is_empty() {
            continue;
        }
        let downloads = batch.iter().map(|(w, _, _)| {
            let pacer = pacer.clone();
            let dest = dir.join(file_name(&w.invoice_id));
            async move {
                if origin == Origin::Stripe {
                    pacer.wait().await;
                }
                let got = obtain(store, w, origin, &dest, opts).await;
                (dest, got)
            }
        });
        let results = futures::future::join_all(downloads).await;
        let now = store::now();
        for ((w, attempts, known), (dest, got)) in batch.iter().zip(results) {
            match got {
                Ok(bytes) => {
                    let name = file_name(&w.invoice_id);
                    rows::put_cached(pool, w, &name, bytes as i64, now).await?;
                    report.downloaded += 1;
                }
                Err(e) => {
                    // No network says nothing of this PDF: it is tried again a minute after,
                    // without growing its delay (the pass stops; Stripe's return wakes it).
                    let network = matches!(&e, PdfError::Network(s) if s.is_network());
                    let (attempts, delay) = if network {
                        (*attempts, opts.retry_base)
                    } else {
                        (attempts + 1, retry_delay(attempts + 1, opts))
                    };
                    let delay = delay.as_secs() as i64;
                    tracing::info!(invoice = %w.invoice_id, attempts, "invoice PDF not cached: {e}");
                    // A copy of an earlier link or version is not kept to be opened for this one.
                    if known.as_ref().is_some_and(|k| k.state == "cached") {
                        let _ = std::fs::remove_file(&dest);
                    }
                    rows::put_failed(pool, w, attempts, now + delay, &e.to_string(), now).await?;
                    report.failed += 1;
                    report.offline |= network;
                }
            }
        }
        let evicted = evict(store, dir, limit).await?;
        report.evicted += evicted.len() as u32;
        if report.offline {
            break 'batches;
        }
        if batch
            .iter()
            .any(|(w, _, _)| evicted.contains(&w.invoice_id))
        {
            break;
        }
    }
    // A limit lowered since the last pass applies even when nothing was downloaded.
    report.evicted += evict(store, dir, limit).await?.len() as u32;
    report.next_retry_at = rows::next_retry_at(pool).await?;
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

/// The demo store's sample invoice PDF: a one-page A4 document that says it is a sample, with
/// the invoice's number, date, customer and total. Text outside Latin-1 shows as `?`.
pub fn sample_pdf(
    invoice_id: &str,
    created: i64,
    facts: Option<(String, Option<String>, String, i64)>,
) -> Vec<u8> {
    let date = time::OffsetDateTime::from_unix_timestamp(created)
        .ok()
        .and_then(|d| {
            d.format(time::macros::format_description!("[year]-[month]-[day]"))
                .ok()
        })
        .unwrap_or_default();
    let mut lines = vec![
        (20, "Comptoir - demo store".to_owned()),
        (
            12,
            "Sample invoice, generated on this computer / Facture d'exemple".to_owned(),
        ),
    ];
    match facts {
        Some((number, customer, currency, total)) => {
            lines.push((16, format!("Invoice / Facture {number}")));
            lines.push((12, format!("Date: {date}")));
            if let Some(c) = customer.filter(|c| !c.trim().is_empty()) {
                lines.push((12, format!("Customer / Client: {c}")));
            }
            lines.push((
                12,
                format!(
                    "Total: {}",
                    crate::money::with_code(total, &currency, crate::lang::Lang::En)
                ),
            ));
        }
        None => lines.push((16, format!("Invoice {invoice_id}"))),
    }
    text_pdf(&lines)
}

/// A one-page A4 PDF 1.4 document with these lines of Helvetica (size, text), top to bottom,
/// with a correct cross-reference table. The demo's sample invoices use it, and so does the
/// Stripe simulator's file host.
pub fn text_pdf(lines: &[(u32, String)]) -> Vec<u8> {
    let mut stream = String::from("BT\n");
    let mut y = 780;
    for (size, text) in lines {
        let escaped: String = text
            .chars()
            .map(|c| match c {
                '(' | ')' | '\\' => format!("\\{c}"),
                ' '..='~' => c.to_string(),
                '\u{a0}'..='\u{ff}' => format!("\\{:03o}", c as u32),
                _ => "?".to_owned(),
            })
            .collect();
        stream.push_str(&format!("/F1 {size} Tf 1 0 0 1 60 {y} Tm ({escaped}) Tj\n"));
        y -= size + 14;
    }
    stream.push_str("ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_owned(),
    ];
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{o}\nendobj\n", i + 1));
    }
    let xref = out.len();
    out.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for off in offsets {
        out.push_str(&format!("{off:010} 00000 n \n"));
    }
    out.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    out.into_bytes()
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
