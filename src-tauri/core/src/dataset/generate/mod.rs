//! The generator proper: builds every object from its Stripe template and keeps the amounts
//! consistent by Stripe's rules. Mutations after generation (new orders, renamed or deleted
//! customers, metadata updates) go through here too, so they emit the same events.

mod catalogue;
mod common;
mod customers;
mod invoices;
mod money;
mod orders;
mod subscriptions;
mod vocabulary;

use super::templates::{skeleton, template};
use super::{Dataset, DatasetSpec, OrderShipping};
use catalogue::build_catalog;
use common::{add, civil_from_days, list, obj, set, sets, B62};
pub(super) use common::{add_interval, Generator, DAY};
use customers::{currency_for, customer_object, make_person, shipping_contact, Person};
use invoices::{build_invoice, InvoicePlan};
use money::{finish_tax, make_lines, pick_tax_mode, TaxMode};
pub(super) use orders::add_order;
use orders::{build_session, build_setup_session, SessionKind, SessionPlan};
use rand::seq::IndexedRandom;
use rand::Rng;
use serde_json::{json, Value};
use subscriptions::build_subscription;
pub(super) use subscriptions::preview_invoice;
use vocabulary::*;

/// Stripe keeps events for 30 days; the generator emits none older than that.
pub const EVENT_RETENTION_DAYS: i64 = 30;
/// The API version the app pins (async-stripe rc.10).
pub(super) const API_VERSION: &str = "2026-09-30.endive";

fn payment_method(
    ds: &mut Dataset,
    g: &mut Generator,
    i: usize,
    customer: &str,
    p: &Person,
    created: i64,
) -> String {
    let id = g.id("pm_", 24);
    let mut pm = template("payment_method");
    let billing = json!({"address": p.address, "email": p.email, "name": p.name, "phone": p.phone, "tax_id": null});
    sets(
        &mut pm,
        vec![
            ("billing_details", billing),
            ("created", json!(created)),
            ("customer", json!(customer)),
            ("id", json!(id)),
            ("livemode", json!(g.livemode)),
            ("metadata", json!({})),
        ],
    );
    let fingerprint = g.token(16);
    if i % 7 == 2 {
        // SEPA Direct Debit: no card hash, a `sepa_debit` one instead.
        pm.as_object_mut().unwrap().remove("card");
        set(&mut pm, "type", json!("sepa_debit"));
        add(
            &mut pm,
            "sepa_debit",
            json!({"bank_code": "37040044", "branch_code": "", "country": "DE", "fingerprint": fingerprint,
                   "generated_from": {"charge": null, "setup_attempt": null}, "last4": "3000"}),
        );
    } else {
        let (brand, last4) = [
            ("visa", "4242"),
            ("mastercard", "4444"),
            ("visa", "1881"),
            ("amex", "8431"),
            ("mastercard", "5100"),
        ][g.rng.random_range(0..5)];
        let wallet = if i % 7 == 4 {
            json!({"apple_pay": {}, "dynamic_last4": "9876", "type": "apple_pay"})
        } else {
            Value::Null
        };
        let card = &mut pm["card"];
        sets(
            card,
            vec![
                ("brand", json!(brand)),
                ("country", json!(p.country)),
                (
                    "display_brand",
                    json!(if brand == "amex" {
                        "american_express"
                    } else {
                        brand
                    }),
                ),
                ("exp_month", json!(g.rng.random_range(1..=12))),
                ("exp_year", json!(g.rng.random_range(2027..=2031))),
                ("fingerprint", json!(fingerprint)),
                ("generated_from", Value::Null),
                ("last4", json!(last4)),
                ("networks", json!({"available": [brand], "preferred": null})),
                ("wallet", wallet),
            ],
        );
        set(&mut pm, "type", json!("card"));
    }
    ds.payment_methods.push(pm);
    id
}

// ---------------------------------------------------------------------------------------------
// Events.

/// What a PaymentIntent holds; ids and secret are drawn by the caller, so each place keeps its
/// own order of random draws (and the data its seed gives).
struct PaymentPlan<'a> {
    id: &'a str,
    charge: &'a str,
    secret: String,
    amount: i64,
    received: i64,
    currency: Value,
    customer: Value,
    created: i64,
    status: &'a str,
    error: Value,
}

fn payment_intent_object(g: &Generator, p: PaymentPlan) -> Value {
    let mut pi = skeleton("payment_intent");
    sets(
        &mut pi,
        vec![
            ("amount", json!(p.amount)),
            ("amount_received", json!(p.received)),
            ("canceled_at", Value::Null),
            ("client_secret", json!(p.secret)),
            ("created", json!(p.created)),
            ("currency", p.currency),
            ("customer", p.customer),
            ("id", json!(p.id)),
            ("last_payment_error", p.error),
            ("latest_charge", json!(p.charge)),
            ("livemode", json!(g.livemode)),
            ("next_action", Value::Null),
            ("payment_method_configuration_details", Value::Null),
            ("processing", Value::Null),
            ("status", json!(p.status)),
            ("transfer_data", Value::Null),
        ],
    );
    pi
}

/// A card charge that succeeded: a PaymentIntent's `latest_charge`.
fn charge_object(
    g: &mut Generator,
    id: &str,
    payment_intent: &str,
    amount: i64,
    currency: &str,
    customer: Option<&str>,
    created: i64,
) -> Value {
    let mut c = template("charge");
    let refunds_url = format!("/v1/charges/{id}/refunds");
    sets(
        &mut c,
        vec![
            ("amount", json!(amount)),
            ("amount_captured", json!(amount)),
            ("amount_refunded", json!(0)),
            ("balance_transaction", json!(g.id("txn_", 24))),
            ("captured", json!(true)),
            ("created", json!(created)),
            ("currency", json!(currency)),
            ("customer", json!(customer)),
            ("description", Value::Null),
            ("disputed", json!(false)),
            ("id", json!(id)),
            ("livemode", json!(g.livemode)),
            ("paid", json!(true)),
            ("payment_intent", json!(payment_intent)),
            ("payment_method", Value::Null),
            ("receipt_url", Value::Null),
            ("refunded", json!(false)),
            ("refunds", list(Vec::new(), refunds_url)),
            ("source", Value::Null),
            ("status", json!("succeeded")),
            ("transfer_data", Value::Null),
        ],
    );
    c
}

/// A past-due subscription's latest invoice after failed attempts: its PaymentIntent and
/// failed charge, the invoice's `payments`, three attempts and the next one in two days. The
/// reason alternates between an expired card (the card's expiry moved before the invoice)
/// and a refusal for insufficient funds.
fn failed_attempts(
    ds: &mut Dataset,
    g: &mut Generator,
    i: usize,
    inv_id: &str,
    pm: &str,
    now: i64,
) {
    let Some(ix) = ds.invoices.iter().position(|v| v["id"] == inv_id) else {
        return;
    };
    let (created, amount, currency, customer) = {
        let inv = &ds.invoices[ix];
        (
            inv["created"].as_i64().unwrap_or(now),
            inv["amount_due"].as_i64().unwrap_or(0),
            inv["currency"].clone(),
            inv["customer"].clone(),
        )
    };
    let card = ds
        .payment_methods
        .iter_mut()
        .find(|p| p["id"] == pm)
        .filter(|p| p["type"] == "card");
    let error = match card {
        Some(card) if (i / 5).is_multiple_of(2) => {
            let (y, m, _) = civil_from_days(created.div_euclid(DAY));
            let (y, m) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
            card["card"]["exp_month"] = json!(m);
            card["card"]["exp_year"] = json!(y);
            json!({"code": "expired_card", "decline_code": "expired_card",
                   "doc_url": "https://stripe.com/docs/error-codes/expired-card",
                   "message": "Your card has expired.", "param": "exp_month", "type": "card_error"})
        }
        Some(_) => json!({"code": "card_declined", "decline_code": "insufficient_funds",
                   "doc_url": "https://stripe.com/docs/error-codes/card-declined",
                   "message": "Your card has insufficient funds.", "type": "card_error"}),
        None => sepa_failure(),
    };
    let (pi_id, ch_id) = (g.id("pi_", 24), g.id("ch_", 24));
    let last_try = (now - DAY).max(created);
    let secret = format!("{pi_id}_secret_{}", g.token(25));
    let mut pi = payment_intent_object(
        g,
        PaymentPlan {
            id: &pi_id,
            charge: &ch_id,
            secret,
            amount,
            received: 0,
            currency: currency.clone(),
            customer: customer.clone(),
            created,
            status: "requires_payment_method",
            error: error.clone(),
        },
    );
    pi["shipping"] = Value::Null;
    ds.payment_intents.push(pi);
    let mut ch = charge_object(
        g,
        &ch_id,
        &pi_id,
        amount,
        currency.as_str().unwrap_or("eur"),
        customer.as_str(),
        last_try,
    );
    ch["status"] = json!("failed");
    ch["paid"] = json!(false);
    ch["captured"] = json!(false);
    ch["amount_captured"] = json!(0);
    ch["failure_code"] = error["code"].clone();
    ch["failure_message"] = error["message"].clone();
    ds.charges.push(ch);
    let payment = json!({
        "amount_paid": null, "amount_requested": amount, "created": created, "currency": currency,
        "id": g.id("inpay_", 24), "invoice": inv_id, "is_default": true, "livemode": g.livemode,
        "object": "invoice_payment", "payment": {"payment_intent": pi_id, "type": "payment_intent"},
        "status": "open", "status_transitions": {"canceled_at": null, "paid_at": null},
    });
    let inv = &mut ds.invoices[ix];
    inv["attempt_count"] = json!(3);
    inv["attempted"] = json!(true);
    inv["next_payment_attempt"] = json!(now + 2 * DAY);
    inv["payments"] = list(vec![payment], format!("/v1/invoices/{inv_id}/payments"));
}

/// What Stripe says when a SEPA debit bounces.
pub(super) fn sepa_failure() -> Value {
    json!({
        "code": "insufficient_funds",
        "decline_code": null,
        "doc_url": "https://stripe.com/docs/error-codes/insufficient-funds",
        "message": "The customer's account has insufficient funds to cover this payment.",
        "type": "card_error"
    })
}

/// A session as an event carries it.
pub(super) fn session_snapshot(session: &Value) -> Value {
    event_snapshot(session)
}

/// A refund of `amount` on a charge, at `at`: the Refund object and the charge's totals.
pub(super) fn add_refund(
    ds: &mut Dataset,
    g: &mut Generator,
    charge_id: &str,
    amount: i64,
    at: i64,
) -> Option<String> {
    let ci = ds.charges.iter().position(|c| c["id"] == charge_id)?;
    let c = &mut ds.charges[ci];
    let captured = c["amount_captured"].as_i64().unwrap_or(0);
    let refunded = c["amount_refunded"].as_i64().unwrap_or(0);
    let amount = amount.min(captured - refunded);
    if amount <= 0 {
        return None;
    }
    c["amount_refunded"] = json!(refunded + amount);
    c["refunded"] = json!(refunded + amount >= captured);
    let id = g.id("re_", 24);
    let mut r = template("refund");
    sets(
        &mut r,
        vec![
            ("amount", json!(amount)),
            ("balance_transaction", json!(g.id("txn_", 24))),
            ("charge", json!(charge_id)),
            ("created", json!(at)),
            ("currency", c["currency"].clone()),
            ("id", json!(id)),
            ("payment_intent", c["payment_intent"].clone()),
            ("reason", json!("requested_by_customer")),
            ("status", json!("succeeded")),
        ],
    );
    ds.refunds.push(r);
    Some(id)
}

/// A dispute on a charge, opened at `at`, whose evidence is due a week later.
pub(super) fn add_dispute(
    ds: &mut Dataset,
    g: &mut Generator,
    charge_id: &str,
    at: i64,
) -> Option<String> {
    let ci = ds.charges.iter().position(|c| c["id"] == charge_id)?;
    ds.charges[ci]["disputed"] = json!(true);
    let c = &ds.charges[ci];
    let id = g.id("dp_", 24);
    let mut d = template("dispute");
    let mut details = d["evidence_details"].clone();
    details["due_by"] = json!(at + 7 * DAY);
    details["has_evidence"] = json!(false);
    details["past_due"] = json!(false);
    sets(
        &mut d,
        vec![
            ("amount", c["amount"].clone()),
            ("charge", json!(charge_id)),
            ("created", json!(at)),
            ("currency", c["currency"].clone()),
            ("evidence_details", details),
            ("id", json!(id)),
            ("livemode", json!(g.livemode)),
            ("payment_intent", c["payment_intent"].clone()),
            ("reason", json!("product_not_received")),
            ("status", json!("needs_response")),
        ],
    );
    ds.disputes.push(d);
    Some(id)
}

/// Every payment case a shop meets, on a few orders chosen by their place in the list (never the
/// newest few, which tests ship): SEPA debits still processing or failed, partial and full
/// refunds, and an open dispute. An unsettled order has no invoice yet (Stripe makes it once the
/// payment succeeds).
fn payment_cases(ds: &mut Dataset, g: &mut Generator, now: i64) {
    let mut orders: Vec<usize> = (0..ds.checkout_sessions.len())
        .filter(|&i| {
            let s = &ds.checkout_sessions[i];
            s["mode"] == "payment" && s["status"] == "complete" && s["payment_intent"].is_string()
        })
        .collect();
    orders.sort_by_key(|&i| std::cmp::Reverse(ds.checkout_sessions[i]["created"].as_i64()));
    for (k, &si) in orders.iter().enumerate().skip(12) {
        let case = k % 40;
        if !matches!(case, 3 | 9 | 17 | 25 | 33) {
            continue;
        }
        let pi_id = ds.checkout_sessions[si]["payment_intent"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let created = ds.checkout_sessions[si]["created"].as_i64().unwrap_or(now);
        let later = (created + 2 * DAY).min(now);
        let Some(pi) = ds
            .payment_intents
            .iter_mut()
            .find(|p| p["id"] == pi_id.as_str())
        else {
            continue;
        };
        let charge_id = pi["latest_charge"].as_str().unwrap_or_default().to_owned();
        let total = pi["amount"].as_i64().unwrap_or(0);
        match case {
            3 | 9 => {
                // SEPA Direct Debit: still processing (3), or bounced (9).
                let failed = case == 9;
                pi["payment_method_types"] = json!(["sepa_debit"]);
                pi["amount_received"] = json!(0);
                pi["status"] = json!(if failed {
                    "requires_payment_method"
                } else {
                    "processing"
                });
                if failed {
                    pi["last_payment_error"] = sepa_failure();
                }
                if let Some(c) = ds
                    .charges
                    .iter_mut()
                    .find(|c| c["id"] == charge_id.as_str())
                {
                    c["status"] = json!(if failed { "failed" } else { "pending" });
                    c["paid"] = json!(false);
                    c["amount_captured"] = json!(0);
                    c["payment_method_details"] = json!({
                        "type": "sepa_debit",
                        "sepa_debit": {"bank_code": "37040044", "branch_code": null,
                            "country": "DE", "fingerprint": "sepa_fp", "last4": "3000",
                            "mandate": null}
                    });
                    if failed {
                        c["failure_code"] = json!("insufficient_funds");
                        c["failure_message"] = sepa_failure()["message"].clone();
                    }
                }
                let s = &mut ds.checkout_sessions[si];
                s["payment_status"] = json!("unpaid");
                if let Some(inv) = s["invoice"].as_str().map(str::to_owned) {
                    s["invoice"] = Value::Null;
                    ds.invoices.retain(|i| i["id"] != inv.as_str());
                }
            }
            17 => {
                add_refund(ds, g, &charge_id, (total * 3 / 10).max(1), later);
            }
            25 => {
                add_refund(ds, g, &charge_id, total, later);
            }
            _ => {
                add_dispute(ds, g, &charge_id, later);
            }
        }
    }
}

fn event_snapshot(object: &Value) -> Value {
    let mut o = object.clone();
    // Includable fields are never part of an event's payload.
    if let Some(td) = o.get_mut("total_details").and_then(Value::as_object_mut) {
        td.remove("breakdown");
    }
    o
}

pub(super) fn make_event(
    g: &mut Generator,
    type_: &str,
    object: Value,
    at: i64,
    previous: Option<Value>,
) -> Value {
    let mut e = template("event");
    let seq = g.next_event_seq;
    g.next_event_seq += 1;
    // Fixed-width sequence first, so event ids sort the way they were created.
    let mut buf = [b'0'; 8];
    let mut c = seq;
    for slot in buf.iter_mut().rev() {
        *slot = B62[(c % 62) as usize];
        c /= 62;
    }
    let id = format!("evt_1{}{}", std::str::from_utf8(&buf).unwrap(), g.token(15));
    let mut data = obj([("object", object)]);
    if let Some(prev) = previous {
        data["previous_attributes"] = prev;
    }
    sets(
        &mut e,
        vec![
            ("api_version", json!(API_VERSION)),
            ("created", json!(at)),
            ("data", data),
            ("id", json!(id)),
            ("livemode", json!(g.livemode)),
            ("type", json!(type_)),
        ],
    );
    e
}

// ---------------------------------------------------------------------------------------------
// The whole dataset.

fn pick_coupon(g: &mut Generator, i: usize, currency_hint: &str) -> Option<usize> {
    if i == 3 {
        // Always one order paid entirely by a 100 % coupon.
        return Some(3);
    }
    let r: f64 = g.rng.random();
    match r {
        r if r < 0.15 => Some(0),
        r if r < 0.20 => Some(1),
        r if r < 0.24 && currency_hint == "FR" => Some(2),
        r if r < 0.25 => Some(3),
        _ => None,
    }
}

fn pick_items(g: &mut Generator, i: usize) -> Vec<(usize, i64)> {
    // A few big carts exceed the 10 items Stripe embeds in an expanded session.
    let n = if i % 97 == 7 {
        12 + i % 4
    } else {
        *[1usize, 1, 2, 2, 3, 4].choose(&mut g.rng).unwrap()
    };
    let shop = g.shop.len();
    let mut picks: Vec<(usize, i64)> = Vec::with_capacity(n);
    for k in 0..n {
        let idx = if n > shop {
            k % shop
        } else {
            g.rng.random_range(0..shop)
        };
        if picks.iter().any(|(p, _)| *p == idx) && n <= shop {
            continue;
        }
        let qty = if g.chance(0.75) {
            1
        } else {
            g.rng.random_range(2..=4)
        };
        picks.push((idx, qty));
    }
    picks
}

pub(super) fn generate(spec: &DatasetSpec) -> Dataset {
    let mut ds = Dataset::empty(spec.now);
    let mut g = Generator::new(spec.seed, spec.livemode, spec.hostile_text);
    let now = spec.now;
    let two_years = now - 730 * DAY;
    build_catalog(&mut ds, &mut g, spec);

    // Customers.
    let n_customers = (spec.orders * 2 / 3
        + spec.subscriptions
        + spec.one_off_invoices / 2
        + spec.deleted_customers
        + 10)
        .max(12);
    let mut persons = Vec::with_capacity(n_customers);
    let mut ids = Vec::with_capacity(n_customers);
    for i in 0..n_customers {
        let p = make_person(&mut g, i);
        let id = g.id("cus_", 14);
        let c = customer_object(&mut g, &id, &p, now);
        ds.customers.push(c);
        persons.push(p);
        ids.push(id);
    }
    // (first, last) activity per customer, to date its creation and its deletion.
    let mut activity = vec![(i64::MAX, i64::MIN); n_customers];

    // Subscriptions, on the first customers (one, cancelled, is deleted later).
    let mut sub_ids = Vec::new();
    for i in 0..spec.subscriptions {
        let ci = i % n_customers;
        let out = build_subscription(
            &mut ds,
            &mut g,
            i,
            &ids[ci].clone(),
            ci,
            &persons[ci].clone(),
            now,
            &mut activity,
        );
        sub_ids.push(out);
    }

    // Orders.
    for i in 0..spec.orders {
        let created = g.pick_time(two_years, now);
        let guest = g.chance(0.12) && i != 0;
        let ci = {
            // Skewed: some customers order often.
            let r: f64 = g.rng.random();
            ((r * r) * n_customers as f64) as usize % n_customers
        };
        let customer = if guest { None } else { Some(ids[ci].clone()) };
        let person = if guest {
            make_person(&mut g, n_customers + i)
        } else {
            persons[ci].clone()
        };
        if !guest {
            activity[ci].0 = activity[ci].0.min(created);
            activity[ci].1 = activity[ci].1.max(created);
        }
        let r: f64 = g.rng.random();
        let shipping = match i {
            0 => OrderShipping::Delivery,
            1 => OrderShipping::Pickup,
            2 => OrderShipping::None,
            _ if r < 0.65 => OrderShipping::Delivery,
            _ if r < 0.9 => OrderShipping::Pickup,
            _ => OrderShipping::None,
        };
        let mut picks = pick_items(&mut g, i);
        if shipping == OrderShipping::None && g.chance(0.5) {
            picks = vec![(SHOP_PRODUCTS.len() - 1, 1)];
        }
        let coupon = pick_coupon(&mut g, i, &person.country);
        let ship_to_other = if shipping == OrderShipping::Delivery && g.chance(0.1) {
            let mut other = make_person(&mut g, i + 7);
            other.country = person.country.clone();
            Some(other)
        } else {
            None
        };
        let with_invoice = i == 0 || g.chance(0.7);
        build_session(
            &mut ds,
            &mut g,
            SessionPlan {
                created,
                customer,
                person,
                shipping,
                picks,
                coupon,
                with_invoice,
                kind: SessionKind::Order,
                ship_to_other,
                subscription: None,
                now,
            },
        );
    }

    // Sessions that are not orders: the sync must filter them out.
    let extra = (spec.orders / 10).max(4);
    for i in 0..extra {
        let ci = g.rng.random_range(0..n_customers);
        let person = persons[ci].clone();
        let kind = match i % 4 {
            0 => SessionKind::Open,
            1 => SessionKind::Expired,
            2 => SessionKind::SubscriptionMode,
            _ => {
                let created = g.pick_time(two_years, now);
                build_setup_session(&mut ds, &mut g, created, Some(ids[ci].clone()), &person);
                activity[ci].0 = activity[ci].0.min(created);
                activity[ci].1 = activity[ci].1.max(created);
                continue;
            }
        };
        let created = match kind {
            SessionKind::Open => now - g.rng.random_range(0..20 * 3600),
            _ => g.pick_time(two_years, now - 2 * DAY),
        };
        let subscription = if kind == SessionKind::SubscriptionMode && !sub_ids.is_empty() {
            let s = &sub_ids[g.rng.random_range(0..sub_ids.len())];
            let sub = ds.subscriptions.iter().find(|v| v["id"] == s.id.as_str());
            Some((
                s.id.clone(),
                sub.and_then(|v| v["latest_invoice"].as_str().map(String::from)),
            ))
        } else {
            None
        };
        let (customer, person) = match &subscription {
            Some(_) if kind == SessionKind::SubscriptionMode => {
                let s = sub_ids
                    .iter()
                    .find(|s| Some(&s.id) == subscription.as_ref().map(|x| &x.0))
                    .unwrap();
                (
                    Some(ids[s.customer_idx].clone()),
                    persons[s.customer_idx].clone(),
                )
            }
            _ if kind == SessionKind::Open => (None, person),
            _ => (Some(ids[ci].clone()), person),
        };
        let picks = if kind == SessionKind::SubscriptionMode {
            vec![(0, 1)]
        } else {
            pick_items(&mut g, i + 1)
        };
        build_session(
            &mut ds,
            &mut g,
            SessionPlan {
                created,
                customer,
                person,
                shipping: OrderShipping::Delivery,
                picks,
                coupon: None,
                with_invoice: false,
                kind,
                ship_to_other: None,
                subscription,
                now,
            },
        );
    }

    // One-off invoices (merchants who invoice by hand).
    for i in 0..spec.one_off_invoices {
        let ci = g.rng.random_range(0..n_customers);
        let created = g.pick_time(two_years, now - 3600);
        activity[ci].0 = activity[ci].0.min(created);
        activity[ci].1 = activity[ci].1.max(created);
        let p = persons[ci].clone();
        let currency = currency_for(&mut g, &p.country);
        let mode = pick_tax_mode(&mut g, currency, &p.country);
        let mode = if mode == TaxMode::None && currency == "eur" {
            TaxMode::FrExclusive
        } else {
            mode
        };
        let mut picks = pick_items(&mut g, i + 3);
        picks.truncate(3);
        for pk in picks.iter_mut() {
            if g.chance(0.3) {
                pk.1 = g.rng.random_range(5..=12);
            }
        }
        let mut lines = make_lines(&ds, &mut g, &picks, currency, mode, false);
        finish_tax(&mut lines);
        let ship = if i % 2 == 0 {
            Some(shipping_contact(&p))
        } else {
            None
        };
        let id = build_invoice(
            &mut ds,
            &mut g,
            &InvoicePlan {
                created,
                customer: Some(&ids[ci]),
                person: Some(&p),
                ship_to: ship.as_ref(),
                currency,
                lines: &lines,
                discount: None,
                shipping: None,
                status: "paid",
                billing_reason: "manual",
                subscription: None,
                period: (created, created),
                now,
            },
        );
        // Sent by e-mail, paid within a few days.
        let inv = ds.invoices.last_mut().unwrap();
        debug_assert_eq!(inv["id"], id.as_str());
        inv["collection_method"] = json!("send_invoice");
        inv["due_date"] = json!(created + 30 * DAY);
        inv["status_transitions"]["paid_at"] =
            json!((created + g.rng.random_range(0..5 * DAY)).min(now));
    }

    // Customers' creation dates follow from their first activity.
    for (i, c) in ds.customers.iter_mut().enumerate() {
        let created = if activity[i].0 == i64::MAX {
            g.rng.random_range(two_years..=now)
        } else {
            (activity[i].0 - g.rng.random_range(0..6 * 3600)).max(two_years - 30 * DAY)
        };
        c["created"] = json!(created);
    }

    // Deleted customers: among those without a subscription, but for one whose subscription
    // had ended; their orders stay.
    let mut deleted: Vec<(usize, i64)> = Vec::new();
    let pool: Vec<usize> = (spec.subscriptions.min(n_customers)..n_customers).collect();
    // The first one had a subscription, cancelled before: a deleted customer's subscription
    // stays listed (Stripe cancels a deleted customer's live subscriptions; this one had ended).
    let canceled_sub_customer = sub_ids
        .iter()
        .find(|o| {
            ds.subscriptions
                .iter()
                .any(|s| s["id"] == o.id.as_str() && s["status"] == "canceled")
        })
        .map(|o| o.customer_idx);
    for k in 0..spec.deleted_customers.min(pool.len()) {
        let ci = match canceled_sub_customer {
            Some(ci) if k == 0 => ci,
            _ => pool[(k * 7919 + spec.seed as usize) % pool.len()],
        };
        if deleted.iter().any(|(d, _)| *d == ci) {
            continue;
        }
        let created = ds.customers[ci]["created"].as_i64().unwrap();
        // Recently, so the `customer.deleted` event is still within the events' 30 days.
        let lo = (activity[ci].1.max(created) + 3600).max(now - 25 * DAY);
        let at = if lo >= now {
            now
        } else {
            g.rng.random_range(lo..=now)
        };
        deleted.push((ci, at));
    }

    payment_cases(&mut ds, &mut g, now);

    // Invoice numbers follow time, like Stripe's account-wide sequence.
    let mut order: Vec<usize> = (0..ds.invoices.len())
        .filter(|&i| ds.invoices[i]["status"] != "draft")
        .collect();
    order.sort_by_key(|&i| ds.invoices[i]["created"].as_i64().unwrap_or(0));
    for i in order {
        ds.invoices[i]["number"] = json!(format!("CPT-{:04}", g.next_invoice_number));
        g.next_invoice_number += 1;
    }

    // Events: one creation event per object, then the deletions. Stripe keeps events for 30
    // days, so older ones are not generated (they would only cost memory).
    let oldest = now - EVENT_RETENTION_DAYS * DAY;
    let created_of = |v: &Value| v["created"].as_i64().unwrap_or(0);
    let mut evs: Vec<(i64, &str, Value)> = Vec::new();
    for c in ds.customers.iter().filter(|c| created_of(c) >= oldest) {
        evs.push((created_of(c), "customer.created", c.clone()));
    }
    for (ci, at) in deleted.iter().filter(|d| d.1 >= oldest) {
        evs.push((*at, "customer.deleted", ds.customers[*ci].clone()));
    }
    for s in ds.subscriptions.iter().filter(|c| created_of(c) >= oldest) {
        evs.push((created_of(s), "customer.subscription.created", s.clone()));
    }
    for s in ds
        .checkout_sessions
        .iter()
        .filter(|c| created_of(c) + DAY >= oldest)
    {
        let created = created_of(s);
        match s["status"].as_str() {
            Some("complete") if created >= oldest => {
                evs.push((created, "checkout.session.completed", event_snapshot(s)))
            }
            Some("expired") => {
                evs.push((created + DAY, "checkout.session.expired", event_snapshot(s)))
            }
            _ => {}
        }
    }
    for inv in ds.invoices.iter().filter(|c| created_of(c) >= oldest) {
        let t = if inv["status"] == "paid" {
            "invoice.paid"
        } else {
            "invoice.created"
        };
        evs.push((created_of(inv), t, inv.clone()));
    }
    evs.sort_by_key(|e| e.0);
    ds.events = evs
        .into_iter()
        .filter(|e| e.0 <= now)
        .map(|(at, t, o)| make_event(&mut g, t, o, at, None))
        .collect();

    for (ci, _) in &deleted {
        let id = ds.customers[*ci]["id"].clone();
        let mut d = template("deleted_customer");
        d["id"] = id;
        ds.customers[*ci] = d;
    }
    invoice_payments(&mut ds, &mut g);
    ds.generator = Some(Box::new(g));
    ds
}

/// Every paid invoice outside a subscription lists its payments (`payments`, includable:
/// Stripe sends it only when expanded; the simulator strips it otherwise). A session's invoice
/// was paid by the session's PaymentIntent; a one-off invoice by a PaymentIntent of its own,
/// with its charge. Added after the events, whose snapshots never carry includable fields.
fn invoice_payments(ds: &mut Dataset, g: &mut Generator) {
    let by_session: std::collections::HashMap<String, String> = ds
        .checkout_sessions
        .iter()
        .filter_map(|s| {
            Some((
                s["invoice"].as_str()?.to_owned(),
                s["payment_intent"].as_str()?.to_owned(),
            ))
        })
        .collect();
    for i in 0..ds.invoices.len() {
        let inv = &ds.invoices[i];
        let total = inv["total"].as_i64().unwrap_or(0);
        if inv["status"] != "paid" || !inv["parent"].is_null() || total <= 0 {
            continue;
        }
        let id = inv["id"].as_str().unwrap_or_default().to_owned();
        let currency = inv["currency"].as_str().unwrap_or("eur").to_owned();
        let customer = inv["customer"].as_str().map(str::to_owned);
        let paid_at = inv["status_transitions"]["paid_at"]
            .as_i64()
            .unwrap_or_else(|| inv["created"].as_i64().unwrap_or(0));
        let pi_id = match by_session.get(&id) {
            Some(pi) => pi.clone(),
            None => {
                let pi_id = g.id("pi_", 24);
                let charge = g.id("ch_", 24);
                let secret = format!("{pi_id}_secret_{}", g.token(25));
                let pi = payment_intent_object(
                    g,
                    PaymentPlan {
                        id: &pi_id,
                        charge: &charge,
                        secret,
                        amount: total,
                        received: total,
                        currency: json!(currency),
                        customer: json!(customer),
                        created: paid_at,
                        status: "succeeded",
                        error: Value::Null,
                    },
                );
                ds.payment_intents.push(pi);
                let ch = charge_object(
                    g,
                    &charge,
                    &pi_id,
                    total,
                    &currency,
                    customer.as_deref(),
                    paid_at,
                );
                ds.charges.push(ch);
                pi_id
            }
        };
        let mut payment = template("invoice_payment");
        sets(
            &mut payment,
            vec![
                ("amount_paid", json!(total)),
                ("amount_requested", json!(total)),
                ("created", json!(paid_at)),
                ("currency", json!(currency)),
                ("id", json!(g.id("inpay_", 24))),
                ("invoice", json!(id)),
                ("is_default", json!(true)),
                ("livemode", json!(g.livemode)),
                (
                    "payment",
                    json!({"type": "payment_intent", "payment_intent": pi_id}),
                ),
                ("status", json!("paid")),
                (
                    "status_transitions",
                    json!({"canceled_at": null, "paid_at": paid_at}),
                ),
            ],
        );
        add(
            &mut ds.invoices[i],
            "payments",
            list(vec![payment], format!("/v1/invoice_payments?invoice={id}")),
        );
    }
}
