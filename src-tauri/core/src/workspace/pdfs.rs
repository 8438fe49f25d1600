//! Invoice PDFs kept on this computer (README: Architecture, Offline invoice PDFs): the
//! background pass after each sync, its worker, and what opening an invoice PDF opens.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use super::{Result, Workspace, WorkspaceError};
use crate::pdf_cache::{self, CacheOptions, PassReport};
use crate::problem::Problem;
use crate::store;

/// What opening an invoice PDF opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PdfToOpen {
    /// The copy in the offline cache, for the system's PDF viewer.
    File(PathBuf),
    /// The link as the window gave it, for the browser.
    Link(String),
}

impl Workspace {
    /// The offline cache's folder: `pdf-cache/` in the data folder.
    pub fn pdf_cache_dir(&self) -> PathBuf {
        pdf_cache::cache_dir(&self.config.data_dir)
    }

    /// How the cache downloads; `COMPTOIR_STRIPE_FILES_BASE` in tests.
    fn pdf_options(&self) -> CacheOptions {
        CacheOptions {
            files_base: crate::invoice_pdf::files_base_from_env(),
            ..CacheOptions::default()
        }
    }

    /// Wakes the cache's worker (after a sync).
    pub fn pdf_wakeup(&self) -> Arc<Notify> {
        self.pdf_wakeup.clone()
    }

    /// One pass of the offline PDF cache over the store on screen: `None` in the demo store
    /// (its links lead nowhere) and while a sync runs (the pass leaves it the network, and stops
    /// between batches when one starts).
    pub async fn cache_invoice_pdfs(&self) -> Result<Option<PassReport>> {
        self.cache_invoice_pdfs_with(&self.pdf_options()).await
    }

    /// [`Workspace::cache_invoice_pdfs`] with the given options (tests: the simulator's base).
    pub async fn cache_invoice_pdfs_with(&self, opts: &CacheOptions) -> Result<Option<PassReport>> {
        let cur = self.current().await;
        if cur.client.is_none() || self.sync_running() {
            return Ok(None);
        }
        let stop = || self.sync_running();
        let report = pdf_cache::run_pass(&cur.store, &self.pdf_cache_dir(), opts, &stop).await?;
        Ok(Some(report))
    }

    /// Whether a sync holds the lock now.
    fn sync_running(&self) -> bool {
        self.sync_lock.try_lock().is_err()
    }

    /// The worker: a pass after each sync (woken by [`Workspace::pdf_wakeup`], or seeing a new
    /// sync time within 30 s), and when a failed download is due again. Runs until the app ends;
    /// a failed pass is logged and never stops anything else.
    pub async fn run_pdf_worker(self: Arc<Self>) {
        let wakeup = self.pdf_wakeup();
        let mut seen_sync: Option<i64> = None;
        let mut retry_at: Option<i64> = None;
        loop {
            let _ = tokio::time::timeout(Duration::from_secs(30), wakeup.notified()).await;
            let synced = match self.current().await.store.pool().acquire().await {
                Ok(mut conn) => store::settings::last_synced_at(&mut *conn)
                    .await
                    .ok()
                    .flatten(),
                Err(_) => None,
            };
            let due = (synced.is_some() && synced != seen_sync)
                || retry_at.is_some_and(|at| at <= store::now());
            if !due {
                continue;
            }
            match self.cache_invoice_pdfs().await {
                Ok(Some(report)) => {
                    if report.downloaded + report.failed + report.evicted > 0 {
                        tracing::info!(?report, "offline PDF cache pass");
                    }
                    // Stopped for a sync: the next wake-up goes on.
                    if !report.interrupted {
                        seen_sync = synced;
                    }
                    retry_at = report.next_retry_at;
                }
                Ok(None) => {}
                Err(e) => tracing::warn!("offline PDF cache pass failed: {e}"),
            }
        }
    }

    /// What opening this link opens: for an invoice PDF of the store, its cached copy; one not
    /// cached yet is downloaded into the cache first, and when Stripe cannot be reached that is
    /// [`Problem::PdfNotDownloaded`]. Any other link, or a PDF that cannot be fetched for
    /// another reason, opens in the browser as before.
    pub async fn invoice_pdf_to_open(&self, url: &str) -> Result<PdfToOpen> {
        let cur = self.current().await;
        let dir = self.pdf_cache_dir();
        if let Some(path) = pdf_cache::cached_file(&cur.store, &dir, url).await? {
            return Ok(PdfToOpen::File(path));
        }
        let wanted = store::pdf_cache::wanted_by_url(cur.store.pool(), url).await?;
        let Some(wanted) = wanted.filter(|_| cur.client.is_some()) else {
            return Ok(PdfToOpen::Link(url.to_owned()));
        };
        match pdf_cache::fetch_now(&cur.store, &dir, &wanted, &self.pdf_options()).await? {
            Ok(path) => Ok(PdfToOpen::File(path)),
            Err(crate::invoice_pdf::PdfError::Network(e)) if e.is_network() => {
                Err(WorkspaceError::Refused(Problem::PdfNotDownloaded))
            }
            Err(e) => {
                tracing::info!(invoice = %wanted.invoice_id, "PDF not cached, opening the link: {e}");
                Ok(PdfToOpen::Link(url.to_owned()))
            }
        }
    }

    /// The cached copy of the invoice PDF at `url`, if there is one.
    pub async fn cached_invoice_pdf(&self, url: &str) -> Result<Option<PathBuf>> {
        let cur = self.current().await;
        Ok(pdf_cache::cached_file(&cur.store, &self.pdf_cache_dir(), url).await?)
    }
}
