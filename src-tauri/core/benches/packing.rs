//! Packing mode's benchmark (README: Packing mode): from the scan's Enter to the order shown,
//! measured in the core as the two calls the window makes: the lookup of the scanned number
//! (`packing_lookup`) and the order with its lines, pictures and codes (`packing_open`), on
//! 100,000 cached orders. Median and worst over 50 scans (order numbers, then tracking numbers),
//! and the queue's counts. Prints figures; asserts nothing about time.
//!
//!   cargo bench -p comptoir-core --bench packing
//!   BENCH_ORDERS=200000 BENCH_SCANS=200 cargo bench -p comptoir-core --bench packing
//!
//! The demo store (as the app opens it without a key) is copied in SQL (new ids, numbers and
//! dates) up to the target; four copies in five get a fulfilment row, the sent ones a tracking
//! number, as in a shop that has been trading for a while. The IPC hop and the window's render
//! are not in these figures.

use std::sync::Arc;
use std::time::{Duration, Instant};

use comptoir_core::secrets::MemoryStore;
use comptoir_core::store::{self, Store};
use comptoir_core::sync::SyncOptions;
use comptoir_core::workspace::{Workspace, WorkspaceConfig};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn fill(store: &Store, target: usize) {
    let mut tx = store.pool().begin().await.unwrap();
    sqlx::query("CREATE TEMP TABLE base AS SELECT id FROM orders")
        .execute(&mut *tx)
        .await
        .unwrap();
    let base: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM base")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    let copies = (target as i64 + base - 1) / base;
    for k in 1..copies {
        sqlx::query(
            "INSERT INTO orders (id, source, number, created, livemode, customer_id, customer_name,
                customer_email, currency, amount_subtotal, amount_discount, amount_shipping,
                amount_tax, amount_total, item_count, has_shipping_address, shipping_rate_id,
                delivery_method, delivery_kind, invoice_id, payment_intent_id, detail, raw)
             SELECT o.id || 'x' || ?1, o.source, o.number || '-' || ?1, o.created - ?1 * 3600,
                o.livemode, o.customer_id, o.customer_name, o.customer_email, o.currency,
                o.amount_subtotal, o.amount_discount, o.amount_shipping, o.amount_tax,
                o.amount_total, o.item_count, o.has_shipping_address, o.shipping_rate_id,
                o.delivery_method, o.delivery_kind, NULL, o.payment_intent_id,
                json_set(o.detail, '$.id', o.id || 'x' || ?1, '$.number', o.number || '-' || ?1),
                o.raw
             FROM orders o JOIN base b ON b.id = o.id",
        )
        .bind(k)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    sqlx::query(
        "INSERT INTO fulfilments (order_id, status, sent_at, picked_up_at, staff, station, updated_at)
         SELECT id, CASE delivery_kind WHEN 'pickup' THEN 'picked_up' ELSE 'sent' END,
                created + 86400, created + 86400, 'Camille', 'Atelier', created + 86400
         FROM orders WHERE id LIKE '%x%' AND rowid % 5 <> 0",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO tracking_entries (order_id, carrier, number, url, created_at)
         SELECT order_id, 'colissimo', '6A' || (10000000000 + rowid * 7919),
                'https://www.laposte.fr/outils/suivre-vos-envois', updated_at
         FROM fulfilments WHERE status = 'sent' AND order_id LIKE '%x%'",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    store::orders::reindex_all(&mut tx).await.unwrap();
    sqlx::query("DROP TABLE base")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    sqlx::query("PRAGMA optimize")
        .execute(store.pool())
        .await
        .unwrap();
}

fn report(label: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "{label:<44} median {:>8.2?}  worst {:>8.2?}  ({} scans)",
        times[times.len() / 2],
        times[times.len() - 1],
        times.len()
    );
}

/// Picks `n` values spread over `all`.
fn spread(all: &[String], n: usize) -> Vec<String> {
    let step = (all.len() / n.max(1)).max(1);
    all.iter().step_by(step).take(n).cloned().collect()
}

#[tokio::main]
async fn main() {
    let target = env_usize("BENCH_ORDERS", 100_000);
    let scans = env_usize("BENCH_SCANS", 50);
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open(WorkspaceConfig {
        data_dir: dir.path().to_owned(),
        api_base: "http://127.0.0.1:9/".into(),
        secrets: Arc::new(MemoryStore::new()),
        sync_options: SyncOptions::default(),
    })
    .await
    .unwrap();
    let store = ws.store().await;
    let t = Instant::now();
    fill(&store, target).await;
    let orders = store::orders::count(store.pool()).await.unwrap();
    println!("{orders} orders, filled in {:.1?}", t.elapsed());

    let numbers: Vec<String> = sqlx::query_scalar("SELECT number FROM orders ORDER BY rowid")
        .fetch_all(store.pool())
        .await
        .unwrap();
    let tracking: Vec<String> =
        sqlx::query_scalar("SELECT number FROM tracking_entries ORDER BY id")
            .fetch_all(store.pool())
            .await
            .unwrap();

    // Warm the cache as a station that has been open a while.
    for n in spread(&numbers, 5) {
        let found = ws.packing_lookup(&n).await.unwrap();
        ws.packing_open(&found[0].order_id).await.unwrap();
    }

    for (label, values) in [
        ("order number: lookup + open", spread(&numbers, scans)),
        ("tracking number: lookup + open", spread(&tracking, scans)),
    ] {
        let mut times = Vec::with_capacity(values.len());
        for v in &values {
            let t = Instant::now();
            let found = ws.packing_lookup(v).await.unwrap();
            let order = ws.packing_open(&found[0].order_id).await.unwrap();
            times.push(t.elapsed());
            assert!(!order.lines.is_empty() || order.detail.order.lines.is_empty());
        }
        report(label, times);
    }

    let mut times = Vec::with_capacity(scans);
    for _ in 0..scans {
        let t = Instant::now();
        let q = ws.packing_queue(store::now() - 86_400).await.unwrap();
        times.push(t.elapsed());
        assert!(q.remaining >= 0);
    }
    report("queue (remaining, next, packed today)", times);
}
