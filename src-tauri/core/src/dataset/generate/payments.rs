//! Payments: payment methods, PaymentIntents and their charges, an invoice's payments, failed
//! attempts, SEPA debits that are still processing or bounce, refunds and disputes.

use super::common::{add, civil_from_days, list, set, sets, Generator, DAY};
use super::customers::Person;
use crate::dataset::templates::{skeleton, template};
use crate::dataset::Dataset;
use rand::Rng;
use serde_json::{json, Value};

pub(super) fn payment_method(
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

/// What a PaymentIntent holds; ids and secret are drawn by the caller, so each place keeps its
/// own order of random draws (and the data its seed gives).
pub(super) struct PaymentPlan<'a> {
    pub(super) id: &'a str,
    pub(super) charge: &'a str,
    pub(super) secret: String,
    pub(super) amount: i64,
    pub(super) received: i64,
    pub(super) currency: Value,
    pub(super) customer: Value,
    pub(super) created: i64,
    pub(super) status: &'a str,
    pub(super) error: Value,
}

pub(super) fn payment_intent_object(g: &Generator, p: PaymentPlan) -> Value {
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
pub(super) fn charge_object(
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
pub(super) fn failed_attempts(
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
pub(in crate::dataset) fn sepa_failure() -> Value {
    json!({
        "code": "insufficient_funds",
        "decline_code": null,
        "doc_url": "https://stripe.com/docs/error-codes/insufficient-funds",
        "message": "The customer's account has insufficient funds to cover this payment.",
        "type": "card_error"
    })
}

/// A refund of `amount` on a charge, at `at`: the Refund object and the charge's totals.
pub(in crate::dataset) fn add_refund(
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
pub(in crate::dataset) fn add_dispute(
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
pub(super) fn payment_cases(ds: &mut Dataset, g: &mut Generator, now: i64) {
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

/// Every paid invoice outside a subscription lists its payments (`payments`, includable:
/// Stripe sends it only when expanded; the simulator strips it otherwise). A session's invoice
/// was paid by the session's PaymentIntent; a one-off invoice by a PaymentIntent of its own,
/// with its charge. Added after the events, whose snapshots never carry includable fields.
pub(super) fn invoice_payments(ds: &mut Dataset, g: &mut Generator) {
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
