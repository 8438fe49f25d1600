//! Subscription boxes (README: Subscription boxes): each paid cycle of a subscription to a
//! shippable product, paid in the last 35 days, becomes an order To be sent, numbered by its invoice and addressed as the
//! invoice recorded it; a subscription to a product Stripe does not ship makes none. Checked
//! against the Stripe simulator's raw objects, after a full sync, after a renewal read by the
//! incremental sync, and with the setting turned off and on again.

mod support;

use std::collections::HashSet;

use comptoir_core::model::{FulfilmentStatus, OrderQuery};
use comptoir_core::store;
use comptoir_core::subscriptions::RECENT_CYCLE_SECS;
use comptoir_core::workspace::Workspace;
use serde_json::Value;
use support::{no_progress, TestShop};

fn sub_of(inv: &Value) -> Option<&str> {
    inv.pointer("/parent/subscription_details/subscription")
        .or_else(|| inv.get("subscription"))
        .and_then(Value::as_str)
}

fn paid_at(inv: &Value) -> i64 {
    inv.pointer("/status_transitions/paid_at")
        .and_then(Value::as_i64)
        .or_else(|| inv["created"].as_i64())
        .unwrap_or(0)
}

fn line_products(inv: &Value) -> Vec<String> {
    inv.pointer("/lines/data")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|l| {
            l.pointer("/pricing/price_details/product")
                .or_else(|| l.pointer("/price/product"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .collect()
}

/// The address an invoice sends its box to: its shipping details, else the customer's
/// shipping address as it recorded it, else the billing address.
fn box_address(inv: &Value) -> (Option<String>, Option<String>) {
    let addr = inv
        .pointer("/shipping_details/address")
        .or_else(|| inv.pointer("/customer_shipping/address"))
        .filter(|a| a.is_object())
        .or_else(|| inv.get("customer_address").filter(|a| a.is_object()));
    let field = |k: &str| {
        addr.and_then(|a| a.get(k))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    (field("line1"), field("postal_code"))
}

/// Every order of the workspace, by invoice id: (order id, number, status, line1, postcode).
async fn orders_by_invoice(
    ws: &Workspace,
) -> std::collections::HashMap<
    String,
    (
        String,
        String,
        FulfilmentStatus,
        (Option<String>, Option<String>),
    ),
> {
    let page = ws
        .list_orders(&OrderQuery {
            limit: 10_000,
            ..Default::default()
        })
        .await
        .unwrap();
    let mut out = std::collections::HashMap::new();
    for row in page.rows {
        let d = ws.order_detail(&row.id).await.unwrap();
        if let Some(inv) = d.order.invoice_id.clone() {
            let addr = d
                .order
                .shipping
                .as_ref()
                .and_then(|s| s.address.as_ref())
                .map(|a| (a.line1.clone(), a.postal_code.clone()))
                .unwrap_or_default();
            out.insert(inv, (row.id, d.order.number.clone(), d.status, addr));
        }
    }
    out
}

#[tokio::test]
async fn each_paid_cycle_of_a_shippable_subscription_is_an_order_to_send() {
    let shop = TestShop::new().orders(10).subscriptions(16).start().await;
    // One subscription product is a digital one: Stripe does not ship it.
    let digital = shop.sim.with_dataset(|ds| {
        let first = ds
            .invoices
            .iter()
            .find(|i| sub_of(i).is_some() && i["status"] == "paid")
            .expect("a paid subscription invoice");
        let product = line_products(first).remove(0);
        for p in ds
            .products
            .iter_mut()
            .filter(|p| p["id"] == product.as_str())
        {
            p["shippable"] = Value::Bool(false);
        }
        product
    });
    let ds = shop.sim.snapshot();
    let shippable: HashSet<&str> = ds
        .products
        .iter()
        .filter(|p| p["shippable"] == true)
        .filter_map(|p| p["id"].as_str())
        .collect();
    let cycles: Vec<&Value> = ds
        .invoices
        .iter()
        .filter(|i| sub_of(i).is_some() && i["status"] == "paid")
        .collect();
    let (boxes, digital_cycles): (Vec<&Value>, Vec<&Value>) = cycles.into_iter().partition(|i| {
        line_products(i)
            .iter()
            .any(|p| shippable.contains(p.as_str()))
    });
    // Only recent cycles are boxes to send: older ones were shipped before Comptoir was there.
    let since = store::now() - RECENT_CYCLE_SECS;
    let (boxes, old_boxes): (Vec<&Value>, Vec<&Value>) =
        boxes.into_iter().partition(|i| paid_at(i) >= since);
    assert!(
        boxes.len() >= 3 && !old_boxes.is_empty(),
        "recent and old boxes"
    );
    assert!(
        !digital_cycles.is_empty(),
        "and a subscription that ships nothing"
    );

    let ws = shop.synced_workspace().await;
    let orders = orders_by_invoice(&ws).await;
    for inv in &boxes {
        let id = inv["id"].as_str().unwrap();
        let (_, number, status, addr) = orders
            .get(id)
            .unwrap_or_else(|| panic!("no order ships {id}"));
        assert_eq!(
            Some(number.as_str()),
            inv["number"].as_str(),
            "numbered by its invoice"
        );
        assert_eq!(*status, FulfilmentStatus::ToBeSent, "{id}");
        assert_eq!(*addr, box_address(inv), "{id} goes where the invoice says");
    }
    for inv in &digital_cycles {
        let id = inv["id"].as_str().unwrap();
        assert!(
            !orders.contains_key(id),
            "{id} is a cycle of {digital}, which ships nothing"
        );
    }
    for inv in &old_boxes {
        let id = inv["id"].as_str().unwrap();
        assert!(
            !orders.contains_key(id),
            "{id} was paid before the last 35 days"
        );
    }

    // The subscription's detail shows each cycle's shipment beside its invoice.
    let sub = sub_of(boxes[0]).unwrap().to_owned();
    let detail = ws.subscription_detail(&sub, false).await.unwrap();
    let shipped: HashSet<&str> = detail
        .shipments
        .iter()
        .map(|s| s.invoice_id.as_str())
        .collect();
    let listed: HashSet<&str> = detail.invoices.iter().map(|i| i.id.as_str()).collect();
    for inv in boxes.iter().filter(|i| sub_of(i) == Some(sub.as_str())) {
        let id = inv["id"].as_str().unwrap();
        assert!(
            listed.contains(id) && shipped.contains(id),
            "{id} has no shipment"
        );
    }
    for inv in old_boxes.iter().filter(|i| sub_of(i) == Some(sub.as_str())) {
        let id = inv["id"].as_str().unwrap();
        assert!(
            listed.contains(id) && !shipped.contains(id),
            "{id} is history, no shipment"
        );
    }

    // A renewal: the incremental sync brings its order, one more To be sent.
    let before = ws.box_shipments().await.unwrap();
    assert!(before.on);
    assert_eq!(before.orders as usize, boxes.len());
    let renewed = shop.sim.renew_subscription(&sub).expect("renewed");
    let digital_sub = sub_of(digital_cycles[0]).unwrap().to_owned();
    let digital_renewal = shop.sim.renew_subscription(&digital_sub).expect("renewed");
    ws.sync(no_progress()).await.unwrap();
    let orders = orders_by_invoice(&ws).await;
    let (_, _, status, _) = orders.get(&renewed).expect("the renewal's order");
    assert_eq!(*status, FulfilmentStatus::ToBeSent);
    assert!(
        !orders.contains_key(&digital_renewal),
        "a digital renewal ships nothing"
    );
    assert_eq!(
        ws.box_shipments().await.unwrap().orders as usize,
        boxes.len() + 1
    );
}

#[tokio::test]
async fn a_shop_that_ships_no_subscriptions_turns_it_off() {
    let shop = TestShop::new().orders(10).subscriptions(10).start().await;
    let ws = shop.synced_workspace().await;
    let all = ws.box_shipments().await.unwrap().orders;
    assert!(all > 0, "the generated subscriptions ship boxes");
    // Station A packed one box: turning shipments off keeps it, the untouched ones go.
    let orders = orders_by_invoice(&ws).await;
    let ds = shop.sim.snapshot();
    let (inv, (kept, ..)) = orders
        .iter()
        .find(|(inv, _)| {
            ds.invoices
                .iter()
                .any(|i| i["id"] == inv.as_str() && sub_of(i).is_some())
        })
        .expect("a box order");
    let (inv, kept) = (inv.clone(), kept.clone());
    let mut settings = ws.settings().await.unwrap();
    settings.staff_name = "Camille".into();
    settings.station_name = "Atelier".into();
    ws.save_settings(&settings).await.unwrap();
    ws.packing_slip_printed(std::slice::from_ref(&kept), None)
        .await
        .unwrap();
    let off = ws.set_box_shipments(false).await.unwrap();
    assert_eq!(
        (off.on, off.orders),
        (false, 1),
        "only the box a station acted on stays"
    );
    assert!(orders_by_invoice(&ws).await.contains_key(&inv));
    // Off, a renewal makes no order.
    let sub = ds
        .invoices
        .iter()
        .find(|i| i["id"] == inv.as_str())
        .and_then(sub_of)
        .unwrap()
        .to_owned();
    let renewed = shop.sim.renew_subscription(&sub).unwrap();
    ws.sync(no_progress()).await.unwrap();
    assert!(!orders_by_invoice(&ws).await.contains_key(&renewed));
    // On again: every paid cycle synced so far has its order back, the renewal's included.
    let on = ws.set_box_shipments(true).await.unwrap();
    assert_eq!((on.on, on.orders), (true, all + 1));
    assert!(orders_by_invoice(&ws).await.contains_key(&renewed));
}
