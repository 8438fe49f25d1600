//! The workspace: which data the app shows (the demo store or the merchant's Stripe account),
//! its store and its Stripe client, and the actions of the shell (connect, disconnect, sync).
//! The Tauri commands are thin calls into this.
//!
//! Each source has its own database file in the data folder: `demo.sqlite`, and
//! `stripe-<account>-<mode>.sqlite` per account. The connected account's id, name and mode
//! are kept in `account.json` (nothing secret) so the app opens offline on the right store; the
//! key itself lives only in the OS keychain.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::{Mutex, Notify, RwLock};

use crate::carriers::{self, CarrierOption, CustomCarrier};
use crate::fulfilment::{self, Actor, EmailOutcome, FulfilmentError, TrackingInput};
use crate::mail::{self, MailError, SendReport, SmtpPassword, SmtpSettings};

use crate::dataset::Dataset;
use crate::model::{
    AccountInfo, AppStatus, Contact, DataSource, LinkUnavailable, OrderDetail, OrderLink,
    OrderPage, OrderQuery, Settings, ShippingRate, StripeMode, SubscriptionDetail,
    SubscriptionPage, SubscriptionQuery, SyncReport,
};
use crate::printing::{self, PrintJob};
use crate::secrets::{Secret, SecretKind, SecretStore, SecretsError};
use crate::store::{self, Store, StoreError};
use crate::stripe::client::{mode_of_key, ClientConfig};
use crate::stripe::{links, mapping, StripeClient, StripeError};
use crate::subscriptions;
use crate::sync::{self, ProgressFn, SyncError, SyncOptions};

#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("{0}")]
    InvalidKey(String),
    #[error(transparent)]
    Keychain(#[from] SecretsError),
    #[error(transparent)]
    Stripe(#[from] StripeError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("A sync is already running")]
    Busy,
    #[error("{0}")]
    InvalidInput(String),
    /// An order that is not paid needs the merchant's confirmation first.
    #[error("{0}")]
    PaymentNotSettled(String),
    /// The API key may not do this (a restricted key without the permission); says which.
    #[error("{0}")]
    NotPermitted(String),
    #[error("Cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
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

pub struct Workspace {
    config: WorkspaceConfig,
    current: RwLock<Arc<Current>>,
    sync_lock: Mutex<()>,
    /// Why the account could not be opened at start-up (a locked keychain), shown once.
    startup_problem: Option<String>,
    mail_wakeup: Arc<Notify>,
}

/// The SMTP settings screen: the settings (if saved), whether a password is in the keychain,
/// and the warning for an unencrypted connection.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct SmtpSettingsView {
    pub settings: Option<SmtpSettings>,
    pub password_set: bool,
    pub warning: Option<String>,
}

fn fulfilment_error(e: FulfilmentError) -> WorkspaceError {
    match e {
        FulfilmentError::Invalid(m) => WorkspaceError::InvalidInput(m),
        FulfilmentError::Carrier(c) => WorkspaceError::InvalidInput(c.to_string()),
        FulfilmentError::Store(s) => WorkspaceError::Store(s),
        FulfilmentError::Mail(m) => mail_error(m),
        e @ FulfilmentError::PaymentNotSettled(_) => {
            WorkspaceError::PaymentNotSettled(e.to_string())
        }
    }
}

fn mail_error(e: MailError) -> WorkspaceError {
    match e {
        MailError::Store(s) => WorkspaceError::Store(s),
        MailError::Keychain(k) => WorkspaceError::Keychain(k),
        other => WorkspaceError::InvalidInput(other.to_string()),
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct AccountFile {
    account: AccountInfo,
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
        let key = tokio::task::spawn_blocking(move || secrets.get(SecretKind::StripeKey))
            .await
            .unwrap_or_else(|e| {
                Err(SecretsError::Failed {
                    detail: e.to_string(),
                })
            });
        let (current, startup_problem) = match (key, saved) {
            (Ok(Some(key)), Some(account)) => {
                let client = build_client(&config, &key, account.mode)?;
                let store = Store::open(&account_db(&config.data_dir, &account)).await?;
                (
                    Current {
                        source: DataSource::Stripe,
                        store,
                        client: Some(client),
                        account: Some(account),
                    },
                    None,
                )
            }
            (Ok(Some(key)), None) => match validate(&config, &key).await {
                Ok(account) => {
                    write_account_file(&config.data_dir, &account)?;
                    let client = build_client(&config, &key, account.mode)?;
                    let store = Store::open(&account_db(&config.data_dir, &account)).await?;
                    (
                        Current {
                            source: DataSource::Stripe,
                            store,
                            client: Some(client),
                            account: Some(account),
                        },
                        None,
                    )
                }
                Err(e) => (open_demo(&config.data_dir).await?, Some(e.to_string())),
            },
            (Ok(None), _) => (open_demo(&config.data_dir).await?, None),
            (Err(e), _) => {
                tracing::warn!("keychain unavailable at start-up: {e}");
                (open_demo(&config.data_dir).await?, Some(e.to_string()))
            }
        };
        Ok(Workspace {
            config,
            current: RwLock::new(Arc::new(current)),
            sync_lock: Mutex::new(()),
            startup_problem,
            mail_wakeup: Arc::new(Notify::new()),
        })
    }

    pub fn startup_problem(&self) -> Option<&str> {
        self.startup_problem.as_deref()
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
        let sync_running = self.sync_lock.try_lock().is_err();
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
        })
    }

    /// Checks a pasted key with Stripe, stores it in the keychain and switches to its account.
    pub async fn connect_stripe(&self, key: Secret) -> Result<AccountInfo> {
        let trimmed = Secret::new(key.expose().trim());
        let account = validate(&self.config, &trimmed).await?;
        // Keychain first: if it refuses, nothing else changes.
        let secrets = self.config.secrets.clone();
        let to_store = Secret::new(trimmed.expose());
        tokio::task::spawn_blocking(move || secrets.set(SecretKind::StripeKey, &to_store))
            .await
            .unwrap_or_else(|e| {
                Err(SecretsError::Failed {
                    detail: e.to_string(),
                })
            })?;
        write_account_file(&self.config.data_dir, &account)?;
        let client = build_client(&self.config, &trimmed, account.mode)?;
        let store = Store::open(&account_db(&self.config.data_dir, &account)).await?;
        let _sync = self.sync_lock.lock().await;
        *self.current.write().await = Arc::new(Current {
            source: DataSource::Stripe,
            store,
            client: Some(client),
            account: Some(account.clone()),
        });
        tracing::info!(account = %account.id, mode = ?account.mode, "connected to Stripe");
        Ok(account)
    }

    /// Removes the key from the keychain and goes back to the demo store. The account's cached
    /// data stays on disk, so reconnecting the same account is quick.
    pub async fn disconnect_stripe(&self) -> Result<()> {
        let secrets = self.config.secrets.clone();
        tokio::task::spawn_blocking(move || secrets.delete(SecretKind::StripeKey))
            .await
            .unwrap_or_else(|e| {
                Err(SecretsError::Failed {
                    detail: e.to_string(),
                })
            })?;
        let path = self.config.data_dir.join("account.json");
        if path.exists() {
            std::fs::remove_file(&path).map_err(|source| WorkspaceError::Io { path, source })?;
        }
        let demo = open_demo(&self.config.data_dir).await?;
        let _sync = self.sync_lock.lock().await;
        *self.current.write().await = Arc::new(demo);
        Ok(())
    }

    /// Syncs the account with Stripe, reporting progress. In the demo store there is nothing to
    /// fetch: it reports completion at once.
    pub async fn sync(&self, progress: ProgressFn) -> Result<SyncReport> {
        let Ok(_guard) = self.sync_lock.try_lock() else {
            return Err(WorkspaceError::Busy);
        };
        let cur = self.current().await;
        match &cur.client {
            Some(client) => {
                Ok(sync::sync(&cur.store, client, &self.config.sync_options, progress).await?)
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

    pub async fn list_orders(&self, q: &OrderQuery) -> Result<OrderPage> {
        let cur = self.current().await;
        let mut conn = cur.store.pool().acquire().await.map_err(StoreError::from)?;
        Ok(store::orders::list(&mut conn, q).await?)
    }

    /// Everything the order detail shows: the cached order, its local fulfilment state, and
    /// its three Stripe links (invoice PDF, invoice and payment in the Dashboard), each with
    /// the reason when it cannot be offered.
    /// One of the order's saved tracking links, checked again, ready to open: the window can
    /// only open links the packing station recorded for that order.
    pub async fn tracking_link(&self, order_id: &str, url: &str) -> Result<String> {
        let detail = self.order_detail(order_id).await?;
        let known = detail
            .fulfilment
            .iter()
            .flat_map(|f| f.tracking.iter())
            .any(|t| t.url == url);
        if !known {
            return Err(WorkspaceError::InvalidInput(
                "That link is not one of this order's tracking links".into(),
            ));
        }
        crate::carriers::validate_tracking_url(url)
            .map_err(|e| WorkspaceError::InvalidInput(e.to_string()))
    }

    pub async fn order_detail(&self, id: &str) -> Result<OrderDetail> {
        let cur = self.current().await;
        let mut conn = cur.store.pool().acquire().await.map_err(StoreError::from)?;
        let order = store::orders::get(&mut *conn, id).await?;
        let status = store::orders::status(&mut *conn, id).await?;
        let fulfilment = store::orders::fulfilment(&mut conn, id).await?;
        let mode = cur.account.as_ref().map(|a| a.mode);
        let mut detail = order_detail_of(order, status, fulfilment, mode);
        detail.history = crate::fulfilment::history(&mut *conn, id)
            .await
            .map_err(fulfilment_error)?;
        detail.emails = store::outbox::list_for_order(&mut *conn, id).await?;
        Ok(detail)
    }

    /// "Refund": through Stripe's Refunds API, in full or in part (amount or cart lines), under
    /// the window's idempotency key; the order's payment is read back at once and the refund
    /// recorded in its history.
    pub async fn refund_order(
        &self,
        req: &crate::refunds::RefundRequest,
    ) -> Result<crate::refunds::RefundDone> {
        use crate::refunds::RefundError;
        let actor = self.actor().await?;
        let cur = self.current().await;
        if cur.source == DataSource::Demo {
            return Err(WorkspaceError::InvalidInput(RefundError::Demo.to_string()));
        }
        let Some(client) = cur.client.as_ref() else {
            return Err(WorkspaceError::InvalidInput(
                RefundError::NoClient.to_string(),
            ));
        };
        crate::refunds::refund(&cur.store, client, req, &actor, store::now())
            .await
            .map_err(|e| match e {
                RefundError::Stripe(StripeError::Permission(_)) => {
                    let said = match &e {
                        RefundError::Stripe(s) => refusal(s),
                        _ => String::new(),
                    };
                    WorkspaceError::NotPermitted(format!(
                        "No refund was made: {said}. Refund via Stripe meanwhile."
                    ))
                }
                RefundError::Stripe(s) => WorkspaceError::Stripe(s),
                RefundError::Store(s) => WorkspaceError::Store(s),
                other => WorkspaceError::InvalidInput(other.to_string()),
            })
    }

    /// Who acts at this station (Settings).
    async fn actor(&self) -> Result<Actor> {
        let s = self.settings().await?;
        Ok(Actor {
            staff: s.staff_name,
            station: s.station_name,
        })
    }

    /// "Send shipping email": records the parcels, moves the order to Sent and queues the
    /// shipping email (the demo store previews it instead). Then wakes the mail worker.
    /// An order that is not paid is refused unless `confirm_unpaid` says the merchant agreed.
    pub async fn ship_order(
        &self,
        order_id: &str,
        parcels: &[TrackingInput],
        confirm_unpaid: bool,
    ) -> Result<EmailOutcome> {
        let actor = self.actor().await?;
        let cur = self.current().await;
        let demo = cur.source == DataSource::Demo;
        let out = fulfilment::ship(
            &cur.store,
            order_id,
            parcels,
            &actor,
            demo,
            confirm_unpaid,
            store::now(),
        )
        .await
        .map_err(fulfilment_error)?;
        self.mail_wakeup.notify_one();
        Ok(out)
    }

    /// "Mark as sent without tracking" (a letter, a hand delivery); with `notify` the customer
    /// gets the shipping email without a tracking link. Then wakes the mail worker.
    pub async fn ship_order_untracked(
        &self,
        order_id: &str,
        notify: bool,
        confirm_unpaid: bool,
    ) -> Result<EmailOutcome> {
        let actor = self.actor().await?;
        let cur = self.current().await;
        let demo = cur.source == DataSource::Demo;
        let out = fulfilment::ship_untracked(
            &cur.store,
            order_id,
            &actor,
            notify,
            demo,
            confirm_unpaid,
            store::now(),
        )
        .await
        .map_err(fulfilment_error)?;
        self.mail_wakeup.notify_one();
        Ok(out)
    }

    pub async fn mark_not_sent(&self, order_id: &str) -> Result<()> {
        let actor = self.actor().await?;
        let cur = self.current().await;
        fulfilment::mark_not_sent(&cur.store, order_id, &actor, store::now())
            .await
            .map_err(fulfilment_error)
    }

    /// "Retry now" on an email of an order: queued again, due now, with the same Message-ID
    /// (refused for an email sent, being sent or cancelled). Then wakes the mail worker.
    pub async fn retry_email(&self, email_id: i64) -> Result<store::outbox::OutboxEmail> {
        let actor = self.actor().await?;
        let cur = self.current().await;
        let email = fulfilment::retry_email(&cur.store, email_id, &actor, store::now())
            .await
            .map_err(fulfilment_error)?;
        self.mail_wakeup.notify_one();
        Ok(email)
    }

    pub async fn confirm_pickup(&self, order_id: &str, confirm_unpaid: bool) -> Result<()> {
        let actor = self.actor().await?;
        let cur = self.current().await;
        fulfilment::confirm_pickup(&cur.store, order_id, &actor, confirm_unpaid, store::now())
            .await
            .map_err(fulfilment_error)
    }

    pub async fn send_ready_for_pickup(&self, order_id: &str) -> Result<EmailOutcome> {
        let actor = self.actor().await?;
        let cur = self.current().await;
        let demo = cur.source == DataSource::Demo;
        let out =
            fulfilment::send_ready_for_pickup(&cur.store, order_id, &actor, demo, store::now())
                .await
                .map_err(fulfilment_error)?;
        self.mail_wakeup.notify_one();
        Ok(out)
    }

    /// The carrier picker: built-in carriers, then the custom ones from Settings.
    pub async fn carrier_options(&self) -> Result<Vec<CarrierOption>> {
        let cur = self.current().await;
        let custom = fulfilment::custom_carriers(cur.store.pool())
            .await
            .map_err(fulfilment_error)?;
        Ok(carriers::options(&custom))
    }

    pub async fn custom_carriers(&self) -> Result<Vec<CustomCarrier>> {
        let cur = self.current().await;
        fulfilment::custom_carriers(cur.store.pool())
            .await
            .map_err(fulfilment_error)
    }

    pub async fn save_custom_carriers(&self, list: &[CustomCarrier]) -> Result<Vec<CustomCarrier>> {
        let cur = self.current().await;
        fulfilment::save_custom_carriers(cur.store.pool(), list)
            .await
            .map_err(fulfilment_error)
    }

    /// The tracking link for a carrier and number (for the live preview under the field).
    pub async fn tracking_url_for(&self, input: &TrackingInput) -> Result<String> {
        let custom = self.custom_carriers().await?;
        let carrier = input
            .carrier
            .as_ref()
            .ok_or_else(|| WorkspaceError::InvalidInput("Pick a carrier".into()))?;
        carriers::tracking_url(
            carrier,
            input.number.as_deref().unwrap_or_default(),
            input.postcode.as_deref(),
            &custom,
        )
        .map_err(|e| WorkspaceError::InvalidInput(e.to_string()))
    }

    /// The SMTP settings and whether a password is stored (never the password).
    pub async fn smtp_settings(&self) -> Result<SmtpSettingsView> {
        let cur = self.current().await;
        let settings = mail::load_settings(cur.store.pool())
            .await
            .map_err(mail_error)?;
        let password_set = self.smtp_password().await?.is_some();
        Ok(SmtpSettingsView {
            warning: settings
                .as_ref()
                .and_then(|s| s.warning())
                .map(str::to_owned),
            settings,
            password_set,
        })
    }

    async fn smtp_password(&self) -> Result<Option<Secret>> {
        let secrets = self.config.secrets.clone();
        Ok(
            tokio::task::spawn_blocking(move || secrets.get(SecretKind::SmtpPassword))
                .await
                .unwrap_or_else(|e| {
                    Err(SecretsError::Failed {
                        detail: e.to_string(),
                    })
                })?,
        )
    }

    /// Saves the SMTP settings and keeps, replaces or removes the password; a new server or
    /// user name removes the old one (`mail::save_settings_and_password`).
    pub async fn save_smtp_settings(
        &self,
        smtp: &SmtpSettings,
        password: SmtpPassword,
    ) -> Result<SmtpSettingsView> {
        let cur = self.current().await;
        mail::save_settings_and_password(cur.store.pool(), &self.config.secrets, smtp, password)
            .await
            .map_err(mail_error)?;
        self.mail_wakeup.notify_one();
        self.smtp_settings().await
    }

    /// "Send test email" with the saved settings and password, to `to`.
    pub async fn send_test_email(&self, to: &str) -> Result<()> {
        let cur = self.current().await;
        let smtp = mail::load_settings(cur.store.pool())
            .await
            .map_err(mail_error)?
            .ok_or_else(|| mail_error(MailError::NotConfigured))?;
        let password = self.smtp_password().await?;
        mail::send_test(&smtp, password.as_ref(), to)
            .await
            .map_err(mail_error)
    }

    /// Sends the due emails of the store on screen (the mail worker calls this on a timer and
    /// when woken). Without SMTP settings, the emails wait; the password is read only when an
    /// email is due (`mail::run_outbox`).
    pub async fn send_due_emails(&self) -> Result<Option<SendReport>> {
        let cur = self.current().await;
        if cur.source == DataSource::Demo {
            return Ok(None);
        }
        mail::run_outbox(&cur.store, &self.config.secrets, store::now())
            .await
            .map_err(mail_error)
    }

    /// Woken after an email is queued; the mail worker waits on it.
    pub fn mail_wakeup(&self) -> Arc<Notify> {
        self.mail_wakeup.clone()
    }

    /// Downloads the order's invoice PDF from Stripe and saves it as `dest` (written to a
    /// temporary file in the same folder, then renamed: a failure leaves no file). Only `https`
    /// links to Stripe's hosts are fetched; `COMPTOIR_STRIPE_FILES_BASE` (tests) points them at
    /// the simulator.
    pub async fn save_invoice_pdf(
        &self,
        order_id: &str,
        dest: &Path,
    ) -> Result<crate::invoice_pdf::SavedPdf> {
        let cur = self.current().await;
        let mut conn = cur.store.pool().acquire().await.map_err(StoreError::from)?;
        let order = store::orders::get(&mut *conn, order_id).await?;
        drop(conn);
        let url = match (&order.invoice_id, &order.invoice_pdf) {
            (None, _) => {
                return Err(WorkspaceError::InvalidInput(
                    "This order has no invoice, so there is no PDF to save".into(),
                ))
            }
            (Some(_), None) => {
                return Err(WorkspaceError::InvalidInput(
                    "Stripe has no PDF for this order's invoice yet".into(),
                ))
            }
            (Some(_), Some(url)) => url.clone(),
        };
        let base = crate::invoice_pdf::files_base_from_env();
        crate::invoice_pdf::download(&url, base.as_deref(), dest).await
    }

    /// Writes every order of the query's view (its tab, search and sort; its page ignored) to
    /// `path` as CSV (UTF-8 with a byte-order mark). Written to a temporary file first, so a
    /// failed export never leaves half a file. Returns how many orders were written.
    pub async fn export_orders_csv(&self, q: &OrderQuery, path: &Path) -> Result<i64> {
        let cur = self.current().await;
        let mut conn = cur.store.pool().acquire().await.map_err(StoreError::from)?;
        let mut out = crate::csv::header();
        let mut page = OrderQuery {
            limit: 500,
            offset: 0,
            ..q.clone()
        };
        let mut written = 0;
        loop {
            let rows = store::orders::list(&mut conn, &page).await?.rows;
            for r in &rows {
                out.push_str(&crate::csv::line(r));
            }
            written += rows.len() as i64;
            if rows.len() < 500 {
                break;
            }
            page.offset += 500;
        }
        write_export(path, &out)?;
        Ok(written)
    }

    /// Exports the subscriptions table's current view (filter, search, sort) as CSV, with each
    /// customer's shipping address (else billing): the list a subscription box is packed from.
    /// Returns the number of subscriptions written.
    pub async fn export_subscriptions_csv(
        &self,
        q: &SubscriptionQuery,
        path: &Path,
    ) -> Result<i64> {
        let cur = self.current().await;
        let mut conn = cur.store.pool().acquire().await.map_err(StoreError::from)?;
        let mut out = crate::csv::subscriptions_header();
        let mut page = SubscriptionQuery {
            limit: 500,
            offset: 0,
            ..q.clone()
        };
        let mut written = 0;
        loop {
            let rows = store::subscriptions::list(&mut conn, &page).await?.rows;
            for r in &rows {
                let sub = store::subscriptions::get(&mut *conn, &r.id).await?;
                let customer = match &sub.customer_id {
                    Some(cid) => match store::customers::get(&mut *conn, cid).await {
                        Ok(c) => Some(c),
                        Err(StoreError::NotFound(_)) => None,
                        Err(e) => return Err(e.into()),
                    },
                    None => None,
                };
                out.push_str(&crate::csv::subscription_line(r, customer.as_ref()));
            }
            written += rows.len() as i64;
            if rows.len() < 500 {
                break;
            }
            page.offset += 500;
        }
        write_export(path, &out)?;
        Ok(written)
    }

    pub async fn list_subscriptions(&self, q: &SubscriptionQuery) -> Result<SubscriptionPage> {
        let cur = self.current().await;
        let mut conn = cur.store.pool().acquire().await.map_err(StoreError::from)?;
        Ok(store::subscriptions::list(&mut conn, q).await?)
    }

    /// Everything the subscription detail shows. With `refresh`, the upcoming charge is asked
    /// of Stripe (`create_preview`) and cached, and when Stripe cannot be reached the cached one
    /// is served, marked stale; without it, only the cache is read, so the screen opens at once
    /// and then asks again with `refresh`.
    pub async fn subscription_detail(&self, id: &str, refresh: bool) -> Result<SubscriptionDetail> {
        let cur = self.current().await;
        let pool = cur.store.pool();
        let subscription = store::subscriptions::get(pool, id).await?;
        let customer = match &subscription.customer_id {
            Some(cid) => match store::customers::get(pool, cid).await {
                Ok(c) => Some(c),
                Err(StoreError::NotFound(_)) => None,
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        let invoices = store::invoices::list_for_subscription(pool, id).await?;
        let next_charge = subscriptions::next_charge(&subscription);
        let client = cur.client.as_ref().filter(|_| refresh);
        let mut upcoming_refused = None;
        let (upcoming, upcoming_stale) = match (client, next_charge) {
            (_, None) => (None, false),
            (None, Some(_)) => (cached_upcoming(pool, id).await?, false),
            (Some(client), Some(_)) => {
                let req = stripe_billing::invoice::CreatePreviewInvoice::new().subscription(id);
                match client.send(&req).await {
                    Ok(raw) => {
                        let at = store::now();
                        store::upcoming_invoices::put(pool, id, &raw, at).await?;
                        (Some(mapping::upcoming_from(&raw, at)), false)
                    }
                    // Stripe says there is none (it ends, or it is paused): forget the old one.
                    Err(StripeError::Api {
                        code: Some(code), ..
                    }) if code == "invoice_upcoming_none" => {
                        store::upcoming_invoices::delete(pool, id).await?;
                        (None, false)
                    }
                    Err(e) => {
                        tracing::info!(subscription = id, "upcoming invoice from cache: {e}");
                        if !e.is_network() {
                            upcoming_refused = Some(refusal(&e));
                        }
                        (cached_upcoming(pool, id).await?, true)
                    }
                }
            }
        };
        let billing = customer
            .as_ref()
            .map(|c| Contact {
                name: c.name.clone(),
                email: c.email.clone(),
                phone: c.phone.clone(),
                address: c.address.clone(),
                tax_ids: Vec::new(),
            })
            .unwrap_or_default();
        let shipping = customer.as_ref().and_then(|c| c.shipping.clone());
        let (payment_method, payment_method_is_customer_default) =
            subscriptions::payment_method(&subscription, customer.as_ref());
        let dashboard_url = match (&cur.account, &subscription.customer_id) {
            (Some(a), Some(cid)) => links::customer(a.mode, cid),
            _ => None,
        };
        Ok(SubscriptionDetail {
            duration: subscriptions::duration(&subscription),
            state: subscriptions::state(&subscription, &invoices),
            next_charge,
            upcoming,
            upcoming_stale,
            upcoming_refused,
            invoices,
            billing,
            shipping,
            payment_method,
            payment_method_is_customer_default,
            customer,
            dashboard_url,
            subscription,
        })
    }

    /// The packing slip of an order, in the merchant's language, for the printer chosen in
    /// Settings.
    pub async fn packing_slip(
        &self,
        order_id: &str,
        french: bool,
        confirm_unpaid: bool,
    ) -> Result<PrintJob> {
        let cur = self.current().await;
        let mut conn = cur.store.pool().acquire().await.map_err(StoreError::from)?;
        let order = store::orders::get(&mut *conn, order_id).await?;
        if let Some(reason) = crate::payments::unsettled_reason(&order.payment) {
            if !confirm_unpaid {
                return Err(fulfilment_error(FulfilmentError::PaymentNotSettled(reason)));
            }
        }
        let shop = fulfilment::merchant_name(&mut conn)
            .await
            .map_err(fulfilment_error)?;
        let settings = store::settings::get(&mut conn).await?;
        let mut job = printing::packing_slip(&order, &shop, french);
        job.printer = printing::validate_printer(&settings.printer_name)
            .map_err(|e| WorkspaceError::InvalidInput(e.to_string()))?;
        Ok(job)
    }

    /// The packing slips of every order of a view of the table (its tab and search, in its
    /// order), one per page, with the ids of those orders. At most
    /// [`printing::MAX_BATCH`]: more is refused with a clear error, nothing printed.
    pub async fn packing_slips(
        &self,
        q: &OrderQuery,
        french: bool,
        confirm_unpaid: bool,
    ) -> Result<(PrintJob, Vec<String>)> {
        let cur = self.current().await;
        let mut conn = cur.store.pool().acquire().await.map_err(StoreError::from)?;
        let page = store::orders::list(
            &mut conn,
            &OrderQuery {
                limit: printing::MAX_BATCH as i64,
                offset: 0,
                ..q.clone()
            },
        )
        .await?;
        if page.total as usize > printing::MAX_BATCH {
            return Err(WorkspaceError::InvalidInput(format!(
                "{} orders are too many to print at once ({} at most): pick a tab or search to narrow the list",
                page.total,
                printing::MAX_BATCH
            )));
        }
        if page.rows.is_empty() {
            return Err(WorkspaceError::InvalidInput(
                "There is no order in this list to print".into(),
            ));
        }
        let mut orders = Vec::with_capacity(page.rows.len());
        for r in &page.rows {
            orders.push(store::orders::get(&mut *conn, &r.id).await?);
        }
        let unpaid = orders
            .iter()
            .filter(|o| crate::payments::unsettled_reason(&o.payment).is_some())
            .count();
        if unpaid > 0 && !confirm_unpaid {
            let reason = if unpaid == 1 {
                "one order of this list is not paid".to_owned()
            } else {
                format!("{unpaid} orders of this list are not paid")
            };
            return Err(fulfilment_error(FulfilmentError::PaymentNotSettled(reason)));
        }
        let shop = fulfilment::merchant_name(&mut conn)
            .await
            .map_err(fulfilment_error)?;
        let settings = store::settings::get(&mut conn).await?;
        let mut job = printing::packing_slips(&orders, &shop, french);
        job.printer = printing::validate_printer(&settings.printer_name)
            .map_err(|e| WorkspaceError::InvalidInput(e.to_string()))?;
        Ok((job, page.rows.into_iter().map(|r| r.id).collect()))
    }

    /// Notes in each order's history that its packing slip went to the printer.
    pub async fn packing_slip_printed(
        &self,
        order_ids: &[String],
        printer: Option<&str>,
    ) -> Result<()> {
        let actor = self.actor().await?;
        let cur = self.current().await;
        let mut tx = cur.store.write().await?;
        let detail = printer.map(|p| format!("printer {p}"));
        let now = store::now();
        for id in order_ids {
            fulfilment::audit(&mut tx, id, now, "slip_printed", &actor, detail.as_deref())
                .await
                .map_err(fulfilment_error)?;
            // The print of an unpaid order went ahead on the merchant's confirmation: say so.
            let order = store::orders::get(&mut *tx, id).await?;
            if let Some(reason) = crate::payments::unsettled_reason(&order.payment) {
                let why = format!("slip printed although {reason}");
                fulfilment::audit(&mut tx, id, now, "unpaid_confirmed", &actor, Some(&why))
                    .await
                    .map_err(fulfilment_error)?;
            }
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    pub async fn settings(&self) -> Result<Settings> {
        let cur = self.current().await;
        let mut conn = cur.store.pool().acquire().await.map_err(StoreError::from)?;
        Ok(store::settings::get(&mut conn).await?)
    }

    pub async fn save_settings(&self, s: &Settings) -> Result<Settings> {
        if let Some(l) = &s.language {
            if l != "fr" && l != "en" {
                return Err(WorkspaceError::InvalidInput(format!(
                    "Unknown language {l:?}: choose fr or en"
                )));
            }
        }
        for (field, value) in [
            ("Station name", &s.station_name),
            ("Staff name", &s.staff_name),
        ] {
            if value.chars().count() > 80 {
                return Err(WorkspaceError::InvalidInput(format!(
                    "{field} is too long (80 characters at most)"
                )));
            }
        }
        crate::printing::validate_printer(&s.printer_name)
            .map_err(|e| WorkspaceError::InvalidInput(e.to_string()))?;
        let cur = self.current().await;
        let mut tx = cur.store.write().await?;
        store::settings::save(&mut tx, s).await?;
        let saved = store::settings::get(&mut tx).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(saved)
    }

    pub async fn shipping_rates(&self) -> Result<Vec<ShippingRate>> {
        let cur = self.current().await;
        Ok(store::shipping_rates::list(cur.store.pool()).await?)
    }

    pub async fn set_shipping_rate_pickup(
        &self,
        id: &str,
        is_pickup: bool,
    ) -> Result<Vec<ShippingRate>> {
        let cur = self.current().await;
        let mut tx = cur.store.write().await?;
        let known: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM shipping_rates WHERE id = ?1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        if known == 0 {
            return Err(StoreError::NotFound(format!("shipping rate {id}")).into());
        }
        store::shipping_rates::set_pickup(&mut tx, id, is_pickup).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(store::shipping_rates::list(cur.store.pool()).await?)
    }
}

/// The order detail of a cached order: its Stripe links for the account's mode (`None` for the
/// demo store), each with the reason when it cannot be offered.
pub fn order_detail_of(
    order: crate::model::Order,
    status: crate::model::FulfilmentStatus,
    fulfilment: Option<crate::model::OrderFulfilment>,
    mode: Option<StripeMode>,
) -> OrderDetail {
    OrderDetail {
        history: Vec::new(),
        emails: Vec::new(),
        status,
        fulfilment,
        shipping_same_as_billing: same_as_billing(&order),
        invoice_pdf: order_link(
            mode,
            match (&order.invoice_id, &order.invoice_pdf) {
                (None, _) => Err(LinkUnavailable::NoInvoice),
                (Some(_), None) => Err(LinkUnavailable::NoPdf),
                (Some(_), Some(pdf)) if links::external(pdf).is_ok() => Ok(pdf.as_str()),
                (Some(_), Some(_)) => Err(LinkUnavailable::NoPdf),
            },
            |_, pdf| links::external(pdf).ok(),
        ),
        invoice_dashboard: order_link(
            mode,
            order
                .invoice_id
                .as_deref()
                .ok_or(LinkUnavailable::NoInvoice),
            links::invoice,
        ),
        payment_dashboard: order_link(
            mode,
            order
                .payment_intent_id
                .as_deref()
                .ok_or(LinkUnavailable::NoPayment),
            links::payment,
        ),
        order,
    }
}

/// A link of the order detail, from what it needs (or why that is missing) and the account's
/// mode; the demo store has no account to link to.
fn order_link(
    mode: Option<StripeMode>,
    value: std::result::Result<&str, LinkUnavailable>,
    make: impl Fn(StripeMode, &str) -> Option<String>,
) -> OrderLink {
    let url = match (mode, value) {
        (None, _) => Err(LinkUnavailable::Demo),
        (Some(_), Err(why)) => Err(why),
        (Some(mode), Ok(v)) => make(mode, v).ok_or(LinkUnavailable::NoInvoice),
    };
    match url {
        Ok(url) => OrderLink {
            url: Some(url),
            unavailable: None,
        },
        Err(why) => OrderLink {
            url: None,
            unavailable: Some(why),
        },
    }
}

/// True when the order ships to the billing name and address.
fn same_as_billing(order: &crate::model::Order) -> bool {
    let Some(ship) = &order.shipping else {
        return false;
    };
    let norm = |s: &Option<String>| s.as_deref().map(str::trim).unwrap_or("").to_lowercase();
    let addr = |a: &Option<crate::model::Address>| {
        a.clone().filter(|a| !a.is_empty()).map(|a| {
            [a.line1, a.line2, a.postal_code, a.city, a.state, a.country]
                .iter()
                .map(norm)
                .collect::<Vec<_>>()
        })
    };
    norm(&ship.name) == norm(&order.billing.name)
        && addr(&ship.address).is_some()
        && addr(&ship.address) == addr(&order.billing.address)
}

/// Stripe's refusal in the merchant's words. A restricted key's refusal names the permission
/// it lacks; Stripe's sentence also quotes the (masked) key, which stays out of the app.
fn refusal(e: &StripeError) -> String {
    match e {
        StripeError::Permission(message) => {
            let permission = message
                .split('\'')
                .find(|part| part.starts_with("rak_"))
                .map(str::to_owned);
            match permission {
                Some(p) => format!(
                    "this API key may not do that: Stripe needs the \u{201c}{p}\u{201d} permission (Dashboard \u{2192} Developers \u{2192} API keys)"
                ),
                None => "this API key may not do that (a restricted key without the permission)"
                    .to_owned(),
            }
        }
        other => other.to_string(),
    }
}

async fn cached_upcoming(
    pool: &sqlx::SqlitePool,
    id: &str,
) -> Result<Option<crate::model::UpcomingInvoice>> {
    Ok(store::upcoming_invoices::get(pool, id)
        .await?
        .map(|(raw, at)| mapping::upcoming_from(&raw, at)))
}

fn build_client(config: &WorkspaceConfig, key: &Secret, mode: StripeMode) -> Result<StripeClient> {
    Ok(StripeClient::new(
        key,
        ClientConfig::for_mode(&config.api_base, mode),
    )?)
}

/// Checks a key with a real call and returns the account it belongs to.
pub async fn validate(config: &WorkspaceConfig, key: &Secret) -> Result<AccountInfo> {
    let Some((mode, restricted)) = mode_of_key(key.expose()) else {
        return Err(WorkspaceError::InvalidKey(
            "That is not a Stripe secret key. Paste a key that starts with rk_test_, rk_live_, sk_test_ or sk_live_ (Dashboard → Developers → API keys).".into(),
        ));
    };
    let client = build_client(config, key, mode)?;
    let account = match client
        .send(&stripe_connect::account::RetrieveForMyAccountAccount::new())
        .await
    {
        Ok(a) => a,
        Err(StripeError::Authentication(msg)) => {
            return Err(WorkspaceError::InvalidKey(format!(
                "Stripe refused this key: {msg}"
            )));
        }
        // A restricted key may not read the account: prove it works on what we do read.
        Err(StripeError::Permission(refused)) if restricted => {
            client
                .send(&stripe_checkout::checkout_session::ListCheckoutSession::new().limit(1))
                .await
                .map_err(|e| match e {
                    StripeError::Authentication(m) => {
                        WorkspaceError::InvalidKey(format!("Stripe refused this key: {m}"))
                    }
                    // Said as a missing permission (IPC `permission`), which onboarding shows as
                    // such rather than as a wrong key.
                    StripeError::Permission(_) => WorkspaceError::NotPermitted(format!(
                        "{}. Give it read access to Checkout Sessions and the other permissions the README lists.",
                        refusal(&e)
                    )),
                    other => other.into(),
                })?;
            // Each account needs a store of its own: Stripe's refusal names the account.
            let Some(id) = account_in_refusal(&refused) else {
                return Err(WorkspaceError::NotPermitted(
                    "Stripe did not say which account this restricted key belongs to. Give the key read access to Account (rak_account_read) as well, then paste it again.".into(),
                ));
            };
            serde_json::json!({ "id": id })
        }
        Err(e) => return Err(e.into()),
    };
    Ok(account_info(&account, mode, restricted))
}

/// The account a refusal names: Stripe says "… for this endpoint on account 'acct_…'".
fn account_in_refusal(message: &str) -> Option<String> {
    let at = message.find("account '")? + "account '".len();
    let id: String = message[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (id.starts_with("acct_") && id.len() > 5).then_some(id)
}

fn account_info(v: &Value, mode: StripeMode, restricted_key: bool) -> AccountInfo {
    let s = |p: &str| {
        v.pointer(p)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let id = s("/id").unwrap_or_else(|| "acct_unknown".into());
    AccountInfo {
        name: s("/settings/dashboard/display_name")
            .or_else(|| s("/business_profile/name"))
            .or_else(|| s("/email"))
            .unwrap_or_else(|| id.clone()),
        id,
        mode,
        restricted_key,
    }
}

fn account_db(dir: &Path, a: &AccountInfo) -> PathBuf {
    let safe: String =
        a.id.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
    let mode = match a.mode {
        StripeMode::Test => "test",
        StripeMode::Live => "live",
    };
    dir.join(format!("stripe-{safe}-{mode}.sqlite"))
}

fn read_account_file(dir: &Path) -> Option<AccountInfo> {
    let text = std::fs::read_to_string(dir.join("account.json")).ok()?;
    serde_json::from_str::<AccountFile>(&text)
        .ok()
        .map(|f| f.account)
}

fn write_account_file(dir: &Path, account: &AccountInfo) -> Result<()> {
    let path = dir.join("account.json");
    let body = serde_json::to_vec_pretty(&AccountFile {
        account: account.clone(),
    })
    .unwrap_or_default();
    let tmp = dir.join("account.json.tmp");
    crate::private_fs::write_private(&tmp, &body)
        .and_then(|_| std::fs::rename(&tmp, &path))
        .map_err(|source| WorkspaceError::Io { path, source })
}

/// Writes an export through a temporary file renamed into place, so a half-written file never
/// carries the export's name.
fn write_export(path: &Path, text: &str) -> Result<()> {
    let tmp = path.with_extension("csv.part");
    std::fs::write(&tmp, text.as_bytes())
        .and_then(|_| std::fs::rename(&tmp, path))
        .map_err(|source| WorkspaceError::Io {
            path: path.to_owned(),
            source,
        })
}

/// The demo store, filled with the sample shop the first time.
async fn open_demo(dir: &Path) -> Result<Current> {
    let store = Store::open(&dir.join("demo.sqlite")).await?;
    if store::orders::count(store.pool()).await? == 0 {
        let now = store::now();
        let mut data = Dataset::demo(now);
        sync::import_dataset(&store, &data).await?;
        seed_demo_fulfilment(&store).await?;
        // No Stripe to ask: each subscription's next charge is previewed the way Stripe's
        // `create_preview` would, and cached like a real answer.
        let ids: Vec<String> = data
            .subscriptions
            .iter()
            .filter_map(|s| s["id"].as_str().map(str::to_owned))
            .collect();
        for id in ids {
            if let Some(raw) = data.preview_invoice(&id, now) {
                store::upcoming_invoices::put(store.pool(), &id, &raw, now).await?;
            }
        }
    }
    Ok(Current {
        source: DataSource::Demo,
        store,
        client: None,
        account: None,
    })
}

/// A shop that has been trading: all but its newest orders were shipped or collected, with
/// tracking links and an audit trail, so every tab of the demo has something in it.
async fn seed_demo_fulfilment(store: &Store) -> Result<()> {
    let mut tx = store.write().await?;
    // The 14 newest deliveries and 6 newest pickups are still waiting for the packing station.
    // Orders whose payment holds them back were never sent: they wait in Awaiting payment and
    // On hold, where a newcomer finds them.
    let old: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT id, delivery_kind, created FROM (
            SELECT id, delivery_kind, created,
                   ROW_NUMBER() OVER (PARTITION BY delivery_kind ORDER BY created DESC, id DESC) AS rank
            FROM orders WHERE payment_hold IS NULL)
         WHERE rank > CASE delivery_kind WHEN 'pickup' THEN 6 ELSE 14 END",
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    for (i, (id, kind, created)) in old.iter().enumerate() {
        let staff = ["Camille", "Léo", "Inès"][i % 3];
        let at = created + 26 * 3600 + (i as i64 % 7) * 1800;
        let (status, action) = if kind == "pickup" {
            ("picked_up", "picked_up")
        } else {
            ("sent", "shipped")
        };
        sqlx::query(
            "INSERT INTO fulfilments (order_id, status, sent_at, picked_up_at, staff, station, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'Atelier', ?6)",
        )
        .bind(id)
        .bind(status)
        .bind((status == "sent").then_some(at))
        .bind((status == "picked_up").then_some(at))
        .bind(staff)
        .bind(at)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        if status == "sent" {
            let number = format!("6A{:011}", 10_000_000_000u64 + (i as u64) * 7_919);
            sqlx::query(
                "INSERT INTO tracking_entries (order_id, carrier, number, url, created_at)
                 VALUES (?1, 'colissimo', ?2, ?3, ?4)",
            )
            .bind(id)
            .bind(&number)
            .bind(format!(
                "https://www.laposte.fr/outils/suivre-vos-envois?code={number}"
            ))
            .bind(at)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        }
        sqlx::query(
            "INSERT INTO audit_log (order_id, at, action, staff, station, detail) VALUES (?1, ?2, ?3, ?4, 'Atelier', NULL)",
        )
        .bind(id)
        .bind(at)
        .bind(action)
        .bind(staff)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    }
    // The demo's packing station is staffed, so a newcomer can ship and hand over orders
    // straight away; Settings changes both names.
    for (key, value) in [
        (store::settings::STAFF, "Camille"),
        (store::settings::STATION, "Atelier"),
    ] {
        if store::settings::get_value(&mut *tx, key).await?.is_none() {
            store::settings::set_value(&mut *tx, key, value).await?;
        }
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}
