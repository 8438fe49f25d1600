//! Sync: Stripe → the local store.
//!
//! A first **full sync** walks the list endpoints (customers, completed Checkout Sessions,
//! invoices, subscriptions, shipping rates), 100 objects a page with the needed expansions. Each
//! list is cut into windows of `created` time that are paged concurrently: `starting_after`
//! paging is sequential by nature, and Stripe's latency, not its rate limit, would otherwise
//! bound the sync. Every page is written in one transaction together with its window's cursor,
//! so a sync killed at any point resumes where it stopped, without loss or duplicates.
//!
//! After that, **incremental syncs** read `GET /v1/events` from the stored cursor. Stripe keeps
//! events for 30 days: after a longer gap, the next sync is a full one again.

use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::Arc;

use futures::stream::{self, StreamExt, TryStreamExt};
use serde_json::Value;
use sqlx::SqliteConnection;
use stripe_billing::invoice::ListInvoice;
use stripe_billing::subscription::{
    ListSubscription, ListSubscriptionStatus, RetrieveSubscription,
};
use stripe_checkout::checkout_session::{
    ListCheckoutSession, ListLineItemsCheckoutSession, RetrieveCheckoutSession,
};
use stripe_core::customer::{ListCustomer, RetrieveCustomer};
use stripe_core::event::ListEvent;
use stripe_types::{RangeBoundsTs, RangeQueryTs};
use tokio::sync::Mutex;

use crate::dataset::Dataset;
use crate::model::{SyncProgress, SyncReport, SyncStage};
use crate::sharing;
use crate::store::shipping_rates::RateBook;
use crate::store::{self, cursors, Store, StoreError};
use crate::stripe::mapping;
use crate::stripe::{StripeClient, StripeError};

/// Stripe keeps events this long.
pub const EVENTS_RETENTION_SECS: i64 = 30 * 24 * 3600;
/// A cursor event closer than this to Stripe's purge is not used as a cursor any more.
const CURSOR_MARGIN_SECS: i64 = 24 * 3600;
const PAGE: i64 = 100;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Stripe(#[from] StripeError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for SyncError {
    fn from(e: sqlx::Error) -> Self {
        SyncError::Store(StoreError::Database(e))
    }
}

pub type Result<T, E = SyncError> = std::result::Result<T, E>;

/// How the full sync spreads its requests.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// `created` windows each list is cut into; 1 pages each list from newest to oldest.
    pub windows: usize,
    /// Pages in flight at once across all lists; 1 is the one-page-at-a-time baseline.
    pub concurrency: usize,
    /// How long a fulfilment write waits on Stripe before it is read back (README: Stations).
    pub write_settle: std::time::Duration,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            windows: 8,
            concurrency: 8,
            write_settle: crate::sharing::PushOptions::default().settle,
        }
    }
}

impl SyncOptions {
    /// One page at a time, list after list: the baseline the benchmark compares with.
    pub fn sequential() -> Self {
        SyncOptions {
            windows: 1,
            concurrency: 1,
            write_settle: crate::sharing::PushOptions::default().settle,
        }
    }
}

pub type ProgressFn = Arc<dyn Fn(SyncProgress) + Send + Sync>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Resource {
    Customers,
    Sessions,
    Invoices,
    Subscriptions,
}

impl Resource {
    const ALL: [Resource; 4] = [
        Resource::Customers,
        Resource::Sessions,
        Resource::Invoices,
        Resource::Subscriptions,
    ];

    fn name(self) -> &'static str {
        match self {
            Resource::Customers => "customers",
            Resource::Sessions => "checkout_sessions",
            Resource::Invoices => "invoices",
            Resource::Subscriptions => "subscriptions",
        }
    }

    fn stage(self) -> SyncStage {
        match self {
            Resource::Customers => SyncStage::Customers,
            Resource::Sessions => SyncStage::Orders,
            Resource::Invoices => SyncStage::Invoices,
            Resource::Subscriptions => SyncStage::Subscriptions,
        }
    }
}

const SESSION_EXPAND: [&str; 7] = [
    "line_items",
    "invoice",
    "shipping_cost.shipping_rate",
    "total_details.breakdown",
    "discounts.coupon",
    "discounts.promotion_code",
    // The payment's state: processing, failed, refunded (three levels with `data.`, within
    // Stripe's limit of four).
    "payment_intent.latest_charge",
];
/// An invoice's payments (includable), which name the PaymentIntent of a one-off invoice.
const INVOICE_EXPAND: [&str; 1] = ["payments"];
/// A PaymentIntent retrieved on its own (an invoice's, or after a payment event).
const PAYMENT_EXPAND: &str = "latest_charge";
const SUBSCRIPTION_EXPAND: [&str; 4] = [
    "default_payment_method",
    "items.data.price.product",
    "schedule",
    // A past-due subscription says why and when Stripe retries: the latest invoice's attempts
    // and its payments (`data.latest_invoice.payments` is three levels of Stripe's four; the
    // PaymentIntent behind a failed payment is one level too deep and is read on its own, see
    // `attach_failed_payments`).
    "latest_invoice.payments",
];
/// A customer's default payment method is what Stripe charges for a subscription without one
/// of its own; only its masked summary is kept (see `mapping::payment_method_summary`).
const CUSTOMER_EXPAND: [&str; 1] = ["invoice_settings.default_payment_method"];

fn list_expand(fields: &[&str]) -> Vec<String> {
    fields.iter().map(|f| format!("data.{f}")).collect()
}

fn own_expand(fields: &[&str]) -> Vec<String> {
    fields.iter().map(|f| (*f).to_owned()).collect()
}

/// Counts shared by the concurrent workers, turned into progress events.
struct Tally {
    progress: ProgressFn,
    stage: std::sync::Mutex<SyncStage>,
    orders: AtomicI64,
    customers: AtomicI64,
    subscriptions: AtomicI64,
    invoices: AtomicI64,
    events: AtomicI64,
    streams: usize,
    streams_done: AtomicUsize,
    pages: AtomicUsize,
}

impl Tally {
    fn new(progress: ProgressFn, streams: usize) -> Self {
        Tally {
            progress,
            stage: std::sync::Mutex::new(SyncStage::Starting),
            orders: AtomicI64::new(0),
            customers: AtomicI64::new(0),
            subscriptions: AtomicI64::new(0),
            invoices: AtomicI64::new(0),
            events: AtomicI64::new(0),
            streams: streams.max(1),
            streams_done: AtomicUsize::new(0),
            pages: AtomicUsize::new(0),
        }
    }

    fn emit(&self, stage: Option<SyncStage>) {
        let stage = {
            let mut s = self.stage.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(new) = stage {
                *s = new;
            }
            *s
        };
        let done = self.streams_done.load(Ordering::Relaxed) as f64;
        let pages = self.pages.load(Ordering::Relaxed) as f64;
        // Unknown totals: finished windows count fully, pages in running windows approach one
        // more window without reaching it, so the bar only moves forward.
        let running = (self.streams as f64 - done).max(0.0);
        let partial = if running > 0.0 {
            running * (1.0 - 1.0 / (1.0 + pages / (running * 4.0)))
        } else {
            0.0
        };
        let fraction = if stage == SyncStage::Done {
            1.0
        } else {
            (0.05 + 0.9 * (done + partial.min(running * 0.95)) / self.streams as f64).min(0.99)
        };
        (self.progress)(SyncProgress {
            stage,
            fraction,
            orders: self.orders.load(Ordering::Relaxed),
            customers: self.customers.load(Ordering::Relaxed),
            subscriptions: self.subscriptions.load(Ordering::Relaxed),
            invoices: self.invoices.load(Ordering::Relaxed),
        })
    }

    fn report(&self, full: bool, requests: u64) -> SyncReport {
        SyncReport {
            full,
            orders: self.orders.load(Ordering::Relaxed),
            customers: self.customers.load(Ordering::Relaxed),
            subscriptions: self.subscriptions.load(Ordering::Relaxed),
            invoices: self.invoices.load(Ordering::Relaxed),
            events: self.events.load(Ordering::Relaxed),
            requests: requests as i64,
            skipped: 0,
        }
    }
}

/// Syncs the store with Stripe: a full sync the first time (or after a gap of more than 30
/// days, or to finish an interrupted one), an incremental one otherwise.
pub async fn sync(
    store: &Store,
    client: &StripeClient,
    options: &SyncOptions,
    progress: ProgressFn,
) -> Result<SyncReport> {
    let before = client.request_count();
    let mut conn = store.pool().acquire().await?;
    let full_done = cursors::get(&mut *conn, "full")
        .await?
        .is_some_and(|c| c.complete);
    let last_poll = store::settings::last_synced_at(&mut *conn).await?;
    drop(conn);
    // A gap is measured from the last successful sync, not from the newest event: a quiet shop
    // that polls every day has an old newest event and must still sync incrementally.
    let stale = last_poll.is_some_and(|t| t < store::now() - EVENTS_RETENTION_SECS);
    let mut report = if full_done && !stale {
        match incremental(store, client, progress.clone()).await {
            // The cursor event is gone (older than Stripe keeps): start over with a full sync.
            Err(SyncError::Stripe(e)) if cursor_gone(&e) => {
                restart_full(store).await?;
                full(store, client, options, progress.clone()).await?
            }
            other => other?,
        }
    } else {
        if stale {
            tracing::info!("last sync is older than Stripe keeps events: running a full sync");
            restart_full(store).await?;
        }
        full(store, client, options, progress.clone()).await?
    };
    store::settings::set_value(
        store.pool(),
        store::settings::LAST_SYNCED_AT,
        &store::now().to_string(),
    )
    .await?;
    retry_skipped(store, client).await?;
    // Whatever a full sync's pages wrote again of a deleted customer leaves nothing personal
    // behind. (An incremental sync's batches and the retried objects erase in their own
    // transactions, so a sync with nothing new takes no write lock for it.)
    if report.full {
        let mut tx = store.write().await?;
        store::erasure::erase_deleted_customers(&mut tx, store::now()).await?;
        tx.commit().await?;
    }
    report.skipped = store::sync_skipped::count(store.pool()).await?;
    report.requests = (client.request_count() - before) as i64;
    if report.full {
        // A full sync may have resumed one that was cut short: what the merchant wants to read
        // is what the store now holds, not this run's share of it.
        let mut conn = store.pool().acquire().await?;
        report.orders = store::orders::count(&mut *conn).await?;
        report.customers = store::customers::count(&mut *conn).await?;
        report.subscriptions = store::subscriptions::count(&mut *conn).await?;
        report.invoices = store::invoices::count(&mut *conn).await?;
    }
    Ok(report)
}

/// Fetches again, one by one, the objects an earlier sync could not read, and writes those it
/// now can (a newer app, or Stripe fixed the object); the others stay listed.
async fn retry_skipped(store: &Store, client: &StripeClient) -> Result<()> {
    let todo = store::sync_skipped::list(store.pool()).await?;
    if todo.is_empty() {
        return Ok(());
    }
    let book = {
        let mut conn = store.pool().acquire().await?;
        store::shipping_rates::rate_book(&mut conn).await?
    };
    for (kind, id) in todo {
        let fetched = match kind.as_str() {
            "checkout.session" => {
                let s = client
                    .send(
                        &RetrieveCheckoutSession::new(id.as_str())
                            .expand(own_expand(&SESSION_EXPAND)),
                    )
                    .await;
                match s {
                    Ok(s) => {
                        let items = fetch_session_items(client, &s).await?;
                        Ok(EventObject::Session(s, items))
                    }
                    Err(e) => Err(e),
                }
            }
            "invoice" => client
                .get(
                    &format!("/invoices/{id}"),
                    &[("expand[]", INVOICE_EXPAND[0])],
                )
                .await
                .map(EventObject::Plain),
            "customer" => client
                .send(&RetrieveCustomer::new(id.as_str()))
                .await
                .map(EventObject::Plain),
            "subscription" => client
                .send(
                    &RetrieveSubscription::new(id.as_str())
                        .expand(own_expand(&SUBSCRIPTION_EXPAND)),
                )
                .await
                .map(EventObject::Plain),
            "dispute" => client
                .get(&format!("/disputes/{id}"), &[])
                .await
                .map(EventObject::Plain),
            _ => continue,
        };
        let mut tx = store.write().await?;
        match fetched {
            Ok(obj) => {
                let tally = Tally::new(Arc::new(|_| {}), 1);
                apply_object(&mut tx, &book, &obj, &tally).await?;
                store::erasure::erase_deleted_customers(&mut tx, store::now()).await?;
            }
            // Gone from Stripe: nothing left to read.
            Err(StripeError::NotFound(_)) => {
                store::sync_skipped::clear(&mut tx, &kind, &id).await?
            }
            Err(e) => {
                tracing::info!(kind, id, "could not fetch a skipped object again: {e}");
            }
        }
        tx.commit().await?;
    }
    Ok(())
}

/// Stripe's answer when the events cursor no longer exists (purged after 30 days).
fn cursor_gone(e: &StripeError) -> bool {
    match e {
        StripeError::NotFound(_) => true,
        StripeError::Api {
            status: 400 | 404,
            code,
            ..
        } => code.as_deref() == Some("resource_missing"),
        _ => false,
    }
}

async fn restart_full(store: &Store) -> Result<()> {
    cursors::clear_all(store.pool()).await?;
    Ok(())
}

/// One `created` window of one list, and where its paging stopped.
#[derive(Clone, Debug)]
struct Window {
    resource: Resource,
    index: usize,
    gte: Option<i64>,
    lt: Option<i64>,
}

impl Window {
    fn cursor_name(&self) -> String {
        format!("full:{}:{}", self.resource.name(), self.index)
    }
}

fn windows_for(resource: Resource, start: i64, end: i64, count: usize) -> Vec<Window> {
    if count <= 1 || end <= start {
        return vec![Window {
            resource,
            index: 0,
            gte: None,
            lt: None,
        }];
    }
    let span = (end - start) as f64 / count as f64;
    (0..count)
        .map(|i| Window {
            resource,
            index: i,
            // The first window is open at the bottom and the last at the top, so objects older
            // than the account's creation (imports) or newer than the sync's start are kept.
            gte: (i > 0).then(|| start + (span * i as f64) as i64),
            lt: (i + 1 < count).then(|| start + (span * (i + 1) as f64) as i64),
        })
        .collect()
}

async fn full(
    store: &Store,
    client: &StripeClient,
    options: &SyncOptions,
    progress: ProgressFn,
) -> Result<SyncReport> {
    // The window layout must survive a restart: it is fixed by the times saved at the start.
    let mut conn = store.pool().acquire().await?;
    let plan = cursors::get(&mut *conn, "full").await?;
    let (start, end) = match plan {
        Some(c) if c.cursor.is_some() => {
            let start = c
                .cursor
                .as_deref()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            (start, c.cursor_created.unwrap_or_else(store::now))
        }
        _ => {
            let end = store::now() + 60;
            // The account's creation bounds the windows. A restricted key may not read the
            // account: then two years back will do, as the first window is open at the bottom
            // and still takes anything older.
            let start = match client
                .send(&stripe_connect::account::RetrieveForMyAccountAccount::new())
                .await
            {
                Ok(account) => account.get("created").and_then(Value::as_i64).unwrap_or(0),
                Err(StripeError::Permission(_)) => end - 2 * 365 * 24 * 3600,
                Err(e) => return Err(e.into()),
            };
            // Anchor the events feed before reading the lists: whatever happens during the
            // full sync is replayed by the next incremental one (upserts are idempotent).
            let newest = client.send(&ListEvent::new().limit(1)).await?;
            let anchor = newest.pointer("/data/0").cloned();
            cursors::set(
                &mut *conn,
                cursors::EVENTS,
                anchor
                    .as_ref()
                    .and_then(|e| e.get("id"))
                    .and_then(Value::as_str),
                Some(
                    anchor
                        .as_ref()
                        .and_then(|e| e.get("created"))
                        .and_then(Value::as_i64)
                        .unwrap_or(end - 60),
                ),
                false,
            )
            .await?;
            cursors::set(
                &mut *conn,
                "full",
                Some(&start.to_string()),
                Some(end),
                false,
            )
            .await?;
            (start, end)
        }
    };
    drop(conn);

    let windows: Vec<Window> = Resource::ALL
        .iter()
        .flat_map(|r| {
            // Subscriptions are few; one window is plenty.
            let n = if *r == Resource::Subscriptions {
                options.windows.min(2)
            } else {
                options.windows
            };
            windows_for(*r, start, end, n)
        })
        .collect();
    let tally = Arc::new(Tally::new(progress, windows.len() + 1));
    tally.emit(Some(SyncStage::Starting));

    // Shipping rates first: mapping an order needs their names and pickup flags.
    tally.emit(Some(SyncStage::ShippingRates));
    sync_shipping_rates(store, client).await?;
    // Tax rates: an invoice names its VAT rates by id only.
    let tax_rates = list_all(client, "/tax_rates", &[]).await?;
    {
        let mut tx = store.write().await?;
        for r in &tax_rates {
            store::tax_rates::upsert(&mut tx, r).await?;
        }
        tx.commit().await?;
    }
    // Products: packing mode shows a line's picture and reads its codes from them. A restricted
    // key without Products read still syncs: packing then ticks lines by number.
    let products = match list_all(client, "/products", &[]).await {
        Ok(p) => p,
        Err(SyncError::Stripe(StripeError::Permission(said))) => {
            tracing::warn!("products not readable with this key, packing codes off: {said}");
            Vec::new()
        }
        Err(e) => return Err(e),
    };
    {
        let mut tx = store.write().await?;
        for p in &products {
            write_product(&mut tx, p).await?;
        }
        tx.commit().await?;
    }
    // Disputes next: few, and an order's payment state reads them as it is written.
    let disputes = list_all(client, "/disputes", &[]).await?;
    {
        let mut tx = store.write().await?;
        write_disputes(&mut tx, &disputes).await?;
        tx.commit().await?;
    }
    tally.streams_done.fetch_add(1, Ordering::Relaxed);
    let book = {
        let mut conn = store.pool().acquire().await?;
        Arc::new(store::shipping_rates::rate_book(&mut conn).await?)
    };

    // One writer at a time: SQLite has a single write lock, and a deferred transaction that
    // reads then writes can fail to upgrade while another commits.
    let gate = Arc::new(Mutex::new(()));
    let ctx = FullCtx {
        listed_in: end,
        concurrency: options.concurrency.max(1),
        store,
        client,
        book,
        gate,
        tally: tally.clone(),
    };
    stream::iter(windows.into_iter().map(Ok::<_, SyncError>))
        .try_for_each_concurrent(options.concurrency.max(1), |w| {
            let ctx = &ctx;
            async move { ctx.page_window(w).await }
        })
        .await?;

    // Customers deleted since their orders were made are not listed: fetch them by id, with
    // those an earlier sync knew that this one did not list (deleted since).
    fetch_missing_customers(&ctx).await?;
    // Refunds carry their dates only on the refunds themselves, and a one-off invoice's payment
    // is not expanded by any list: read the refunds once.
    read_refunds(&ctx).await?;

    let mut conn = store.pool().acquire().await?;
    let events = cursors::get(&mut *conn, cursors::EVENTS).await?;
    cursors::set(
        &mut *conn,
        cursors::EVENTS,
        events.as_ref().and_then(|c| c.cursor.as_deref()),
        events.as_ref().and_then(|c| c.cursor_created),
        true,
    )
    .await?;
    cursors::set(
        &mut *conn,
        "full",
        Some(&start.to_string()),
        Some(end),
        true,
    )
    .await?;
    tally.emit(Some(SyncStage::Done));
    Ok(tally.report(true, 0))
}

struct FullCtx<'a> {
    /// This full sync's mark on the customers it lists (its end time, fixed across a resume).
    listed_in: i64,
    /// Requests in flight at once (the sync's concurrency).
    concurrency: usize,
    store: &'a Store,
    client: &'a StripeClient,
    book: Arc<RateBook>,
    gate: Arc<Mutex<()>>,
    tally: Arc<Tally>,
}

impl FullCtx<'_> {
    async fn page_window(&self, w: Window) -> Result<()> {
        let name = w.cursor_name();
        let saved = cursors::get(self.store.pool(), &name).await?;
        if saved.as_ref().is_some_and(|c| c.complete) {
            self.tally.streams_done.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        let mut after = saved.and_then(|c| c.cursor);
        self.tally.emit(Some(w.resource.stage()));
        loop {
            let created = (w.gte.is_some() || w.lt.is_some()).then_some(RangeQueryTs::Bounds(
                RangeBoundsTs {
                    gt: None,
                    gte: w.gte,
                    lt: w.lt,
                    lte: None,
                },
            ));
            // Every list takes the same window and cursor; only its own parameters differ.
            macro_rules! fetch {
                ($request:expr) => {{
                    let mut r = $request.limit(PAGE);
                    if let Some(a) = &after {
                        r = r.starting_after(a.as_str());
                    }
                    if let Some(c) = created {
                        r = r.created(c);
                    }
                    self.client.send(&r).await?
                }};
            }
            let page = match w.resource {
                Resource::Customers => {
                    fetch!(ListCustomer::new().expand(list_expand(&CUSTOMER_EXPAND)))
                }
                Resource::Sessions => fetch!(ListCheckoutSession::new()
                    .status(stripe_shared::CheckoutSessionStatus::Complete)
                    .expand(list_expand(&SESSION_EXPAND))),
                Resource::Invoices => {
                    fetch!(ListInvoice::new().expand(list_expand(&INVOICE_EXPAND)))
                }
                Resource::Subscriptions => fetch!(ListSubscription::new()
                    .status(ListSubscriptionStatus::All)
                    .expand(list_expand(&SUBSCRIPTION_EXPAND))),
            };
            let mut data: Vec<Value> = page
                .get("data")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if w.resource == Resource::Subscriptions {
                attach_failed_payments(self.client, &mut data).await?;
            }
            let has_more = page
                .get("has_more")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let last = data
                .last()
                .and_then(|o| o.get("id"))
                .and_then(Value::as_str)
                .map(str::to_owned);

            // Sessions whose expanded line items were cut short: fetch the rest before writing.
            let mut items = std::collections::HashMap::new();
            if w.resource == Resource::Sessions {
                for s in data.iter().filter(|s| mapping::session_is_order(s)) {
                    items.insert(session_id(s), self.session_items(s).await?);
                }
            }

            // The page and its cursor are written by a task of their own: if the sync is
            // cancelled (the window closes, the user stops it), the transaction still finishes
            // or rolls back whole instead of being dropped while it holds SQLite's write lock.
            let page = PageWrite {
                store: self.store.clone(),
                gate: self.gate.clone(),
                book: self.book.clone(),
                tally: self.tally.clone(),
                resource: w.resource,
                data,
                items,
                listed_in: self.listed_in,
                cursor_name: name.clone(),
                cursor: last.clone().or_else(|| after.clone()),
                complete: !has_more,
            };
            detached(page.write()).await?;
            self.tally.pages.fetch_add(1, Ordering::Relaxed);
            // The label names the list a page was just read from, whatever other windows do.
            self.tally.emit(Some(w.resource.stage()));
            if !has_more || last.is_none() {
                self.tally.streams_done.fetch_add(1, Ordering::Relaxed);
                self.tally.emit(None);
                return Ok(());
            }
            self.tally.emit(None);
            after = last;
        }
    }

    /// A session's line items: the expanded first page, plus the rest when there is more.
    async fn session_items(&self, session: &Value) -> Result<Vec<Value>> {
        fetch_session_items(self.client, session).await
    }
}

/// A customer with its default payment method expanded. A deleted customer has no
/// `invoice_settings` to expand and the expansion can be refused (the simulator does, as
/// Stripe does for a property an object lacks): it is then read as it is.
async fn retrieve_customer(client: &StripeClient, id: &str) -> Result<Value, StripeError> {
    let r = RetrieveCustomer::new(id).expand(own_expand(&CUSTOMER_EXPAND));
    match client.send(&r).await {
        Err(StripeError::Api { status: 400, .. }) => client.send(&RetrieveCustomer::new(id)).await,
        other => other,
    }
}

/// Whether an invoice is unpaid after a payment attempt.
fn failed_invoice(inv: &Value) -> bool {
    matches!(inv["status"].as_str(), Some("open" | "uncollectible"))
        && inv["attempt_count"].as_i64().unwrap_or(0) > 0
}

/// Whether a subscription's expanded latest invoice is unpaid after a payment attempt.
fn latest_invoice_failed(s: &Value) -> bool {
    failed_invoice(&s["latest_invoice"])
}

/// Reads the PaymentIntent behind each failed payment of a subscription's latest invoice and
/// puts it where `expand` would have (`latest_invoice.payments.data[].payment.payment_intent`),
/// with its latest charge: the failure reason lives there, one level past Stripe's expansion
/// limit. Only subscriptions whose latest invoice is unpaid after an attempt cost a request.
async fn attach_failed_payments(client: &StripeClient, subs: &mut [Value]) -> Result<()> {
    for s in subs.iter_mut().filter(|s| latest_invoice_failed(s)) {
        let Some(payments) = s
            .pointer_mut("/latest_invoice/payments/data")
            .and_then(Value::as_array_mut)
        else {
            continue;
        };
        for p in payments {
            let Some(id) = p
                .pointer("/payment/payment_intent")
                .and_then(Value::as_str)
                .map(str::to_owned)
            else {
                continue;
            };
            match fetch_payment_intent(client, &id).await {
                Ok(pi) => p["payment"]["payment_intent"] = pi,
                Err(SyncError::Stripe(StripeError::NotFound(_))) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

/// Runs a write to completion even if the caller is cancelled.
async fn detached<T: Send + 'static>(
    f: impl std::future::Future<Output = Result<T>> + Send + 'static,
) -> Result<T> {
    tokio::spawn(f)
        .await
        .map_err(|e| SyncError::Store(StoreError::Database(sqlx::Error::Protocol(e.to_string()))))?
}

/// One fetched page, ready to be written with its cursor in one transaction.
struct PageWrite {
    store: Store,
    gate: Arc<Mutex<()>>,
    book: Arc<RateBook>,
    tally: Arc<Tally>,
    resource: Resource,
    data: Vec<Value>,
    items: std::collections::HashMap<String, Vec<Value>>,
    listed_in: i64,
    cursor_name: String,
    cursor: Option<String>,
    complete: bool,
}

impl PageWrite {
    async fn write(self) -> Result<()> {
        let _write = self.gate.lock().await;
        let mut tx = self.store.write().await?;
        match self.resource {
            Resource::Customers => {
                let n = write_customers(&mut tx, &self.data).await?;
                let ids: Vec<&str> = self
                    .data
                    .iter()
                    .filter_map(|c| c.get("id").and_then(Value::as_str))
                    .collect();
                store::customers::mark_listed(&mut tx, &ids, self.listed_in).await?;
                self.tally.customers.fetch_add(n, Ordering::Relaxed);
            }
            Resource::Sessions => {
                let n = write_sessions(&mut tx, &self.book, &self.data, &self.items).await?;
                self.tally.orders.fetch_add(n, Ordering::Relaxed);
            }
            Resource::Invoices => {
                let (inv, orders) = write_invoices(&mut tx, &self.book, &self.data).await?;
                self.tally.invoices.fetch_add(inv, Ordering::Relaxed);
                self.tally.orders.fetch_add(orders, Ordering::Relaxed);
            }
            Resource::Subscriptions => {
                let n = write_subscriptions(&mut tx, &self.data).await?;
                self.tally.subscriptions.fetch_add(n, Ordering::Relaxed);
            }
        }
        cursors::set(
            &mut *tx,
            &self.cursor_name,
            self.cursor.as_deref(),
            None,
            self.complete,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn session_id(s: &Value) -> String {
    s.get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

async fn fetch_session_items(client: &StripeClient, session: &Value) -> Result<Vec<Value>> {
    let expanded = session.get("line_items");
    let mut items: Vec<Value> = expanded
        .and_then(|l| l.get("data"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let complete = expanded
        .and_then(|l| l.get("has_more"))
        .and_then(Value::as_bool)
        == Some(false);
    if complete {
        return Ok(items);
    }
    let id = session_id(session);
    // Not expanded (an event's snapshot) or cut short: page through the line items.
    let mut after = if expanded.is_some() {
        items
            .last()
            .and_then(|i| i.get("id"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    } else {
        items.clear();
        None
    };
    loop {
        let mut r = ListLineItemsCheckoutSession::new(id.as_str()).limit(PAGE);
        if let Some(a) = &after {
            r = r.starting_after(a.as_str());
        }
        let page = client.send(&r).await?;
        let data = page
            .get("data")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let has_more = page
            .get("has_more")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        after = data
            .last()
            .and_then(|i| i.get("id"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        items.extend(data);
        if !has_more || after.is_none() {
            return Ok(items);
        }
    }
}

async fn sync_shipping_rates(store: &Store, client: &StripeClient) -> Result<()> {
    let rates = list_all(client, "/shipping_rates", &[]).await?;
    let mut tx = store.write().await?;
    for rate in &rates {
        if let Some(r) = mapping::shipping_rate_to_store(rate) {
            store::shipping_rates::upsert(&mut tx, &r, rate).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// A list page's objects, whether more follow, and the id to continue after.
fn split_page(page: &Value) -> (Vec<Value>, bool, Option<String>) {
    let data = page
        .get("data")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let last = data
        .last()
        .and_then(|o| o.get("id"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let has_more = page
        .get("has_more")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    (data, has_more && last.is_some(), last)
}

/// Every object of a list endpoint that async-stripe's build here does not cover.
async fn list_all(client: &StripeClient, path: &str, query: &[(&str, &str)]) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    let limit = PAGE.to_string();
    loop {
        let mut q: Vec<(&str, &str)> = query.to_vec();
        q.push(("limit", &limit));
        if let Some(a) = &after {
            q.push(("starting_after", a));
        }
        let (data, more, last) = split_page(&client.get(path, &q).await?);
        out.extend(data);
        if !more {
            return Ok(out);
        }
        after = last;
    }
}

/// Refunds, from the account's refunds list (a page per hundred refunds, however many orders):
/// the newest refund of each payment dates it ("Refunded €12.00 on 3 Dec"), and a one-off
/// invoice's payment, which no list expands, learns what was refunded of it. Paid invoices are
/// paid: their PaymentIntent is not read one by one.
async fn read_refunds(ctx: &FullCtx<'_>) -> Result<()> {
    let refunds = list_all(ctx.client, "/refunds", &[]).await?;
    let mut by_payment: std::collections::BTreeMap<String, (i64, i64)> = Default::default();
    for r in &refunds {
        let Some(pi) = r.get("payment_intent").and_then(Value::as_str) else {
            continue;
        };
        // A failed or cancelled refund gave nothing back.
        let counts = matches!(
            r.get("status").and_then(Value::as_str),
            Some("succeeded" | "pending" | "requires_action")
        );
        let entry = by_payment.entry(pi.to_owned()).or_insert((0, 0));
        if counts {
            entry.0 += r.get("amount").and_then(Value::as_i64).unwrap_or(0);
        }
        entry.1 = entry
            .1
            .max(r.get("created").and_then(Value::as_i64).unwrap_or(0));
    }
    if by_payment.is_empty() {
        return Ok(());
    }
    let _write = ctx.gate.lock().await;
    let mut tx = ctx.store.write().await?;
    for (pi, (refunded, newest)) in &by_payment {
        if store::payments::get(&mut *tx, pi).await?.is_none() {
            if store::orders::ids_with_payment(&mut *tx, pi)
                .await?
                .is_empty()
            {
                continue;
            }
            let facts = crate::model::PaymentFacts {
                payment_intent_id: pi.clone(),
                status: Some("succeeded".into()),
                amount_refunded: *refunded,
                ..Default::default()
            };
            store::payments::upsert(&mut tx, &facts, &serde_json::json!({"id": pi})).await?;
        }
        store::payments::note_refund(&mut *tx, pi, *newest).await?;
        refresh_payment(&mut tx, pi).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn fetch_missing_customers(ctx: &FullCtx<'_>) -> Result<()> {
    // Referenced but never stored (`false`), or stored but not in this sync's lists (`true`).
    let pool = ctx.store.pool();
    let wanted: Vec<(String, bool)> = store::customers::missing_ids(pool)
        .await?
        .into_iter()
        .map(|id| (id, false))
        .chain(
            store::customers::unlisted_ids(pool, ctx.listed_in)
                .await?
                .into_iter()
                .map(|id| (id, true)),
        )
        .collect();
    let fetched: Vec<Value> = stream::iter(wanted)
        .map(|(id, known)| async move {
            match retrieve_customer(ctx.client, id.as_str()).await {
                Ok(v) => Ok(Some(v)),
                // One we had that Stripe no longer has: gone, like a deleted one.
                Err(StripeError::NotFound(_)) if known => Ok(Some(
                    serde_json::json!({"id": id, "object": "customer", "deleted": true}),
                )),
                Err(StripeError::NotFound(_)) => Ok(None),
                Err(e) => Err(e),
            }
        })
        .buffer_unordered(ctx.concurrency)
        .try_filter_map(|v| async move { Ok(v) })
        .try_collect()
        .await?;
    let _write = ctx.gate.lock().await;
    let mut tx = ctx.store.write().await?;
    let n = write_customers(&mut tx, &fetched).await?;
    store::erasure::erase_deleted_customers(&mut tx, store::now()).await?;
    tx.commit().await?;
    ctx.tally.customers.fetch_add(n, Ordering::Relaxed);
    Ok(())
}

// ---- Writing Stripe objects (shared by the full sync, events and the demo store) ----

/// An object the mapping refused: logged with its id (never its content), and kept for the
/// next sync to fetch again when it has an id.
async fn skipped(
    conn: &mut SqliteConnection,
    kind: &str,
    obj: &Value,
    e: &mapping::MappingError,
) -> Result<()> {
    let id = obj.get("id").and_then(Value::as_str).unwrap_or_default();
    tracing::warn!(
        kind,
        id,
        "skipping a Stripe object the app cannot read: {e}"
    );
    if !id.is_empty() {
        store::sync_skipped::note(conn, kind, id, &e.to_string()).await?;
    }
    Ok(())
}

/// An object read at last: it leaves the list of those to retry.
async fn read_ok(conn: &mut SqliteConnection, kind: &str, obj: &Value) -> Result<()> {
    if let Some(id) = obj.get("id").and_then(Value::as_str) {
        store::sync_skipped::clear(conn, kind, id).await?;
    }
    Ok(())
}

async fn write_customers(conn: &mut SqliteConnection, data: &[Value]) -> Result<i64> {
    let mut n = 0;
    for c in data {
        match mapping::customer_from(c) {
            Ok(customer) => {
                store::customers::upsert(conn, &customer, c).await?;
                read_ok(conn, "customer", c).await?;
                n += 1;
            }
            Err(e) => skipped(conn, "customer", c, &e).await?,
        }
    }
    Ok(n)
}

async fn write_sessions(
    conn: &mut SqliteConnection,
    book: &RateBook,
    data: &[Value],
    items: &std::collections::HashMap<String, Vec<Value>>,
) -> Result<i64> {
    let mut n = 0;
    let name = |id: &str| book.name(id);
    let pickup = |id: &str, display: Option<&str>| book.is_pickup(id, display);
    for s in data {
        let lines = items.get(&session_id(s)).map(Vec::as_slice).unwrap_or(&[]);
        match mapping::order_from_session(s, lines, &name, &pickup) {
            Ok(Some(mut order)) => {
                if let Some(pi) = s.get("payment_intent").filter(|p| p.is_object()) {
                    write_payment(conn, pi).await?;
                }
                order.payment = payment_of(conn, &order).await?;
                if store::orders::upsert(conn, &order, s).await? {
                    n += 1;
                }
                read_shared_of_session(conn, &order, s).await?;
                read_ok(conn, "checkout.session", s).await?;
            }
            Ok(None) => {}
            Err(e) => skipped(conn, "checkout.session", s, &e).await?,
        }
    }
    Ok(n)
}

/// The invoice with the tax rates its VAT lines name by id replaced by the rates themselves
/// (from the store), as an expansion would give them, so the VAT reads "TVA 20 %", not "Tax".
async fn with_tax_rates(conn: &mut SqliteConnection, inv: &Value) -> Result<Value> {
    let mut inv = inv.clone();
    if let Some(taxes) = inv.get_mut("total_taxes").and_then(Value::as_array_mut) {
        for t in taxes {
            let Some(slot) = t.pointer_mut("/tax_rate_details/tax_rate") else {
                continue;
            };
            if let Some(id) = slot.as_str().map(str::to_owned) {
                if let Some(rate) = store::tax_rates::get(&mut *conn, &id).await? {
                    *slot = rate;
                }
            }
        }
    }
    Ok(inv)
}

/// Stores what a PaymentIntent (with its latest charge, when expanded) says of the payment.
pub(crate) async fn write_payment(conn: &mut SqliteConnection, pi: &Value) -> Result<()> {
    if let Some(facts) = mapping::payment_facts(pi) {
        store::payments::upsert(conn, &facts, pi).await?;
    }
    Ok(())
}

/// An order's payment state from its checkout status, its PaymentIntent and its dispute.
async fn payment_of(
    conn: &mut SqliteConnection,
    order: &crate::model::Order,
) -> Result<crate::model::OrderPayment> {
    let (facts, dispute) = match &order.payment_intent_id {
        Some(pi) => {
            let facts = store::payments::get(&mut *conn, pi).await?;
            let charge = facts.as_ref().and_then(|f| f.charge_id.clone());
            let dispute = store::payments::dispute_for(&mut *conn, pi, charge.as_deref()).await?;
            (facts, dispute)
        }
        None => (None, None),
    };
    Ok(crate::payments::order_payment(
        order.payment.checkout_status.as_deref(),
        facts.as_ref(),
        dispute,
        order.amount_total,
    ))
}

/// Recomputes the payment state of the orders a PaymentIntent paid.
pub(crate) async fn refresh_payment(
    conn: &mut SqliteConnection,
    payment_intent_id: &str,
) -> Result<()> {
    for id in store::orders::ids_with_payment(&mut *conn, payment_intent_id).await? {
        let order = store::orders::get(&mut *conn, &id).await?;
        let payment = payment_of(conn, &order).await?;
        store::orders::set_payment(conn, &id, &payment).await?;
    }
    Ok(())
}

/// Stores disputes and updates the orders they concern.
async fn write_disputes(conn: &mut SqliteConnection, data: &[Value]) -> Result<()> {
    for d in data {
        match mapping::dispute_from(d) {
            Ok(dispute) => {
                store::payments::upsert_dispute(conn, &dispute, d).await?;
                let pi = match &dispute.payment_intent_id {
                    Some(pi) => Some(pi.clone()),
                    None => match &dispute.charge_id {
                        Some(ch) => store::payments::by_charge(&mut *conn, ch).await?,
                        None => None,
                    },
                };
                if let Some(pi) = pi {
                    refresh_payment(conn, &pi).await?;
                }
            }
            Err(e) => skipped(conn, "dispute", d, &e).await?,
        }
    }
    Ok(())
}

async fn write_invoices(
    conn: &mut SqliteConnection,
    book: &RateBook,
    data: &[Value],
) -> Result<(i64, i64)> {
    let (mut invoices, mut orders) = (0, 0);
    let name = |id: &str| book.name(id);
    let pickup = |id: &str, display: Option<&str>| book.is_pickup(id, display);
    for i in data {
        let with_rates = with_tax_rates(conn, i).await?;
        let i = &with_rates;
        let invoice = match mapping::invoice_from(i) {
            Ok(inv) => inv,
            Err(e) => {
                skipped(conn, "invoice", i, &e).await?;
                continue;
            }
        };
        read_ok(conn, "invoice", i).await?;
        store::invoices::upsert(conn, &invoice, i).await?;
        invoices += 1;
        let order = match mapping::order_from_invoice(i, &name, &pickup) {
            Ok(Some(o)) => Some(o),
            Ok(None) => box_shipment(conn, book, i).await?,
            Err(_) => None,
        };
        if let Some(mut order) = order {
            order.payment = payment_of(conn, &order).await?;
            if store::orders::upsert(conn, &order, i).await? {
                orders += 1;
            }
        }
        // The shared fulfilment state of the invoice's order (README: Stations).
        for id in store::orders::ids_with_invoice(&mut *conn, &invoice.id).await? {
            sharing::apply_remote(conn, &id, i.get("metadata")).await?;
        }
    }
    Ok((invoices, orders))
}

/// A paid cycle of a subscription box as an order to ship (README: Subscription boxes): unless
/// the shop turned subscription shipments off, and only when one of its lines is a shippable
/// product.
async fn box_shipment(
    conn: &mut SqliteConnection,
    book: &RateBook,
    inv: &Value,
) -> Result<Option<crate::model::Order>> {
    let order = {
        let name = |id: &str| book.name(id);
        let pickup = |id: &str, display: Option<&str>| book.is_pickup(id, display);
        mapping::order_from_subscription_invoice(inv, &name, &pickup)
    };
    let Ok(Some(order)) = order else {
        return Ok(None);
    };
    if order.created < store::now() - crate::subscriptions::RECENT_CYCLE_SECS {
        return Ok(None);
    }
    if !crate::subscriptions::ships_boxes(&mut *conn).await? {
        return Ok(None);
    }
    let products: Vec<String> = order
        .lines
        .iter()
        .filter_map(|l| l.product_id.clone())
        .collect();
    Ok(store::products::any_shippable(conn, &products)
        .await?
        .then_some(order))
}

/// Subscription shipments turned back on: every paid cycle of a shippable subscription already
/// in the store becomes its order (those that have one keep it). Returns how many were added.
pub async fn add_box_shipments(store: &Store) -> Result<i64> {
    let mut tx = store.write().await?;
    let book = store::shipping_rates::rate_book(&mut tx).await?;
    let invoices = store::invoices::paid_subscription_raw(&mut tx).await?;
    let (_, orders) = write_invoices(&mut tx, &book, &invoices).await?;
    tx.commit().await?;
    Ok(orders)
}

/// The shared fulfilment state a session's order carries (README: Stations), read where
/// `sharing::target_of` writes it: the invoice, else the charge, else the session itself.
async fn read_shared_of_session(
    conn: &mut SqliteConnection,
    order: &crate::model::Order,
    s: &Value,
) -> Result<()> {
    let meta = if order.invoice_id.is_some() {
        s.get("invoice")
            .filter(|i| i.is_object())
            .and_then(|i| i.get("metadata"))
    } else {
        // The charge once the payment has one; before that (or with no payment) the session.
        let charge = s
            .pointer("/payment_intent/latest_charge/metadata")
            .filter(|m| sharing::SharedState::from_metadata(m).is_some());
        charge.or_else(|| s.get("metadata"))
    };
    sharing::apply_remote(conn, &order.id, meta).await?;
    Ok(())
}

/// The shared fulfilment state on a PaymentIntent's latest charge (after `charge.updated`), for
/// its orders that have no invoice (README: Stations).
async fn read_shared_of_charge(conn: &mut SqliteConnection, pi: &Value) -> Result<()> {
    let Some(meta) = pi.pointer("/latest_charge/metadata") else {
        return Ok(());
    };
    let id = pi.get("id").and_then(Value::as_str).unwrap_or_default();
    for order_id in store::orders::ids_with_payment(&mut *conn, id).await? {
        let order = store::orders::get(&mut *conn, &order_id).await?;
        if order.invoice_id.is_none() {
            sharing::apply_remote(conn, &order_id, Some(meta)).await?;
        }
    }
    Ok(())
}

/// Orders whose shared state lives on their Checkout Session (no invoice, no payment): no event
/// says when another station changes it, so the sessions of the last 30 days are read again
/// (README: Stations). Rare: a free order.
async fn reread_session_states(store: &Store, client: &StripeClient) -> Result<()> {
    let since = store::now() - 30 * 24 * 3600;
    let ids = store::orders::session_only_since(store.pool(), since).await?;
    for id in ids {
        let s = match client
            .send(&RetrieveCheckoutSession::new(id.as_str()))
            .await
        {
            Ok(s) => s,
            Err(StripeError::NotFound(_)) => continue,
            Err(e) => return Err(e.into()),
        };
        let mut tx = store.write().await?;
        sharing::apply_remote(&mut tx, &id, s.get("metadata")).await?;
        tx.commit().await?;
    }
    Ok(())
}

async fn write_subscriptions(conn: &mut SqliteConnection, data: &[Value]) -> Result<i64> {
    let mut n = 0;
    for s in data {
        match mapping::subscription_from(s, None) {
            Ok(sub) => {
                let next = crate::subscriptions::next_charge(&sub);
                store::subscriptions::upsert(conn, &sub, next, s).await?;
                read_ok(conn, "subscription", s).await?;
                n += 1;
            }
            Err(e) => skipped(conn, "subscription", s, &e).await?,
        }
    }
    Ok(n)
}

// ---- Incremental sync from the events feed ----

/// The events the incremental sync applies. The feed is read whole (Stripe's `types` filter
/// takes at most 20 names) and filtered here; the cursor moves past the others too.
const EVENT_TYPES: [&str; 31] = [
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "customer.created",
    "customer.updated",
    "customer.deleted",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "customer.subscription.trial_will_end",
    "invoice.created",
    "invoice.updated",
    "invoice.paid",
    "invoice.finalized",
    "invoice.voided",
    "invoice.marked_uncollectible",
    "shipping_rate.updated",
    "tax_rate.created",
    "tax_rate.updated",
    "product.created",
    "product.updated",
    "payment_intent.payment_failed",
    // Another station's fulfilment state on a charge (README: Stations).
    "charge.updated",
    "charge.refunded",
    "charge.refund.updated",
    "refund.created",
    "refund.updated",
    "charge.dispute.created",
    "charge.dispute.updated",
    "charge.dispute.closed",
    "charge.dispute.funds_withdrawn",
];

async fn incremental(
    store: &Store,
    client: &StripeClient,
    progress: ProgressFn,
) -> Result<SyncReport> {
    let tally = Arc::new(Tally::new(progress, 1));
    tally.emit(Some(SyncStage::Events));
    let saved = cursors::get(store.pool(), cursors::EVENTS).await?;
    let mut cursor_created = saved.as_ref().and_then(|c| c.cursor_created);
    // Stripe purges events after 30 days, the cursor event with them. In a quiet shop the newest
    // event seen can be that old although the last poll was yesterday: list by `created` from
    // the cursor's time instead of `ending_before` a purged event (nothing newer than it was
    // missed, since every poll since then found nothing; events seen twice apply idempotently).
    let near_purge = cursor_created
        .is_some_and(|t| t < store::now() - EVENTS_RETENTION_SECS + CURSOR_MARGIN_SECS);
    let mut cursor = saved
        .as_ref()
        .and_then(|c| c.cursor.clone())
        .filter(|_| !near_purge);

    // No event existed when the full sync began, or the cursor event is about to be purged:
    // gather everything since its time (newest first on the wire), then apply it oldest first
    // like any other batch.
    let mut backlog: Vec<Value> = Vec::new();
    if cursor.is_none() {
        let mut after: Option<String> = None;
        loop {
            let mut r = ListEvent::new()
                .limit(PAGE)
                .created(RangeQueryTs::Bounds(RangeBoundsTs {
                    gt: None,
                    gte: cursor_created,
                    lt: None,
                    lte: None,
                }));
            if let Some(a) = &after {
                r = r.starting_after(a.as_str());
            }
            let (data, more, last) = split_page(&client.send(&r).await?);
            backlog.extend(data);
            if !more {
                break;
            }
            after = last;
        }
        backlog.reverse();
    }

    loop {
        let mut batch: Vec<Value> = if !backlog.is_empty() {
            let n = backlog.len().min(PAGE as usize);
            backlog.drain(..n).collect()
        } else if cursor.is_none() {
            Vec::new()
        } else {
            // `ending_before` gives the events just newer than the cursor, newest first.
            let r = ListEvent::new()
                .limit(PAGE)
                .ending_before(cursor.clone().unwrap_or_default());
            let page = client.send(&r).await?;
            let mut data: Vec<Value> = page
                .get("data")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            data.reverse();
            data
        };
        if batch.is_empty() {
            break;
        }
        batch.retain(|e| e.get("id").and_then(Value::as_str).is_some());
        let newest = batch.last().cloned().unwrap_or(Value::Null);
        batch.retain(|e| {
            e.get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| EVENT_TYPES.contains(&t))
        });
        let book = {
            let mut conn = store.pool().acquire().await?;
            store::shipping_rates::rate_book(&mut conn).await?
        };
        let fresh = fetch_event_objects(client, &batch).await?;
        cursor = newest.get("id").and_then(Value::as_str).map(str::to_owned);
        cursor_created = newest
            .get("created")
            .and_then(Value::as_i64)
            .or(cursor_created);
        // Written by a task of its own, so a cancelled sync never drops a half-done transaction.
        let (st, t, c) = (store.clone(), tally.clone(), cursor.clone());
        detached(async move {
            let mut tx = st.write().await?;
            for obj in &fresh {
                apply_object(&mut tx, &book, obj, &t).await?;
            }
            // A `customer.deleted` in this batch, or an order of a deleted customer sent again
            // in full: erased in the same transaction.
            store::erasure::erase_deleted_customers(&mut tx, store::now()).await?;
            cursors::set(
                &mut *tx,
                cursors::EVENTS,
                c.as_deref(),
                cursor_created,
                true,
            )
            .await?;
            tx.commit().await?;
            Ok(())
        })
        .await?;
        tally
            .events
            .fetch_add(batch.len() as i64, Ordering::Relaxed);
        tally.pages.fetch_add(1, Ordering::Relaxed);
        tally.emit(None);
    }
    reread_session_states(store, client).await?;
    tally.streams_done.fetch_add(1, Ordering::Relaxed);
    tally.emit(Some(SyncStage::Done));
    Ok(tally.report(false, 0))
}

/// An event's object, refreshed where the snapshot lacks what an order or subscription needs.
enum EventObject {
    Session(Value, Vec<Value>),
    /// A PaymentIntent with its latest charge, retrieved after a payment, charge or refund
    /// event; with the refund's date when a refund event brought it.
    Payment(Value, Option<i64>),
    Plain(Value),
}

/// Retrieves a PaymentIntent with what its payment state needs.
pub(crate) async fn fetch_payment_intent(client: &StripeClient, id: &str) -> Result<Value> {
    Ok(client
        .get(
            &format!("/payment_intents/{id}"),
            &[("expand[]", PAYMENT_EXPAND)],
        )
        .await?)
}

async fn fetch_event_objects(client: &StripeClient, events: &[Value]) -> Result<Vec<EventObject>> {
    let mut out = Vec::with_capacity(events.len());
    // Many events of one batch can name one payment: read it once, after the last of them.
    let mut payments_done = std::collections::HashSet::new();
    let mut subscriptions_done = std::collections::HashSet::new();
    let mut customers_done = std::collections::HashSet::new();
    for e in events.iter().rev() {
        let Some(obj) = e.pointer("/data/object") else {
            continue;
        };
        let kind = obj
            .get("object")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let id = obj.get("id").and_then(Value::as_str).unwrap_or_default();
        match kind {
            "checkout.session" if mapping::session_is_order(obj) => {
                let s = client
                    .send(&RetrieveCheckoutSession::new(id).expand(own_expand(&SESSION_EXPAND)))
                    .await?;
                let items = fetch_session_items(client, &s).await?;
                out.push(EventObject::Session(s, items));
            }
            // A retry that fails again changes only the invoice (`invoice.updated`: one more
            // attempt, a new date): its subscription is read again so that its detail says so.
            "invoice" if failed_invoice(obj) => {
                out.push(EventObject::Plain(obj.clone()));
                if let Some(sub) = mapping::invoice_subscription_id(obj) {
                    if subscriptions_done.insert(sub.clone()) {
                        let r = RetrieveSubscription::new(sub.as_str())
                            .expand(own_expand(&SUBSCRIPTION_EXPAND));
                        match client.send(&r).await {
                            Ok(mut s) => {
                                attach_failed_payments(client, std::slice::from_mut(&mut s))
                                    .await?;
                                // Applied after the invoice (the list is reversed below).
                                out.insert(out.len() - 1, EventObject::Plain(s));
                            }
                            Err(StripeError::NotFound(_)) => {}
                            Err(e) => return Err(e.into()),
                        }
                    }
                }
            }
            "subscription" if !subscriptions_done.insert(id.to_owned()) => {}
            "subscription" => {
                let r = RetrieveSubscription::new(id).expand(own_expand(&SUBSCRIPTION_EXPAND));
                match client.send(&r).await {
                    Ok(mut s) => {
                        attach_failed_payments(client, std::slice::from_mut(&mut s)).await?;
                        out.push(EventObject::Plain(s))
                    }
                    Err(StripeError::NotFound(_)) => out.push(EventObject::Plain(obj.clone())),
                    Err(e) => return Err(e.into()),
                }
            }
            // A one-off invoice's order, or a subscription box's shipment (a paid cycle),
            // needs its payments, which events never carry: read
            // the invoice with them, then its PaymentIntent (written first).
            "invoice" if mapping::invoice_is_order(obj) || mapping::is_paid_cycle(obj) => {
                let inv = client
                    .get(
                        &format!("/invoices/{id}"),
                        &[("expand[]", INVOICE_EXPAND[0])],
                    )
                    .await?;
                out.push(EventObject::Plain(inv.clone()));
                if let Some(pi) = mapping::invoice_payment_intent(&inv) {
                    if payments_done.insert(pi.clone()) {
                        match fetch_payment_intent(client, &pi).await {
                            Ok(v) => out.push(EventObject::Payment(v, None)),
                            Err(SyncError::Stripe(StripeError::NotFound(_))) => {}
                            Err(e) => return Err(e),
                        }
                    }
                }
            }
            "payment_intent" | "charge" | "refund" => {
                let pi = if kind == "payment_intent" {
                    Some(id.to_owned())
                } else {
                    mapping::expandable_id(obj, "payment_intent")
                };
                let refunded_at = (kind == "refund")
                    .then(|| obj.get("created").and_then(Value::as_i64))
                    .flatten();
                if let Some(pi) = pi {
                    if payments_done.insert(pi.clone()) {
                        match fetch_payment_intent(client, &pi).await {
                            Ok(v) => out.push(EventObject::Payment(v, refunded_at)),
                            Err(SyncError::Stripe(StripeError::NotFound(_))) => {}
                            Err(e) => return Err(e),
                        }
                    } else if refunded_at.is_some() {
                        out.push(EventObject::Payment(
                            serde_json::json!({"id": pi, "object": "payment_intent"}),
                            refunded_at,
                        ));
                    }
                }
            }
            "customer" if e.get("type").and_then(Value::as_str) == Some("customer.deleted") => {
                out.push(EventObject::Plain(
                    serde_json::json!({"id": id, "object": "customer", "deleted": true}),
                ));
            }
            // The event's snapshot names the default payment method by id only. Read once per
            // batch: the newest event comes first here, and the customer as it is now.
            "customer" if !customers_done.insert(id.to_owned()) => {}
            "customer" => match retrieve_customer(client, id).await {
                Ok(c) => out.push(EventObject::Plain(c)),
                Err(StripeError::NotFound(_)) => out.push(EventObject::Plain(obj.clone())),
                Err(e) => return Err(e.into()),
            },
            _ => out.push(EventObject::Plain(obj.clone())),
        }
    }
    out.reverse();
    Ok(out)
}

async fn apply_object(
    conn: &mut SqliteConnection,
    book: &RateBook,
    obj: &EventObject,
    tally: &Tally,
) -> Result<()> {
    match obj {
        EventObject::Session(s, items) => {
            let map = std::collections::HashMap::from([(session_id(s), items.clone())]);
            let n = write_sessions(conn, book, std::slice::from_ref(s), &map).await?;
            tally.orders.fetch_add(n, Ordering::Relaxed);
        }
        EventObject::Payment(pi, refunded_at) => {
            let id = pi.get("id").and_then(Value::as_str).unwrap_or_default();
            // A bare id (a second refund of a payment already read in this batch) only dates it.
            if pi.get("status").is_some() {
                write_payment(conn, pi).await?;
                read_shared_of_charge(conn, pi).await?;
            }
            if let Some(at) = refunded_at {
                store::payments::note_refund(&mut *conn, id, *at).await?;
            }
            refresh_payment(conn, id).await?;
        }
        EventObject::Plain(v) => match v.get("object").and_then(Value::as_str) {
            Some("dispute") => write_disputes(conn, std::slice::from_ref(v)).await?,
            Some("customer") => {
                let n = write_customers(conn, std::slice::from_ref(v)).await?;
                tally.customers.fetch_add(n, Ordering::Relaxed);
            }
            Some("invoice") => {
                let (i, o) = write_invoices(conn, book, std::slice::from_ref(v)).await?;
                tally.invoices.fetch_add(i, Ordering::Relaxed);
                tally.orders.fetch_add(o, Ordering::Relaxed);
            }
            Some("subscription") => {
                let n = write_subscriptions(conn, std::slice::from_ref(v)).await?;
                tally.subscriptions.fetch_add(n, Ordering::Relaxed);
            }
            Some("shipping_rate") => {
                if let Some(r) = mapping::shipping_rate_to_store(v) {
                    store::shipping_rates::upsert(conn, &r, v).await?;
                }
            }
            Some("tax_rate") => store::tax_rates::upsert(conn, v).await?,
            Some("product") => write_product(conn, v).await?,
            _ => {}
        },
    }
    Ok(())
}

/// A product as packing mode reads it (README: Packing mode).
async fn write_product(conn: &mut SqliteConnection, p: &Value) -> Result<()> {
    if let Some((id, name, image, metadata)) = mapping::product_to_store(p) {
        let stored = store::products::StoredProduct {
            id,
            name,
            image,
            metadata,
        };
        store::products::upsert(conn, &stored, p).await?;
    }
    Ok(())
}

/// The dataset's customers as the customers list gives them with `CUSTOMER_EXPAND`.
fn demo_customers(data: &Dataset) -> Vec<Value> {
    let pms: std::collections::HashMap<&str, &Value> = data
        .payment_methods
        .iter()
        .filter_map(|p| Some((p.get("id")?.as_str()?, p)))
        .collect();
    data.customers
        .iter()
        .map(|c| {
            let mut c = c.clone();
            if let Some(pm) = c
                .pointer("/invoice_settings/default_payment_method")
                .and_then(Value::as_str)
                .and_then(|id| pms.get(id))
            {
                c["invoice_settings"]["default_payment_method"] = (*pm).clone();
            }
            c
        })
        .collect()
}

/// Fills a store from a generated dataset without any HTTP: the built-in demo store. It goes
/// through the same mapping and writes as a sync, so the demo shows what a sync would.
pub async fn import_dataset(store: &Store, data: &Dataset) -> Result<SyncReport> {
    let mut tx = store.write().await?;
    for rate in &data.shipping_rates {
        if let Some(r) = mapping::shipping_rate_to_store(rate) {
            store::shipping_rates::upsert(&mut tx, &r, rate).await?;
        }
    }
    let book = store::shipping_rates::rate_book(&mut tx).await?;
    let customers = write_customers(&mut tx, &demo_customers(data)).await?;
    // Expand what the list endpoint would have expanded.
    let invoices_by_id: std::collections::HashMap<&str, &Value> = data
        .invoices
        .iter()
        .filter_map(|i| Some((i.get("id")?.as_str()?, i)))
        .collect();
    let by_id = |objs: &'_ [Value]| -> std::collections::HashMap<String, Value> {
        objs.iter()
            .filter_map(|o| Some((o.get("id")?.as_str()?.to_owned(), o.clone())))
            .collect()
    };
    let (coupons, promos) = (by_id(&data.coupons), by_id(&data.promotion_codes));
    let charges = by_id(&data.charges);
    // A PaymentIntent as `expand[]=payment_intent.latest_charge` gives it.
    let payment_intents: std::collections::HashMap<String, Value> = data
        .payment_intents
        .iter()
        .filter_map(|p| {
            let mut p = p.clone();
            if let Some(c) = p["latest_charge"].as_str().and_then(|id| charges.get(id)) {
                p["latest_charge"] = c.clone();
            }
            Some((p.get("id")?.as_str()?.to_owned(), p))
        })
        .collect();
    write_disputes(&mut tx, &data.disputes).await?;
    for r in &data.tax_rates {
        store::tax_rates::upsert(&mut tx, r).await?;
    }
    for p in &data.products {
        write_product(&mut tx, p).await?;
    }
    // Every payment first (a one-off invoice's too), as the full sync's last pass reads them.
    for pi in payment_intents.values() {
        write_payment(&mut tx, pi).await?;
    }
    let sessions: Vec<Value> = data
        .checkout_sessions
        .iter()
        .map(|s| {
            let mut s = s.clone();
            let inv = s
                .get("invoice")
                .and_then(Value::as_str)
                .and_then(|id| invoices_by_id.get(id))
                .copied();
            if let Some(inv) = inv {
                s["invoice"] = inv.clone();
            }
            if let Some(pi) = s["payment_intent"]
                .as_str()
                .and_then(|id| payment_intents.get(id))
            {
                s["payment_intent"] = pi.clone();
            }
            for d in s["discounts"].as_array_mut().into_iter().flatten() {
                for (field, pool) in [("coupon", &coupons), ("promotion_code", &promos)] {
                    if let Some(obj) = d[field].as_str().and_then(|id| pool.get(id)) {
                        d[field] = (*obj).clone();
                    }
                }
            }
            s
        })
        .collect();
    let orders = write_sessions(&mut tx, &book, &sessions, &data.session_line_items).await?;
    let (invoices, invoice_orders) = write_invoices(&mut tx, &book, &data.invoices).await?;
    for r in &data.refunds {
        if let (Some(pi), Some(at)) = (
            r.get("payment_intent").and_then(Value::as_str),
            r.get("created").and_then(Value::as_i64),
        ) {
            store::payments::note_refund(&mut *tx, pi, at).await?;
            refresh_payment(&mut tx, pi).await?;
        }
    }
    let pms: std::collections::HashMap<&str, &Value> = data
        .payment_methods
        .iter()
        .filter_map(|p| Some((p.get("id")?.as_str()?, p)))
        .collect();
    let products: std::collections::HashMap<&str, &Value> = data
        .products
        .iter()
        .filter_map(|p| Some((p.get("id")?.as_str()?, p)))
        .collect();
    let schedules: std::collections::HashMap<&str, &Value> = data
        .subscription_schedules
        .iter()
        .filter_map(|p| Some((p.get("id")?.as_str()?, p)))
        .collect();
    let subs: Vec<Value> = data
        .subscriptions
        .iter()
        .map(|s| {
            let mut s = s.clone();
            if let Some(pm) = s
                .get("default_payment_method")
                .and_then(Value::as_str)
                .and_then(|id| pms.get(id))
            {
                s["default_payment_method"] = (*pm).clone();
            }
            if let Some(sch) = s
                .get("schedule")
                .and_then(Value::as_str)
                .and_then(|id| schedules.get(id))
            {
                s["schedule"] = (*sch).clone();
            }
            if let Some(inv) = s
                .get("latest_invoice")
                .and_then(Value::as_str)
                .and_then(|id| invoices_by_id.get(id))
            {
                let mut inv = (*inv).clone();
                // What `attach_failed_payments` reads after the list: the failed payment's
                // PaymentIntent with its charge.
                for p in inv
                    .pointer_mut("/payments/data")
                    .and_then(Value::as_array_mut)
                    .into_iter()
                    .flatten()
                {
                    if let Some(pi) = p
                        .pointer("/payment/payment_intent")
                        .and_then(Value::as_str)
                        .and_then(|id| payment_intents.get(id))
                    {
                        p["payment"]["payment_intent"] = pi.clone();
                    }
                }
                s["latest_invoice"] = inv;
            }
            if let Some(items) = s.pointer_mut("/items/data").and_then(Value::as_array_mut) {
                for item in items {
                    let prod = item
                        .pointer("/price/product")
                        .and_then(Value::as_str)
                        .and_then(|id| products.get(id));
                    if let Some(p) = prod {
                        item["price"]["product"] = (*p).clone();
                    }
                }
            }
            s
        })
        .collect();
    let subscriptions = write_subscriptions(&mut tx, &subs).await?;
    // As a sync leaves them: the deleted customers' personal data erased.
    store::erasure::erase_deleted_customers(&mut tx, store::now()).await?;
    cursors::set(&mut *tx, "full", Some("0"), Some(store::now()), true).await?;
    store::settings::set_value(
        &mut *tx,
        store::settings::LAST_SYNCED_AT,
        &store::now().to_string(),
    )
    .await?;
    tx.commit().await?;
    Ok(SyncReport {
        full: true,
        orders: orders + invoice_orders,
        customers,
        subscriptions,
        invoices,
        events: 0,
        requests: 0,
        skipped: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_cover_everything_without_overlap() {
        let ws = windows_for(Resource::Invoices, 1_000, 9_000, 4);
        assert_eq!(ws.len(), 4);
        assert_eq!(ws[0].gte, None, "the first window is open at the bottom");
        assert_eq!(ws[3].lt, None, "the last window is open at the top");
        for pair in ws.windows(2) {
            assert_eq!(pair[0].lt, pair[1].gte, "windows meet exactly");
        }
        let single = windows_for(Resource::Invoices, 1_000, 9_000, 1);
        assert!(single[0].gte.is_none() && single[0].lt.is_none());
    }
}
