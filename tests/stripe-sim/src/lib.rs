//! A Stripe API simulator for tests and benchmarks: it serves a generated
//! [`Dataset`] over real HTTP on loopback, with Stripe's list
//! pagination, `expand`, includable fields, filters, events, metadata updates and
//! `create_preview`, and with injectable latency, rate limiting (429) and server errors (500).
//! It counts requests and TCP connections so tests can prove what a client really does.
//!
//! Semantics worth knowing:
//! - lists are newest first by `created`, then last inserted first; cursors position by the
//!   cursor object's place even when it does not match the filters; an unknown cursor is a 400
//!   with `code: resource_missing`;
//! - the clock ([`SimHandle::now`]) starts at the dataset's `now` and only moves with
//!   [`SimHandle::set_now`]; events more than 30 days older than it are gone (lists skip them,
//!   retrieving or using one as a cursor fails);
//! - includable fields (a session's `line_items` and `total_details.breakdown`, a line item's
//!   `discounts` and `taxes`) appear only when expanded; an expanded `line_items` holds the first
//!   10 items with `has_more`;
//! - faults apply in Stripe's order: latency, rate limit (429), API key (401), injected 500;
//! - [`Stats::requests_by_path`] is keyed by route pattern (`/v1/invoices/{id}`).
//!
//! ```no_run
//! # async fn demo() {
//! use comptoir_core::dataset::{Dataset, DatasetSpec};
//! use comptoir_stripe_sim::{SimConfig, Simulator};
//! let sim = Simulator::start(Dataset::generate(&DatasetSpec::default()), SimConfig::default()).await;
//! let base = sim.base_url(); // "http://127.0.0.1:PORT/"
//! # let _ = base;
//! sim.shutdown().await;
//! # }
//! ```

pub mod api;
pub mod faults;
pub mod store;

use comptoir_core::dataset::{Dataset, NewOrder, OrderShipping};
use faults::Faults;
use rand::SeedableRng;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use store::Store;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How the simulator behaves.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// The one API key accepted (`Authorization: Bearer …`).
    pub api_key: String,
    /// Added to every request before it is answered.
    pub latency: Duration,
    /// Requests per second before answering 429; `None` for no limit.
    pub rate_limit_per_sec: Option<u32>,
    /// Probability (0.0–1.0) of answering a request with a 500.
    pub error_rate: f64,
    /// Seeds the error injection.
    pub seed: u64,
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            api_key: "sk_test_comptoir_simulator_0000".into(),
            latency: Duration::ZERO,
            rate_limit_per_sec: None,
            error_rate: 0.0,
            seed: 1,
            port: 0,
        }
    }
}

/// What the simulator saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Requests to known routes, including those answered 401, 429 or 500.
    pub requests: u64,
    /// Requests per route pattern, for example `/v1/checkout/sessions/{id}/line_items`.
    pub requests_by_path: BTreeMap<String, u64>,
    /// TCP connections accepted.
    pub connections: u64,
    /// 429 answers sent.
    pub rate_limited: u64,
    /// 500 answers injected.
    pub injected_errors: u64,
    /// The Idempotency-Key of every `POST /v1/refunds`, in order (`None` when it had none).
    pub refund_posts: Vec<Option<String>>,
    /// Every metadata update (`POST /v1/invoices/{id}`, `/v1/charges/{id}`,
    /// `/v1/checkout/sessions/{id}`): the path and its Idempotency-Key, in order, retries
    /// included.
    pub metadata_posts: Vec<(String, Option<String>)>,
    /// Metadata updates carried out (a retry under a key already seen is not carried out again).
    pub metadata_updates_applied: u64,
    /// Answers lost after the simulator acted (see `lose_next_answer`).
    pub answers_lost: u64,
}

/// State shared by the handlers.
pub struct Shared {
    pub(crate) store: Mutex<Store>,
    pub(crate) faults: Mutex<Faults>,
    pub(crate) stats: Mutex<Stats>,
    pub(crate) connections: Arc<AtomicU64>,
    pub(crate) api_key: String,
    request_ids: AtomicU64,
}

impl Shared {
    fn next_request_id(&self) -> String {
        format!(
            "req_sim{:010}",
            self.request_ids.fetch_add(1, Ordering::Relaxed)
        )
    }
}

/// A listener that counts accepted connections, so tests can tell a pooled client from one
/// that connects for every request.
struct CountingListener {
    inner: TcpListener,
    count: Arc<AtomicU64>,
}

impl axum::serve::Listener for CountingListener {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let conn = axum::serve::Listener::accept(&mut self.inner).await;
        self.count.fetch_add(1, Ordering::Relaxed);
        conn
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

pub struct Simulator;

impl Simulator {
    /// Serve `dataset` on 127.0.0.1 (never another interface). Panics if the port cannot be
    /// bound: this is test infrastructure.
    pub async fn start(dataset: Dataset, config: SimConfig) -> SimHandle {
        let listener = TcpListener::bind(("127.0.0.1", config.port))
            .await
            .expect("bind 127.0.0.1 for the Stripe simulator");
        let addr = listener.local_addr().expect("local address");
        let connections = Arc::new(AtomicU64::new(0));
        let shared = Arc::new(Shared {
            store: Mutex::new(Store::new(dataset)),
            faults: Mutex::new(Faults::new(
                config.latency,
                config.rate_limit_per_sec,
                config.error_rate,
                rand::rngs::StdRng::seed_from_u64(config.seed),
            )),
            stats: Mutex::new(Stats::default()),
            connections: connections.clone(),
            api_key: config.api_key.clone(),
            request_ids: AtomicU64::new(1),
        });
        let app = api::router(shared.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let listener = CountingListener {
            inner: listener,
            count: connections,
        };
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
                let _ = rx.await;
            });
            if let Err(e) = serve.await {
                tracing::warn!("stripe simulator stopped: {e}");
            }
        });
        SimHandle {
            addr,
            shared,
            shutdown: Some(tx),
            task,
        }
    }
}

/// A running simulator. Dropping it without [`SimHandle::shutdown`] leaves the server running
/// until the runtime ends.
pub struct SimHandle {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl SimHandle {
    /// `http://127.0.0.1:PORT/`, with the trailing slash async-stripe needs.
    pub fn base_url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The one valid API key.
    pub fn api_key(&self) -> String {
        self.shared.api_key.clone()
    }

    pub fn stats(&self) -> Stats {
        let mut s = self.shared.stats.lock().unwrap().clone();
        s.connections = self.shared.connections.load(Ordering::Relaxed);
        s
    }

    /// Zero every counter, connections included.
    pub fn reset_stats(&self) {
        *self.shared.stats.lock().unwrap() = Stats::default();
        self.shared.connections.store(0, Ordering::Relaxed);
    }

    pub fn set_faults(&self, latency: Duration, rate_limit_per_sec: Option<u32>, error_rate: f64) {
        self.shared
            .faults
            .lock()
            .unwrap()
            .set(latency, rate_limit_per_sec, error_rate);
    }

    /// Answers calls to `route` (a route pattern such as `/v1/invoices/create_preview`) with
    /// Stripe's 403 for a restricted key that lacks `permission` (e.g. `rak_invoice_write`).
    pub fn forbid(&self, route: &str, permission: &str) {
        self.shared
            .faults
            .lock()
            .unwrap()
            .forbidden
            .push((route.to_owned(), permission.to_owned()));
    }

    /// Lifts every [`forbid`](Self::forbid): the key was given the permissions it lacked.
    pub fn clear_forbidden(&self) {
        self.shared.faults.lock().unwrap().forbidden.clear();
    }

    /// Refuses every route but these (route patterns, or `METHOD route`) with Stripe's 403, as
    /// a restricted key holding only the permissions that cover them.
    pub fn allow_only(&self, routes: &[&str]) {
        self.shared.faults.lock().unwrap().allowed =
            Some(routes.iter().map(|r| (*r).to_owned()).collect());
    }

    /// Takes the simulator down (every request answered 503, as during an outage) or up again.
    pub fn set_down(&self, down: bool) {
        self.shared.faults.lock().unwrap().down = down;
    }

    /// Makes the invoice PDF links answer an HTML page instead of a PDF (or PDFs again).
    pub fn serve_bad_pdfs(&self, bad: bool) {
        self.shared.faults.lock().unwrap().bad_pdfs = bad;
    }

    /// Carries out the next request to `route` but loses its answer (a 500 saying not to
    /// retry), as when the connection drops after Stripe acted.
    pub fn lose_next_answer(&self, route: &str) {
        self.shared
            .faults
            .lock()
            .unwrap()
            .lose_next_answer
            .push(route.to_owned());
    }

    /// The current state, to compare what a client synced with what the simulator holds.
    pub fn snapshot(&self) -> Dataset {
        self.shared.store.lock().unwrap().ds.clone()
    }

    /// The simulator's clock (unix seconds).
    pub fn now(&self) -> i64 {
        self.shared.store.lock().unwrap().now
    }

    /// Move the clock. Events more than 30 days older than it disappear, so a stored events
    /// cursor can be made too old (`starting_after`/`ending_before` then answer 400).
    pub fn set_now(&self, ts: i64) {
        self.shared.store.lock().unwrap().now = ts;
    }

    /// Add a completed order at the current clock: session, line items, PaymentIntent, invoice
    /// and their events. Returns the session id.
    pub fn add_order(&self, order: NewOrder) -> String {
        let mut store = self.shared.store.lock().unwrap();
        let id = store.ds.add_order(&order);
        store.reindex();
        id
    }

    /// [`SimHandle::add_order`] with defaults: a delivery of two items, with its invoice, now.
    pub fn add_default_order(&self) -> String {
        let now = self.now();
        self.add_order(NewOrder {
            created: now,
            customer: None,
            shipping: OrderShipping::Delivery,
            items: 2,
            with_invoice: true,
        })
    }

    /// Renews a subscription now: its next cycle's invoice, paid, with `invoice.paid` (see
    /// `Dataset::renew_subscription`). Returns the invoice's id.
    pub fn renew_subscription(&self, sub_id: &str) -> Option<String> {
        let mut store = self.shared.store.lock().unwrap();
        let now = store.now;
        let id = store.ds.renew_subscription(sub_id, now);
        store.reindex();
        id
    }

    /// Rename a customer (emits `customer.updated`). False when missing or deleted.
    pub fn update_customer(&self, id: &str, name: &str) -> bool {
        let mut store = self.shared.store.lock().unwrap();
        let now = store.now;
        store.ds.update_customer_name(id, name, now)
    }

    /// Delete a customer (emits `customer.deleted`); it then retrieves in its deleted form and
    /// leaves the list.
    pub fn delete_customer(&self, id: &str) -> bool {
        let mut store = self.shared.store.lock().unwrap();
        let now = store.now;
        store.remember_created(id);
        let done = store.ds.delete_customer(id, now);
        store.reindex();
        done
    }

    /// Apply a change to the dataset directly (then reindexed).
    pub fn with_dataset<R>(&self, f: impl FnOnce(&mut Dataset) -> R) -> R {
        let mut store = self.shared.store.lock().unwrap();
        let r = f(&mut store.ds);
        store.reindex();
        r
    }

    /// Stop accepting, let in-flight requests finish (at most 2 s), then stop.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        // Idle keep-alive connections would hold a graceful shutdown open forever.
        if tokio::time::timeout(Duration::from_secs(2), &mut self.task)
            .await
            .is_err()
        {
            self.task.abort();
        }
    }
}
