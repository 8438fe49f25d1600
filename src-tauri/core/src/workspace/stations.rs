//! Sharing fulfilment state with the other stations through Stripe (README: Stations): the
//! check before an action, the write queue's worker, and what the window shows of it.

use std::sync::Arc;

use super::{Result, Workspace, WorkspaceError};
use crate::model::SharingStatus;
use crate::sharing::{self, PushOptions, PushReport};
use crate::store::{self, StoreError};

impl Workspace {
    /// Before an action on an order: another station's newer state is applied here first, and
    /// an order it already shipped or handed over is refused ("Already sent by …"). Offline,
    /// the action goes ahead; its write waits in the queue.
    pub(super) async fn check_shared(&self, order_id: &str) -> Result<()> {
        let cur = self.current().await;
        let Some(client) = &cur.client else {
            return Ok(());
        };
        match sharing::check_before_action(&cur.store, client, order_id).await? {
            Some(problem) => Err(WorkspaceError::Refused(problem)),
            None => Ok(()),
        }
    }

    /// Writes the queued fulfilment writes to Stripe, in order; `None` without an account.
    /// Emails released by a write wake the mail worker.
    pub async fn push_writes(&self) -> Result<Option<PushReport>> {
        let _guard = self.push_lock.lock().await;
        let cur = self.current().await;
        let Some(client) = &cur.client else {
            return Ok(None);
        };
        let opts = PushOptions {
            settle: self.config.sync_options.write_settle,
        };
        let report = sharing::push_due(&cur.store, client, opts).await?;
        if report.written + report.skipped > 0 {
            self.mail_wakeup.notify_one();
        }
        Ok(Some(report))
    }

    /// Wakes the write worker (after an action, or when the network is back).
    pub fn write_wakeup(&self) -> Arc<tokio::sync::Notify> {
        self.write_wakeup.clone()
    }

    /// The write worker: a pass at start-up, after every action, and every 15 seconds while
    /// writes wait (offline, Stripe failing). Runs until the app ends.
    pub async fn run_write_worker(self: Arc<Self>) {
        let wakeup = self.write_wakeup();
        loop {
            match self.push_writes().await {
                Ok(Some(r)) if r.written + r.skipped > 0 || !r.conflicts.is_empty() => {
                    tracing::info!(
                        written = r.written,
                        skipped = r.skipped,
                        conflicts = r.conflicts.len(),
                        waiting = r.waiting,
                        "fulfilment writes to Stripe"
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("fulfilment writes to Stripe failed: {e}"),
            }
            let _ =
                tokio::time::timeout(std::time::Duration::from_secs(15), wakeup.notified()).await;
        }
    }

    /// Whether this station shares its fulfilment state, and how many writes wait.
    pub async fn sharing_status(&self) -> Result<SharingStatus> {
        let cur = self.current().await;
        let mut conn = cur.store.pool().acquire().await.map_err(StoreError::from)?;
        let off = match cur.source {
            crate::model::DataSource::Demo => Some(crate::problem::Problem::SharingInDemo),
            crate::model::DataSource::Stripe => sharing::sharing_off(&mut *conn).await?,
        };
        Ok(SharingStatus {
            off,
            waiting: store::stripe_writes::pending_count(&mut *conn).await?,
            conflicts: sharing::recent_conflicts(&mut *conn, store::now()).await?,
        })
    }

    /// "Check again" after the key was given write access: sharing is on again, and the
    /// actions taken while it was off are written to Stripe now (`sharing::catch_up`). A key
    /// that still may not write turns it off again at the first write.
    pub async fn retry_sharing(&self) -> Result<SharingStatus> {
        let cur = self.current().await;
        if cur.source == crate::model::DataSource::Stripe {
            self.resume_sharing(&cur.store).await?;
        }
        self.sharing_status().await
    }

    /// Sharing on again in `store`, the actions taken while it was off queued; wakes the write
    /// worker when there are some.
    pub(super) async fn resume_sharing(&self, store: &store::Store) -> Result<()> {
        let mut tx = store.write().await?;
        let queued = sharing::resume(&mut tx, store::now()).await?;
        tx.commit().await.map_err(StoreError::from)?;
        if queued > 0 {
            tracing::info!(
                queued,
                "sharing is back: actions taken while it was off are queued"
            );
            self.write_wakeup.notify_one();
        }
        Ok(())
    }
}
