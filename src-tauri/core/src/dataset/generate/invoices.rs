//! Invoices: the post-purchase invoice of an order, a merchant's one-off invoices and each
//! period of a subscription, with their lines, discounts, taxes and totals.

use super::common::{list, sets, CouponRef, Generator, DAY};
use super::customers::Person;
use super::money::{discount_object, invoice_tax, tax_sums, Line};
use crate::dataset::templates::skeleton;
use crate::dataset::Dataset;
use serde_json::{json, Value};

pub(super) struct InvoicePlan<'a> {
    pub(super) created: i64,
    pub(super) customer: Option<&'a str>,
    pub(super) person: Option<&'a Person>,
    pub(super) ship_to: Option<&'a Value>,
    pub(super) currency: &'a str,
    pub(super) lines: &'a [Line],
    pub(super) discount: Option<&'a CouponRef>,
    pub(super) shipping: Option<(&'a str, i64)>,
    pub(super) status: &'a str,
    pub(super) billing_reason: &'a str,
    pub(super) subscription: Option<(&'a str, &'a str)>,
    pub(super) period: (i64, i64),
    pub(super) now: i64,
}

pub(super) fn build_invoice(ds: &mut Dataset, g: &mut Generator, plan: &InvoicePlan) -> String {
    let id = g.id("in_", 24);
    let mut inv = skeleton("invoice");
    let discount = plan
        .discount
        .filter(|_| plan.lines.iter().any(|l| l.discount > 0))
        .map(|c| {
            discount_object(
                g,
                c,
                plan.created,
                plan.customer,
                None,
                Some(&id),
                plan.subscription.map(|s| s.0),
            )
        });
    let di = discount
        .as_ref()
        .map(|d| d["id"].as_str().unwrap().to_string());
    let line_tpl = skeleton("line_item");
    let mut data = Vec::with_capacity(plan.lines.len());
    for l in plan.lines {
        let mut li = line_tpl.clone();
        let parent = match plan.subscription {
            Some((sub, si)) => json!({
                "invoice_item_details": null,
                "subscription_item_details": {
                    "invoice_item": null, "proration": false, "proration_details": {"credited_items": null},
                    "subscription": sub, "subscription_item": si,
                },
                "type": "subscription_item_details",
            }),
            None => json!({
                "invoice_item_details": {
                    "invoice_item": g.id("ii_", 24), "proration": false, "proration_details": {"credited_items": null},
                    "subscription": null,
                },
                "subscription_item_details": null,
                "type": "invoice_item_details",
            }),
        };
        let discounts: Vec<Value> = di
            .iter()
            .filter(|_| l.discount > 0)
            .map(|d| json!(d))
            .collect();
        let discount_amounts: Vec<Value> = di
            .iter()
            .filter(|_| l.discount > 0)
            .map(|d| json!({"amount": l.discount, "discount": d}))
            .collect();
        let line_id = g.id("il_", 24);
        sets(
            &mut li,
            vec![
                ("amount", json!(l.subtotal)),
                ("currency", json!(plan.currency)),
                (
                    "description",
                    json!(if plan.subscription.is_some() {
                        format!("{} × {}", l.qty, l.description)
                    } else {
                        l.description.clone()
                    }),
                ),
                ("discount_amounts", Value::Array(discount_amounts)),
                ("discounts", Value::Array(discounts)),
                ("id", json!(line_id)),
                ("invoice", json!(id)),
                ("livemode", json!(g.livemode)),
                (
                    "period",
                    json!({"end": plan.period.1, "start": plan.period.0}),
                ),
                ("quantity", json!(l.qty)),
                ("subscription", json!(plan.subscription.map(|s| s.0))),
                (
                    "taxes",
                    Value::Array(
                        l.tax
                            .iter()
                            .map(|(t, a, x)| invoice_tax(t, *a, *x))
                            .collect(),
                    ),
                ),
                ("parent", parent),
                (
                    "pricing",
                    json!({"type": "price_details", "unit_amount_decimal": l.unit.to_string(),
                           "price_details": {"price": l.price_id, "product": l.product_id}}),
                ),
                ("subtotal", json!(l.subtotal)),
            ],
        );
        data.push(li);
    }
    let subtotal: i64 = plan.lines.iter().map(|l| l.subtotal).sum();
    let discount_total: i64 = plan.lines.iter().map(|l| l.discount).sum();
    let excl: i64 = plan.lines.iter().map(Line::exclusive_tax).sum();
    let all_tax: i64 = plan.lines.iter().map(Line::tax_amount).sum();
    let incl = all_tax - excl;
    let shipping = plan.shipping.map(|s| s.1).unwrap_or(0);
    let total = subtotal - discount_total + excl + shipping;
    let paid = plan.status == "paid";
    let finalized = plan.status != "draft";
    let token = format!("{}_{}", g.mode_prefix(), g.token(40));
    let acct = g.account_id.clone();
    let (hosted, pdf) = if finalized {
        (
            json!(format!("https://invoice.stripe.com/i/{acct}/{token}?s=ap")),
            json!(format!(
                "https://pay.stripe.com/invoice/{acct}/{token}/pdf?s=ap"
            )),
        )
    } else {
        (Value::Null, Value::Null)
    };
    let paid_at = if paid {
        Some((plan.created + 60).min(plan.now.max(plan.created)))
    } else {
        None
    };
    let p = plan.person;
    let ps = |f: fn(&Person) -> &str| p.map(|p| json!(f(p))).unwrap_or(Value::Null);
    let ship = plan.ship_to.cloned().unwrap_or(Value::Null);
    let parent = plan.subscription.map(|(sub, _)| {
        json!({"quote_details": null, "subscription_details": {"metadata": {}, "subscription": sub}, "type": "subscription_details"})
    });
    sets(
        &mut inv,
        vec![
            ("account_country", json!("FR")),
            ("account_name", json!("Comptoir — Épicerie fine")),
            ("amount_due", json!(total)),
            ("amount_paid", json!(if paid { total } else { 0 })),
            ("amount_remaining", json!(if paid { 0 } else { total })),
            ("amount_shipping", json!(shipping)),
            ("attempt_count", json!(if plan.status == "open" && plan.subscription.is_some() { 2 } else { i64::from(finalized) })),
            ("attempted", json!(finalized)),
            ("billing_reason", json!(plan.billing_reason)),
            ("created", json!(plan.created)),
            ("currency", json!(plan.currency)),
            ("customer", json!(plan.customer)),
            ("customer_address", p.map(|p| p.address.clone()).unwrap_or(Value::Null)),
            ("customer_email", ps(|p| &p.email)),
            ("customer_name", ps(|p| &p.name)),
            ("customer_phone", ps(|p| &p.phone)),
            ("customer_shipping", ship.clone()),
            ("discounts", json!(di.iter().collect::<Vec<_>>())),
            ("due_date", Value::Null),
            ("effective_at", if finalized { json!(plan.created) } else { Value::Null }),
            ("ending_balance", json!(0)),
            ("from_invoice", Value::Null),
            ("hosted_invoice_url", hosted),
            ("id", json!(id)),
            ("invoice_pdf", pdf),
            ("last_finalization_error", Value::Null),
            (
                "lines",
                list(data, format!("/v1/invoices/{id}/lines")),
            ),
            ("livemode", json!(g.livemode)),
            ("next_payment_attempt", if plan.status == "open" { json!(plan.created + 3 * DAY) } else { Value::Null }),
            ("period_end", json!(plan.created)),
            ("period_start", json!(plan.created)),
            (
                "shipping_cost",
                plan.shipping
                    .map(|(rate, amount)| json!({"amount_subtotal": amount, "amount_tax": 0, "amount_total": amount, "shipping_rate": rate}))
                    .unwrap_or(Value::Null),
            ),
            ("shipping_details", ship),
            ("status", json!(plan.status)),
            (
                "status_transitions",
                json!({"finalized_at": if finalized { Some(plan.created) } else { None }, "marked_uncollectible_at": null,
                       "paid_at": paid_at, "voided_at": null}),
            ),
            ("subtotal", json!(subtotal)),
            ("subtotal_excluding_tax", json!(subtotal - incl)),
            ("total", json!(total)),
            (
                "total_discount_amounts",
                Value::Array(
                    di.iter().map(|d| json!({"amount": discount_total, "discount": d})).collect(),
                ),
            ),
            ("total_excluding_tax", json!(total - all_tax)),
            ("webhooks_delivered_at", json!(plan.created)),
            ("total_pretax_credit_amounts", json!([])),
            (
                "total_taxes",
                Value::Array(
                    tax_sums(plan.lines).iter().map(|(t, a, x)| invoice_tax(t, *a, *x)).collect(),
                ),
            ),
            ("amount_overpaid", json!(0)),
            ("parent", parent.unwrap_or(Value::Null)),
        ],
    );
    if let Some(d) = discount {
        ds.discounts.push(d);
    }
    ds.invoices.push(inv);
    id
}
