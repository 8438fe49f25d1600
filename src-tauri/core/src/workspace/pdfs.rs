//! Invoice PDFs kept on this computer (README: Architecture, Offline invoice PDFs): the
//! background pass after each sync, its worker, what opening an invoice PDF opens, and the
//! cache's use, limit and clearing for Settings.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use super::{Current, Result, Workspace, WorkspaceError};
use crate::model::DataSource;
use crate::pdf_cache::{self, CacheOptions, Origin, PassReport, PdfCacheStatus};
use crate::problem::Problem;
use crate::store::{self, pdf_cache as rows};
use crate::stripe::links;

/// What opening an invoice PDF opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PdfToOpen {
    /// The copy in the offline cache, for the system's PDF viewer.
    File(PathBuf),
    /// Stripe's link (checked against the allow-list), for the browser.
    Link(String),
}

/// The largest size limit Settings accept: 100 GB, in MB.
pub const MAX_LIMIT_MB: u32 = 100_000;

impl Workspace {
    /// The offline cache's folder of the store on screen: `pdf-cache/<store>/` in the data
    /// folder (the demo store and each account keep their own).
    pub async fn pdf_cache_dir(&self) -> PathBuf {
        let cur = self.current().await;
        self.pdf_dir_of(&cur)
    }

    fn pdf_dir_of(&self, cur: &Current) -> PathBuf {
        pdf_cache::store_dir(&self.config.data_dir, cur.store.path())
    }

    /// How the cache downloads; `COMPTOIR_STRIPE_FILES_BASE` in tests.
    fn pdf_options(&self) -> CacheOptions {
        CacheOptions {
            files_base: crate::invoice_pdf::files_base_from_env(),
            ..CacheOptions::default()
        }
    }

    /// Wakes the cache's worker (after a sync that brought something).
    pub fn pdf_wakeup(&self) -> Arc<Notify> {
        self.pdf_wakeup.clone()
    }

    /// Where the PDFs of the store on screen come from: Stripe with an account connected, the
    /// computer itself in the demo store, nowhere otherwise.
    fn pdf_origin(cur: &Current) -> Option<Origin> {
        match cur.source {
            DataSource::Demo => Some(Origin::Samples),
            DataSource::Stripe if cur.client.is_some() => Some(Origin::Stripe),
            _ => None,
        }
    }

    /// One pass of the offline PDF cache over the store on screen: `None` when it has no
    /// PDFs to get, and while a sync runs (the pass leaves it the network, and stops between
    /// batches when one starts).
    pub async fn cache_invoice_pdfs(&self) -> Result<Option<PassReport>> {
        self.cache_invoice_pdfs_with(&self.pdf_options()).await
    }

    /// [`Workspace::cache_invoice_pdfs`] with the given options (tests: the simulator's base).
    pub async fn cache_invoice_pdfs_with(&self, opts: &CacheOptions) -> Result<Option<PassReport>> {
        let _pass = self.pdf_pass.lock().await;
        self.pdf_stop.store(false, Ordering::SeqCst);
        let cur = self.current().await;
        let Some(origin) = Self::pdf_origin(&cur) else {
            return Ok(None);
        };
        if origin == Origin::Stripe && self.sync_running() {
            return Ok(None);
        }
        let stop = || {
            self.pdf_stop.load(Ordering::SeqCst)
                || (origin == Origin::Stripe && self.sync_running())
        };
        let dir = self.pdf_dir_of(&cur);
        let report = pdf_cache::run_pass(&cur.store, &dir, origin, opts, &stop).await?;
        Ok(Some(report))
    }

    /// Whether a sync (the merchant's or the background one) holds the lock now.
    fn sync_running(&self) -> bool {
        self.sync_lock.try_lock().is_err()
    }

    /// The worker: a pass at start, after each sync that brought something (woken by
    /// [`Workspace::pdf_wakeup`]), and when a failed download is due again. Runs until the app
    /// ends; a failed pass is logged and never stops anything else.
    pub async fn run_pdf_worker(self: Arc<Self>) {
        let wakeup = self.pdf_wakeup();
        let mut due = true;
        let mut retry_at: Option<i64> = None;
        loop {
            if !due {
                let woken = tokio::time::timeout(Duration::from_secs(30), wakeup.notified())
                    .await
                    .is_ok();
                due = woken || retry_at.is_some_and(|at| at <= store::now());
                if !due {
                    continue;
                }
            }
            due = false;
            match self.cache_invoice_pdfs().await {
                Ok(Some(report)) => {
                    if report.downloaded + report.failed + report.evicted > 0 {
                        tracing::info!(?report, "offline PDF cache pass");
                    }
                    retry_at = report.next_retry_at;
                    // Stopped for a sync (a background one every few seconds): go on once it
                    // is over, whatever it brought.
                    due = report.interrupted;
                }
                // A sync runs: the pass waits for it.
                Ok(None) => due = self.sync_running(),
                Err(e) => tracing::warn!("offline PDF cache pass failed: {e}"),
            }
            if due {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }

    /// What opening an invoice's PDF opens ("Customer invoice", a subscription invoice's PDF
    /// icon), by the invoice's id: its cached copy when there is one; else, online, Stripe's
    /// link as before; else (the background sync finds Stripe unreachable)
    /// [`Problem::PdfNotDownloaded`]. Nothing is downloaded here: the background pass does
    /// that. The demo store makes its sample on the spot.
    pub async fn open_invoice_pdf(&self, invoice_id: &str) -> Result<PdfToOpen> {
        let cur = self.current().await;
        let Some(wanted) = rows::wanted_one(cur.store.pool(), invoice_id).await? else {
            return Err(WorkspaceError::Refused(Problem::NoInvoicePdf));
        };
        let link = links::external(&wanted.url)
            .map_err(|_| WorkspaceError::Refused(Problem::PdfLinkRefused))?;
        let dir = self.pdf_dir_of(&cur);
        let offline = cur.source == DataSource::Stripe && self.background.offline();
        match pdf_cache::cached_file(&cur.store, &dir, invoice_id).await? {
            // The copy of the invoice as it is now; offline, the last one downloaded.
            Some((path, current)) if current || offline => return Ok(PdfToOpen::File(path)),
            _ => {}
        }
        match Self::pdf_origin(&cur) {
            Some(Origin::Samples) => {
                let opts = self.pdf_options();
                let path = pdf_cache::make_sample(&cur.store, &dir, &wanted, &opts).await?;
                Ok(PdfToOpen::File(path))
            }
            _ if offline => Err(WorkspaceError::Refused(Problem::PdfNotDownloaded)),
            _ => Ok(PdfToOpen::Link(link)),
        }
    }

    /// The cached copy of this invoice's PDF as it is now, if there is one ("Save PDF…").
    pub async fn cached_invoice_pdf(&self, invoice_id: &str) -> Result<Option<PathBuf>> {
        let cur = self.current().await;
        let dir = self.pdf_dir_of(&cur);
        Ok(pdf_cache::cached_file(&cur.store, &dir, invoice_id)
            .await?
            .filter(|(_, current)| *current)
            .map(|(path, _)| path))
    }

    /// What Settings shows of the cache: its files, their size and the limit.
    pub async fn pdf_cache_status(&self) -> Result<PdfCacheStatus> {
        let cur = self.current().await;
        let (files, bytes, limit) = pdf_cache::usage(&cur.store).await?;
        Ok(PdfCacheStatus {
            files: files as u32,
            bytes: bytes.max(0) as u64,
            limit_mb: u32::try_from(limit / 1_000_000).unwrap_or(MAX_LIMIT_MB),
            demo: cur.source == DataSource::Demo,
        })
    }

    /// Sets the cache's size limit (0 keeps no PDFs, at most [`MAX_LIMIT_MB`]); a lower one
    /// applies at once.
    pub async fn set_pdf_cache_limit(&self, megabytes: u32) -> Result<PdfCacheStatus> {
        if megabytes > MAX_LIMIT_MB {
            return Err(WorkspaceError::Refused(Problem::PdfCacheLimit {
                max: MAX_LIMIT_MB,
            }));
        }
        {
            let cur = self.current().await;
            pdf_cache::set_limit_bytes(&cur.store, u64::from(megabytes) * 1_000_000).await?;
        }
        self.pdf_wakeup.notify_one();
        self.pdf_cache_status().await
    }

    /// Removes every cached PDF of the store on screen; the next pass downloads the newest
    /// again, up to the limit. A pass under way stops first.
    pub async fn clear_pdf_cache(&self) -> Result<PdfCacheStatus> {
        self.pdf_stop.store(true, Ordering::SeqCst);
        {
            let _pass = self.pdf_pass.lock().await;
            let cur = self.current().await;
            pdf_cache::clear(&cur.store, &self.pdf_dir_of(&cur)).await?;
        }
        self.pdf_cache_status().await
    }
}
