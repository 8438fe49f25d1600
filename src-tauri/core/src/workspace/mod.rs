//! The workspace: which data the app shows (the demo store or the merchant's Stripe account),
//! its store and its Stripe client, and the actions of the shell (connect, disconnect, sync).
//! The Tauri commands are thin calls into this.
//!
//! Each source has its own database file in the data folder: `demo.sqlite`, and
//! `stripe-<account>-<mode>.sqlite` per account. The connected account's id, name and mode
//! are kept in `account.json` (nothing secret) so the app opens offline on the right store; the
//! key itself lives only in the OS keychain.
//!
//! One file per concern, each an `impl Workspace` block over the domain modules:
//! - `account`: connect and disconnect a Stripe key, `account.json`;
//! - `orders`: the orders table, the order detail and its links, the invoice PDF, refunds;
//! - `fulfilment`: ship, hand over, undo, retry an email, carriers and tracking links;
//! - `subscriptions`: the subscriptions table and detail, the upcoming charge;
//! - `mail`: SMTP settings, the test email, the mail worker's pass;
//! - `printing`: packing slips;
//! - `export`: CSV exports;
//! - `settings`: the station's settings and shipping rates;
//! - `settings_file`: the station's settings exported to and imported from one file;
//! - `background`: the background sync loop;
//! - `demo`: the built-in demo store;
//! - `stations`: fulfilment state shared with the other stations through Stripe.
//!
//! This file holds what they share: the error, the store on screen, the sync and the actor.

mod account;
mod background;
mod demo;
mod export;
mod fulfilment;
mod mail;
mod orders;
mod packing;
pub mod pdfs;
mod printing;
mod settings;
mod settings_file;
mod stations;
mod subscriptions;

pub use account::validate;
use account::{open_account, read_account_file, write_account_file};
pub use background::{next_delay, MAX_BACKOFF};
use demo::open_demo;
pub use mail::SmtpSettingsView;
pub use orders::order_detail_of;
pub use settings_file::{
    ImportReport, SettingsFile, SettingsPart, SETTINGS_FILE_FORMAT, SETTINGS_FILE_VERSION,
};
pub use subscriptions::BoxShipments;

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::{Mutex, Notify, RwLock};

use crate::carriers::CarrierError;
use crate::fulfilment::{Actor, FulfilmentError};
use crate::mail::MailError;
use crate::model::{AccountInfo, AppStatus, DataSource, SyncReport};
use crate::printing::PrintError;
use crate::problem::Problem;
use crate::secrets::{SecretStore, SecretsError};
use crate::store::{self, Store, StoreError};
use crate::stripe::{StripeClient, StripeError};
use crate::sync::{self, ProgressFn, SyncError, SyncOptions};

/// A failed action of the workspace. `Display` is English, for the logs; the window shows
/// [`WorkspaceError::problem`] in the merchant's language.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error(
        "That is not a Stripe secret key (it starts with rk_test_, rk_live_, sk_test_ or sk_live_)"
    )]
    KeyNotStripe,
    /// Stripe refused the key; Stripe's own words.
    #[error("Stripe refused this key: {0}")]
    KeyRefused(String),
    #[error(transparent)]
    Keychain(#[from] SecretsError),
    #[error(transparent)]
    Stripe(#[from] StripeError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("A sync is already running")]
    Busy,
    /// Refused before anything changed, for the reason the problem gives.
    #[error("refused: {0:?}")]
    Refused(Problem),
    /// An order that is not paid needs the merchant's confirmation first; says why.
    #[error("This order is not paid: {0}. Confirm to go ahead anyway.")]
    PaymentNotSettled(crate::problem::Unsettled),
    /// Orders of the list to print are not paid (how many): printing needs a confirmation.
    #[error("{0} orders of this list are not paid")]
    UnpaidInList(u32),
    /// The API key may not do this (a restricted key without the permission Stripe names).
    #[error("This API key lacks a permission ({}); refund: {refund}", permission.as_deref().unwrap_or("unnamed"))]
    NotPermitted {
        permission: Option<String>,
        refund: bool,
    },
    /// A restricted key that may not read its Account: Stripe did not say which one it is.
    #[error("Stripe did not say which account this restricted key belongs to (give it rak_account_read)")]
    AccountUnknown,
    #[error(transparent)]
    Carrier(#[from] CarrierError),
    #[error(transparent)]
    Mail(MailError),
    #[error(transparent)]
    Print(#[from] PrintError),
    #[error(transparent)]
    Pdf(#[from] crate::invoice_pdf::PdfError),
    #[error("That link is not one of this order's tracking links")]
    TrackingLinkUnknown,
    #[error("The demo store has no Stripe account to refund from")]
    RefundInDemo,
    #[error("Comptoir is offline from Stripe: refund in the Stripe Dashboard")]
    RefundOffline,
    #[error("Cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl WorkspaceError {
    /// The problem the window puts into words.
    pub fn problem(&self) -> Problem {
        match self {
            WorkspaceError::KeyNotStripe => Problem::KeyNotStripe,
            WorkspaceError::KeyRefused(said) => Problem::KeyRefused {
                stripe_says: said.clone(),
            },
            WorkspaceError::Keychain(e) => Problem::Keychain { reason: e.reason() },
            WorkspaceError::Stripe(e) => e.problem(),
            WorkspaceError::Store(StoreError::NotFound(what)) => {
                Problem::NotFound { what: what.clone() }
            }
            WorkspaceError::Store(StoreError::SearchTooLong { max }) => Problem::SearchTooLong {
                max: u32::try_from(*max).unwrap_or(u32::MAX),
            },
            WorkspaceError::Store(StoreError::DataDir { path, .. }) => Problem::CannotWrite {
                path: path.display().to_string(),
            },
            WorkspaceError::Store(_) => Problem::Internal,
            WorkspaceError::Busy => Problem::SyncBusy,
            WorkspaceError::Refused(p) => p.clone(),
            WorkspaceError::PaymentNotSettled(reason) => Problem::PaymentNotSettled {
                reason: reason.clone(),
            },
            WorkspaceError::UnpaidInList(count) => Problem::UnpaidInList { count: *count },
            WorkspaceError::NotPermitted { permission, refund } => {
                let permission = permission.clone();
                if *refund {
                    Problem::RefundNotPermitted { permission }
                } else {
                    Problem::KeyMissingPermission { permission }
                }
            }
            WorkspaceError::AccountUnknown => Problem::KeyAccountUnknown,
            WorkspaceError::Carrier(e) => e.problem(),
            WorkspaceError::Mail(e) => e.problem(),
            WorkspaceError::Print(e) => e.problem(),
            WorkspaceError::Pdf(e) => e.problem(),
            WorkspaceError::TrackingLinkUnknown => Problem::TrackingLinkUnknown,
            WorkspaceError::RefundInDemo => Problem::RefundInDemo,
            WorkspaceError::RefundOffline => Problem::RefundOffline,
            WorkspaceError::Io { path, .. } => Problem::CannotWrite {
                path: path.display().to_string(),
            },
        }
    }
}

impl From<SyncError> for WorkspaceError {
    fn from(e: SyncError) -> Self {
        match e {
            SyncError::Stripe(s) => WorkspaceError::Stripe(s),
            SyncError::Store(s) => WorkspaceError::Store(s),
        }
    }
}

pub type Result<T, E = WorkspaceError> = std::result::Result<T, E>;

/// How the workspace is set up: where its files go and which Stripe it talks to.
#[derive(Clone)]
pub struct WorkspaceConfig {
    pub data_dir: PathBuf,
    /// `https://api.stripe.com/`, or the simulator's address (`COMPTOIR_STRIPE_API_BASE`).
    pub api_base: String,
    pub secrets: Arc<dyn SecretStore>,
    pub sync_options: SyncOptions,
}

/// The data on screen: its source, its store, and for an account its client.
struct Current {
    source: DataSource,
    store: Store,
    client: Option<StripeClient>,
    account: Option<AccountInfo>,
}

/// Opens a store for the window: its schema brought up to date, what an earlier version did
/// not store computed once (see `subscriptions::fill_next_charges`, [`fill_custom_fields`]), and
/// today's copy made (README: Local safety net).
async fn open_store(path: &std::path::Path) -> Result<Store> {
    let store = Store::open(path).await?;
    crate::subscriptions::fill_next_charges(&store).await?;
    fill_custom_fields(&store).await?;
    store::backup::daily_if_due(&store).await;
    Ok(store)
}

/// Gives the orders cached before the fields filled in at checkout were kept those of their
/// stored session, once per store (`store::orders::backfill_custom_fields`). Read first, so
/// later opens never take the write lock for it. Returns how many orders were updated.
pub async fn fill_custom_fields(store: &Store) -> Result<usize> {
    let pool = store.pool();
    if store::settings::get_value(pool, store::orders::CUSTOM_FIELDS_BACKFILLED)
        .await?
        .is_some()
    {
        return Ok(0);
    }
    let mut tx = store.write().await?;
    let n = store::orders::backfill_custom_fields(&mut tx, crate::stripe::mapping::custom_fields)
        .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(n)
}

/// The customer a subscription names, if the store has it.
async fn customer_of(
    conn: &mut sqlx::SqliteConnection,
    id: Option<&str>,
) -> Result<Option<crate::model::Customer>> {
    let Some(id) = id else { return Ok(None) };
    match store::customers::get_raw(conn, id).await {
        Ok((raw, deleted)) => Ok(Some(crate::stripe::mapping::stored_customer(
            id, &raw, deleted,
        ))),
        Err(StoreError::NotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Runs a keychain call off the async threads (the OS keychain may block on a prompt).
async fn keychain<T: Send + 'static>(
    call: impl FnOnce() -> std::result::Result<T, SecretsError> + Send + 'static,
) -> std::result::Result<T, SecretsError> {
    tokio::task::spawn_blocking(call).await.unwrap_or_else(|e| {
        Err(SecretsError::Failed {
            detail: e.to_string(),
        })
    })
}

pub struct Workspace {
    config: WorkspaceConfig,
    current: RwLock<Arc<Current>>,
    sync_lock: Mutex<()>,
    /// Why the account could not be opened at start-up (a locked keychain), shown once.
    startup_problem: Option<Problem>,
    mail_wakeup: Arc<Notify>,
    background: background::State,
    write_wakeup: Arc<Notify>,
    /// One pass over the Stripe write queue at a time.
    push_lock: Mutex<()>,
    /// Wakes the offline PDF cache's worker (`pdfs.rs`).
    pdf_wakeup: Arc<Notify>,
    /// One pass of the offline PDF cache at a time (or its clearing).
    pdf_pass: Mutex<()>,
    /// Asks a pass under way to stop at its next batch (Settings clears the cache).
    pdf_stop: std::sync::atomic::AtomicBool,
}

fn fulfilment_error(e: FulfilmentError) -> WorkspaceError {
    match e {
        FulfilmentError::Invalid(p) => WorkspaceError::Refused(p),
        FulfilmentError::Carrier(c) => WorkspaceError::Carrier(c),
        FulfilmentError::Store(s) => WorkspaceError::Store(s),
        FulfilmentError::Mail(m) => mail_error(m),
        FulfilmentError::PaymentNotSettled(reason) => WorkspaceError::PaymentNotSettled(reason),
    }
}

fn mail_error(e: MailError) -> WorkspaceError {
    match e {
        MailError::Store(s) => WorkspaceError::Store(s),
        MailError::Keychain(k) => WorkspaceError::Keychain(k),
        other => WorkspaceError::Mail(other),
    }
}

impl Workspace {
    /// Opens the connected account's store, or the demo store when no key is configured (or
    /// the keychain cannot be read, which `startup_problem` then explains).
    pub async fn open(config: WorkspaceConfig) -> Result<Self> {
        crate::private_fs::private_dir(&config.data_dir).map_err(|source| WorkspaceError::Io {
            path: config.data_dir.clone(),
            source,
        })?;
        let saved = read_account_file(&config.data_dir);
        let secrets = config.secrets.clone();
        let key = keychain(move || secrets.get(crate::secrets::SecretKind::StripeKey)).await;
        let (current, startup_problem) = match (key, saved) {
            (Ok(Some(key)), Some(account)) => (open_account(&config, &key, account).await?, None),
            (Ok(Some(key)), None) => match validate(&config, &key).await {
                Ok(account) => {
                    write_account_file(&config.data_dir, &account)?;
                    (open_account(&config, &key, account).await?, None)
                }
                Err(e) => (open_demo(&config.data_dir).await?, Some(e.problem())),
            },
            (Ok(None), _) => (open_demo(&config.data_dir).await?, None),
            (Err(e), _) => {
                tracing::warn!("keychain unavailable at start-up: {e}");
                let why = Problem::Keychain { reason: e.reason() };
                (open_demo(&config.data_dir).await?, Some(why))
            }
        };
        Ok(Workspace {
            config,
            current: RwLock::new(Arc::new(current)),
            sync_lock: Mutex::new(()),
            startup_problem,
            mail_wakeup: Arc::new(Notify::new()),
            background: background::State::default(),
            write_wakeup: Arc::new(Notify::new()),
            push_lock: Mutex::new(()),
            pdf_wakeup: Arc::new(Notify::new()),
            pdf_pass: Mutex::new(()),
            pdf_stop: std::sync::atomic::AtomicBool::new(false),
        })
    }

    pub fn startup_problem(&self) -> Option<&Problem> {
        self.startup_problem.as_ref()
    }

    async fn current(&self) -> Arc<Current> {
        self.current.read().await.clone()
    }

    /// The store on screen (for tests and benchmarks).
    pub async fn store(&self) -> Store {
        self.current().await.store.clone()
    }

    pub async fn status(&self) -> Result<AppStatus> {
        let cur = self.current().await;
        let mut conn = cur.store.pool().acquire().await.map_err(StoreError::from)?;
        // Its own statement: a guard taken inside the struct below would live to its end and
        // hold the sync lock across the queries.
        // A background pass is quiet: not a running sync for the window (README: Background sync).
        let sync_running = self.sync_lock.try_lock().is_err() && !self.background.running();
        Ok(AppStatus {
            source: cur.source,
            account: cur.account.clone(),
            last_synced_at: store::settings::last_synced_at(&mut *conn).await?,
            sync_running,
            counts: store::orders::counts(&mut conn).await?,
            notice: if cur.source == DataSource::Demo {
                self.startup_problem.clone()
            } else {
                None
            },
            // Not while one runs: that is the sync filling the store, not a gap in it.
            full_sync_incomplete: cur.source == DataSource::Stripe
                && !sync_running
                && store::cursors::get(&mut *conn, "full")
                    .await?
                    .is_some_and(|c| !c.complete),
            sync_offline: cur.source == DataSource::Stripe && self.background.offline(),
        })
    }

    /// Syncs the account with Stripe, reporting progress. In the demo store there is nothing to
    /// fetch: it reports completion at once.
    pub async fn sync(&self, progress: ProgressFn) -> Result<SyncReport> {
        // A background pass is short: the merchant's sync waits for it rather than be refused.
        let _guard = match self.sync_lock.try_lock() {
            Ok(guard) => guard,
            Err(_) if self.background.running() => self.sync_lock.lock().await,
            Err(_) => return Err(WorkspaceError::Busy),
        };
        let cur = self.current().await;
        match &cur.client {
            Some(client) => {
                let report =
                    sync::sync(&cur.store, client, &self.config.sync_options, progress).await?;
                // Stripe answered: fulfilment writes that waited for the network go now, in
                // order (README: Stations).
                store::stripe_writes::due_now(cur.store.pool(), store::now()).await?;
                self.write_wakeup.notify_one();
                // The offline PDF cache downloads what came, from its own task (README:
                // Architecture, Offline invoice PDFs).
                self.pdf_wakeup.notify_one();
                Ok(report)
            }
            None => {
                progress(crate::model::SyncProgress {
                    stage: crate::model::SyncStage::Done,
                    fraction: 1.0,
                    orders: 0,
                    customers: 0,
                    subscriptions: 0,
                    invoices: 0,
                });
                Ok(SyncReport::default())
            }
        }
    }

    /// Who acts at this station (Settings).
    async fn actor(&self) -> Result<Actor> {
        let s = self.settings().await?;
        Ok(Actor {
            staff: s.staff_name,
            station: s.station_name,
        })
    }
}
