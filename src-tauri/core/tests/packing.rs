//! Packing mode on the demo store, as the bench uses it (README: Packing mode): the scan
//! field's lookup (order, invoice, Checkout Session and tracking numbers), the queue's counts,
//! ticking units by code and by line number, the "Packed" override in the history, and codes
//! linked in Settings.

use std::sync::Arc;

use comptoir_core::carriers::Carrier;
use comptoir_core::fulfilment::TrackingInput;
use comptoir_core::model::{
    FulfilmentStatus, OrderQuery, OrderQueue, PackMatchKind, PackOrder, PaymentState,
};
use comptoir_core::problem::Problem;
use comptoir_core::secrets::MemoryStore;
use comptoir_core::store;
use comptoir_core::sync::SyncOptions;
use comptoir_core::workspace::{Workspace, WorkspaceConfig, WorkspaceError};

async fn demo_workspace() -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open(WorkspaceConfig {
        data_dir: dir.path().to_owned(),
        api_base: "http://127.0.0.1:9/".into(),
        secrets: Arc::new(MemoryStore::new()),
        sync_options: SyncOptions::default(),
    })
    .await
    .unwrap();
    (dir, ws)
}

fn refused(e: WorkspaceError) -> Problem {
    match e {
        WorkspaceError::Refused(p) => p,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Paid orders To be sent, oldest first (the queue's order).
async fn ready(ws: &Workspace) -> Vec<String> {
    let page = ws
        .list_orders(&OrderQuery {
            status: Some(OrderQueue::ToBeSent),
            limit: 500,
            offset: 0,
            search: None,
            sort: None,
        })
        .await
        .unwrap();
    let mut rows = page.rows;
    rows.sort_by_key(|r| (r.created, r.id.clone()));
    rows.into_iter().map(|r| r.id).collect()
}

/// The first order To be sent whose lines all carry a product code.
async fn order_with_codes(ws: &Workspace) -> PackOrder {
    for id in ready(ws).await {
        let o = ws.packing_open(&id).await.unwrap();
        if !o.lines.is_empty() && o.lines.iter().all(|l| !l.codes.is_empty()) {
            return o;
        }
    }
    panic!("the demo store has an order whose products all have codes");
}

#[tokio::test]
async fn a_scan_finds_orders_by_number_session_invoice_and_tracking() {
    let (_dir, ws) = demo_workspace().await;
    let id = ready(&ws).await[0].clone();
    let order = ws.packing_open(&id).await.unwrap().detail.order;

    // The order number, as a scanner sends it (trailing newline) and typed in lower case.
    let typed = format!(" {}\n", order.number.to_lowercase());
    let found = ws.packing_lookup(&typed).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].order_id, id);
    assert_eq!(found[0].matched_by, PackMatchKind::OrderNumber);

    // The Checkout Session id.
    let found = ws.packing_lookup(&id).await.unwrap();
    assert_eq!(found[0].order_id, id);

    // An order's invoice number (the one-off invoices' orders are numbered by it).
    let cur = ws.store().await;
    let (inv_order, inv_number): (String, String) = sqlx::query_as(
        "SELECT o.id, i.number FROM orders o JOIN invoices i ON i.id = o.invoice_id
         WHERE i.number IS NOT NULL LIMIT 1",
    )
    .fetch_one(cur.pool())
    .await
    .unwrap();
    let found = ws.packing_lookup(&inv_number).await.unwrap();
    assert!(found.iter().any(|m| m.order_id == inv_order));

    // A tracking number, once the parcel is recorded.
    let parcel = TrackingInput {
        carrier: Some(Carrier::Colissimo),
        number: Some("6A12345678901".into()),
        url: None,
        postcode: None,
    };
    ws.ship_order(&id, &[parcel], false).await.unwrap();
    let found = ws.packing_lookup("6a12345678901").await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].order_id, id);
    assert_eq!(found[0].matched_by, PackMatchKind::TrackingNumber);
    assert_eq!(found[0].queue, OrderQueue::Sent);

    // Nothing: refused with what was scanned; a prefix is not a match.
    let prefix = &order.number[..order.number.len() - 1];
    assert_eq!(
        refused(ws.packing_lookup(prefix).await.unwrap_err()),
        Problem::PackNoMatch {
            scan: prefix.to_owned()
        }
    );
    assert!(matches!(
        refused(ws.packing_lookup("   ").await.unwrap_err()),
        Problem::PackNoMatch { .. }
    ));
}

#[tokio::test]
async fn the_queue_counts_paid_orders_to_send_and_todays_packed() {
    let (_dir, ws) = demo_workspace().await;
    let since = store::now() - 60;
    let before = ws.packing_queue(since).await.unwrap();
    let queue = ready(&ws).await;
    assert_eq!(before.remaining, queue.len() as i64);
    assert!(before.remaining > 1);
    let first = ws.packing_open(&queue[0]).await.unwrap().detail.order;
    assert_eq!(before.next_number.as_deref(), Some(first.number.as_str()));

    // Orders waiting for their payment or on hold are not in the queue.
    let cur = ws.store().await;
    let unpaid: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM orders WHERE status = 'to_be_sent' AND payment_hold IS NOT NULL",
    )
    .fetch_one(cur.pool())
    .await
    .unwrap();
    assert!(unpaid > 0, "the demo store has unpaid orders");
    let all_to_send: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE status = 'to_be_sent'")
            .fetch_one(cur.pool())
            .await
            .unwrap();
    assert_eq!(before.remaining, all_to_send - unpaid);

    ws.ship_order_untracked(&queue[0], false, false)
        .await
        .unwrap();
    let after = ws.packing_queue(since).await.unwrap();
    assert_eq!(after.remaining, before.remaining - 1);
    assert_eq!(after.packed_today, before.packed_today + 1);
    let second = ws.packing_open(&queue[1]).await.unwrap().detail.order;
    assert_eq!(after.next_number.as_deref(), Some(second.number.as_str()));

    // A later day's count starts again.
    let tomorrow = ws.packing_queue(store::now() + 2 * 86_400).await.unwrap();
    assert_eq!(tomorrow.packed_today, 0);
}

#[tokio::test]
async fn scanning_ticks_units_and_refuses_wrong_or_extra_items() {
    let (_dir, ws) = demo_workspace().await;
    let o = order_with_codes(&ws).await;
    let id = o.detail.order.id.clone();
    let mut ticked: Vec<i64> = vec![0; o.lines.len()];
    let total: i64 = o.lines.iter().map(|l| l.quantity).sum();
    let mut n = 0;
    for (i, line) in o.lines.iter().enumerate() {
        for _ in 0..line.quantity {
            // Codes are read without regard to case.
            let t = ws
                .packing_tick(&id, &ticked, &line.codes[0].to_lowercase())
                .await
                .unwrap();
            n += 1;
            assert_eq!(t.ticked[i], ticked[i] + 1);
            assert_eq!(t.complete, n == total);
            ticked = t.ticked;
        }
    }
    assert_eq!(
        refused(
            ws.packing_tick(&id, &ticked, &o.lines[0].codes[0])
                .await
                .unwrap_err()
        ),
        Problem::PackTooMany {
            line: 1,
            quantity: o.lines[0].quantity as u32
        }
    );
    assert_eq!(
        refused(ws.packing_tick(&id, &[], "NOT-A-CODE").await.unwrap_err()),
        Problem::PackWrongItem {
            scan: "NOT-A-CODE".into()
        }
    );
    // A line's number ticks it too.
    let t = ws.packing_tick(&id, &[], "1").await.unwrap();
    assert_eq!(t.line, 1);
    assert_eq!(t.ticked[0], 1);
}

#[tokio::test]
async fn packed_with_items_missing_needs_a_reason_and_is_in_the_history() {
    let (_dir, ws) = demo_workspace().await;
    let o = order_with_codes(&ws).await;
    let id = o.detail.order.id.clone();
    let total: i64 = o.lines.iter().map(|l| l.quantity).sum();

    assert_eq!(
        refused(ws.packing_override(&id, &[], "  ").await.unwrap_err()),
        Problem::PackReasonMissing
    );
    let before = ws.order_detail(&id).await.unwrap().history.len();
    ws.packing_override(&id, &[], "Out of stock, customer told")
        .await
        .unwrap();
    let history = ws.order_detail(&id).await.unwrap().history;
    assert_eq!(history.len(), before + 1);
    let entry = history.last().unwrap();
    assert_eq!(entry.action, "pack_override");
    assert_eq!(entry.staff.as_deref(), Some("Camille"));
    assert_eq!(entry.station.as_deref(), Some("Atelier"));
    assert_eq!(
        entry.detail.as_deref(),
        Some(format!("0/{total} · Out of stock, customer told").as_str())
    );

    // Complete: nothing to record.
    let full: Vec<i64> = o.lines.iter().map(|l| l.quantity).collect();
    ws.packing_override(&id, &full, "").await.unwrap();
    assert_eq!(
        ws.order_detail(&id).await.unwrap().history.len(),
        before + 1
    );
}

#[tokio::test]
async fn codes_come_from_metadata_keys_and_codes_linked_in_settings() {
    let (_dir, ws) = demo_workspace().await;
    let codes = ws.product_codes().await.unwrap();
    assert_eq!(codes.keys, ["sku", "barcode", "ean", "gtin"]);
    assert!(codes
        .products
        .iter()
        .any(|p| p.codes.iter().any(|c| c.starts_with("EPI-"))));

    let o = order_with_codes(&ws).await;
    let id = o.detail.order.id.clone();
    let product = o.lines[0].product_id.clone().unwrap();

    // A supplier's barcode linked by scanning it ticks the line.
    let linked = ws
        .link_product_code(" 4006381333931\n", &product)
        .await
        .unwrap();
    assert_eq!(linked.linked[0].code, "4006381333931");
    let t = ws.packing_tick(&id, &[], "4006381333931").await.unwrap();
    assert_eq!(t.line, 1);
    // Linking it again to the same product changes nothing; to another is refused.
    ws.link_product_code("4006381333931", &product)
        .await
        .unwrap();
    let other = codes
        .products
        .iter()
        .find(|p| p.id != product)
        .unwrap()
        .id
        .clone();
    assert!(matches!(
        refused(
            ws.link_product_code("4006381333931", &other)
                .await
                .unwrap_err()
        ),
        Problem::ProductCodeTaken { .. }
    ));
    assert!(matches!(
        refused(ws.link_product_code("  ", &product).await.unwrap_err()),
        Problem::ProductCodeInvalid { .. }
    ));

    // Reading only `barcode`: the SKU no longer ticks.
    let sku = o.lines[0]
        .codes
        .iter()
        .find(|c| c.starts_with("EPI-"))
        .unwrap()
        .clone();
    ws.save_product_code_keys("barcode").await.unwrap();
    assert!(matches!(
        refused(ws.packing_tick(&id, &[], &sku).await.unwrap_err()),
        Problem::PackWrongItem { .. }
    ));
    assert!(matches!(
        refused(ws.save_product_code_keys("bad key!").await.unwrap_err()),
        Problem::ProductCodeKeysInvalid { .. }
    ));
    ws.unlink_product_code("4006381333931").await.unwrap();
    assert!(ws.product_codes().await.unwrap().linked.is_empty());
}

#[tokio::test]
async fn an_unpaid_order_opens_but_cannot_be_shipped_without_confirmation() {
    let (_dir, ws) = demo_workspace().await;
    let cur = ws.store().await;
    let id: String = sqlx::query_scalar(
        "SELECT id FROM orders WHERE status = 'to_be_sent' AND payment_hold IS NOT NULL LIMIT 1",
    )
    .fetch_one(cur.pool())
    .await
    .unwrap();
    let o = ws.packing_open(&id).await.unwrap();
    assert_ne!(o.detail.order.payment.state, PaymentState::Paid);
    assert_eq!(o.detail.status, FulfilmentStatus::ToBeSent);
    let err = ws
        .ship_order_untracked(&id, false, false)
        .await
        .unwrap_err();
    assert!(matches!(err.problem(), Problem::PaymentNotSettled { .. }));
}

#[tokio::test]
async fn a_number_shared_by_several_orders_lists_them_all() {
    let (_dir, ws) = demo_workspace().await;
    let queue = ready(&ws).await;
    let cur = ws.store().await;
    // Two parcels recorded with the same number (a label reused by mistake).
    for id in &queue[..2] {
        sqlx::query(
            "INSERT INTO tracking_entries (order_id, carrier, number, url, created_at)
             VALUES (?1, 'colissimo', '6A99999999999', 'https://www.laposte.fr/x', 1)",
        )
        .bind(id)
        .execute(cur.pool())
        .await
        .unwrap();
    }
    let found = ws.packing_lookup("6A99999999999").await.unwrap();
    let ids: Vec<&str> = found.iter().map(|m| m.order_id.as_str()).collect();
    assert_eq!(ids, [queue[0].as_str(), queue[1].as_str()], "oldest first");
    assert!(found
        .iter()
        .all(|m| m.matched_by == PackMatchKind::TrackingNumber));
}
