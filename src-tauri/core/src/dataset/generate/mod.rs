//! The generator proper: builds every object from its Stripe template and keeps the amounts
//! consistent by Stripe's rules. Mutations after generation (new orders, renamed or deleted
//! customers, metadata updates) go through here too, so they emit the same events.
//!
//! `generate` below builds a whole dataset, in an order the data depends on (every object draws
//! from one random stream). Each kind of object is built in its own file:
//! - `common.rs`: template setters, calendar arithmetic and the `Generator` state;
//! - `vocabulary.rs`: the shop's fixed names, streets and products;
//! - `catalogue.rs`: the account, tax rates, shipping rates, products, prices and coupons;
//! - `customers.rs`: people and their Customer objects;
//! - `money.rs`: cart lines, taxes and discounts;
//! - `orders.rs`: Checkout Sessions (orders and the sessions that are not) and `add_order`;
//! - `invoices.rs`: invoices;
//! - `payments.rs`: payment methods, PaymentIntents, charges, refunds and disputes;
//! - `subscriptions.rs`: subscriptions, their schedules and the next invoice's preview;
//! - `events.rs`: events.

mod catalogue;
mod common;
mod customers;
mod events;
mod invoices;
mod money;
mod orders;
mod payments;
mod subscriptions;
mod vocabulary;

use super::templates::template;
use super::{Dataset, DatasetSpec, OrderShipping};
use catalogue::build_catalog;
pub(super) use common::{add_interval, Generator, DAY};
use customers::{currency_for, customer_object, make_person, shipping_contact};
use events::creation_events;
pub use events::EVENT_RETENTION_DAYS;
pub(super) use events::{make_event, session_snapshot};
use invoices::{build_invoice, InvoicePlan};
use money::{finish_tax, make_lines, pick_tax_mode, TaxMode};
pub(super) use orders::add_order;
use orders::{build_session, build_setup_session, SessionKind, SessionPlan};
pub(super) use payments::{add_dispute, add_refund, sepa_failure};
use payments::{invoice_payments, payment_cases};
use rand::seq::IndexedRandom;
use rand::Rng;
use serde_json::json;
use subscriptions::build_subscription;
pub(super) use subscriptions::preview_invoice;
use vocabulary::SHOP_PRODUCTS;

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

    // Events: one creation event per object, then the deletions.
    creation_events(&mut ds, &mut g, &deleted, now);

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
