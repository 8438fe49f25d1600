//! The background sync (README: Background sync): while the app is open and an account is
//! connected, an incremental sync every few seconds (Settings, 15 s unless changed), so that
//! what another station did shows within 30 s. It is quiet: it reports no progress, and the
//! status does not count it as a running sync, so the window's progress bar stays hidden; the
//! window hears of it through [`BackgroundSync`] (the `background-sync` event) and reloads its
//! lists only when something came.
//!
//! A tick is skipped while another sync runs, in the demo store, and until the first full sync
//! is complete (the window runs or resumes that one, with its progress bar). After a failure
//! the next tick waits longer (twice the interval per failure in a row, at most 5 minutes), so
//! an offline station does not hammer the network; the app keeps working from its cache.
//! Each loop also makes the day's copy of the database (README: Local safety net).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::{Result, Workspace, WorkspaceError};
use crate::model::{BackgroundSync, DataSource, SYNC_INTERVAL_DEFAULT_SECS};
use crate::store::{self, StoreError};
use crate::stripe::StripeError;

/// The longest wait after failures in a row.
pub const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// What the background sync shares with the rest of the workspace.
#[derive(Default)]
pub(super) struct State {
    /// A background pass holds the sync lock now: the status does not call it a running sync,
    /// and a sync the merchant starts waits for it rather than being refused.
    running: AtomicBool,
    /// The last pass could not reach Stripe.
    offline: AtomicBool,
}

impl State {
    pub(super) fn running(&self) -> bool {
        self.running.load(Ordering::SeqCst)
    }

    pub(super) fn offline(&self) -> bool {
        self.offline.load(Ordering::SeqCst)
    }
}

/// A background pass's hold on the sync lock. When the pass ends, however it ends, the lock is
/// released first and `running` cleared after, so the status never sees the lock held by a pass
/// it does not know of.
struct Running<'a> {
    guard: Option<tokio::sync::MutexGuard<'a, ()>>,
    flag: &'a AtomicBool,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        drop(self.guard.take());
        self.flag.store(false, Ordering::SeqCst);
    }
}

/// How long to wait before the next pass, after `failures` failed passes in a row.
pub fn next_delay(interval: Duration, failures: u32) -> Duration {
    let factor = 1u32 << failures.min(10);
    interval
        .saturating_mul(factor)
        .min(MAX_BACKOFF.max(interval))
}

/// Whether a failed pass means Stripe could not be reached.
fn is_offline(e: &WorkspaceError) -> bool {
    matches!(e, WorkspaceError::Stripe(StripeError::Network(_)))
}

impl Workspace {
    /// The interval Settings give the background sync.
    pub async fn sync_interval(&self) -> Duration {
        let secs = match self.settings().await {
            Ok(s) => s.sync_interval_secs,
            Err(_) => SYNC_INTERVAL_DEFAULT_SECS,
        };
        Duration::from_secs(secs.into())
    }

    /// One background pass: an incremental sync of the connected account, unless a sync runs
    /// already, the demo store is on screen, or the first full sync is not complete (`None`).
    pub async fn background_sync(&self) -> Result<Option<BackgroundSync>> {
        let Ok(guard) = self.sync_lock.try_lock() else {
            return Ok(None);
        };
        // Said at once, before any await: the status never sees this pass as a running sync.
        self.background.running.store(true, Ordering::SeqCst);
        let _running = Running {
            guard: Some(guard),
            flag: &self.background.running,
        };
        let cur = self.current().await;
        let Some(client) = cur.client.as_ref() else {
            return Ok(None);
        };
        if cur.source != DataSource::Stripe {
            return Ok(None);
        }
        let full_done = {
            let mut conn = cur.store.pool().acquire().await.map_err(StoreError::from)?;
            store::cursors::get(&mut *conn, "full")
                .await?
                .is_some_and(|c| c.complete)
        };
        if !full_done {
            return Ok(None);
        }
        let quiet: crate::sync::ProgressFn = Arc::new(|_| {});
        let outcome = crate::sync::sync(&cur.store, client, &self.config.sync_options, quiet).await;
        let report = match outcome {
            Ok(report) => report,
            Err(e) => {
                let e = WorkspaceError::from(e);
                self.background
                    .offline
                    .store(is_offline(&e), Ordering::SeqCst);
                return Err(e);
            }
        };
        let was_offline = self.background.offline.swap(false, Ordering::SeqCst);
        if was_offline {
            // Stripe answers again: fulfilment writes that waited for the network go now, in
            // order, as after a sync the merchant starts (README: Stations).
            store::stripe_writes::due_now(cur.store.pool(), store::now()).await?;
            self.write_wakeup.notify_one();
        }
        let changed = report.full
            || report.events > 0
            || report.orders + report.customers + report.subscriptions + report.invoices > 0;
        if changed || was_offline {
            // New or changed invoices, or the network back: the offline PDF cache's turn.
            self.pdf_wakeup.notify_one();
        }
        Ok(Some(BackgroundSync {
            last_synced_at: store::settings::last_synced_at(cur.store.pool()).await?,
            offline: false,
            changed,
        }))
    }

    /// The background loop, until the app ends: a pass, then the interval (`every`, else the
    /// Settings' one, read again each time), longer after failures. `on_pass` hears of each pass
    /// that ran or failed (the app emits it to the window). The app spawns it once (lib.rs).
    pub async fn run_background(
        self: Arc<Self>,
        every: Option<Duration>,
        on_pass: impl Fn(&BackgroundSync) + Send + Sync + 'static,
    ) {
        let mut failures: u32 = 0;
        loop {
            store::backup::daily_if_due(&self.store().await).await;
            match self.background_sync().await {
                Ok(Some(pass)) => {
                    failures = 0;
                    if pass.changed {
                        tracing::info!("background sync brought changes");
                    }
                    on_pass(&pass);
                }
                Ok(None) => failures = 0,
                Err(e) => {
                    failures = failures.saturating_add(1);
                    tracing::warn!(failures, "background sync failed: {e}");
                    let last_synced_at = store::settings::last_synced_at(self.store().await.pool())
                        .await
                        .ok()
                        .flatten();
                    on_pass(&BackgroundSync {
                        last_synced_at,
                        offline: is_offline(&e),
                        changed: false,
                    });
                }
            }
            let interval = match every {
                Some(every) => every,
                None => self.sync_interval().await,
            };
            tokio::time::sleep(next_delay(interval, failures)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_in_a_row_back_off_up_to_five_minutes() {
        let s = Duration::from_secs;
        assert_eq!(next_delay(s(15), 0), s(15));
        assert_eq!(next_delay(s(15), 1), s(30));
        assert_eq!(next_delay(s(15), 3), s(120));
        assert_eq!(next_delay(s(15), 5), s(300));
        assert_eq!(next_delay(s(15), 40), s(300), "capped, no overflow");
        assert_eq!(next_delay(s(5), 0), s(5));
    }
}
