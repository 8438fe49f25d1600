//! The README's list of permissions for a restricted key is what the app really needs. The test
//! reads that list from README.md, lets the Stripe simulator answer only the routes those
//! permissions cover (every other one gets Stripe's 403), and then does what a merchant does:
//! onboarding, a full sync, an incremental sync with new orders, refunds and disputes, and the
//! order and subscription details. Nothing may fail; the one refusal the app meets is the
//! upcoming-charge preview (a write permission a read-only key lacks), which it says plainly.
//! Also: a first sync cut short says so at the next start and reports the whole store once
//! resumed.

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;

use comptoir_core::dataset::NewOrder;
use comptoir_core::model::{OrderQuery, OrderQueue, SubscriptionQuery};
use comptoir_core::problem::Problem;
use comptoir_core::secrets::{MemoryStore, Secret, SecretStore};
use support::{no_progress, TestShop};

/// The routes each permission of the README's list covers (Stripe's restricted-key
/// permissions, by the names the Dashboard shows).
fn routes_of(permission: &str) -> &'static [&'static str] {
    match permission {
        "Checkout Sessions" => &[
            "/v1/checkout/sessions",
            "GET /v1/checkout/sessions/{id}",
            "/v1/checkout/sessions/{id}/line_items",
        ],
        "Customers" => &["/v1/customers", "/v1/customers/{id}"],
        "Invoices" => &["GET /v1/invoices", "GET /v1/invoices/{id}"],
        "Subscriptions" => &["/v1/subscriptions", "/v1/subscriptions/{id}"],
        "Subscription Schedules" => &["/v1/subscription_schedules/{id}"],
        "Payment Methods" => &["/v1/payment_methods/{id}"],
        "PaymentIntents" => &["/v1/payment_intents/{id}"],
        "Charges" => &["GET /v1/charges/{id}"],
        "Refunds" => &["GET /v1/refunds"],
        "Disputes" => &["/v1/disputes"],
        "Shipping Rates" => &["/v1/shipping_rates", "/v1/shipping_rates/{id}"],
        "Tax Rates" => &["/v1/tax_rates", "/v1/tax_rates/{id}"],
        "Products" => &["/v1/products", "/v1/products/{id}"],
        "Events" => &["/v1/events", "/v1/events/{id}"],
        other => panic!("the README lists a permission this test does not know: {other}"),
    }
}

/// The routes each write permission the README lists for sharing covers.
fn write_routes_of(permission: &str) -> &'static [&'static str] {
    match permission {
        "Invoices" => &["POST /v1/invoices/{id}"],
        "Charges" => &["POST /v1/charges/{id}"],
        "Checkout Sessions" => &["POST /v1/checkout/sessions/{id}"],
        other => panic!("the README lists a write permission this test does not know: {other}"),
    }
}

/// The permissions the README's "Configure Stripe" step lists after `lead` (up to the next
/// full stop or parenthesis).
fn readme_list(lead: &str) -> Vec<String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let flat = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    let start = flat
        .find(lead)
        .unwrap_or_else(|| panic!("the README says {lead:?}"))
        + lead.len();
    let end = flat[start..].find(['.', '(']).unwrap();
    let list = &flat[start..start + end];
    list.split(", ")
        .flat_map(|p| p.split(" and "))
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

/// The read permissions the README's "Configure Stripe" step asks for.
fn readme_permissions() -> Vec<String> {
    readme_list("with **read** access to ")
}

/// A key with the README's read permissions and its write permissions for sharing shares the
/// station's fulfilment state, and needs nothing else to do so.
#[tokio::test]
async fn the_readme_write_permissions_are_what_sharing_between_stations_needs() {
    let writes = readme_list("below), give the key **write** access to ");
    assert_eq!(writes.len(), 3, "{writes:?}");
    let mut allowed: Vec<&str> = readme_permissions()
        .iter()
        .flat_map(|p| routes_of(p).iter().copied())
        .collect();
    allowed.extend(
        writes
            .iter()
            .flat_map(|p| write_routes_of(p).iter().copied()),
    );

    let key = format!("rk_test_{}", "sharingPermissions".repeat(2));
    let shop = TestShop::new().orders(120).key(&key).start().await;
    let sim = &shop.sim;
    sim.allow_only(&allowed);
    let ws = shop.open_workspace(Arc::new(MemoryStore::new())).await;
    ws.connect_stripe(Secret::new(key)).await.unwrap();
    ws.sync(no_progress()).await.unwrap();
    let mut s = ws.settings().await.unwrap();
    s.staff_name = "Camille".into();
    ws.save_settings(&s).await.unwrap();
    // A delivery and a pickup, whichever objects their state lives on.
    for queue in [OrderQueue::ToBeSent, OrderQueue::ToBePickedUp] {
        let page = ws
            .list_orders(&OrderQuery {
                status: Some(queue),
                limit: 3,
                offset: 0,
                ..Default::default()
            })
            .await
            .unwrap();
        for row in &page.rows {
            match queue {
                OrderQueue::ToBeSent => {
                    ws.ship_order_untracked(&row.id, false, false)
                        .await
                        .unwrap();
                }
                _ => ws.confirm_pickup(&row.id, false).await.unwrap(),
            }
        }
    }
    let pushed = ws.push_writes().await.unwrap().unwrap();
    assert_eq!((pushed.written, pushed.skipped), (6, 0), "{pushed:?}");
    assert_eq!(ws.sharing_status().await.unwrap().off, None);
    let refused: Vec<String> = sim
        .stats()
        .requests_by_path
        .into_keys()
        .filter(|route| {
            !allowed
                .iter()
                .any(|a| a == route || a.ends_with(&format!(" {route}")))
        })
        .filter(|r| r != "/v1/account")
        .collect();
    assert!(
        refused.is_empty(),
        "routes outside the README's lists: {refused:?}"
    );
}

#[tokio::test]
async fn a_key_with_only_the_readme_permissions_does_everything_the_app_does() {
    let permissions = readme_permissions();
    assert!(permissions.len() >= 10, "{permissions:?}");
    let allowed: Vec<&str> = permissions
        .iter()
        .flat_map(|p| routes_of(p).iter().copied())
        .collect();

    let key = format!("rk_test_{}", "permissionsTest".repeat(2));
    let shop = TestShop::new()
        .orders(120)
        .subscriptions(8)
        .key(&key)
        .start()
        .await;
    let sim = &shop.sim;
    sim.allow_only(&allowed);
    let ws = shop.open_workspace(Arc::new(MemoryStore::new())).await;
    ws.connect_stripe(Secret::new(key)).await.unwrap();
    let full = ws.sync(no_progress()).await.unwrap();
    assert!(full.full && full.orders > 100, "{full:?}");

    // What happens next in a shop: a sale, a refund, a dispute; the events bring them.
    let now = sim.now();
    let d = sim.snapshot();
    let paid: Vec<String> = d
        .checkout_sessions
        .iter()
        .filter(|s| s["payment_status"] == "paid" && s["payment_intent"].is_string())
        .map(|s| s["payment_intent"].as_str().unwrap().to_owned())
        .take(2)
        .collect();
    sim.add_order(NewOrder::at(now + 5));
    sim.with_dataset(|ds| {
        ds.refund(&paid[0], 100, now + 6).unwrap();
        ds.dispute(&paid[1], now + 7).unwrap();
    });
    let inc = ws.sync(no_progress()).await.unwrap();
    assert!(!inc.full && inc.events >= 3, "{inc:?}");

    let page = ws
        .list_orders(&OrderQuery {
            limit: 20,
            offset: 0,
            ..Default::default()
        })
        .await
        .unwrap();
    for row in &page.rows {
        ws.order_detail(&row.id).await.unwrap();
    }
    let subs = ws
        .list_subscriptions(&SubscriptionQuery {
            limit: 20,
            offset: 0,
            ..Default::default()
        })
        .await
        .unwrap();
    for s in &subs.rows {
        let detail = ws.subscription_detail(&s.id, true).await.unwrap();
        if let Some(refused) = &detail.upcoming_refused {
            assert!(
                matches!(
                    refused,
                    Problem::KeyMissingPermission {
                        permission: Some(_)
                    }
                ),
                "said as a missing permission, named: {refused:?}"
            );
        }
    }

    // Every refusal the simulator gave: the account (onboarding and the sync go on without it)
    // and the upcoming-charge preview; nothing the README's list should have covered.
    let refused: BTreeMap<String, u64> = sim
        .stats()
        .requests_by_path
        .into_iter()
        .filter(|(route, _)| {
            !allowed
                .iter()
                .any(|a| a == route || a.ends_with(&format!(" {route}")))
        })
        .collect();
    let unexpected: Vec<&String> = refused
        .keys()
        .filter(|r| !["/v1/account", "/v1/invoices/create_preview"].contains(&r.as_str()))
        .collect();
    assert!(
        unexpected.is_empty(),
        "routes outside the README's list: {refused:?}"
    );
}

/// The app is killed during its first full sync: on the next start the status says the first
/// sync is incomplete (the UI resumes it and says so), and once resumed, "Sync complete" gives
/// the store's totals rather than that run's share.
#[tokio::test]
async fn an_interrupted_first_sync_says_so_and_reports_the_whole_store_once_resumed() {
    let shop = TestShop::new().orders(400).subscriptions(10).start().await;
    let secrets: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
    let ws = shop.open_workspace(secrets.clone()).await;
    ws.connect_stripe(Secret::new(shop.key())).await.unwrap();
    assert!(
        !ws.status().await.unwrap().full_sync_incomplete,
        "nothing began yet"
    );
    // Killed once some orders are in.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let progress: comptoir_core::sync::ProgressFn = Arc::new(move |p| {
        if p.orders >= 120 {
            let _ = tx.send(());
        }
    });
    tokio::select! {
        r = ws.sync(progress) => panic!("the sync was to be cut short: {r:?}"),
        _ = rx.recv() => {}
    }
    drop(ws);

    let ws = shop.open_workspace(secrets.clone()).await;
    let status = ws.status().await.unwrap();
    assert!(status.full_sync_incomplete, "{status:?}");
    assert_eq!(status.last_synced_at, None, "never completed");
    let partial = status.counts.orders;
    assert!(partial >= 100, "{status:?}");
    let report = ws.sync(no_progress()).await.unwrap();
    let status = ws.status().await.unwrap();
    assert!(!status.full_sync_incomplete);
    assert!(report.full);
    assert_eq!(
        report.orders,
        status.counts.orders,
        "the report gives the store's total, not this run's {} new",
        status.counts.orders - partial
    );
    assert!(report.orders > partial);
}
