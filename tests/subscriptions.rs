//! The subscriptions table and detail through the workspace, against the Stripe simulator over
//! HTTP and a real SQLite file: after a sync, every kind of subscription (monthly, yearly, every
//! 3 months, fixed term, schedule with an end, cancelling, trialing, past due, cancelled,
//! incomplete) shows the duration, cycle, next charge, masked payment method, upcoming charge
//! and invoices the simulator's own data implies; the upcoming charge is served from the cache
//! once the simulator is gone.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use comptoir_core::dataset::{Dataset, DatasetSpec};
use comptoir_core::model::{
    SubscriptionDetail, SubscriptionEndSource, SubscriptionFilter, SubscriptionQuery,
    SubscriptionRow, SubscriptionSort, SubscriptionStateKind,
};
use comptoir_core::secrets::{MemoryStore, Secret, SecretKind, SecretStore};
use comptoir_core::store;
use comptoir_core::sync::SyncOptions;
use comptoir_core::workspace::{Workspace, WorkspaceConfig};
use comptoir_stripe_sim::{SimConfig, SimHandle, Simulator};
use serde_json::Value;

fn test_key() -> String {
    format!("sk_test_{}", "comptoirSubsTest".repeat(2))
}

async fn sim() -> SimHandle {
    let spec = DatasetSpec {
        orders: 10,
        one_off_invoices: 2,
        subscriptions: 80,
        seed: 7,
        now: store::now(),
        ..DatasetSpec::default()
    };
    Simulator::start(
        Dataset::generate(&spec),
        SimConfig {
            api_key: test_key(),
            ..SimConfig::default()
        },
    )
    .await
}

async fn workspace(dir: &Path, sim: &SimHandle) -> Workspace {
    let secrets = Arc::new(MemoryStore::new());
    secrets
        .set(SecretKind::StripeKey, &Secret::new(test_key()))
        .unwrap();
    let ws = Workspace::open(WorkspaceConfig {
        data_dir: dir.to_owned(),
        api_base: sim.base_url(),
        secrets,
        sync_options: SyncOptions::default(),
    })
    .await
    .unwrap();
    ws.sync(Arc::new(|_| {})).await.unwrap();
    ws
}

/// The kind of a simulator subscription, read from its raw JSON.
fn kind(s: &Value) -> &'static str {
    let item = &s["items"]["data"][0];
    let rec = &item["price"]["recurring"];
    match s["status"].as_str().unwrap() {
        "canceled" => "cancelled",
        "trialing" => "trialing",
        "past_due" => "past due",
        "incomplete" => "incomplete",
        _ if s["cancel_at_period_end"] == true => "cancelling",
        _ if s["schedule"].is_string() => "schedule",
        _ if s["cancel_at"].is_i64() => "fixed term",
        _ => match (
            rec["interval"].as_str().unwrap(),
            rec["interval_count"].as_i64().unwrap(),
        ) {
            ("month", 1) => "monthly",
            ("year", 1) => "yearly",
            ("month", 3) => "every 3 months",
            _ => "other",
        },
    }
}

fn find<'a>(list: &'a [Value], id: &str) -> &'a Value {
    list.iter()
        .find(|v| v["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in the simulator"))
}

/// What the table and the detail show as the plan: every item's product, "A + B ×2".
fn plan_of(data: &Dataset, raw: &Value) -> String {
    raw["items"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|it| {
            let product = find(&data.products, it["price"]["product"].as_str().unwrap());
            let name = product["name"].as_str().unwrap();
            match it["quantity"].as_i64().unwrap() {
                1 => name.to_owned(),
                q => format!("{name} ×{q}"),
            }
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

/// Checks a detail against the simulator's data for its subscription.
fn check(d: &SubscriptionDetail, data: &Dataset, raw: &Value, what: &str) {
    let sub = &d.subscription;
    let item = &raw["items"]["data"][0];
    let rec = &item["price"]["recurring"];
    // Title: customer, plan, amount per charge, cycle.
    let customer = find(&data.customers, raw["customer"].as_str().unwrap());
    assert_eq!(
        d.customer.as_ref().and_then(|c| c.name.as_deref()),
        customer["name"].as_str(),
        "{what}: customer name"
    );
    assert_eq!(
        sub.product_name.as_deref(),
        Some(plan_of(data, raw).as_str()),
        "{what}: plan"
    );
    let items = raw["items"]["data"].as_array().unwrap();
    assert_eq!(
        sub.amount,
        items
            .iter()
            .map(|it| it["price"]["unit_amount"].as_i64().unwrap()
                * it["quantity"].as_i64().unwrap())
            .sum::<i64>(),
        "{what}: amount"
    );
    assert_eq!(sub.interval, rec["interval"].as_str().unwrap(), "{what}");
    assert_eq!(
        sub.interval_count,
        rec["interval_count"].as_i64().unwrap(),
        "{what}"
    );
    // Cycle: from the items, not the subscription.
    assert_eq!(
        d.duration.start,
        raw["start_date"].as_i64().unwrap(),
        "{what}: start"
    );
    assert_eq!(
        sub.current_period_end,
        item["current_period_end"].as_i64(),
        "{what}: period from the item"
    );
    let schedule_end = raw["schedule"].as_str().and_then(|id| {
        let sc = find(&data.subscription_schedules, id);
        (sc["end_behavior"] == "cancel")
            .then(|| sc["phases"].as_array().unwrap().last().unwrap()["end_date"].as_i64())
            .flatten()
    });
    let expected_end = raw["ended_at"]
        .as_i64()
        .map(|e| (e, SubscriptionEndSource::Ended))
        .or(raw["cancel_at"]
            .as_i64()
            .map(|e| (e, SubscriptionEndSource::CancelAt)))
        .or(schedule_end.map(|e| (e, SubscriptionEndSource::Schedule)));
    assert_eq!(
        d.duration.end.zip(d.duration.end_source),
        expected_end,
        "{what}: end"
    );
    assert_eq!(
        d.duration.months.is_some(),
        expected_end.is_some(),
        "{what}"
    );
    let renews = matches!(
        raw["status"].as_str(),
        Some("active" | "trialing" | "past_due")
    ) && raw["cancel_at_period_end"] == false
        && expected_end.is_none_or(|(e, _)| item["current_period_end"].as_i64().unwrap() < e);
    assert_eq!(
        d.next_charge,
        renews.then(|| item["current_period_end"].as_i64().unwrap()),
        "{what}: next charge"
    );
    // Payment method: brand, last four and expiry only; the customer's default when the
    // subscription has none of its own, said to be so.
    let own = raw["default_payment_method"].as_str();
    let charged = own.or(customer
        .pointer("/invoice_settings/default_payment_method")
        .and_then(Value::as_str));
    assert_eq!(
        d.payment_method_is_customer_default,
        own.is_none() && charged.is_some(),
        "{what}: whose payment method"
    );
    if let Some(pm_id) = charged {
        let pm = find(&data.payment_methods, pm_id);
        let shown = d.payment_method.as_ref().expect("payment method");
        let kind = pm["type"].as_str().unwrap();
        assert_eq!(shown.kind, kind, "{what}");
        assert_eq!(
            shown.last4.as_deref(),
            pm[kind]["last4"].as_str(),
            "{what}: last4"
        );
        if kind == "card" {
            assert_eq!(shown.exp_month, pm["card"]["exp_month"].as_i64(), "{what}");
            assert_eq!(shown.exp_year, pm["card"]["exp_year"].as_i64(), "{what}");
        }
        let json = serde_json::to_string(&d).unwrap();
        assert!(!json.contains("fingerprint"), "{what}: no card fingerprint");
    }
    // Invoices: every invoice of the subscription, newest first.
    let mut expected: Vec<(i64, String)> = data
        .invoices
        .iter()
        .filter(|i| i.pointer("/parent/subscription_details/subscription") == Some(&raw["id"]))
        .map(|i| {
            (
                i["created"].as_i64().unwrap(),
                i["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    expected.sort_by(|a, b| b.cmp(a));
    let got: Vec<(i64, String)> = d
        .invoices
        .iter()
        .map(|i| (i.created, i.id.clone()))
        .collect();
    assert_eq!(got, expected, "{what}: invoices");
    for i in &d.invoices {
        let raw_inv = find(&data.invoices, &i.id);
        assert_eq!(
            i.invoice_pdf.as_deref(),
            raw_inv["invoice_pdf"].as_str(),
            "{what}"
        );
        assert_eq!(i.total, raw_inv["total"].as_i64().unwrap(), "{what}");
        assert_eq!(i.number.as_deref(), raw_inv["number"].as_str(), "{what}");
    }
    // The Dashboard button opens the customer, in test mode.
    assert_eq!(
        d.dashboard_url.as_deref(),
        Some(
            format!(
                "https://dashboard.stripe.com/test/customers/{}",
                customer["id"].as_str().unwrap()
            )
            .as_str()
        ),
        "{what}: dashboard link"
    );
    // The state stated plainly.
    let state = match kind(raw) {
        "cancelled" => SubscriptionStateKind::Canceled,
        "trialing" if expected_end.is_none() => SubscriptionStateKind::Trialing,
        "past due" => SubscriptionStateKind::PastDue,
        "incomplete" => SubscriptionStateKind::Incomplete,
        "cancelling" | "fixed term" => SubscriptionStateKind::Cancelling,
        "schedule" if expected_end.is_some() => SubscriptionStateKind::Cancelling,
        _ => SubscriptionStateKind::Active,
    };
    assert_eq!(d.state.kind, state, "{what}: state");
    match state {
        SubscriptionStateKind::Canceled => assert_eq!(d.state.at, raw["ended_at"].as_i64()),
        SubscriptionStateKind::Cancelling => assert_eq!(d.state.at, d.duration.end),
        SubscriptionStateKind::Trialing => assert_eq!(d.state.at, raw["trial_end"].as_i64()),
        SubscriptionStateKind::PastDue => assert!(d.state.at.is_some(), "{what}: failed on"),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn detail_of_every_kind_matches_the_simulator_and_upcoming_survives_offline() {
    let dir = tempfile::tempdir().unwrap();
    let sim = sim().await;
    let ws = workspace(dir.path(), &sim).await;
    let data = sim.snapshot();

    let mut by_kind: HashMap<&str, &Value> = HashMap::new();
    for s in &data.subscriptions {
        by_kind.entry(kind(s)).or_insert(s);
    }
    for k in [
        "monthly",
        "yearly",
        "every 3 months",
        "fixed term",
        "schedule",
        "cancelling",
        "trialing",
        "past due",
        "cancelled",
        "incomplete",
    ] {
        assert!(
            by_kind.contains_key(k),
            "the dataset has a {k} subscription"
        );
    }

    let mut upcoming_seen = HashMap::new();
    for (k, raw) in &by_kind {
        let id = raw["id"].as_str().unwrap();
        let what = format!("{k} {id}");
        // From the cache only: nothing fetched yet, and no request to Stripe.
        let requests = sim.stats();
        let cached = ws.subscription_detail(id, false).await.unwrap();
        assert_eq!(cached.upcoming, None, "{what}: nothing cached yet");
        assert_eq!(
            sim.stats().requests,
            requests.requests,
            "{what}: no request"
        );
        let d = ws.subscription_detail(id, true).await.unwrap();
        assert_eq!(
            (&cached.subscription, &cached.invoices, &cached.duration),
            (&d.subscription, &d.invoices, &d.duration),
            "{what}"
        );
        check(&d, &data, raw, &what);
        match d.next_charge {
            Some(next) => {
                let up = d
                    .upcoming
                    .as_ref()
                    .unwrap_or_else(|| panic!("{what}: upcoming"));
                assert!(!d.upcoming_stale, "{what}");
                assert_eq!(
                    up.date, next,
                    "{what}: the upcoming charge is the next charge"
                );
                assert_eq!(up.currency, d.subscription.currency, "{what}");
                assert!(!up.lines.is_empty(), "{what}: lines");
                let net = up.subtotal - up.discount;
                assert!(up.total == net || up.total == net + up.tax, "{what}: total");
                assert_eq!(up.subtotal, d.subscription.amount, "{what}: subtotal");
                upcoming_seen.insert(id.to_owned(), up.clone());
            }
            None => assert_eq!(d.upcoming, None, "{what}: nothing upcoming"),
        }
    }
    assert!(upcoming_seen.len() >= 5, "several subscriptions renew");

    // A restricted key without the permission: Stripe refuses the preview. The cached one is
    // served, marked stale, with the permission to add, and nothing of the key.
    sim.forbid("/v1/invoices/create_preview", "rak_invoice_write");
    let key = sim.api_key();
    for (id, before) in &upcoming_seen {
        let d = ws.subscription_detail(id, true).await.unwrap();
        assert!(d.upcoming_stale, "{id}");
        assert_eq!(d.upcoming.as_ref(), Some(before), "{id}");
        let refused = d.upcoming_refused.expect("the refusal is explained");
        assert_eq!(
            refused,
            comptoir_core::problem::Problem::KeyMissingPermission {
                permission: Some("rak_invoice_write".into())
            }
        );
        let why = serde_json::to_string(&refused).unwrap();
        assert!(
            !why.contains(&key[key.len() - 4..]) && !why.contains("sk_") && !why.contains("rk_"),
            "no part of the key: {why}"
        );
    }

    // Offline: the simulator is gone; the cached preview is served, marked stale.
    sim.shutdown().await;
    for (id, before) in &upcoming_seen {
        let d = ws.subscription_detail(id, true).await.unwrap();
        assert!(d.upcoming_stale, "{id}: served from the cache");
        assert_eq!(d.upcoming_refused, None, "{id}: unreachable is not refused");
        let cached = ws.subscription_detail(id, false).await.unwrap();
        assert_eq!(cached.upcoming.as_ref(), Some(before), "{id}: cache read");
        assert_eq!(
            d.upcoming.as_ref(),
            Some(before),
            "{id}: same preview, same as-of time"
        );
        assert!(
            !d.invoices.is_empty() || d.subscription.status == "trialing",
            "{id}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn table_filters_search_and_sorts_by_next_charge() {
    let dir = tempfile::tempdir().unwrap();
    let sim = sim().await;
    let ws = workspace(dir.path(), &sim).await;
    let data = sim.snapshot();
    let all = ws
        .list_subscriptions(&SubscriptionQuery {
            limit: 500,
            offset: 0,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(all.total as usize, data.subscriptions.len());
    let c = &all.counts;
    assert_eq!(c.all, all.total);
    assert_eq!(
        c.active + c.trialing + c.past_due + c.cancelling + c.canceled + c.incomplete,
        c.all,
        "every subscription is in exactly one tab"
    );

    type Rule = fn(&SubscriptionRow) -> bool;
    let tabs: [(SubscriptionFilter, i64, Rule); 6] = [
        (SubscriptionFilter::Canceled, c.canceled, |r| {
            r.status == "canceled"
        }),
        (SubscriptionFilter::PastDue, c.past_due, |r| {
            r.status == "past_due"
        }),
        (SubscriptionFilter::Trialing, c.trialing, |r| {
            r.status == "trialing"
        }),
        (SubscriptionFilter::Incomplete, c.incomplete, |r| {
            r.status == "incomplete"
        }),
        (SubscriptionFilter::Active, c.active, |r| {
            r.status == "active" && !r.cancelling
        }),
        (SubscriptionFilter::Cancelling, c.cancelling, |r| {
            r.cancelling && matches!(r.status.as_str(), "active" | "trialing")
        }),
    ];
    for (filter, count, ok) in tabs {
        let page = ws
            .list_subscriptions(&SubscriptionQuery {
                limit: 500,
                offset: 0,
                status: Some(filter),
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(count > 0, "{filter:?} has subscriptions");
        assert_eq!(page.total, count, "{filter:?}");
        assert_eq!(page.rows.len() as i64, count, "{filter:?}");
        assert!(page.rows.iter().all(ok), "{filter:?}");
    }

    // Search by customer email, customer name (any case) and plan name.
    let sample = &all.rows[0];
    let email = sample.customer_email.clone().unwrap();
    let by_email = ws
        .list_subscriptions(&SubscriptionQuery {
            limit: 500,
            offset: 0,
            search: Some(format!("  {}  ", email.to_uppercase())),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(by_email.rows.iter().any(|r| r.id == sample.id));
    assert!(by_email
        .rows
        .iter()
        .all(|r| r.customer_email.as_deref() == Some(email.as_str())));
    let plan = sample.product_name.clone().unwrap();
    let by_plan = ws
        .list_subscriptions(&SubscriptionQuery {
            limit: 500,
            offset: 0,
            search: Some(plan.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    let lower = plan.to_lowercase();
    assert!(by_plan.rows.iter().any(|r| r.id == sample.id));
    assert!(by_plan.rows.iter().all(|r| {
        [&r.product_name, &r.customer_name, &r.customer_email]
            .iter()
            .any(|f| {
                f.as_deref()
                    .is_some_and(|t| t.to_lowercase().contains(&lower))
            })
    }));
    assert!(
        by_plan.total as usize
            >= all
                .rows
                .iter()
                .filter(|r| r.product_name == sample.product_name)
                .count()
    );
    let none = ws
        .list_subscriptions(&SubscriptionQuery {
            limit: 500,
            offset: 0,
            search: Some("100%_\\nobody".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(none.total, 0, "LIKE wildcards in the search are literal");

    // Sorted by next charge: soonest first, those without one last.
    let sorted = ws
        .list_subscriptions(&SubscriptionQuery {
            limit: 500,
            offset: 0,
            sort: Some(SubscriptionSort::NextChargeAsc),
            ..Default::default()
        })
        .await
        .unwrap();
    let next: Vec<Option<i64>> = sorted.rows.iter().map(|r| r.next_charge).collect();
    let firsts: Vec<i64> = next.iter().map_while(|n| *n).collect();
    assert!(
        firsts.windows(2).all(|w| w[0] <= w[1]),
        "ascending next charges"
    );
    assert!(
        next[firsts.len()..].iter().all(Option::is_none),
        "no next charge goes last"
    );
    sim.shutdown().await;
}

/// Splits CSV text (RFC 4180: quoted fields, doubled quotes, CRLF) into records.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let (mut record, mut field) = (Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    records
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_active_subscriptions_export_says_where_each_box_goes() {
    let dir = tempfile::tempdir().unwrap();
    let sim = sim().await;
    let ws = workspace(dir.path(), &sim).await;
    let data = sim.snapshot();
    let query = SubscriptionQuery {
        limit: 50,
        offset: 0,
        status: Some(SubscriptionFilter::Active),
        ..Default::default()
    };
    let path = dir.path().join("subscriptions.csv");
    let written = ws.export_subscriptions_csv(&query, &path).await.unwrap();
    let listed = ws
        .list_subscriptions(&SubscriptionQuery {
            limit: 500,
            ..query.clone()
        })
        .await
        .unwrap();
    assert_eq!(written, listed.total);
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark");
    let records = parse_csv(text);
    let (header, rows) = records.split_first().unwrap();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(
        rows.len(),
        listed.rows.len(),
        "every active subscription, nothing else"
    );
    for (record, row) in rows.iter().zip(&listed.rows) {
        assert_eq!(record.len(), header.len());
        assert_eq!(record[col("Id")], row.id, "in the table's order");
        assert_eq!(record[col("Status")], "active");
        let sub = data
            .subscriptions
            .iter()
            .find(|s| s["id"] == row.id.as_str())
            .unwrap();
        let customer = data
            .customers
            .iter()
            .find(|c| c["id"] == sub["customer"])
            .expect("the subscription's customer");
        let city = customer
            .pointer("/shipping/address/city")
            .or(customer.pointer("/address/city"))
            .and_then(Value::as_str)
            .unwrap_or("");
        assert_eq!(record[col("City")], city, "{}", row.id);
    }
    assert!(
        rows.iter().any(|r| !r[col("City")].is_empty()),
        "the export carries addresses"
    );
}

/// Defects seen on a real account (issue 8 §2), after a sync against the simulator: a
/// subscription of several items names them all; one without a payment method of its own shows
/// the customer's default, said to be the customer's; a past-due one says why the payment
/// failed, how many attempts and when Stripe retries; a deleted customer is said to be deleted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn details_tell_items_whose_card_why_past_due_and_deleted_customers() {
    let dir = tempfile::tempdir().unwrap();
    let sim = sim().await;
    let ws = workspace(dir.path(), &sim).await;
    let data = sim.snapshot();
    let rows = ws
        .list_subscriptions(&SubscriptionQuery {
            limit: 500,
            offset: 0,
            ..Default::default()
        })
        .await
        .unwrap()
        .rows;
    let row = |id: &str| rows.iter().find(|r| r.id == id).unwrap().clone();

    // Several items: all of them, in the table, the detail and the export.
    let multi = data
        .subscriptions
        .iter()
        .find(|s| s["items"]["data"].as_array().unwrap().len() > 1)
        .expect("a subscription of several items");
    let id = multi["id"].as_str().unwrap();
    let plan = plan_of(&data, multi);
    assert!(plan.contains(" + ") && plan.contains(" ×2"), "{plan}");
    assert_eq!(row(id).product_name.as_deref(), Some(plan.as_str()));
    let d = ws.subscription_detail(id, false).await.unwrap();
    assert_eq!(d.subscription.product_name.as_deref(), Some(plan.as_str()));
    let path = dir.path().join("all.csv");
    ws.export_subscriptions_csv(
        &SubscriptionQuery {
            limit: 500,
            offset: 0,
            ..Default::default()
        },
        &path,
    )
    .await
    .unwrap();
    let csv = std::fs::read_to_string(&path).unwrap();
    let line = csv.lines().find(|l| l.ends_with(id)).unwrap();
    assert!(line.contains(&plan), "{line}");

    // No payment method of its own: the customer's default, masked, flagged as such.
    let bare = data
        .subscriptions
        .iter()
        .find(|s| s["default_payment_method"].is_null() && s["status"] == "active")
        .expect("a subscription charging the customer's default");
    let customer = find(&data.customers, bare["customer"].as_str().unwrap());
    let pm = find(
        &data.payment_methods,
        customer["invoice_settings"]["default_payment_method"]
            .as_str()
            .unwrap(),
    );
    let d = ws
        .subscription_detail(bare["id"].as_str().unwrap(), false)
        .await
        .unwrap();
    assert_eq!(d.subscription.payment_method, None);
    assert!(d.payment_method_is_customer_default);
    let shown = d.payment_method.expect("the customer's default is shown");
    let kind = pm["type"].as_str().unwrap();
    assert_eq!(shown.last4.as_deref(), pm[kind]["last4"].as_str());
    assert!(!serde_json::to_string(&shown)
        .unwrap()
        .contains("fingerprint"));

    // Past due: the failure, the attempts and the next try, from the latest invoice.
    let past_due = data
        .subscriptions
        .iter()
        .find(|s| s["status"] == "past_due")
        .expect("a past-due subscription");
    let inv = find(&data.invoices, past_due["latest_invoice"].as_str().unwrap());
    let pi_id = inv["payments"]["data"][0]["payment"]["payment_intent"]
        .as_str()
        .unwrap();
    let pi = find(&data.payment_intents, pi_id);
    let d = ws
        .subscription_detail(past_due["id"].as_str().unwrap(), false)
        .await
        .unwrap();
    assert_eq!(d.state.kind, SubscriptionStateKind::PastDue);
    let f = d
        .subscription
        .payment_failure
        .expect("the past-due subscription says why");
    let error = &pi["last_payment_error"];
    assert_eq!(
        f.code.as_deref(),
        error["decline_code"].as_str().or(error["code"].as_str())
    );
    assert_eq!(f.message.as_deref(), error["message"].as_str());
    assert_eq!(f.attempt_count, inv["attempt_count"].as_i64().unwrap());
    assert!(f.attempt_count > 0);
    assert_eq!(f.next_attempt, inv["next_payment_attempt"].as_i64());
    assert!(f.next_attempt.unwrap() > data.now, "the retry is to come");
    // Active ones have nothing failed to tell.
    let active = ws.subscription_detail(id, false).await.unwrap();
    assert_eq!(active.subscription.payment_failure, None);

    // A deleted customer: said so in the table and the detail.
    let gone = data
        .subscriptions
        .iter()
        .find(|s| {
            data.customers
                .iter()
                .any(|c| c["id"] == s["customer"] && c["deleted"] == true)
        })
        .expect("a subscription of a deleted customer");
    let gone_id = gone["id"].as_str().unwrap();
    assert!(row(gone_id).customer_deleted);
    let d = ws.subscription_detail(gone_id, false).await.unwrap();
    assert!(d.customer.expect("the customer is cached").deleted);
    assert!(rows
        .iter()
        .filter(|r| r.id != gone_id)
        .any(|r| !r.customer_deleted));

    // Another retry fails: only the invoice changes (`invoice.updated`). The next sync reads
    // the events and the detail tells the new attempt and the new date.
    let past_due_id = past_due["id"].as_str().unwrap();
    let inv_id = inv["id"].as_str().unwrap().to_owned();
    let later = data.now + 5 * 86_400;
    sim.with_dataset(|ds| {
        let i = ds
            .invoices
            .iter_mut()
            .find(|i| i["id"] == inv_id.as_str())
            .unwrap();
        i["attempt_count"] = serde_json::json!(4);
        i["next_payment_attempt"] = serde_json::json!(later);
        let snapshot = i.clone();
        let at = ds.now + 60;
        ds.push_event("invoice.updated", snapshot, at, None);
    });
    ws.sync(Arc::new(|_| {})).await.unwrap();
    let f = ws
        .subscription_detail(past_due_id, false)
        .await
        .unwrap()
        .subscription
        .payment_failure
        .unwrap();
    assert_eq!((f.attempt_count, f.next_attempt), (4, Some(later)));
    assert_eq!(f.message.as_deref(), error["message"].as_str());
}
