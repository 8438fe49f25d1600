//! Offline invoice PDFs benchmark (README: Offline invoice PDFs): the background download of
//! about 1,000 invoice PDFs from the Stripe simulator, with Stripe-like latency and the test-mode
//! rate limit shared by the API and the file host, through the app's own pass
//! (`Workspace::cache_invoice_pdfs_with`, its pacing and batches). Prints figures; asserts
//! nothing about time.
//!
//!   cargo bench -p comptoir-core --bench pdfs
//!   BENCH_SYNCS=10 BENCH_LATENCY_MS=100 cargo bench -p comptoir-core --bench pdfs
//!
//! 1. Wall time of the download of every invoice PDF (nothing else running).
//! 2. The sync's own time (an incremental sync, as the background sync and the Sync button
//!    run it) without the downloader, then with it downloading in the same process: median and
//!    worst of `BENCH_SYNCS` each.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use comptoir_core::dataset::{Dataset, DatasetSpec};
use comptoir_core::pdf_cache::CacheOptions;
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

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Incremental syncs one after another, a pause between them: their times.
async fn timed_syncs(ws: &Workspace, n: usize, pause: Duration) -> Vec<Duration> {
    let mut times = Vec::new();
    for _ in 0..n {
        let t = Instant::now();
        ws.sync(Arc::new(|_| {})).await.unwrap();
        times.push(t.elapsed());
        tokio::time::sleep(pause).await;
    }
    times.sort();
    times
}

/// The app's worker in short: passes until nothing is left, going on after each sync that
/// interrupted one, until `done` says stop. Returns the PDFs downloaded.
async fn download_all(ws: Arc<Workspace>, opts: CacheOptions, done: Arc<AtomicBool>) -> u32 {
    let mut downloaded = 0;
    while !done.load(Ordering::SeqCst) {
        match ws.cache_invoice_pdfs_with(&opts).await.unwrap() {
            Some(r) => {
                downloaded += r.downloaded;
                if !r.interrupted && r.downloaded + r.failed == 0 {
                    break;
                }
                if r.interrupted {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
            // A sync runs: the pass waits for it, as the worker waits for its wake-up.
            None => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
    downloaded
}

fn summary(times: &[Duration]) -> String {
    format!(
        "median {:.1?}, worst {:.1?}",
        percentile(times, 0.5),
        times.last().copied().unwrap_or_default()
    )
}

#[tokio::main]
async fn main() {
    let syncs = env_u64("BENCH_SYNCS", 20) as usize;
    let latency = Duration::from_millis(env_u64("BENCH_LATENCY_MS", 100));
    let key = format!("sk_test_{}", "pdfsBenchmark".repeat(2));
    let data = Dataset::generate(&DatasetSpec {
        orders: 100,
        one_off_invoices: 906,
        subscriptions: 10,
        deleted_customers: 0,
        now: comptoir_core::store::now(),
        ..DatasetSpec::default()
    });
    let sim = Simulator::start(
        data,
        SimConfig {
            api_key: key.clone(),
            ..SimConfig::default()
        },
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::new());
    secrets
        .set(SecretKind::StripeKey, &Secret::new(key.clone()))
        .unwrap();
    let ws = Arc::new(
        Workspace::open(WorkspaceConfig {
            data_dir: dir.path().to_owned(),
            api_base: sim.base_url(),
            secrets: secrets as Arc<dyn SecretStore>,
            sync_options: SyncOptions::default(),
        })
        .await
        .unwrap(),
    );
    // The first full sync, without faults: what is measured comes after.
    ws.sync(Arc::new(|_| {})).await.unwrap();
    sim.set_faults(latency, Some(25), 0.0);
    let opts = CacheOptions {
        files_base: Some(sim.base_url()),
        ..CacheOptions::default()
    };
    println!(
        "simulator: {latency:?} latency per request, 25 requests/s shared by the API and the \
         file host; the cache downloads {} at a time, at most {}/s\n",
        opts.concurrency, opts.per_second
    );

    // 2a. The sync alone.
    let pause = Duration::from_millis(500);
    let alone = timed_syncs(&ws, syncs, pause).await;

    // 1. The download alone.
    sim.reset_stats();
    let t = Instant::now();
    let n = download_all(ws.clone(), opts.clone(), Arc::new(AtomicBool::new(false))).await;
    let wall = t.elapsed();
    let stats = sim.stats();
    let status = ws.pdf_cache_status().await.unwrap();
    println!(
        "download of {n} invoice PDFs: {wall:.1?} ({:.1} PDFs/s); {} requests, {} answered 429; \
         cache {} files, {:.1} MB",
        f64::from(n) / wall.as_secs_f64(),
        stats.requests,
        stats.rate_limited,
        status.files,
        status.bytes as f64 / 1e6
    );

    // 2b. The sync while the downloader works (the cache cleared first, so it has work).
    ws.clear_pdf_cache().await.unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let downloader = tokio::spawn(download_all(ws.clone(), opts.clone(), done.clone()));
    tokio::time::sleep(Duration::from_secs(2)).await;
    let with = timed_syncs(&ws, syncs, pause).await;
    let during = ws.pdf_cache_status().await.unwrap().files;
    done.store(true, Ordering::SeqCst);
    downloader.abort();

    println!("\nincremental sync, {syncs} each (a pause of {pause:?} between them):");
    println!("  without the downloader: {}", summary(&alone));
    println!(
        "  while it downloads:     {} ({during} PDFs downloaded by then, the download going on)",
        summary(&with)
    );
    let slow = percentile(&with, 0.5).as_secs_f64() / percentile(&alone, 0.5).as_secs_f64();
    println!("  median ratio: {slow:.2}");
    sim.shutdown().await;
}
