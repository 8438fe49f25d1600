//! Stripe key onboarding through the workspace, with the real Secret Service (gnome-keyring in
//! the test's D-Bus session), the Stripe simulator over HTTP and SQLite files: validation, test
//! or live mode, the account name, replace and remove, offline restart, keychain failures, and
//! proof that the key is nowhere on disk or in the logs afterwards.

mod support;

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use comptoir_core::model::{
    DataSource, FulfilmentStatus, OrderQuery, StripeMode, SubscriptionQuery,
};
use comptoir_core::problem::Problem;
use comptoir_core::secrets::{Keychain, Secret, SecretKind, SecretStore};
use comptoir_core::workspace::{Workspace, WorkspaceError};
use comptoir_stripe_sim::SimHandle;
use support::{no_progress, workspace_config, TestShop};

fn key(tag: &str) -> String {
    format!("sk_test_{}", format!("onboarding{tag}").repeat(3))
}

fn service(test: &str) -> String {
    format!("app.comptoir.test.{test}.{}", std::process::id())
}

/// A shop of `orders` orders and six subscriptions, at a simulator that accepts `valid_key`.
async fn sim(valid_key: &str, orders: usize) -> SimHandle {
    TestShop::new()
        .orders(orders)
        .subscriptions(6)
        .key(valid_key)
        .simulator()
        .await
}

/// Captures every log line of the test process (all levels) so the test can search it.
#[derive(Clone, Default)]
struct LogSink(Arc<Mutex<Vec<u8>>>);

impl Write for LogSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_logs() -> LogSink {
    let sink = LogSink::default();
    let writer = sink.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();
    sink
}

/// Every byte under `dir` (database, WAL, logs, account file) as one buffer.
fn all_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                // A -wal or -shm the closing pools remove as we list: gone, nothing in it.
                match std::fs::read(&p) {
                    Ok(bytes) => out.push((p.display().to_string(), bytes)),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => panic!("{}: {e}", p.display()),
                }
            }
        }
    }
    out
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn connect_sync_restart_offline_and_disconnect_without_leaking_the_key() {
    let logs = capture_logs();
    let good = key("Good");
    let sim = sim(&good, 80).await;
    let dir = tempfile::tempdir().unwrap();
    let keychain: Arc<dyn SecretStore> = Arc::new(Keychain::new(&service("flow")));
    keychain
        .delete(SecretKind::StripeKey)
        .expect("the test session has a Secret Service");

    // No key: the demo store.
    let ws = Workspace::open(workspace_config(
        dir.path(),
        &sim.base_url(),
        keychain.clone(),
    ))
    .await
    .unwrap();
    let status = ws.status().await.unwrap();
    assert_eq!(status.source, DataSource::Demo);
    assert!(status.counts.orders > 0, "the demo store has orders");
    let c = &status.counts;
    assert!(
        c.to_be_sent > 0 && c.sent > 0 && c.to_be_picked_up > 0 && c.picked_up > 0,
        "the demo has work in every tab: {c:?}"
    );
    // The demo's packing station is staffed: a newcomer can hand over a pickup at once.
    let pickups = ws
        .list_orders(&OrderQuery {
            status: Some(FulfilmentStatus::ToBePickedUp.into()),
            limit: 1,
            offset: 0,
            ..Default::default()
        })
        .await
        .unwrap();
    let pickup = &pickups.rows[0].id;
    ws.confirm_pickup(pickup, false).await.unwrap();
    let handed = ws.order_detail(pickup).await.unwrap();
    assert_eq!(handed.status, FulfilmentStatus::PickedUp);
    let f = handed.fulfilment.unwrap();
    assert_eq!(
        (f.staff.as_deref(), f.station.as_deref()),
        (Some("Camille"), Some("Atelier"))
    );
    // The demo shows each billed subscription's upcoming charge, as Stripe would preview it.
    let subs = ws
        .list_subscriptions(&SubscriptionQuery {
            limit: 100,
            offset: 0,
            ..Default::default()
        })
        .await
        .unwrap();
    let billed: Vec<_> = subs
        .rows
        .iter()
        .filter(|r| r.next_charge.is_some())
        .collect();
    assert!(
        !billed.is_empty(),
        "the demo has subscriptions still billing"
    );
    for row in billed {
        let detail = ws.subscription_detail(&row.id, true).await.unwrap();
        let upcoming = detail
            .upcoming
            .unwrap_or_else(|| panic!("{} shows its upcoming charge", row.id));
        assert_eq!(Some(upcoming.date), detail.next_charge, "{}", row.id);
        assert_eq!(upcoming.currency, row.currency);
        assert!(upcoming.total > 0 && !upcoming.lines.is_empty());
        assert!(!detail.upcoming_stale);
    }

    // A malformed key, then a well-formed key Stripe refuses: clear errors, nothing changes.
    let err = ws
        .connect_stripe(Secret::new("pk_test_not_a_secret_key"))
        .await
        .unwrap_err();
    assert_eq!(err.problem(), Problem::KeyNotStripe, "{err:?}");
    let wrong = key("Wrong");
    let err = ws
        .connect_stripe(Secret::new(wrong.clone()))
        .await
        .unwrap_err();
    let Problem::KeyRefused { stripe_says } = err.problem() else {
        panic!("{err:?}")
    };
    assert!(
        stripe_says.contains("Invalid API Key"),
        "Stripe's reason is shown: {stripe_says}"
    );
    assert!(!err.to_string().contains(&wrong), "the key is not echoed");
    assert!(
        keychain.get(SecretKind::StripeKey).unwrap().is_none(),
        "nothing stored"
    );
    assert_eq!(ws.status().await.unwrap().source, DataSource::Demo);

    // The right key, pasted with stray whitespace.
    let account = ws
        .connect_stripe(Secret::new(format!("  {good}\n")))
        .await
        .unwrap();
    assert_eq!(account.mode, StripeMode::Test);
    let expected_name = sim.snapshot().account["settings"]["dashboard"]["display_name"]
        .as_str()
        .or(sim.snapshot().account["business_profile"]["name"].as_str())
        .unwrap()
        .to_owned();
    assert_eq!(account.name, expected_name);
    assert_eq!(
        keychain
            .get(SecretKind::StripeKey)
            .unwrap()
            .unwrap()
            .expose(),
        good
    );
    let status = ws.status().await.unwrap();
    assert_eq!(status.source, DataSource::Stripe);
    assert_eq!(status.counts.orders, 0, "a new account starts empty");

    // Replacing the key (a rotated key for the same account) keeps the account's data.
    let again = ws.connect_stripe(Secret::new(good.clone())).await.unwrap();
    assert_eq!(again, account);

    let report = ws.sync(no_progress()).await.unwrap();
    assert!(report.full);
    let synced = ws.status().await.unwrap();
    assert_eq!(synced.counts.orders, report.orders);
    assert!(synced.last_synced_at.is_some());

    // Restart while Stripe is unreachable: the account's cached data opens offline.
    drop(ws);
    sim.shutdown().await;
    let ws = Workspace::open(workspace_config(
        dir.path(),
        "http://127.0.0.1:9/",
        keychain.clone(),
    ))
    .await
    .unwrap();
    let offline = ws.status().await.unwrap();
    assert_eq!(offline.source, DataSource::Stripe);
    assert_eq!(offline.account.as_ref().unwrap().name, expected_name);
    assert_eq!(
        offline.counts.orders, synced.counts.orders,
        "cached orders are all there"
    );
    let err = ws.sync(no_progress()).await.unwrap_err();
    assert!(
        matches!(err, WorkspaceError::Stripe(ref e) if e.is_network()),
        "{err:?}"
    );
    assert_eq!(
        ws.status().await.unwrap().counts.orders,
        synced.counts.orders,
        "a failed sync changes nothing"
    );

    // Disconnect: the key leaves the keychain and the demo store comes back.
    ws.disconnect_stripe().await.unwrap();
    assert!(keychain.get(SecretKind::StripeKey).unwrap().is_none());
    assert_eq!(ws.status().await.unwrap().source, DataSource::Demo);
    drop(ws);

    // The key is nowhere: not in any database, WAL, log file or account file, not in the logs.
    let files = all_files(dir.path());
    assert!(
        files.iter().any(|(p, _)| p.ends_with(".sqlite")),
        "{:?}",
        files.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for (path, bytes) in &files {
        assert!(!contains(bytes, &good), "the key is in {path}");
        assert!(!contains(bytes, &good[8..]), "part of the key is in {path}");
    }
    let logged = logs.0.lock().unwrap().clone();
    assert!(!logged.is_empty(), "the run logged something to search");
    assert!(!contains(&logged, &good), "the key is in the logs");
    assert!(!contains(&logged, &wrong), "the refused key is in the logs");
}

#[tokio::test]
async fn a_keychain_that_cannot_be_reached_changes_nothing() {
    let good = key("Bus");
    let sim = sim(&good, 10).await;
    let dir = tempfile::tempdir().unwrap();
    // A session bus address nobody listens on: the real Secret Service client fails to connect.
    std::env::set_var(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/comptoir-test-bus",
    );
    let keychain: Arc<dyn SecretStore> = Arc::new(Keychain::new(&service("nobus")));
    let ws = Workspace::open(workspace_config(dir.path(), &sim.base_url(), keychain))
        .await
        .unwrap();
    let status = ws.status().await.unwrap();
    assert_eq!(
        status.source,
        DataSource::Demo,
        "without a keychain the demo store opens"
    );
    assert!(
        matches!(status.notice, Some(Problem::Keychain { .. })),
        "and says why: {status:?}"
    );

    let err = ws
        .connect_stripe(Secret::new(good.clone()))
        .await
        .unwrap_err();
    assert!(matches!(err, WorkspaceError::Keychain(_)), "{err:?}");
    assert!(
        err.to_string().contains("keyring"),
        "a sentence a merchant understands: {err}"
    );
    assert!(
        !dir.path().join("account.json").exists(),
        "no account is recorded"
    );
    assert_eq!(ws.status().await.unwrap().source, DataSource::Demo);
}

/// Restricted keys that may not read the account (no `rak_account_read`): onboarding learns
/// the account from Stripe's refusal, so two such merchants on one machine keep two stores,
/// and the full sync works without the account.
#[tokio::test]
async fn restricted_keys_without_account_access_keep_a_store_per_account() {
    use comptoir_core::secrets::MemoryStore;
    let dir = tempfile::tempdir().unwrap();
    let mut seen = Vec::new();
    for (seed, tag) in [(11u64, "One"), (12u64, "Two")] {
        let rk = format!("rk_test_{}", format!("restricted{tag}").repeat(3));
        let sim = TestShop::new()
            .orders(12)
            .subscriptions(2)
            .seed(seed)
            .key(&rk)
            .simulator()
            .await;
        sim.forbid("/v1/account", "rak_account_read");
        let account_id = sim.snapshot().account["id"].as_str().unwrap().to_owned();
        let secrets: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
        let ws = Workspace::open(workspace_config(dir.path(), &sim.base_url(), secrets))
            .await
            .unwrap();
        let info = ws.connect_stripe(Secret::new(rk.clone())).await.unwrap();
        assert_eq!(info.id, account_id, "the account Stripe's refusal names");
        assert!(info.restricted_key);
        let report = ws.sync(no_progress()).await.unwrap();
        assert!(report.full && report.orders > 0, "{report:?}");
        let stats = sim.stats();
        assert_eq!(
            stats.requests_by_path.get("/v1/account").copied(),
            Some(2),
            "onboarding and the sync asked once each, and went on without it: {stats:?}"
        );
        seen.push((account_id, report.orders));
        ws.disconnect_stripe().await.unwrap();
    }
    assert_ne!(seen[0].0, seen[1].0, "two accounts");
    let stores: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("stripe-") && n.ends_with(".sqlite"))
        .collect();
    assert_eq!(stores.len(), 2, "a store each: {stores:?}");
    for (id, _) in &seen {
        assert!(
            stores.iter().any(|s| s.contains(id.as_str())),
            "{id} in {stores:?}"
        );
    }
}

/// A restricted key that may read neither the account nor Checkout Sessions is refused as a
/// missing permission (not as a wrong key), naming the permission, and nothing is recorded.
#[tokio::test]
async fn a_restricted_key_without_checkout_access_is_told_which_permission() {
    use comptoir_core::secrets::MemoryStore;
    let rk = format!("rk_test_{}", "restrictedNoCheckout".repeat(2));
    let sim = sim(&rk, 5).await;
    sim.forbid("/v1/account", "rak_account_read");
    sim.forbid("/v1/checkout/sessions", "rak_checkout_session_read");
    let dir = tempfile::tempdir().unwrap();
    let secrets: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
    let ws = Workspace::open(workspace_config(
        dir.path(),
        &sim.base_url(),
        secrets.clone(),
    ))
    .await
    .unwrap();
    let err = ws
        .connect_stripe(Secret::new(rk.clone()))
        .await
        .unwrap_err();
    assert_eq!(
        err.problem(),
        Problem::KeyMissingPermission {
            permission: Some("rak_checkout_session_read".into())
        },
        "{err:?}"
    );
    let sent = serde_json::to_string(&err.problem()).unwrap();
    assert!(!sent.contains(&rk[..16]), "no key in the problem: {sent}");
    assert!(!dir.path().join("account.json").exists());
    assert!(
        secrets.get(SecretKind::StripeKey).unwrap().is_none(),
        "no key stored"
    );
}
