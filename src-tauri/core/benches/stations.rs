//! Stations benchmark (README: Stations): two stations on one account, over real HTTP to the
//! Stripe simulator with Stripe-like latency and the test-mode rate limit. Prints figures;
//! asserts nothing about time.
//!
//!   cargo bench -p comptoir-core --bench stations
//!   BENCH_ACTIONS=5 BENCH_INTERVAL_S=5 cargo bench -p comptoir-core --bench stations
//!
//! 1. From an action on station A (an order shipped) to its display on station B, whose
//!    background sync runs at the app's default interval (15 s): median and worst of 20.
//! 2. The requests an idle open station sends per minute, and the share of test mode's 25 req/s
//!    that ten such stations use.

use std::sync::Arc;
use std::time::{Duration, Instant};

use comptoir_core::carriers::Carrier;
use comptoir_core::dataset::{Dataset, DatasetSpec};
use comptoir_core::fulfilment::TrackingInput;
use comptoir_core::model::{FulfilmentStatus, OrderQuery, OrderQueue};
use comptoir_core::secrets::{MemoryStore, Secret, SecretKind, SecretStore};
use comptoir_core::sync::SyncOptions;
use comptoir_core::workspace::{Workspace, WorkspaceConfig};
use comptoir_stripe_sim::{SimConfig, Simulator};

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn station(base: &str, key: &str, dir: &std::path::Path, staff: &str) -> Arc<Workspace> {
    let secrets = Arc::new(MemoryStore::new());
    secrets
        .set(SecretKind::StripeKey, &Secret::new(key.to_owned()))
        .unwrap();
    let ws = Workspace::open(WorkspaceConfig {
        data_dir: dir.to_owned(),
        api_base: base.to_owned(),
        secrets: secrets as Arc<dyn SecretStore>,
        sync_options: SyncOptions::default(),
    })
    .await
    .unwrap();
    let mut s = ws.settings().await.unwrap();
    s.staff_name = staff.into();
    s.station_name = format!("{staff}'s station");
    ws.save_settings(&s).await.unwrap();
    ws.sync(Arc::new(|_| {})).await.unwrap();
    Arc::new(ws)
}

/// The background sync as the app runs it: an incremental sync every `interval`.
fn background_sync(ws: Arc<Workspace>, interval: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(interval).await;
            let _ = ws.sync(Arc::new(|_| {})).await;
        }
    })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let actions = env_u64("BENCH_ACTIONS", 20) as usize;
    let interval = Duration::from_secs(env_u64("BENCH_INTERVAL_S", 15));
    let latency = Duration::from_millis(env_u64("BENCH_LATENCY_MS", 100));
    let key = format!("sk_test_{}", "stationsBenchmark".repeat(2));
    let data = Dataset::generate(&DatasetSpec {
        orders: 300,
        subscriptions: 20,
        now: comptoir_core::store::now(),
        ..DatasetSpec::default()
    });
    let sim = Simulator::start(
        data,
        SimConfig {
            api_key: key.clone(),
            rate_limit_per_sec: Some(25),
            ..SimConfig::default()
        },
    )
    .await;
    let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = station(&sim.base_url(), &key, a_dir.path(), "Camille").await;
    let b = station(&sim.base_url(), &key, b_dir.path(), "Léo").await;
    sim.set_faults(latency, Some(25), 0.0);
    println!(
        "simulator: {latency:?} latency per request, 25 requests/s limit; B syncs every {interval:?}; \
         A writes with the app's 2 s settle delay\n"
    );

    // 1. Action on A → display on B.
    tokio::spawn(a.clone().run_write_worker());
    let poller = background_sync(b.clone(), interval);
    let orders: Vec<String> = a
        .list_orders(&OrderQuery {
            status: Some(OrderQueue::ToBeSent),
            limit: actions as i64,
            offset: 0,
            ..Default::default()
        })
        .await
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.id)
        .collect();
    let mut lags = Vec::new();
    for (i, id) in orders.iter().enumerate() {
        // Spread the actions over B's interval, as a bench's work does.
        tokio::time::sleep(Duration::from_millis(1_700 * (i as u64 % 7))).await;
        let parcel = TrackingInput {
            carrier: Some(Carrier::Colissimo),
            number: Some(format!("6A{:011}", 20_000_000_000u64 + i as u64)),
            ..Default::default()
        };
        let t = Instant::now();
        a.ship_order(id, &[parcel], false).await.unwrap();
        loop {
            if b.order_detail(id).await.unwrap().status == FulfilmentStatus::Sent {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        lags.push(t.elapsed());
        println!(
            "  action {:>2}: shown on B after {:.1?}",
            i + 1,
            t.elapsed()
        );
    }
    lags.sort();
    println!(
        "\naction on A → shown on B ({} actions): median {:.1?}, worst {:.1?}",
        lags.len(),
        percentile(&lags, 0.5),
        lags.last().copied().unwrap_or_default()
    );

    // 2. An idle open station.
    poller.abort();
    let idle = Duration::from_secs(env_u64("BENCH_IDLE_S", 60));
    tokio::time::sleep(Duration::from_secs(3)).await;
    sim.reset_stats();
    let poller = background_sync(b.clone(), interval);
    tokio::time::sleep(idle).await;
    poller.abort();
    let stats = sim.stats();
    let per_minute = stats.requests as f64 * 60.0 / idle.as_secs_f64();
    println!(
        "idle station over {idle:?}: {} requests ({per_minute:.1} per minute); ten idle stations \
         use {:.1} % of test mode's 25 requests/s",
        stats.requests,
        10.0 * per_minute / 60.0 / 25.0 * 100.0
    );
    for (path, n) in stats.requests_by_path {
        println!("  {path}: {n}");
    }
}
