//! What the root crate's integration tests share.
//!
//! - [`TestShop`]: the shop a test runs against, built in a line: the Stripe simulator
//!   (`tests/stripe-sim`) serving a generated dataset, a temporary data folder, and a store or
//!   workspace synced from it.
//! - `e2e` (Linux): the end-to-end harness, which runs the real app under tauri-driver and
//!   WebKitWebDriver ([`App`], [`Launch`], [`Ui`]).
//! - `steps` (Linux): the steps the end-to-end tests are told in (`connect_stripe`,
//!   `open_order`, `press`…), one function each.
#![allow(dead_code)] // each test binary uses part of the support

#[cfg(target_os = "linux")]
mod e2e;
#[cfg(target_os = "linux")]
mod steps;

#[cfg(target_os = "linux")]
#[allow(unused_imports)] // a test binary may use none of them
pub use e2e::*;
#[cfg(target_os = "linux")]
#[allow(unused_imports)]
pub use steps::*;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use comptoir_core::dataset::{Dataset, DatasetSpec};
use comptoir_core::model::{StripeMode, SyncReport};
use comptoir_core::secrets::{MemoryStore, Secret, SecretKind, SecretStore};
use comptoir_core::store::{self, Store};
use comptoir_core::stripe::client::ClientConfig;
use comptoir_core::stripe::StripeClient;
use comptoir_core::sync::{sync, ProgressFn, SyncOptions};
use comptoir_core::workspace::{Workspace, WorkspaceConfig};
use comptoir_stripe_sim::{SimConfig, SimHandle, Simulator};
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// The shop a test runs against

/// A Stripe test-mode secret key for the simulator, assembled at run time so that no
/// key-shaped literal sits in the repository.
pub fn test_secret_key() -> String {
    let prefix = ["sk", "test"].join("_");
    format!("{prefix}_{}", "e2eComptoirSimulatorKey0123456789")
}

/// The shop a test runs against, to describe before it starts: the dataset the Stripe simulator
/// serves ([`DatasetSpec::default`] unless told otherwise, dated today: the events feed's 30-day
/// window is measured against the real clock) and the one key it accepts
/// ([`test_secret_key`] unless told otherwise).
///
/// ```ignore
/// let shop = TestShop::new().orders(150).subscriptions(2).start().await;
/// let store = shop.synced_store().await;
/// ```
pub struct TestShop {
    spec: DatasetSpec,
    config: SimConfig,
}

impl Default for TestShop {
    fn default() -> Self {
        Self::new()
    }
}

impl TestShop {
    pub fn new() -> Self {
        TestShop {
            spec: DatasetSpec {
                now: store::now(),
                ..DatasetSpec::default()
            },
            config: SimConfig {
                api_key: test_secret_key(),
                ..SimConfig::default()
            },
        }
    }

    /// Completed payment-mode Checkout Sessions.
    pub fn orders(mut self, n: usize) -> Self {
        self.spec.orders = n;
        self
    }

    /// Paid invoices without a subscription.
    pub fn one_off_invoices(mut self, n: usize) -> Self {
        self.spec.one_off_invoices = n;
        self
    }

    pub fn subscriptions(mut self, n: usize) -> Self {
        self.spec.subscriptions = n;
        self
    }

    pub fn deleted_customers(mut self, n: usize) -> Self {
        self.spec.deleted_customers = n;
        self
    }

    /// The generator's seed (another shop, same shape).
    pub fn seed(mut self, seed: u64) -> Self {
        self.spec.seed = seed;
        self
    }

    /// HTML and script payloads in some names, address lines and product names.
    pub fn hostile_text(mut self) -> Self {
        self.spec.hostile_text = true;
        self
    }

    /// Data as of `now` (Unix seconds) rather than today.
    pub fn dated(mut self, now: i64) -> Self {
        self.spec.now = now;
        self
    }

    /// The one key the simulator accepts (a restricted `rk_test_…` key, say).
    pub fn key(mut self, key: &str) -> Self {
        self.config.api_key = key.to_owned();
        self
    }

    /// At most `per_sec` requests a second; more get Stripe's 429.
    pub fn rate_limited(mut self, per_sec: u32) -> Self {
        self.config.rate_limit_per_sec = Some(per_sec);
        self
    }

    /// A 500 for that share of the requests, drawn from `seed`.
    pub fn server_errors(mut self, rate: f64, seed: u64) -> Self {
        self.config.error_rate = rate;
        self.config.seed = seed;
        self
    }

    /// Starts the simulator alone, in-process on this test's runtime and on 127.0.0.1.
    pub async fn simulator(self) -> SimHandle {
        let sim = Simulator::start(Dataset::generate(&self.spec), self.config).await;
        assert!(
            sim.addr().ip().is_loopback(),
            "the simulator must listen on loopback only, it is on {}",
            sim.addr()
        );
        sim
    }

    /// Starts the simulator, beside an empty data folder for the test's store or workspace.
    pub async fn start(self) -> Shop {
        Shop {
            sim: self.simulator().await,
            dir: tempfile::tempdir().unwrap(),
        }
    }
}

/// A running shop: the simulator, and a data folder the test's store or workspace lives in
/// (removed when the shop is dropped).
pub struct Shop {
    pub sim: SimHandle,
    pub dir: tempfile::TempDir,
}

impl Shop {
    /// The key the simulator accepts.
    pub fn key(&self) -> String {
        self.sim.api_key()
    }

    /// A client of the simulator with that key, retrying fast (the policy is the same).
    pub fn client(&self) -> StripeClient {
        let mut config = ClientConfig::for_mode(&self.sim.base_url(), StripeMode::Test);
        config.backoff_base = Duration::from_millis(5);
        config.backoff_max = Duration::from_millis(100);
        config.requests_per_sec = 1000.0;
        StripeClient::new(&Secret::new(self.key()), config).unwrap()
    }

    /// The store of the data folder (`comptoir.sqlite`), empty until synced.
    pub async fn open_store(&self) -> Store {
        Store::open(&self.dir.path().join("comptoir.sqlite"))
            .await
            .unwrap()
    }

    /// Syncs `store` from the simulator (default options, nobody watching the progress).
    pub async fn sync(&self, store: &Store) -> SyncReport {
        sync(
            store,
            &self.client(),
            &SyncOptions::default(),
            no_progress(),
        )
        .await
        .unwrap()
    }

    /// The store of the data folder, after a first (full) sync.
    pub async fn synced_store(&self) -> Store {
        let store = self.open_store().await;
        self.sync(&store).await;
        store
    }

    /// The app's workspace on the data folder, talking to the simulator, its secrets in
    /// `secrets`.
    pub async fn open_workspace(&self, secrets: Arc<dyn SecretStore>) -> Workspace {
        Workspace::open(workspace_config(
            self.dir.path(),
            &self.sim.base_url(),
            secrets,
        ))
        .await
        .unwrap()
    }

    /// The workspace of a merchant who connected the shop's key (kept in memory), after a
    /// first (full) sync.
    pub async fn synced_workspace(&self) -> Workspace {
        let secrets = Arc::new(MemoryStore::new());
        secrets
            .set(SecretKind::StripeKey, &Secret::new(self.key()))
            .unwrap();
        let ws = self.open_workspace(secrets).await;
        ws.sync(no_progress()).await.unwrap();
        ws
    }
}

/// How the app opens its workspace on `dir`, with Stripe at `api_base`.
pub fn workspace_config(
    dir: &Path,
    api_base: &str,
    secrets: Arc<dyn SecretStore>,
) -> WorkspaceConfig {
    WorkspaceConfig {
        data_dir: dir.to_owned(),
        api_base: api_base.to_owned(),
        secrets,
        sync_options: SyncOptions {
            // A fulfilment write is read back sooner than in the app (2 s): on loopback a
            // second station's write lands within milliseconds (README: Stations).
            write_settle: Duration::from_millis(150),
            ..SyncOptions::default()
        },
    }
}

/// A store in a folder of its own (another station, say), empty.
pub async fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("comptoir.sqlite"))
        .await
        .unwrap();
    (dir, store)
}

/// A sync's progress, for nobody.
pub fn no_progress() -> ProgressFn {
    Arc::new(|_| {})
}

// ---------------------------------------------------------------------------------------------
// What the simulator's data implies

fn id_of(v: &Value) -> Option<&str> {
    match v {
        Value::String(id) => Some(id),
        Value::Object(o) => o.get("id").and_then(Value::as_str),
        _ => None,
    }
}

/// How many orders a Stripe account holds, by the README's definition, counted on the
/// simulator's raw objects (`Dataset::order_ids`, independently of the app's mapping).
pub fn expected_order_count(ds: &Dataset) -> usize {
    ds.order_ids(store::now() - comptoir_core::subscriptions::RECENT_CYCLE_SECS)
        .len()
}

/// Every file under `dir` with its bytes, for proving what is (not) on disk.
pub fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(bytes) = std::fs::read(&p) {
                out.push((p.display().to_string(), bytes));
            }
        }
    }
    out
}
