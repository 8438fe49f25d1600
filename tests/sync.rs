//! The sync engine against the Stripe simulator over real HTTP, into a real SQLite file: the
//! local data must equal the simulator's, whatever the injected faults, and a killed sync must
//! resume without loss or duplicates.

mod support;

use std::sync::{Arc, Mutex};

use comptoir_core::dataset::{Dataset, NewOrder};
use comptoir_core::model::{StripeMode, SyncProgress};
use comptoir_core::secrets::Secret;
use comptoir_core::store::{self, cursors, Store};
use comptoir_core::stripe::client::ClientConfig;
use comptoir_core::stripe::StripeClient;
use comptoir_core::sync::{sync, ProgressFn, SyncOptions};
use comptoir_stripe_sim::SimHandle;
use serde_json::Value;
use support::{no_progress, Shop, TestShop};

/// The orders the simulator holds, by Stripe's rules (see the README's Orders feature), computed from its data.
fn expected_orders(d: &Dataset) -> Vec<String> {
    d.order_ids(store::now() - comptoir_core::subscriptions::RECENT_CYCLE_SECS)
}

fn sorted_ids(objects: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = objects
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

/// Everything the simulator has, the store has: orders, invoices, subscriptions, customers.
async fn assert_store_equals(store: &Store, sim: &SimHandle) {
    let d = sim.snapshot();
    assert_eq!(
        store::orders::ids(store.pool()).await.unwrap(),
        expected_orders(&d),
        "orders"
    );
    assert_eq!(
        store::invoices::ids(store.pool()).await.unwrap(),
        sorted_ids(&d.invoices),
        "invoices"
    );
    assert_eq!(
        store::subscriptions::ids(store.pool()).await.unwrap(),
        sorted_ids(&d.subscriptions),
        "subscriptions"
    );
    let customers: Vec<String> = sqlx::query_scalar("SELECT id FROM customers ORDER BY id")
        .fetch_all(store.pool())
        .await
        .unwrap();
    let live: Vec<String> = {
        let mut v: Vec<String> = d
            .customers
            .iter()
            .filter(|c| c["deleted"] != true)
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    for id in &live {
        assert!(customers.binary_search(id).is_ok(), "customer {id} synced");
    }
}

#[tokio::test]
async fn full_sync_copies_everything_and_maps_orders() {
    let shop = TestShop::new().orders(450).subscriptions(40).start().await;
    let store = shop.open_store().await;
    let sim = &shop.sim;
    let seen: Arc<Mutex<Vec<SyncProgress>>> = Arc::default();
    let sink = seen.clone();
    let progress: ProgressFn = Arc::new(move |p| sink.lock().unwrap().push(p));
    let report = sync(&store, &shop.client(), &SyncOptions::default(), progress)
        .await
        .unwrap();
    assert!(report.full);
    assert_store_equals(&store, sim).await;
    assert_eq!(
        report.orders as usize,
        expected_orders(&sim.snapshot()).len()
    );

    // Progress moved forward and ended at 100 %.
    let seen = seen.lock().unwrap().clone();
    assert!(seen.len() > 3, "progress was reported");
    for pair in seen.windows(2) {
        assert!(
            pair[1].fraction >= pair[0].fraction,
            "progress never goes back: {:?}",
            pair
        );
    }
    assert_eq!(seen.last().unwrap().fraction, 1.0);

    // A session's order carries its invoice's number and PDF link, through `expand`.
    let d = sim.snapshot();
    let with_invoice = d
        .checkout_sessions
        .iter()
        .find(|s| s["status"] == "complete" && s["mode"] == "payment" && s["invoice"].is_string())
        .expect("a session with an invoice");
    let invoice = d
        .invoices
        .iter()
        .find(|i| i["id"] == with_invoice["invoice"])
        .unwrap();
    let order = store::orders::get(store.pool(), with_invoice["id"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(Some(order.number.as_str()), invoice["number"].as_str());
    assert_eq!(
        order.invoice_pdf.as_deref(),
        invoice["invoice_pdf"].as_str()
    );
    assert_eq!(
        order.lines.len(),
        d.session_line_items[with_invoice["id"].as_str().unwrap()].len()
    );
}

/// Discount lines are named after the coupon or the promotion code the customer typed.
#[tokio::test]
async fn discounts_carry_their_coupon_or_code_name() {
    let shop = TestShop::new().orders(150).subscriptions(2).start().await;
    let store = shop.synced_store().await;
    let sim = &shop.sim;
    let d = sim.snapshot();
    let mut names: Vec<String> = d
        .coupons
        .iter()
        .filter_map(|c| c["name"].as_str().map(str::to_owned))
        .collect();
    names.extend(
        d.promotion_codes
            .iter()
            .filter_map(|p| p["code"].as_str().map(str::to_owned)),
    );
    let mut discounted = 0;
    for id in store::orders::ids(store.pool()).await.unwrap() {
        let o = store::orders::get(store.pool(), &id).await.unwrap();
        for line in &o.discounts {
            discounted += 1;
            let name = line.name.clone().unwrap_or_default();
            assert!(
                names.contains(&name),
                "order {id}: discount named {name:?}, not one of {names:?}"
            );
        }
    }
    assert!(discounted > 0, "the data has discounted orders");
}

/// The fields customers filled in at checkout reach their orders: every one, with the label they
/// saw and what they typed or chose (a dropdown's option label, not its value).
#[tokio::test]
async fn orders_carry_the_custom_fields_of_their_session() {
    let shop = TestShop::new().orders(150).subscriptions(2).start().await;
    let store = shop.synced_store().await;
    let sim = &shop.sim;
    let d = sim.snapshot();
    let (mut with_fields, mut typed, mut chosen) = (0, 0, 0);
    for s in d
        .checkout_sessions
        .iter()
        .filter(|s| s["mode"] == "payment" && s["status"] == "complete")
    {
        let id = s["id"].as_str().unwrap();
        let order = store::orders::get(store.pool(), id).await.unwrap();
        // A customer deleted in Stripe: what it typed is erased, the labels stay.
        let erased = d
            .customers
            .iter()
            .any(|c| c["id"] == s["customer"] && c["deleted"] == true);
        let expected: Vec<(String, String, Option<String>)> = s["custom_fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let value = match f["type"].as_str().unwrap() {
                    "dropdown" => {
                        chosen += 1;
                        let v = &f["dropdown"]["value"];
                        f["dropdown"]["options"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .find(|o| &o["value"] == v)
                            .map(|o| o["label"].as_str().unwrap().to_owned())
                    }
                    kind => f[kind]["value"].as_str().map(str::to_owned),
                };
                typed += usize::from(f["type"] == "text" && value.is_some());
                (
                    f["key"].as_str().unwrap().to_owned(),
                    f["label"]["custom"].as_str().unwrap().to_owned(),
                    value.filter(|_| !erased),
                )
            })
            .collect();
        with_fields += usize::from(!expected.is_empty());
        let got: Vec<(String, String, Option<String>)> = order
            .custom_fields
            .iter()
            .map(|f| (f.key.clone(), f.label.clone(), f.value.clone()))
            .collect();
        assert_eq!(got, expected, "order {id}");
    }
    assert!(
        with_fields > 0 && typed > 0 && chosen > 0,
        "the data has orders with fields: {with_fields}, {typed} typed, {chosen} chosen"
    );
}

#[tokio::test]
async fn sync_survives_rate_limits_and_server_errors() {
    let shop = TestShop::new()
        .orders(300)
        .subscriptions(25)
        .rate_limited(8)
        .server_errors(0.15, 7)
        .start()
        .await;
    let store = shop.open_store().await;
    let sim = &shop.sim;
    let report = shop.sync(&store).await;
    let stats = sim.stats();
    assert!(
        stats.injected_errors > 0,
        "the simulator injected 500s: {stats:?}"
    );
    assert!(
        stats.rate_limited > 0,
        "the simulator answered 429s: {stats:?}"
    );
    assert_store_equals(&store, sim).await;
    assert!(
        report.requests as u64 >= stats.requests - 1,
        "every retry is counted"
    );
}

#[tokio::test]
async fn a_killed_sync_resumes_without_loss_or_duplicates() {
    let shop = TestShop::new().orders(500).subscriptions(30).start().await;
    let store = shop.open_store().await;
    let sim = &shop.sim;
    let c = shop.client();
    // Kill the sync after a growing number of objects were written, many times over: each
    // round must pick up where the last one stopped.
    let mut written_before = 0;
    for round in 1..=6i64 {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<i64>();
        let progress: ProgressFn = Arc::new(move |p| {
            let written = p.orders + p.customers + p.invoices + p.subscriptions;
            if written >= 150 * round {
                let _ = tx.send(written);
            }
        });
        let opts = SyncOptions::default();
        tokio::select! {
            r = sync(&store, &c, &opts, progress) => { r.unwrap(); break; }
            _ = rx.recv() => {}
        }
        let orders = store::orders::count(store.pool()).await.unwrap();
        assert!(orders >= written_before, "nothing written is lost");
        written_before = orders;
    }
    shop.sync(&store).await;
    let full = cursors::get(store.pool(), "full").await.unwrap().unwrap();
    assert!(full.complete, "the full sync finished");
    assert_store_equals(&store, sim).await;
    let lines: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM order_lines")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let snapshot = sim.snapshot();
    let expected_lines: usize = expected_orders(&snapshot)
        .iter()
        .map(|id| snapshot.session_line_items.get(id).map_or(0, Vec::len))
        .sum();
    let invoice_lines: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.source = 'invoice'")
            .fetch_one(store.pool())
            .await
            .unwrap();
    assert_eq!(
        lines - invoice_lines,
        expected_lines as i64,
        "no line written twice"
    );
}

#[tokio::test]
async fn incremental_sync_reads_events_only() {
    let shop = TestShop::new().orders(120).subscriptions(10).start().await;
    let store = shop.synced_store().await;
    let sim = &shop.sim;

    // Nothing new: one request to the events feed.
    sim.reset_stats();
    let report = shop.sync(&store).await;
    assert!(!report.full);
    assert_eq!(report.events, 0);
    assert_eq!(sim.stats().requests, 1, "{:?}", sim.stats());

    // New order, renamed and deleted customers: the incremental sync brings them.
    let d = sim.snapshot();
    let new_id = sim.add_order(NewOrder::at(d.now + 60));
    let renamed = d.customers.iter().find(|c| c["deleted"] != true).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    sim.update_customer(&renamed, "Renée Nouveau-Nom");
    let report = shop.sync(&store).await;
    assert!(!report.full);
    assert!(report.events >= 2, "{report:?}");
    let order = store::orders::get(store.pool(), &new_id).await.unwrap();
    assert_eq!(order.id, new_id);
    let name: Option<String> = sqlx::query_scalar("SELECT name FROM customers WHERE id = ?1")
        .bind(&renamed)
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(name.as_deref(), Some("Renée Nouveau-Nom"));
    assert_store_equals(&store, sim).await;
}

#[tokio::test]
async fn a_gap_longer_than_event_retention_means_a_full_sync() {
    let shop = TestShop::new().orders(60).subscriptions(5).start().await;
    let store = shop.synced_store().await;
    let sim = &shop.sim;
    // The last successful sync was 31 days ago.
    store::settings::set_value(
        store.pool(),
        store::settings::LAST_SYNCED_AT,
        &(store::now() - 31 * 24 * 3600).to_string(),
    )
    .await
    .unwrap();
    let report = shop.sync(&store).await;
    assert!(report.full, "fell back to a full sync");
    assert_store_equals(&store, sim).await;
}

#[tokio::test]
async fn the_client_reuses_connections() {
    let shop = TestShop::new().orders(300).subscriptions(10).start().await;
    let store = shop.open_store().await;
    sync(
        &store,
        &shop.client(),
        &SyncOptions::sequential(),
        no_progress(),
    )
    .await
    .unwrap();
    let stats = shop.sim.stats();
    assert!(stats.requests > 10, "{stats:?}");
    assert!(
        stats.connections <= 2,
        "one kept-alive connection serves a sequential sync: {stats:?}"
    );
}

#[tokio::test]
async fn a_bad_key_is_refused_with_stripes_message_and_nothing_is_written() {
    let shop = TestShop::new().orders(10).subscriptions(1).start().await;
    let store = shop.open_store().await;
    let wrong = format!("sk_test_{}", "wrongWrongWrong1".repeat(2));
    let c = StripeClient::new(
        &Secret::new(wrong.clone()),
        ClientConfig::for_mode(&shop.sim.base_url(), StripeMode::Test),
    )
    .unwrap();
    let err = sync(&store, &c, &SyncOptions::default(), no_progress())
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("Invalid API Key"), "{msg}");
    assert!(!msg.contains(&wrong), "the key is never echoed whole");
    assert_eq!(store::orders::count(store.pool()).await.unwrap(), 0);
}

#[tokio::test]
async fn a_cursor_stripe_no_longer_has_means_a_full_sync() {
    let shop = TestShop::new().orders(60).subscriptions(5).start().await;
    let store = shop.synced_store().await;
    let sim = &shop.sim;
    // 31 days pass on Stripe's side: the events the cursor points at are purged.
    sim.set_now(sim.now() + 31 * 24 * 3600);
    let new_id = sim.add_order(NewOrder::at(sim.now()));
    let report = shop.sync(&store).await;
    assert!(report.full, "fell back to a full sync: {report:?}");
    assert_eq!(
        store::orders::get(store.pool(), &new_id).await.unwrap().id,
        new_id
    );
    assert_store_equals(&store, sim).await;
}

/// A quiet shop: no event for 35 days, but the app polled all along. Its newest event (the
/// cursor) is purged by Stripe, yet the last poll is recent: the sync stays incremental and
/// still brings what is new.
#[tokio::test]
async fn a_quiet_shop_that_polls_keeps_syncing_incrementally() {
    let quiet_since = store::now() - 35 * 24 * 3600;
    let shop = TestShop::new()
        .orders(40)
        .subscriptions(3)
        .dated(quiet_since)
        .start()
        .await;
    let store = shop.open_store().await;
    let sim = &shop.sim;
    assert!(shop.sync(&store).await.full);
    // Stripe's clock reaches today: every event of the dataset is now past its retention.
    sim.set_now(store::now());
    let report = shop.sync(&store).await;
    assert!(!report.full, "a recent poll means no full sync: {report:?}");
    assert_eq!(report.events, 0);

    let new_id = sim.add_order(NewOrder::at(sim.now()));
    let report = shop.sync(&store).await;
    assert!(!report.full, "{report:?}");
    assert_eq!(
        store::orders::get(store.pool(), &new_id).await.unwrap().id,
        new_id,
        "the new order arrived through the events feed"
    );
    assert_store_equals(&store, sim).await;
}

/// Every text value the store holds, table by table (FTS5's stored text included), to search
/// for what must be gone.
async fn all_text(store: &Store) -> Vec<(String, String)> {
    use sqlx::{Column, Row};
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
           AND name NOT LIKE '%_data' AND name NOT LIKE '%_idx' AND name NOT LIKE '%_docsize'
           AND name NOT LIKE '%_config' AND name <> 'orders_search'",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    let mut out = Vec::new();
    for t in tables {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM \"{t}\"")))
            .fetch_all(store.pool())
            .await
            .unwrap();
        for row in rows {
            for (i, col) in row.columns().iter().enumerate() {
                if let Ok(Some(text)) = row.try_get::<Option<String>, _>(i) {
                    out.push((format!("{t}.{}", col.name()), text));
                }
            }
        }
    }
    out
}

/// The personal strings of a customer and of its checkout sessions: names, emails, phones and
/// the first address line (billing and shipping).
fn personal_strings(d: &Dataset, customer: &str) -> Vec<String> {
    let c = d.customers.iter().find(|c| c["id"] == customer).unwrap();
    let mut out = Vec::new();
    let mut take = |v: &Value| {
        for p in [
            "/name",
            "/email",
            "/phone",
            "/address/line1",
            "/shipping/name",
            "/shipping/address/line1",
        ] {
            if let Some(s) = v.pointer(p).and_then(Value::as_str) {
                if s.len() > 4 {
                    out.push(s.to_owned());
                }
            }
        }
    };
    take(c);
    for s in d
        .checkout_sessions
        .iter()
        .filter(|s| s["customer"] == customer)
    {
        take(&s["customer_details"]);
        take(&s["collected_information"]["shipping_details"]);
    }
    // Only what is this customer's own: a street or a name another customer shares stays.
    let theirs = |v: &Value| v.to_string();
    let others: String = d
        .customers
        .iter()
        .filter(|o| o["id"] != customer)
        .map(theirs)
        .chain(
            d.checkout_sessions
                .iter()
                .filter(|s| s["customer"] != customer)
                .map(theirs),
        )
        .collect();
    out.retain(|s| !others.contains(s.as_str()));
    out.sort();
    out.dedup();
    out
}

/// The orders, other than `except`, that name their customer in the list.
async fn named_others(ws: &comptoir_core::workspace::Workspace, except: &[String]) -> Vec<String> {
    let all = ws
        .list_orders(&comptoir_core::model::OrderQuery {
            status: None,
            limit: 500,
            offset: 0,
            search: None,
            sort: None,
        })
        .await
        .unwrap();
    all.rows
        .into_iter()
        .filter(|r| r.customer_name.is_some() && !except.contains(&r.id))
        .map(|r| r.id)
        .collect()
}

/// A customer deleted in Stripe leaves no personal data in the store on the next sync (the
/// `customer.deleted` event), nor on a full sync that no longer finds it (a 31-day gap, the
/// event never read): its orders stay listed with their number, total, lines and invoice, but
/// with no name, email or address in the list, the detail, the search, the subscriptions or
/// any stored JSON; its unsent email is cancelled. Another customer keeps everything.
#[tokio::test]
async fn a_customer_deleted_in_stripe_is_erased_on_the_next_sync() {
    use comptoir_core::mail::{self, SmtpSecurity, SmtpSettings};
    use comptoir_core::model::{OrderQuery, SubscriptionQuery};
    use comptoir_core::secrets::MemoryStore;
    use comptoir_core::store::outbox::{NewEmail, OutboxState};
    use comptoir_core::workspace::Workspace;

    for via_full_sync in [false, true] {
        let Shop { sim, dir } = TestShop::new().orders(80).subscriptions(10).start().await;
        let ws = Workspace::open(support::workspace_config(
            dir.path(),
            &sim.base_url(),
            Arc::new(MemoryStore::new()),
        ))
        .await
        .unwrap();
        ws.connect_stripe(Secret::new(sim.api_key())).await.unwrap();
        ws.sync(no_progress()).await.unwrap();
        let store = ws.store().await;

        // A customer with an order (and, if there is one, a subscription), and another one.
        let d = sim.snapshot();
        let paid = |s: &&Value| s["mode"] == "payment" && s["status"] == "complete";
        let with_orders: Vec<&str> = d
            .customers
            .iter()
            .filter(|c| c["deleted"] != true)
            .filter_map(|c| c["id"].as_str())
            .filter(|id| {
                d.checkout_sessions
                    .iter()
                    .filter(paid)
                    .any(|s| s["customer"] == *id)
            })
            .collect();
        let victim = with_orders
            .iter()
            .find(|id| d.subscriptions.iter().any(|s| s["customer"] == **id))
            .unwrap_or(&with_orders[0])
            .to_string();
        let secrets = personal_strings(&d, &victim);
        assert!(!secrets.is_empty());
        // Its orders: from its checkout sessions and its one-off invoices.
        let order_ids: Vec<String> =
            sqlx::query_scalar("SELECT id FROM orders WHERE customer_id = ?1 ORDER BY created")
                .bind(&victim)
                .fetch_all(store.pool())
                .await
                .unwrap();
        assert!(!order_ids.is_empty());
        let before: Vec<_> = {
            let mut v = Vec::new();
            for id in &order_ids {
                v.push(ws.order_detail(id).await.unwrap());
            }
            v
        };
        let named = before
            .iter()
            .find(|o| o.order.billing.name.is_some() && o.order.billing.email.is_some())
            .expect("an order naming the customer");
        let name = named.order.billing.name.clone().unwrap();
        let email = named.order.billing.email.clone().unwrap();
        let found = |q: &str| OrderQuery {
            status: None,
            limit: 500,
            offset: 0,
            search: Some(q.to_owned()),
            sort: None,
        };
        assert!(ws.list_orders(&found(&email)).await.unwrap().total > 0);
        // An email waiting for the victim's order.
        let smtp = SmtpSettings {
            host: "127.0.0.1".into(),
            port: 9,
            security: SmtpSecurity::None,
            username: None,
            from_name: "Boutique".into(),
            from_address: "boutique@example.com".into(),
            reply_to: None,
            accept_invalid_certs: false,
        };
        let waiting = mail::enqueue(
            store.pool(),
            Some(&smtp),
            &NewEmail {
                kind: "shipping".into(),
                order_id: Some(named.order.id.clone()),
                recipient: format!("{name} <{email}>"),
                subject: format!("Commande {}", named.order.number),
                text_body: format!("Bonjour {name}"),
                html_body: format!("<p>Bonjour {name}</p>"),
            },
            store::now(),
        )
        .await
        .unwrap();
        let other_before = named_others(&ws, &order_ids).await;
        assert!(!other_before.is_empty());

        assert!(sim.delete_customer(&victim));
        if via_full_sync {
            // Longer ago than Stripe keeps events: a full sync, which never reads the event.
            store::settings::set_value(
                store.pool(),
                store::settings::LAST_SYNCED_AT,
                &(store::now() - 31 * 24 * 3600).to_string(),
            )
            .await
            .unwrap();
        }
        let report = ws.sync(no_progress()).await.unwrap();
        assert_eq!(report.full, via_full_sync, "{report:?}");

        // The orders stay, with what an order legally keeps.
        for b in &before {
            let a = ws.order_detail(&b.order.id).await.unwrap();
            assert_eq!(a.order.number, b.order.number);
            assert_eq!(a.order.amount_total, b.order.amount_total);
            assert_eq!(a.order.amount_tax, b.order.amount_tax);
            assert_eq!(a.order.created, b.order.created);
            assert_eq!(a.order.lines, b.order.lines);
            assert_eq!(a.order.invoice_id, b.order.invoice_id);
            assert_eq!(a.order.taxes, b.order.taxes);
            assert_eq!(a.order.billing, Default::default(), "{:?}", a.order.billing);
            assert_eq!(a.order.shipping, None);
            assert!(a.order.custom_fields.iter().all(|f| f.value.is_none()));
            let listed = ws.list_orders(&found(&b.order.number)).await.unwrap();
            let row = listed
                .rows
                .iter()
                .find(|r| r.id == b.order.id)
                .expect("still listed, found by its number");
            assert_eq!(row.amount_total, b.order.amount_total);
            assert_eq!(
                (row.customer_name.as_ref(), row.customer_email.as_ref()),
                (None, None)
            );
        }
        // Not found by name or email any more.
        for q in [name.as_str(), email.as_str()] {
            let hits = ws.list_orders(&found(q)).await.unwrap();
            assert!(
                hits.rows.iter().all(|r| !order_ids.contains(&r.id)),
                "{q} still finds the order"
            );
        }
        // The subscriptions name no one.
        let subs = ws
            .list_subscriptions(&SubscriptionQuery {
                limit: 500,
                offset: 0,
                status: None,
                search: None,
                sort: None,
            })
            .await
            .unwrap();
        for sub in d
            .subscriptions
            .iter()
            .filter(|s| s["customer"] == victim.as_str())
        {
            let id = sub["id"].as_str().unwrap();
            let row = subs.rows.iter().find(|r| r.id == id).unwrap();
            assert!(row.customer_deleted);
            assert_eq!(
                (row.customer_name.as_ref(), row.customer_email.as_ref()),
                (None, None)
            );
            let detail = ws.subscription_detail(id, false).await.unwrap();
            let c = detail.customer.expect("the customer, as deleted");
            assert!(c.deleted && c.name.is_none() && c.email.is_none() && c.address.is_none());
        }
        // The email waiting for it is cancelled and names no one.
        let email_row = comptoir_core::store::outbox::get(store.pool(), waiting.id)
            .await
            .unwrap();
        assert_eq!(email_row.state, OutboxState::Cancelled);
        assert!(!email_row.recipient.contains(&email) && !email_row.html_body.contains(&name));

        // Nowhere in the store: typed columns, mapped details, raw Stripe JSON, search text.
        for (column, text) in all_text(&store).await {
            for s in &secrets {
                assert!(!text.contains(s.as_str()), "{s:?} still in {column}");
            }
        }
        // The other customer keeps everything.
        let other_after = named_others(&ws, &order_ids).await;
        assert_eq!(other_after, other_before);
        sim.shutdown().await;
    }
}
