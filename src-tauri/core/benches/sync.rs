//! Sync benchmark against the Stripe simulator over real HTTP, with Stripe-like latency and
//! rate limit. Prints figures; asserts nothing about time.
//!
//!   cargo bench -p comptoir-core --bench sync
//!   BENCH_ORDERS=2000 BENCH_SUBSCRIPTIONS=200 cargo bench -p comptoir-core --bench sync
//!
//! Runs, in one process and against the same simulator:
//! 1. the full sync as the app does it (windows paged concurrently, paced under the limit);
//! 2. the baseline: one page at a time, list after list;
//! 3. an incremental sync with nothing new.

use std::sync::Arc;
use std::time::{Duration, Instant};

use comptoir_core::dataset::{Dataset, DatasetSpec};
use comptoir_core::model::StripeMode;
use comptoir_core::secrets::Secret;
use comptoir_core::store::{self, Store};
use comptoir_core::stripe::client::ClientConfig;
use comptoir_core::stripe::StripeClient;
use comptoir_core::sync::{sync, SyncOptions};
use comptoir_stripe_sim::{SimConfig, Simulator};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Run {
    label: &'static str,
    wall: Duration,
    requests: u64,
    rate_limited: u64,
    connections: u64,
    orders: i64,
}

#[tokio::main]
async fn main() {
    let orders = env_usize("BENCH_ORDERS", 10_000);
    let subscriptions = env_usize("BENCH_SUBSCRIPTIONS", 1_000);
    let latency = Duration::from_millis(env_usize("BENCH_LATENCY_MS", 100) as u64);
    let limit = env_usize("BENCH_RATE_LIMIT", 25) as u32;
    let key = format!("sk_test_{}", "benchmarkBenchmark".repeat(2));

    let t = Instant::now();
    let data = Dataset::generate(&DatasetSpec {
        orders,
        subscriptions,
        one_off_invoices: orders / 50,
        // Dated as of today: the sync measures its 30-day event window on the real clock, and
        // a benchmark must not change behaviour with the calendar date.
        now: comptoir_core::store::now(),
        ..DatasetSpec::default()
    });
    println!(
        "dataset: {} sessions, {} invoices, {} subscriptions, {} customers (generated in {:.2?})",
        data.checkout_sessions.len(),
        data.invoices.len(),
        data.subscriptions.len(),
        data.customers.len(),
        t.elapsed()
    );
    let sim = Simulator::start(
        data,
        SimConfig {
            api_key: key.clone(),
            latency,
            rate_limit_per_sec: Some(limit),
            ..SimConfig::default()
        },
    )
    .await;
    println!("simulator: {latency:?} latency per request, {limit} requests/s limit\n");

    let dir = tempfile::tempdir().unwrap();
    let mut runs = Vec::new();
    for (label, options, file) in [
        ("full sync (app)", SyncOptions::default(), "app.sqlite"),
        (
            "full sync (baseline: one page at a time)",
            SyncOptions::sequential(),
            "baseline.sqlite",
        ),
    ] {
        let store = Store::open(&dir.path().join(file)).await.unwrap();
        let client = StripeClient::new(
            &Secret::new(key.clone()),
            ClientConfig::for_mode(&sim.base_url(), StripeMode::Test),
        )
        .unwrap();
        sim.reset_stats();
        let t = Instant::now();
        let report = sync(&store, &client, &options, Arc::new(|_| {}))
            .await
            .unwrap();
        let wall = t.elapsed();
        let stats = sim.stats();
        runs.push(Run {
            label,
            wall,
            requests: stats.requests,
            rate_limited: stats.rate_limited,
            connections: stats.connections,
            orders: store::orders::count(store.pool()).await.unwrap(),
        });
        assert!(report.full);

        if label.starts_with("full sync (app)") {
            sim.reset_stats();
            let t = Instant::now();
            let inc = sync(&store, &client, &options, Arc::new(|_| {}))
                .await
                .unwrap();
            let wall = t.elapsed();
            let stats = sim.stats();
            assert!(!inc.full);
            runs.push(Run {
                label: "incremental sync, nothing new",
                wall,
                requests: stats.requests,
                rate_limited: stats.rate_limited,
                connections: stats.connections,
                orders: store::orders::count(store.pool()).await.unwrap(),
            });
        }
    }

    println!(
        "{:<42} {:>9} {:>9} {:>7} {:>6} {:>8} {:>12}",
        "run", "wall", "requests", "429s", "conns", "orders", "vs floor"
    );
    for r in &runs {
        let floor = r.requests as f64 / limit as f64;
        println!(
            "{:<42} {:>8.2}s {:>9} {:>7} {:>6} {:>8} {:>11.2}x",
            r.label,
            r.wall.as_secs_f64(),
            r.requests,
            r.rate_limited,
            r.connections,
            r.orders,
            r.wall.as_secs_f64() / floor.max(f64::EPSILON)
        );
    }
    let app = &runs[0];
    let base = &runs[2];
    println!(
        "\nfloor for the app's full sync: {} requests / {limit} per s = {:.2}s; app took {:.2}s ({:.2}x the floor)",
        app.requests,
        app.requests as f64 / limit as f64,
        app.wall.as_secs_f64(),
        app.wall.as_secs_f64() / (app.requests as f64 / limit as f64)
    );
    println!(
        "baseline / app wall time: {:.2}x faster than one page at a time",
        base.wall.as_secs_f64() / app.wall.as_secs_f64()
    );
    sim.shutdown().await;
}
