//! The local store on a real SQLite file: schema, WAL, the demo import, the order queries, and
//! the rule that synced data never overwrites local fulfilment state.

mod support;

use comptoir_core::dataset::{Dataset, DatasetSpec};
use comptoir_core::model::{FulfilmentStatus, Order, OrderQuery, SubscriptionQuery};
use comptoir_core::store::{self, Store};
use comptoir_core::sync::import_dataset;
use serde_json::Value;
use support::{filled_store, list, query, store_path, temp_store};

/// The demo shop's data, as of a fixed date.
fn demo() -> Dataset {
    Dataset::demo(1_790_000_000)
}

/// What the dataset holds as orders, by Stripe's rules, independent of the store's code:
/// completed payment-mode sessions, plus paid invoices without a subscription that no session
/// created.
fn expected_order_ids(d: &Dataset) -> Vec<String> {
    d.order_ids(store::now() - comptoir_core::subscriptions::RECENT_CYCLE_SECS)
}

#[tokio::test]
async fn opens_a_wal_database_with_full_sync_and_foreign_keys() {
    let (dir, store) = temp_store().await;
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(fk, 1);
    // synchronous=FULL (2) on every connection of the pool, not only the first: the store is
    // the only copy of the fulfilment actions. Holding all four at once makes each a different one.
    let mut conns = Vec::new();
    for _ in 0..4 {
        conns.push(store.pool().acquire().await.unwrap());
    }
    for conn in &mut conns {
        let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&mut **conn)
            .await
            .unwrap();
        assert_eq!(sync, 2, "PRAGMA synchronous is FULL");
    }
    drop(conns);
    assert!(store_path(dir.path()).exists());
    // Opening again runs no migration twice and keeps the data.
    store.close().await;
    let again = Store::open(&store_path(dir.path())).await.unwrap();
    assert_eq!(store::orders::count(again.pool()).await.unwrap(), 0);
}

#[tokio::test]
async fn demo_import_gives_every_order_and_subscription() {
    let (_dir, store) = temp_store().await;
    let data = demo();
    let report = import_dataset(&store, &data).await.unwrap();
    let expected = expected_order_ids(&data);
    assert!(
        expected.len() >= 100,
        "the demo has a real shop's worth of orders"
    );
    assert_eq!(store::orders::ids(store.pool()).await.unwrap(), expected);
    assert_eq!(report.orders as usize, expected.len());
    assert_eq!(
        store::subscriptions::count(store.pool()).await.unwrap() as usize,
        data.subscriptions.len()
    );
    assert_eq!(
        store::invoices::count(store.pool()).await.unwrap() as usize,
        data.invoices.len()
    );

    let mut conn = store.pool().acquire().await.unwrap();
    let counts = store::orders::counts(&mut conn).await.unwrap();
    assert_eq!(counts.orders as usize, expected.len());
    assert!(
        counts.to_be_sent > 0 && counts.to_be_picked_up > 0,
        "deliveries and pickups: {counts:?}"
    );
    assert_eq!(
        counts.to_be_sent
            + counts.to_be_picked_up
            + counts.sent
            + counts.picked_up
            + counts.awaiting_payment
            + counts.on_hold,
        counts.orders,
        "every order sits in one tab"
    );
    assert!(
        counts.awaiting_payment > 0 && counts.on_hold > 0,
        "the demo shows payments still processing, and orders held back: {counts:?}"
    );

    // Pages are newest first, disjoint, and add up to the total.
    let mut seen = Vec::new();
    let mut offset = 0;
    loop {
        let page = list(
            &store,
            OrderQuery {
                limit: 40,
                offset,
                ..OrderQuery::default()
            },
        )
        .await;
        assert_eq!(page.total, counts.orders);
        if page.rows.is_empty() {
            break;
        }
        for pair in page.rows.windows(2) {
            assert!(pair[0].created >= pair[1].created, "newest first");
        }
        seen.extend(page.rows.iter().map(|r| r.id.clone()));
        offset += 40;
    }
    seen.sort();
    assert_eq!(seen, expected);

    let pickups = list(&store, query(Some(FulfilmentStatus::ToBePickedUp), None)).await;
    assert_eq!(pickups.total, counts.to_be_picked_up);
    assert!(pickups
        .rows
        .iter()
        .all(|r| r.status == FulfilmentStatus::ToBePickedUp));

    let subs = store::subscriptions::list(
        &mut conn,
        &SubscriptionQuery {
            limit: 100,
            offset: 0,
            ..SubscriptionQuery::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(subs.rows.len(), data.subscriptions.len());
    assert!(
        subs.rows.iter().any(|r| r.customer_name.is_some()),
        "subscriptions name their customer"
    );
    // The demo shows what a sync would: every item, the past-due reason and retry, the
    // customer's default payment method, deleted customers.
    assert!(subs
        .rows
        .iter()
        .any(|r| r.product_name.as_deref().is_some_and(|p| p.contains(" + "))));
    assert!(subs.rows.iter().any(|r| r.customer_deleted));
    for raw in &data.subscriptions {
        let id = raw["id"].as_str().unwrap();
        let sub = store::subscriptions::get(store.pool(), id).await.unwrap();
        // Past-due ones say why; paid-up ones have nothing failed (an incomplete one's first
        // payment may have failed too).
        match raw["status"].as_str().unwrap() {
            "past_due" => assert!(sub.payment_failure.is_some(), "{id}: why it failed"),
            "incomplete" => {}
            _ => assert_eq!(sub.payment_failure, None, "{id}"),
        }
        if raw["default_payment_method"].is_null() {
            let customer = raw["customer"].as_str().unwrap();
            let (raw, deleted) = store::customers::get_raw(store.pool(), customer)
                .await
                .unwrap();
            let c = comptoir_core::stripe::mapping::stored_customer(customer, &raw, deleted);
            assert!(
                c.deleted || c.default_payment_method.is_some(),
                "{id}: the customer's default payment method"
            );
        }
    }
}

#[tokio::test]
async fn a_sync_never_overwrites_fulfilment_state() {
    let data = demo();
    let (_dir, store) = filled_store(&data).await;
    let page = list(
        &store,
        OrderQuery {
            limit: 1,
            ..query(Some(FulfilmentStatus::ToBeSent), None)
        },
    )
    .await;
    let id = page.rows[0].id.clone();
    sqlx::query("INSERT INTO fulfilments (order_id, status, sent_at, staff, station, updated_at) VALUES (?1, 'sent', 1, 'Léa', 'Poste 1', 1)")
        .bind(&id)
        .execute(store.pool())
        .await
        .unwrap();
    // The same objects arrive again, as after an update on Stripe.
    import_dataset(&store, &data).await.unwrap();
    let sent = list(
        &store,
        OrderQuery {
            limit: 10,
            ..query(Some(FulfilmentStatus::Sent), None)
        },
    )
    .await;
    assert_eq!(sent.rows.len(), 1);
    assert_eq!(sent.rows[0].id, id);
}

#[tokio::test]
async fn marking_a_rate_as_pickup_moves_its_orders() {
    let data = demo();
    let (_dir, store) = filled_store(&data).await;
    let rates = store::shipping_rates::list(store.pool()).await.unwrap();
    let delivery_rate = rates
        .iter()
        .find(|r| !r.is_pickup)
        .expect("a delivery rate");
    let using: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM orders WHERE shipping_rate_id = ?1 AND queue = 'to_be_sent'",
    )
    .bind(&delivery_rate.id)
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert!(using > 0, "some orders use {}", delivery_rate.display_name);
    let mut conn = store.pool().acquire().await.unwrap();
    let before = store::orders::counts(&mut conn).await.unwrap();
    store::shipping_rates::set_pickup(&mut conn, &delivery_rate.id, true)
        .await
        .unwrap();
    let after = store::orders::counts(&mut conn).await.unwrap();
    assert_eq!(after.to_be_picked_up, before.to_be_picked_up + using);
    assert_eq!(after.to_be_sent, before.to_be_sent - using);
    let rates = store::shipping_rates::list(&mut *conn).await.unwrap();
    let r = rates.iter().find(|r| r.id == delivery_rate.id).unwrap();
    assert!(r.is_pickup && r.pickup_set_by_merchant);
}

#[tokio::test]
async fn hostile_text_is_stored_verbatim() {
    let (_dir, store) = filled_store(&Dataset::generate(&DatasetSpec {
        orders: 60,
        hostile_text: true,
        ..DatasetSpec::default()
    }))
    .await;
    let names: Vec<Option<String>> = sqlx::query_scalar("SELECT customer_name FROM orders")
        .fetch_all(store.pool())
        .await
        .unwrap();
    assert!(
        names
            .iter()
            .flatten()
            .any(|n| n.contains("<img src=x onerror=")),
        "hostile names survive as text, unchanged"
    );
    let raw: Vec<String> = sqlx::query_scalar("SELECT detail FROM orders")
        .fetch_all(store.pool())
        .await
        .unwrap();
    assert!(raw.iter().all(|d| serde_json::from_str::<Value>(d).is_ok()));
}

/// A completed payment session of the demo that created an invoice (with a shipping address
/// when `delivered`), that invoice, and the order each of the two maps to on its own.
struct InvoicedSession<'a> {
    session: &'a Value,
    invoice: &'a Value,
    from_session: Order,
    from_invoice: Order,
}

fn invoiced_session(data: &Dataset, delivered: bool) -> InvoicedSession<'_> {
    use comptoir_core::stripe::mapping;
    let no_name = |_: &str| None;
    let not_pickup = |_: &str, _: Option<&str>| false;
    let session = data
        .checkout_sessions
        .iter()
        .find(|s| {
            s["mode"] == "payment"
                && s["status"] == "complete"
                && s["invoice"].is_string()
                && (!delivered
                    || s.pointer("/collected_information/shipping_details/address")
                        .is_some_and(|a| !a.is_null()))
        })
        .expect("the demo has a (delivered) session that created an invoice");
    let invoice_id = session["invoice"].as_str().unwrap();
    let invoice = data
        .invoices
        .iter()
        .find(|i| i["id"] == invoice_id)
        .unwrap();
    let lines = &data.session_line_items[session["id"].as_str().unwrap()];
    InvoicedSession {
        session,
        invoice,
        from_session: mapping::order_from_session(session, lines, &no_name, &not_pickup)
            .unwrap()
            .unwrap(),
        from_invoice: mapping::order_from_invoice(invoice, &no_name, &not_pickup)
            .unwrap()
            .expect("a paid one-off invoice is an order on its own"),
    }
}

#[tokio::test]
async fn an_order_counts_once_whether_its_invoice_or_its_session_arrives_first() {
    let data = demo();
    let InvoicedSession {
        session,
        invoice,
        from_session,
        from_invoice,
    } = invoiced_session(&data, false);

    // Invoice first (concurrent sync windows may deliver it first), then its session.
    let (_dir, store) = temp_store().await;
    let mut conn = store.pool().acquire().await.unwrap();
    let added = [
        store::orders::upsert(&mut conn, &from_invoice, invoice)
            .await
            .unwrap(),
        store::orders::upsert(&mut conn, &from_session, session)
            .await
            .unwrap(),
    ];
    assert_eq!(
        added,
        [true, false],
        "the session's order replaces the invoice's"
    );
    assert_eq!(
        store::orders::ids(store.pool()).await.unwrap(),
        vec![session["id"].as_str().unwrap().to_owned()]
    );

    // Session first: the invoice is covered and skipped.
    let (_dir, store) = temp_store().await;
    let mut conn = store.pool().acquire().await.unwrap();
    let added = [
        store::orders::upsert(&mut conn, &from_session, session)
            .await
            .unwrap(),
        store::orders::upsert(&mut conn, &from_invoice, invoice)
            .await
            .unwrap(),
    ];
    assert_eq!(added, [true, false]);
    assert_eq!(store::orders::count(store.pool()).await.unwrap(), 1);
}

/// A full sync pages sessions and invoices concurrently: an invoice's order may be cached, and
/// shipped by staff, before its session's order replaces it. The replacement must carry the
/// fulfilment, the tracking entries and the history over (it used to break a foreign key, roll
/// the page back and fail every later sync), whichever of the two arrives first.
#[tokio::test]
async fn a_shipped_invoice_order_hands_its_fulfilment_to_its_session_order() {
    use comptoir_core::fulfilment::{self, Actor, TrackingInput};
    let data = demo();
    let InvoicedSession {
        session,
        invoice,
        from_session,
        mut from_invoice,
    } = invoiced_session(&data, true);
    let session_id = session["id"].as_str().unwrap();
    let invoice_id = invoice["id"].as_str().unwrap();
    // Staff ship whichever order is on screen: make the invoice's a delivery like its session.
    from_invoice.shipping = from_session.shipping.clone();
    from_invoice.delivery_kind = comptoir_core::model::DeliveryKind::Delivery;
    let actor = Actor {
        staff: "Camille".into(),
        station: "Atelier".into(),
    };
    let parcel = TrackingInput {
        carrier: Some(comptoir_core::carriers::Carrier::Colissimo),
        number: Some("6A12345678901".into()),
        ..TrackingInput::default()
    };

    for invoice_first in [true, false] {
        let (_dir, store) = temp_store().await;
        let mut conn = store.pool().acquire().await.unwrap();
        let shipped = if invoice_first {
            store::orders::upsert(&mut conn, &from_invoice, invoice)
                .await
                .unwrap();
            invoice_id
        } else {
            store::orders::upsert(&mut conn, &from_session, session)
                .await
                .unwrap();
            session_id
        };
        drop(conn);
        fulfilment::ship(
            &store,
            shipped,
            std::slice::from_ref(&parcel),
            &actor,
            true,
            false,
            1_790_000_100,
        )
        .await
        .unwrap();

        // The other object arrives in a later page, in a transaction of its own.
        let mut tx = store.write().await.unwrap();
        if invoice_first {
            store::orders::upsert(&mut tx, &from_session, session)
                .await
                .unwrap();
        } else {
            store::orders::upsert(&mut tx, &from_invoice, invoice)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();

        let case = if invoice_first {
            "invoice first"
        } else {
            "session first"
        };
        assert_eq!(
            store::orders::ids(store.pool()).await.unwrap(),
            vec![session_id.to_owned()],
            "{case}: one order, the session's"
        );
        let mut conn = store.pool().acquire().await.unwrap();
        assert_eq!(
            store::orders::status(&mut *conn, session_id).await.unwrap(),
            FulfilmentStatus::Sent,
            "{case}: still Sent"
        );
        let f = comptoir_core::fulfilment::of_order(&mut conn, session_id)
            .await
            .unwrap()
            .expect("the fulfilment moved with the order");
        assert_eq!(f.staff.as_deref(), Some("Camille"), "{case}");
        assert_eq!(f.tracking.len(), 1, "{case}: the tracking entry moved");
        let history = fulfilment::history(&mut *conn, session_id).await.unwrap();
        assert_eq!(
            history
                .iter()
                .map(|h| h.action.as_str())
                .collect::<Vec<_>>(),
            ["shipped"],
            "{case}: the history moved"
        );
        let page = store::orders::list(
            &mut conn,
            &OrderQuery {
                status: Some(FulfilmentStatus::Sent.into()),
                limit: 10,
                offset: 0,
                search: Some("6A12345678901".into()),
                sort: None,
            },
        )
        .await
        .unwrap();
        assert_eq!(
            page.rows.len(),
            1,
            "{case}: its tracking number finds it in Sent"
        );
        let orphans: i64 = sqlx::query_scalar("PRAGMA foreign_key_check")
            .fetch_optional(&mut *conn)
            .await
            .unwrap()
            .map(|_: String| 1)
            .unwrap_or(0);
        assert_eq!(orphans, 0, "{case}: no row points at a missing order");
    }
}
