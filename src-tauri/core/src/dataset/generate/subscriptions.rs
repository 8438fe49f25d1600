//! Subscriptions: the kinds a shop meets (active, trialing, past due, cancelled, scheduled…),
//! one invoice per billing period, their items and schedules; and `preview_invoice`, the draft
//! Stripe's `create_preview` returns for the next period.

use super::common::{add_interval, add_months, list, sets, Generator, DAY};
use super::customers::{currency_for, person_from_customer, Person};
use super::invoices::{build_invoice, InvoicePlan};
use super::money::{finish_tax, make_lines, tax_for, Line, TaxMode};
use super::payments::{failed_attempts, payment_method};
use super::vocabulary::SUBSCRIPTION_PRODUCTS;
use crate::dataset::templates::{self, skeleton, template};
use crate::dataset::Dataset;
use rand::Rng;
use serde_json::{json, Value};

#[derive(Clone, Copy, Debug, PartialEq)]
enum SubKind {
    ActiveMonthly,
    ActiveYearly,
    Quarterly,
    Trialing,
    PastDue,
    Canceled,
    Incomplete,
    CancelAtPeriodEnd,
    FixedTerm,
    Scheduled,
}

const SUB_KINDS: [SubKind; 10] = [
    SubKind::ActiveMonthly,
    SubKind::ActiveYearly,
    SubKind::Quarterly,
    SubKind::Trialing,
    SubKind::PastDue,
    SubKind::Canceled,
    SubKind::Incomplete,
    SubKind::CancelAtPeriodEnd,
    SubKind::FixedTerm,
    SubKind::Scheduled,
];

fn plan_from_price(price: &Value) -> Value {
    let mut plan = templates::template_ref("subscription_item")["plan"].clone();
    let rec = &price["recurring"];
    sets(
        &mut plan,
        vec![
            ("active", json!(true)),
            ("amount", price["unit_amount"].clone()),
            ("amount_decimal", price["unit_amount_decimal"].clone()),
            ("billing_scheme", json!("per_unit")),
            ("created", price["created"].clone()),
            ("currency", price["currency"].clone()),
            ("id", price["id"].clone()),
            ("interval", rec["interval"].clone()),
            ("interval_count", rec["interval_count"].clone()),
            ("livemode", price["livemode"].clone()),
            ("metadata", json!({})),
            ("product", price["product"].clone()),
            ("transform_usage", Value::Null),
        ],
    );
    plan
}

pub(super) struct SubOutcome {
    pub(super) id: String,
    pub(super) customer_idx: usize,
}

#[allow(clippy::too_many_arguments)]
pub(super) fn build_subscription(
    ds: &mut Dataset,
    g: &mut Generator,
    i: usize,
    customer: &str,
    customer_idx: usize,
    p: &Person,
    now: i64,
    activity: &mut [(i64, i64)],
) -> SubOutcome {
    let kind = if i < SUB_KINDS.len() {
        SUB_KINDS[i]
    } else {
        let r: f64 = g.rng.random();
        match r {
            r if r < 0.45 => SubKind::ActiveMonthly,
            r if r < 0.55 => SubKind::ActiveYearly,
            r if r < 0.63 => SubKind::Quarterly,
            r if r < 0.70 => SubKind::Trialing,
            r if r < 0.76 => SubKind::PastDue,
            r if r < 0.88 => SubKind::Canceled,
            r if r < 0.90 => SubKind::Incomplete,
            r if r < 0.95 => SubKind::CancelAtPeriodEnd,
            r if r < 0.98 => SubKind::FixedTerm,
            _ => SubKind::Scheduled,
        }
    };
    let product = match kind {
        SubKind::ActiveYearly => 3,
        SubKind::Quarterly => 2,
        _ => g.rng.random_range(0..2),
    };
    let currency = currency_for(g, &p.country);
    let (interval, count) = SUBSCRIPTION_PRODUCTS[g.subs[product].def]
        .recurring
        .unwrap_or(("month", 1));
    let qty = if g.chance(0.15) { 2 } else { 1 };
    // Some monthly boxes carry a second product, two of it: a subscription of several items.
    let addon = ((i == 0 || i % 11 == 7)
        && product < 2
        && (interval, count) == ("month", 1)
        && kind != SubKind::Scheduled)
        .then(|| (1 - product, 2));
    let picks: Vec<(usize, i64)> = std::iter::once((product, qty)).chain(addon).collect();
    let mode = match currency {
        "eur" => TaxMode::FrInclusive,
        "gbp" => TaxMode::GbInclusive,
        _ => TaxMode::None,
    };

    let start = match kind {
        SubKind::Trialing => now - g.rng.random_range(DAY..12 * DAY),
        SubKind::Incomplete => now - g.rng.random_range(60..20 * 3600),
        SubKind::Canceled => now - g.rng.random_range(60 * DAY..700 * DAY),
        SubKind::FixedTerm => now - g.rng.random_range(5 * DAY..300 * DAY),
        SubKind::Scheduled => now - g.rng.random_range(10 * DAY..250 * DAY),
        // About a year of monthly history at most: enough invoices per subscription without
        // making a 1,000-subscription dataset weigh gigabytes.
        _ if interval == "month" && count == 1 => now - g.rng.random_range(5 * DAY..400 * DAY),
        _ => now - g.rng.random_range(5 * DAY..700 * DAY),
    };
    let start = g.pick_time(start, start);
    let ended_at = if kind == SubKind::Canceled {
        let lo = start + 20 * DAY;
        let hi = (now - DAY)
            .min(add_interval(start, interval, 12 * count))
            .max(lo);
        Some(g.rng.random_range(lo..=hi))
    } else {
        None
    };
    let trial_end = if kind == SubKind::Trialing {
        Some(start + 14 * DAY)
    } else {
        None
    };

    // Billing periods up to now (or the end), at most three years of history.
    let limit = ended_at.unwrap_or(now);
    let mut starts = vec![start];
    if kind != SubKind::Trialing && kind != SubKind::Incomplete {
        loop {
            let next = add_interval(*starts.last().unwrap(), interval, count);
            if next > limit || starts.len() >= 14 {
                break;
            }
            starts.push(next);
        }
    }
    let period_start = *starts.last().unwrap();
    let period_end = trial_end.unwrap_or_else(|| add_interval(period_start, interval, count));

    let sub_id = g.id("sub_", 24);
    let si_id = g.id("si_", 14);
    let price_id = g.subs[product].price(currency).to_string();
    let price = ds.prices[g.price_idx[&price_id]].clone();
    let pm = payment_method(ds, g, i, customer, p, start);
    if let Some(c) = ds.customers.get_mut(customer_idx) {
        c["invoice_settings"]["default_payment_method"] = json!(pm);
        if kind == SubKind::PastDue {
            c["delinquent"] = json!(true);
        }
    }
    activity[customer_idx].0 = activity[customer_idx].0.min(start);
    activity[customer_idx].1 = activity[customer_idx].1.max(start);

    // Invoices, oldest first.
    let mut latest_invoice = None;
    let n = starts.len();
    for (k, &ps) in starts.iter().enumerate() {
        let pe = if k + 1 < n { starts[k + 1] } else { period_end };
        let mut lines = make_lines(ds, g, &picks, currency, mode, true);
        if trial_end.is_some() {
            // A trial starts with a zero invoice.
            for l in lines.iter_mut() {
                l.unit = 0;
                l.subtotal = 0;
            }
        }
        finish_tax(&mut lines);
        let last = k + 1 == n;
        let status = match kind {
            SubKind::PastDue | SubKind::Incomplete if last => "open",
            _ => "paid",
        };
        let id = build_invoice(
            ds,
            g,
            &InvoicePlan {
                created: ps,
                customer: Some(customer),
                person: Some(p),
                ship_to: None,
                currency,
                lines: &lines,
                discount: None,
                shipping: None,
                status,
                billing_reason: if k == 0 {
                    "subscription_create"
                } else {
                    "subscription_cycle"
                },
                subscription: Some((&sub_id, &si_id)),
                period: (ps, pe),
                now,
            },
        );
        latest_invoice = Some(id);
    }
    if kind == SubKind::PastDue {
        if let Some(inv) = &latest_invoice {
            failed_attempts(ds, g, i, inv, &pm, now);
        }
    }

    let status = match kind {
        SubKind::Trialing => "trialing",
        SubKind::PastDue => "past_due",
        SubKind::Canceled => "canceled",
        SubKind::Incomplete => "incomplete",
        _ => "active",
    };
    let cancel_at = match kind {
        SubKind::CancelAtPeriodEnd => Some(period_end),
        SubKind::FixedTerm => Some(add_months(start, 12)),
        SubKind::Canceled => ended_at,
        _ => None,
    };
    let canceled_at = match kind {
        SubKind::CancelAtPeriodEnd | SubKind::FixedTerm => {
            Some(g.rng.random_range(period_start..=now.max(period_start)))
        }
        SubKind::Canceled => ended_at,
        _ => None,
    };

    // The schedule: an introductory quarter, then the rest of the year, then it ends.
    let schedule = if kind == SubKind::Scheduled {
        let sched_id = g.id("sub_sched_", 24);
        let mid = add_months(start, 3);
        let end = add_months(start, 12);
        let phase_tpl = templates::template_ref("subscription_schedule")["phases"][0].clone();
        let phase = |s: i64, e: i64, q: i64| {
            let mut ph = phase_tpl.clone();
            ph["currency"] = json!(currency);
            ph["start_date"] = json!(s);
            ph["end_date"] = json!(e);
            ph["transfer_data"] = Value::Null;
            ph["invoice_settings"] = Value::Null;
            ph["items"] = json!([{"discounts": [], "metadata": {}, "price": price_id, "quantity": q, "tax_rates": [],
                                  "plan": price_id, "billing_thresholds": null}]);
            ph["default_payment_method"] = json!(pm);
            ph
        };
        let phases = vec![phase(start, mid, qty), phase(mid, end, qty)];
        let current = if now < mid { (start, mid) } else { (mid, end) };
        let mut sc = template("subscription_schedule");
        sc["default_settings"]["transfer_data"] = Value::Null;
        sc["default_settings"]["default_payment_method"] = json!(pm);
        sets(
            &mut sc,
            vec![
                ("canceled_at", Value::Null),
                ("completed_at", Value::Null),
                ("created", json!(start)),
                (
                    "current_phase",
                    json!({"end_date": current.1, "start_date": current.0}),
                ),
                ("customer", json!(customer)),
                ("end_behavior", json!("cancel")),
                ("id", json!(sched_id)),
                ("livemode", json!(g.livemode)),
                ("phases", Value::Array(phases)),
                ("released_at", Value::Null),
                ("status", json!("active")),
                ("subscription", json!(sub_id)),
            ],
        );
        ds.subscription_schedules.push(sc);
        Some(sched_id)
    } else {
        None
    };

    let mut items = Vec::with_capacity(picks.len());
    for (k, &(prod, q)) in picks.iter().enumerate() {
        let (id, price) = if k == 0 {
            (si_id.clone(), price.clone())
        } else {
            let pid = g.subs[prod].price(currency).to_string();
            (g.id("si_", 14), ds.prices[g.price_idx[&pid]].clone())
        };
        let mut item = skeleton("subscription_item");
        let plan = plan_from_price(&price);
        sets(
            &mut item,
            vec![
                ("created", json!(start)),
                ("id", json!(id)),
                ("price", price),
                ("quantity", json!(q)),
                ("subscription", json!(sub_id)),
                ("plan", plan),
                ("current_period_end", json!(period_end)),
                ("current_period_start", json!(period_start)),
                ("billing_thresholds", Value::Null),
            ],
        );
        items.push(item);
    }
    let mut sub = skeleton("subscription");
    sets(
        &mut sub,
        vec![
            ("billing_cycle_anchor", json!(trial_end.unwrap_or(start))),
            ("billing_cycle_anchor_config", Value::Null),
            ("cancel_at", json!(cancel_at)),
            ("canceled_at", json!(canceled_at)),
            (
                "cancellation_details",
                json!({"comment": null, "feedback": null,
                       "reason": if canceled_at.is_some() { json!("cancellation_requested") } else { Value::Null }}),
            ),
            ("created", json!(start)),
            ("currency", json!(currency)),
            ("customer", json!(customer)),
            // Some subscriptions have no payment method of their own: Stripe charges the
            // customer's default (`invoice_settings.default_payment_method`, set above).
            (
                "default_payment_method",
                if i % 5 == 3 { Value::Null } else { json!(pm) },
            ),
            ("ended_at", json!(ended_at)),
            ("id", json!(sub_id)),
            (
                "items",
                list(
                    items,
                    format!("/v1/subscription_items?subscription={sub_id}"),
                ),
            ),
            ("latest_invoice", json!(latest_invoice)),
            ("livemode", json!(g.livemode)),
            ("next_pending_invoice_item_invoice", Value::Null),
            ("pause_collection", Value::Null),
            ("pending_invoice_item_interval", Value::Null),
            ("pending_update", Value::Null),
            ("schedule", json!(schedule)),
            ("start_date", json!(start)),
            ("status", json!(status)),
            ("transfer_data", Value::Null),
            ("trial_end", json!(trial_end)),
            ("trial_start", json!(trial_end.map(|_| start))),
            (
                "cancel_at_period_end",
                json!(kind == SubKind::CancelAtPeriodEnd),
            ),
            ("billing_thresholds", Value::Null),
        ],
    );
    ds.subscriptions.push(sub);
    SubOutcome {
        id: sub_id,
        customer_idx,
    }
}

/// The invoice Stripe would create at the start of the subscription's next period, as
/// `POST /v1/invoices/create_preview` returns it (id `upcoming_in_…`, status `draft`). `None`
/// when the subscription will not be billed again.
pub(in crate::dataset) fn preview_invoice(
    ds: &mut Dataset,
    g: &mut Generator,
    sub_id: &str,
    now: i64,
) -> Option<Value> {
    let sub = ds.subscriptions.iter().find(|s| s["id"] == sub_id)?.clone();
    if matches!(sub["status"].as_str()?, "canceled" | "incomplete_expired")
        || sub["cancel_at_period_end"] == true
    {
        return None;
    }
    let (start, end) = Dataset::next_period(&sub)?;
    if sub["cancel_at"]
        .as_i64()
        .map(|c| c <= start)
        .unwrap_or(false)
    {
        return None;
    }
    if let Some(sched) = sub["schedule"].as_str() {
        let sc = ds
            .subscription_schedules
            .iter()
            .find(|s| s["id"] == sched)?;
        let last_end = sc["phases"].as_array()?.last()?["end_date"].as_i64();
        if sc["end_behavior"] == "cancel" && last_end.map(|e| e <= start).unwrap_or(false) {
            return None;
        }
    }
    let item = &sub["items"]["data"][0];
    let currency = sub["currency"].as_str()?.to_string();
    let mode = match currency.as_str() {
        "eur" => TaxMode::FrInclusive,
        "gbp" => TaxMode::GbInclusive,
        _ => TaxMode::None,
    };
    let mut lines = Vec::new();
    for it in sub["items"]["data"].as_array()? {
        let price_id = it["price"]["id"].as_str()?.to_string();
        let product_id = it["price"]["product"].as_str()?.to_string();
        let name = ds
            .products
            .iter()
            .find(|p| p["id"] == product_id.as_str())
            .and_then(|p| p["name"].as_str())
            .unwrap_or("")
            .to_string();
        let reduced = SUBSCRIPTION_PRODUCTS
            .iter()
            .find(|d| d.name == name)
            .map(|d| d.reduced_vat)
            .unwrap_or(false);
        let qty = it["quantity"].as_i64().unwrap_or(1);
        let unit = it["price"]["unit_amount"].as_i64().unwrap_or(0);
        lines.push(Line {
            description: name,
            price_id,
            product_id,
            qty,
            unit,
            subtotal: unit * qty,
            discount: 0,
            tax: tax_for(g, mode, reduced).map(|t| (t, 0, 0)),
        });
    }
    finish_tax(&mut lines);
    let customer = sub["customer"].as_str().map(String::from);
    let person = ds
        .customers
        .iter()
        .find(|c| Some(c["id"].as_str().unwrap_or("")) == customer.as_deref())
        .filter(|c| c["deleted"] != true)
        .map(person_from_customer);
    let si = item["id"].as_str().unwrap_or("").to_string();
    let before = ds.invoices.len();
    build_invoice(
        ds,
        g,
        &InvoicePlan {
            created: start,
            customer: customer.as_deref(),
            person: person.as_ref(),
            ship_to: None,
            currency: &currency,
            lines: &lines,
            discount: None,
            shipping: None,
            status: "draft",
            billing_reason: "upcoming",
            subscription: Some((sub_id, &si)),
            period: (start, end),
            now,
        },
    );
    let mut inv = ds.invoices.pop()?;
    debug_assert_eq!(ds.invoices.len(), before);
    let id = format!("upcoming_{}", inv["id"].as_str().unwrap_or("in_"));
    inv["id"] = json!(id);
    inv["next_payment_attempt"] = json!(start);
    inv["automatically_finalizes_at"] = json!(start + 3600);
    inv["webhooks_delivered_at"] = Value::Null;
    inv["lines"]["url"] = json!(format!("/v1/invoices/{id}/lines"));
    if let Some(lines) = inv["lines"]["data"].as_array_mut() {
        for l in lines {
            l["invoice"] = json!(id);
            l["id"] = json!(format!(
                "il_tmp_{}",
                &l["id"].as_str().unwrap_or("il_")[3..]
            ));
        }
    }
    Some(inv)
}
