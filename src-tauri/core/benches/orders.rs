//! Orders table benchmark on 100,000 cached orders: p50 and p95 of a list page, a tab filter, a
//! search (alone, and under every tab and sort) and the tab counts, measured in the core on a
//! SQLite file. Prints figures; asserts nothing about time.
//!
//!   cargo bench -p comptoir-core --bench orders
//!   BENCH_ORDERS=200000 BENCH_RUNS=500 cargo bench -p comptoir-core --bench orders
//!   BENCH_DB=/tmp/o.sqlite BENCH_DUMP=/tmp/pages.txt cargo bench -p comptoir-core --bench orders
//!
//! The last one keeps the database and writes the pages of many views to a file, so that two
//! builds can be compared for identical results (same data, same rows, same order, same counts).
//!
//! 2,000 generated orders are imported the way a sync writes them, then copied in SQL (new ids,
//! numbers and dates) up to the target, and the search index rebuilt; four orders in five get a
//! fulfilment row (sent or picked up), and the sent ones a tracking number, as in a shop that has
//! been trading for a while.

use std::time::{Duration, Instant};

use comptoir_core::dataset::{Dataset, DatasetSpec};
use comptoir_core::model::{FulfilmentStatus, OrderQuery, OrderSort};
use comptoir_core::store::{self, Store};
use comptoir_core::sync::import_dataset;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn fill(store: &Store, target: usize) {
    let data = Dataset::generate(&DatasetSpec {
        orders: 2_000,
        one_off_invoices: 40,
        subscriptions: 10,
        ..DatasetSpec::default()
    });
    import_dataset(store, &data).await.unwrap();
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
                o.amount_total + ?1, o.item_count, o.has_shipping_address, o.shipping_rate_id,
                o.delivery_method, o.delivery_kind, NULL, o.payment_intent_id, o.detail, o.raw
             FROM orders o JOIN base b ON b.id = o.id",
        )
        .bind(k)
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO order_lines (order_id, position, description, quantity, unit_amount,
                amount_subtotal, amount_discount, amount_tax, amount_total)
             SELECT l.order_id || 'x' || ?1, l.position, l.description, l.quantity, l.unit_amount,
                l.amount_subtotal, l.amount_discount, l.amount_tax, l.amount_total
             FROM order_lines l JOIN base b ON b.id = l.order_id",
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
         FROM orders WHERE rowid % 5 <> 0",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO tracking_entries (order_id, carrier, number, url, created_at)
         SELECT order_id, 'colissimo', '6A' || (10000000000 + rowid * 7919),
                'https://www.laposte.fr/outils/suivre-vos-envois', updated_at
         FROM fulfilments WHERE status = 'sent'",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    // Rebuild the index once rather than row by row.
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

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn report(label: &str, mut times: Vec<Duration>, extra: &str) {
    times.sort();
    println!(
        "{label:<34} p50 {:>8.2?}  p95 {:>8.2?}  max {:>8.2?}  {extra}",
        pct(&times, 0.5),
        pct(&times, 0.95),
        times[times.len() - 1]
    );
}

fn q(status: Option<FulfilmentStatus>, search: Option<&str>, offset: i64) -> OrderQuery {
    OrderQuery {
        status: status.map(Into::into),
        limit: 50,
        offset,
        search: search.map(str::to_owned),
        sort: None,
    }
}

#[tokio::main]
async fn main() {
    let target = env_usize("BENCH_ORDERS", 100_000);
    let runs = env_usize("BENCH_RUNS", 200);
    let dir = tempfile::tempdir().unwrap();
    // BENCH_DB keeps the filled database at that path (and reuses it) for a look with sqlite3.
    let path = std::env::var_os("BENCH_DB")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.path().join("bench.sqlite"));
    let reuse = path.exists();
    let store = Store::open(&path).await.unwrap();
    let t = Instant::now();
    if !reuse {
        fill(&store, target).await;
    }
    let mut conn = store.pool().acquire().await.unwrap();
    let c = store::orders::counts(&mut conn).await.unwrap();
    println!(
        "{} orders ({} to be sent, {} sent, {} to be picked up, {} picked up), filled in {:.1?}",
        c.orders,
        c.to_be_sent,
        c.sent,
        c.to_be_picked_up,
        c.picked_up,
        t.elapsed()
    );
    // Search terms from the data: a customer's name prefix, an email, a product word, an order
    // number, a tracking number.
    let sample: (String, String, String) = sqlx::query_as(
        "SELECT customer_name, customer_email, number FROM orders
         WHERE customer_name IS NOT NULL AND customer_email IS NOT NULL ORDER BY rowid LIMIT 1 OFFSET 777",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    let tracking: String =
        sqlx::query_scalar("SELECT number FROM tracking_entries ORDER BY id LIMIT 1 OFFSET 4321")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    let name_prefix: String = sample.0.chars().take(3).collect();
    let searches = [
        name_prefix.clone(),
        sample.0.clone(),
        sample.1.clone(),
        "comté".to_owned(),
        sample.2.clone(),
        tracking.clone(),
    ];

    let time = |f: OrderQuery| {
        let store = store.clone();
        async move {
            let mut conn = store.pool().acquire().await.unwrap();
            let t = Instant::now();
            let page = store::orders::list(&mut conn, &f).await.unwrap();
            (t.elapsed(), page.total)
        }
    };

    // BENCH_DUMP writes the pages of many views (searches × tabs × sorts × offsets) to that
    // file, so that two builds can be compared for identical results.
    if let Some(out) = std::env::var_os("BENCH_DUMP") {
        let mut text = String::new();
        let mut views: Vec<Option<String>> = vec![None];
        views.extend(searches.iter().cloned().map(Some));
        views.extend(
            [
                "c",
                "a",
                "e",
                "comte gruyère",
                "sent",
                "6A",
                "zzqxqzzq",
                "\"*-",
            ]
            .map(|s| Some(s.to_owned())),
        );
        for search in &views {
            for status in [
                None,
                Some(FulfilmentStatus::ToBeSent),
                Some(FulfilmentStatus::Sent),
                Some(FulfilmentStatus::ToBePickedUp),
                Some(FulfilmentStatus::PickedUp),
            ] {
                for sort in [
                    OrderSort::DateDesc,
                    OrderSort::DateAsc,
                    OrderSort::TotalDesc,
                    OrderSort::TotalAsc,
                ] {
                    for offset in [0, 50, 1_000, 10_000] {
                        let page = store::orders::list(
                            &mut conn,
                            &OrderQuery {
                                sort: Some(sort),
                                ..q(status, search.as_deref(), offset)
                            },
                        )
                        .await
                        .unwrap();
                        text.push_str(&format!(
                            "{search:?} {status:?} {sort:?} {offset}: {}\n",
                            serde_json::to_string(&page).unwrap()
                        ));
                    }
                }
            }
        }
        std::fs::write(out, text).unwrap();
    }

    // Warm the cache once, as the app does on its first paint.
    let _ = time(q(None, None, 0)).await;

    let mut first = Vec::new();
    for _ in 0..runs {
        first.push(time(q(Some(FulfilmentStatus::ToBeSent), None, 0)).await.0);
    }
    report("list page (To be sent, page 1)", first, "");

    let mut deep = Vec::new();
    let total = c.orders;
    for i in 0..runs as i64 {
        let offset = (i * 7_919 * 50) % (total - 50).max(1);
        deep.push(time(q(None, None, offset)).await.0);
    }
    report("list page (All, random offset)", deep, "");

    let mut filter = Vec::new();
    for i in 0..runs {
        let status = [
            FulfilmentStatus::Sent,
            FulfilmentStatus::ToBePickedUp,
            FulfilmentStatus::PickedUp,
            FulfilmentStatus::ToBeSent,
        ][i % 4];
        let sort = [
            OrderSort::DateDesc,
            OrderSort::TotalDesc,
            OrderSort::DateAsc,
            OrderSort::TotalAsc,
        ][(i / 4) % 4];
        filter.push(
            time(OrderQuery {
                sort: Some(sort),
                ..q(Some(status), None, 0)
            })
            .await
            .0,
        );
    }
    report("filter (tab × sort, page 1)", filter, "");

    let mut search = Vec::new();
    let mut hits = vec![0; searches.len()];
    for i in 0..runs {
        let s = &searches[i % searches.len()];
        let (d, n) = time(q(None, Some(s), 0)).await;
        hits[i % searches.len()] = n;
        search.push(d);
    }
    let detail = searches
        .iter()
        .zip(&hits)
        .map(|(s, n)| format!("{s:?}→{n}"))
        .collect::<Vec<_>>()
        .join(", ");
    report("search (All, page 1 + counts)", search, &detail);
    for s in &searches {
        let mut one = Vec::new();
        for _ in 0..(runs / 4).max(5) {
            one.push(time(q(None, Some(s), 0)).await.0);
        }
        report(&format!("  search {s:?}"), one, "");
    }

    // Under a search, every tab and sort: the broad search is the hard case (its tab counts,
    // and a sort by total over all its matches).
    let mut mixed = Vec::new();
    let mut broad = vec![Vec::new(); 4];
    let statuses = [
        None,
        Some(FulfilmentStatus::ToBeSent),
        Some(FulfilmentStatus::Sent),
        Some(FulfilmentStatus::ToBePickedUp),
        Some(FulfilmentStatus::PickedUp),
    ];
    let sorts = [
        OrderSort::DateDesc,
        OrderSort::TotalDesc,
        OrderSort::DateAsc,
        OrderSort::TotalAsc,
    ];
    for i in 0..runs {
        let s = &searches[i % searches.len()];
        let f = OrderQuery {
            sort: Some(sorts[(i / 5) % 4]),
            ..q(statuses[i % 5], Some(s), 0)
        };
        mixed.push(time(f).await.0);
        let f = OrderQuery {
            sort: Some(sorts[i % 4]),
            ..q(statuses[(i / 4) % 5], Some("comté"), 0)
        };
        broad[i % 4].push(time(f).await.0);
    }
    report("search × tab × sort (page 1)", mixed, "");
    for (sort, times) in sorts.iter().zip(broad) {
        report(&format!("  search \"comté\" × tab, {sort:?}"), times, "");
    }

    // The first letter typed: the broadest search of all (not part of the goal; for the record).
    for sort in [OrderSort::DateDesc, OrderSort::TotalDesc] {
        let mut one = Vec::new();
        let mut n = 0;
        for _ in 0..(runs / 4).max(5) {
            let (d, total) = time(OrderQuery {
                sort: Some(sort),
                ..q(None, Some("c"), 0)
            })
            .await;
            one.push(d);
            n = total;
        }
        report(&format!("  search \"c\", {sort:?}"), one, &format!("→{n}"));
    }

    let mut counts = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        store::orders::counts(&mut conn).await.unwrap();
        counts.push(t.elapsed());
    }
    report("tab counts", counts, "");
}
