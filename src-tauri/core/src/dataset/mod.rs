//! Stripe-shaped sample data: the demo store, and the data the Stripe simulator serves to tests
//! and benchmarks.
//!
//! Every object is a clone of Stripe's official example object (`data/stripe-templates.json`, a
//! verbatim subset of stripe/openapi's `fixtures3.json`) with its fields overwritten, so shapes
//! never drift from what the API sends. Generation is deterministic for a seed.
//!
//! Conventions worth knowing when reading the data:
//! - amounts are integer minor units (`jpy` is zero-decimal: amounts are whole yen);
//! - a session's `total_details.breakdown` and its line items' `discounts`/`taxes` are stored
//!   filled in; Stripe only returns them when expanded (the simulator strips them otherwise);
//! - orders are the sessions with `mode == "payment"` and `status == "complete"`; other sessions
//!   (open, expired, subscription and setup mode) are mixed in on purpose;
//! - deleted customers are kept in `customers` in their `{"id","object","deleted":true}` form.

mod generate;
pub mod templates;

#[cfg(test)]
mod tests;

use serde_json::{json, Value};
use std::collections::HashMap;

pub use generate::EVENT_RETENTION_DAYS;
pub use templates::{template, TEMPLATE_NAMES};

/// What to generate.
#[derive(Debug, Clone)]
pub struct DatasetSpec {
    /// Completed payment-mode Checkout Sessions.
    pub orders: usize,
    /// Paid invoices without a subscription.
    pub one_off_invoices: usize,
    pub subscriptions: usize,
    pub deleted_customers: usize,
    pub seed: u64,
    /// Unix seconds; every `created` is at or before it, spread over the two years before.
    pub now: i64,
    /// Put HTML/script payloads into some names, address lines and product descriptions.
    pub hostile_text: bool,
    /// Live-mode ids (`cs_live_…`) and `livemode: true`.
    pub livemode: bool,
}

impl Default for DatasetSpec {
    fn default() -> Self {
        DatasetSpec {
            orders: 200,
            one_off_invoices: 20,
            subscriptions: 30,
            deleted_customers: 3,
            seed: 42,
            // 2026-11-01T00:00:00Z: fixed so that a default dataset is the same on every run.
            now: 1_793_491_200,
            hostile_text: false,
            livemode: false,
        }
    }
}

/// How a new order reaches its customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderShipping {
    /// A delivery rate and `collected_information.shipping_details`.
    Delivery,
    /// A pickup rate ("Retrait en boutique", "Click & collect"), no address.
    Pickup,
    /// Neither a rate nor an address.
    None,
}

/// An order to add to an existing dataset (what a test does to simulate a new sale).
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub created: i64,
    /// An existing customer id; `None` picks a random customer that is not deleted.
    pub customer: Option<String>,
    pub shipping: OrderShipping,
    /// Number of cart lines (more than 10 exercises `line_items.has_more`).
    pub items: usize,
    /// Create the post-purchase invoice (`invoice_creation.enabled`).
    pub with_invoice: bool,
}

impl NewOrder {
    pub fn at(created: i64) -> Self {
        NewOrder {
            created,
            customer: None,
            shipping: OrderShipping::Delivery,
            items: 2,
            with_invoice: true,
        }
    }
}

/// A whole Stripe account's worth of objects, as `serde_json::Value`s shaped like the API.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub account: Value,
    /// Includes deleted customers in their `{"id","object":"customer","deleted":true}` form.
    pub customers: Vec<Value>,
    pub checkout_sessions: Vec<Value>,
    /// Session id → its `item` objects, in cart order.
    pub session_line_items: HashMap<String, Vec<Value>>,
    pub invoices: Vec<Value>,
    pub subscriptions: Vec<Value>,
    pub subscription_schedules: Vec<Value>,
    pub shipping_rates: Vec<Value>,
    pub payment_methods: Vec<Value>,
    pub products: Vec<Value>,
    pub prices: Vec<Value>,
    pub coupons: Vec<Value>,
    pub promotion_codes: Vec<Value>,
    pub discounts: Vec<Value>,
    pub tax_rates: Vec<Value>,
    pub payment_intents: Vec<Value>,
    /// One charge per PaymentIntent (its `latest_charge`), with its refunds' total.
    pub charges: Vec<Value>,
    pub refunds: Vec<Value>,
    pub disputes: Vec<Value>,
    /// Oldest first; ids increase with time.
    pub events: Vec<Value>,
    /// The dataset's "now" (unix seconds).
    pub now: i64,
    generator: Option<Box<generate::Generator>>,
}

impl Dataset {
    fn empty(now: i64) -> Self {
        Dataset {
            account: Value::Null,
            customers: Vec::new(),
            checkout_sessions: Vec::new(),
            session_line_items: HashMap::new(),
            invoices: Vec::new(),
            subscriptions: Vec::new(),
            subscription_schedules: Vec::new(),
            shipping_rates: Vec::new(),
            payment_methods: Vec::new(),
            products: Vec::new(),
            prices: Vec::new(),
            coupons: Vec::new(),
            promotion_codes: Vec::new(),
            discounts: Vec::new(),
            tax_rates: Vec::new(),
            payment_intents: Vec::new(),
            charges: Vec::new(),
            refunds: Vec::new(),
            disputes: Vec::new(),
            events: Vec::new(),
            now,
            generator: None,
        }
    }

    /// Generate a dataset; the same spec always gives the same objects.
    pub fn generate(spec: &DatasetSpec) -> Dataset {
        generate::generate(spec)
    }

    /// The in-app demo store: about 150 orders and 25 subscriptions, mostly in euros.
    pub fn demo(now: i64) -> Dataset {
        Dataset::generate(&DatasetSpec {
            orders: 150,
            one_off_invoices: 12,
            subscriptions: 25,
            deleted_customers: 2,
            seed: 2026,
            now,
            hostile_text: false,
            livemode: false,
        })
    }

    fn with_gen<R>(&mut self, f: impl FnOnce(&mut Dataset, &mut generate::Generator) -> R) -> R {
        let mut g = self.generator.take().expect("dataset was generated");
        let r = f(self, &mut g);
        self.generator = Some(g);
        r
    }

    /// Add a completed order (session, line items, PaymentIntent, invoice) and its events
    /// (`checkout.session.completed`, `invoice.paid`). Returns the session id.
    pub fn add_order(&mut self, order: &NewOrder) -> String {
        self.with_gen(|ds, g| generate::add_order(ds, g, order))
    }

    /// An asynchronous payment (SEPA debit) of a completed session ends: it succeeds (the
    /// session becomes `paid`) or fails. Emits `checkout.session.async_payment_succeeded` or
    /// `_failed`. False when the session or its payment is unknown.
    pub fn settle_payment(&mut self, session_id: &str, succeeded: bool, at: i64) -> bool {
        let Some(si) = self
            .checkout_sessions
            .iter()
            .position(|s| s["id"] == session_id)
        else {
            return false;
        };
        let Some(pi_id) = self.checkout_sessions[si]["payment_intent"]
            .as_str()
            .map(str::to_owned)
        else {
            return false;
        };
        let Some(pi) = self
            .payment_intents
            .iter_mut()
            .find(|p| p["id"] == pi_id.as_str())
        else {
            return false;
        };
        let amount = pi["amount"].clone();
        let charge_id = pi["latest_charge"].as_str().unwrap_or_default().to_owned();
        if succeeded {
            pi["status"] = json!("succeeded");
            pi["amount_received"] = amount.clone();
            pi["last_payment_error"] = Value::Null;
        } else {
            pi["status"] = json!("requires_payment_method");
            pi["last_payment_error"] = generate::sepa_failure();
        }
        if let Some(c) = self
            .charges
            .iter_mut()
            .find(|c| c["id"] == charge_id.as_str())
        {
            c["status"] = json!(if succeeded { "succeeded" } else { "failed" });
            c["paid"] = json!(succeeded);
            c["amount_captured"] = if succeeded { amount } else { json!(0) };
            if !succeeded {
                c["failure_code"] = json!("insufficient_funds");
                c["failure_message"] = generate::sepa_failure()["message"].clone();
            }
        }
        if succeeded {
            self.checkout_sessions[si]["payment_status"] = json!("paid");
        }
        let snapshot = generate::session_snapshot(&self.checkout_sessions[si]);
        let t = if succeeded {
            "checkout.session.async_payment_succeeded"
        } else {
            "checkout.session.async_payment_failed"
        };
        self.push_event(t, snapshot, at, None);
        true
    }

    /// Refunds `amount` of a PaymentIntent's charge: a Refund object, the charge's
    /// `amount_refunded`, and the `refund.created` and `charge.refunded` events. Returns the
    /// refund id.
    pub fn refund(&mut self, payment_intent: &str, amount: i64, at: i64) -> Option<String> {
        let pi = self
            .payment_intents
            .iter()
            .find(|p| p["id"] == payment_intent)?;
        let charge_id = pi["latest_charge"].as_str()?.to_owned();
        let refund = self.with_gen(|ds, g| generate::add_refund(ds, g, &charge_id, amount, at))?;
        let charge = self
            .charges
            .iter()
            .find(|c| c["id"] == charge_id.as_str())?
            .clone();
        let refund_obj = self
            .refunds
            .iter()
            .find(|r| r["id"] == refund.as_str())?
            .clone();
        self.push_event("refund.created", refund_obj, at, None);
        self.push_event("charge.refunded", charge, at, None);
        Some(refund)
    }

    /// Opens a dispute on a PaymentIntent's charge (`charge.dispute.created`). Returns its id.
    pub fn dispute(&mut self, payment_intent: &str, at: i64) -> Option<String> {
        let pi = self
            .payment_intents
            .iter()
            .find(|p| p["id"] == payment_intent)?;
        let charge_id = pi["latest_charge"].as_str()?.to_owned();
        let id = self.with_gen(|ds, g| generate::add_dispute(ds, g, &charge_id, at))?;
        let d = self
            .disputes
            .iter()
            .find(|d| d["id"] == id.as_str())?
            .clone();
        self.push_event("charge.dispute.created", d, at, None);
        Some(id)
    }

    /// Append an event for `object` at `at`. Returns the event id.
    pub fn push_event(
        &mut self,
        type_: &str,
        object: Value,
        at: i64,
        previous_attributes: Option<Value>,
    ) -> String {
        self.with_gen(|ds, g| {
            let e = generate::make_event(g, type_, object, at, previous_attributes);
            let id = e["id"].as_str().unwrap_or_default().to_string();
            ds.events.push(e);
            id
        })
    }

    /// The ids of the orders this data holds by the README's definition, counted on the raw
    /// objects (independently of the app's mapping), sorted: completed Checkout Sessions in
    /// `payment` mode; paid invoices of no subscription and of none of those sessions (a
    /// session's post-purchase invoice is part of its order); and the paid cycles of
    /// subscriptions to a shippable product paid since `recent_since` (subscription boxes).
    pub fn order_ids(&self, recent_since: i64) -> Vec<String> {
        let mut ids = Vec::new();
        let mut session_invoices = std::collections::HashSet::new();
        for s in &self.checkout_sessions {
            if s["mode"] == "payment" && s["status"] == "complete" {
                ids.push(s["id"].as_str().unwrap_or_default().to_owned());
                if let Some(inv) = s["invoice"].as_str() {
                    session_invoices.insert(inv.to_owned());
                }
            }
        }
        let shippable: std::collections::HashSet<&str> = self
            .products
            .iter()
            .filter(|p| p["shippable"] == true)
            .filter_map(|p| p["id"].as_str())
            .collect();
        for i in self.invoices.iter().filter(|i| i["status"] == "paid") {
            let id = i["id"].as_str().unwrap_or_default();
            let sub = i
                .pointer("/parent/subscription_details/subscription")
                .or_else(|| i.get("subscription"))
                .filter(|v| !v.is_null());
            let order = match sub {
                None => !session_invoices.contains(id),
                Some(_) => {
                    let paid = i
                        .pointer("/status_transitions/paid_at")
                        .and_then(Value::as_i64)
                        .or_else(|| i["created"].as_i64())
                        .unwrap_or(0);
                    let ships = i["lines"]["data"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|l| {
                            l.pointer("/pricing/price_details/product")
                                .or_else(|| l.pointer("/price/product"))
                                .and_then(Value::as_str)
                                .is_some_and(|p| shippable.contains(p))
                        });
                    ships && paid >= recent_since
                }
            };
            if order {
                ids.push(id.to_owned());
            }
        }
        ids.sort();
        ids
    }

    /// Renews a subscription at `at`: its next cycle's invoice, a copy of the latest one moved
    /// one period on, numbered after it and paid (outside Stripe's payment flow: no
    /// PaymentIntent), with `invoice.paid`. Returns the new invoice's id; `None` for an
    /// unknown subscription or one without invoices.
    pub fn renew_subscription(&mut self, sub_id: &str, at: i64) -> Option<String> {
        let of_sub = |inv: &Value| {
            inv.pointer("/parent/subscription_details/subscription")
                .or_else(|| inv.get("subscription"))
                .and_then(Value::as_str)
                == Some(sub_id)
        };
        let latest = self
            .invoices
            .iter()
            .filter(|i| of_sub(i))
            .max_by_key(|i| i["created"].as_i64().unwrap_or(0))?
            .clone();
        let start = latest["period_end"].as_i64()?;
        let length = start - latest["period_start"].as_i64().unwrap_or(start);
        self.with_gen(|ds, g| {
            let mut inv = latest;
            let id = g.id("in_", 24);
            let count = ds.invoices.iter().filter(|i| of_sub(i)).count() + 1;
            inv["id"] = Value::String(id.clone());
            if let Some(n) = inv["number"].as_str() {
                let stem = n.rsplit_once('-').map_or(n, |(stem, _)| stem).to_owned();
                inv["number"] = Value::String(format!("{stem}-{count:04}"));
            }
            inv["created"] = at.into();
            inv["period_start"] = start.into();
            inv["period_end"] = (start + length.max(1)).into();
            inv["status"] = "paid".into();
            inv["billing_reason"] = "subscription_cycle".into();
            inv["status_transitions"]["paid_at"] = at.into();
            inv["status_transitions"]["finalized_at"] = at.into();
            inv["metadata"] = serde_json::json!({});
            for key in ["payment_intent", "charge"] {
                if let Some(o) = inv.as_object_mut() {
                    o.remove(key);
                }
            }
            inv["payments"] = serde_json::json!({"object": "list", "data": [], "has_more": false,
                "url": format!("/v1/invoice_payments?invoice={id}")});
            if let Some(lines) = inv["lines"]["data"].as_array_mut() {
                for l in lines {
                    l["period"] = serde_json::json!({"start": start, "end": start + length.max(1)});
                }
            }
            let e = generate::make_event(g, "invoice.paid", inv.clone(), at, None);
            ds.events.push(e);
            ds.invoices.push(inv);
            Some(id)
        })
    }

    /// Rename a customer and emit `customer.updated`. False when missing or deleted.
    pub fn update_customer_name(&mut self, id: &str, name: &str, at: i64) -> bool {
        let Some(c) = self
            .customers
            .iter_mut()
            .find(|c| c["id"] == id && c["deleted"] != true)
        else {
            return false;
        };
        let previous = serde_json::json!({"name": c["name"].clone()});
        c["name"] = Value::String(name.to_string());
        let snapshot = c.clone();
        self.push_event("customer.updated", snapshot, at, Some(previous));
        true
    }

    /// Delete a customer (it stays retrievable in its deleted form) and emit `customer.deleted`.
    pub fn delete_customer(&mut self, id: &str, at: i64) -> bool {
        let Some(c) = self
            .customers
            .iter_mut()
            .find(|c| c["id"] == id && c["deleted"] != true)
        else {
            return false;
        };
        let snapshot = c.clone();
        let mut d = template("deleted_customer");
        d["id"] = Value::String(id.to_string());
        *c = d;
        self.push_event("customer.deleted", snapshot, at, None);
        true
    }

    /// Apply `metadata[k]=v` updates to an invoice (an empty value removes the key, as on Stripe)
    /// and emit `invoice.updated`.
    pub fn update_invoice_metadata(
        &mut self,
        id: &str,
        changes: &[(String, String)],
        at: i64,
    ) -> Option<Value> {
        self.update_metadata("invoice", id, changes, at)
    }

    /// Apply `metadata[k]=v` updates (an empty value removes the key, as on Stripe) to an
    /// invoice, a charge or a Checkout Session. As on Stripe, an invoice emits
    /// `invoice.updated` and a charge `charge.updated` (with the previous metadata); a session
    /// emits nothing, since Stripe has no `checkout.session.updated` event.
    pub fn update_metadata(
        &mut self,
        object: &str,
        id: &str,
        changes: &[(String, String)],
        at: i64,
    ) -> Option<Value> {
        let (list, event) = match object {
            "invoice" => (&mut self.invoices, Some("invoice.updated")),
            "charge" => (&mut self.charges, Some("charge.updated")),
            "checkout.session" => (&mut self.checkout_sessions, None),
            _ => return None,
        };
        let obj = list.iter_mut().find(|i| i["id"] == id)?;
        let previous = serde_json::json!({"metadata": obj["metadata"].clone()});
        if !obj["metadata"].is_object() {
            obj["metadata"] = serde_json::json!({});
        }
        let meta = obj["metadata"].as_object_mut()?;
        for (k, v) in changes {
            if v.is_empty() {
                meta.remove(k);
            } else {
                meta.insert(k.clone(), Value::String(v.clone()));
            }
        }
        let snapshot = obj.clone();
        if let Some(event) = event {
            self.push_event(event, snapshot.clone(), at, Some(previous));
        }
        Some(snapshot)
    }

    /// True for a session Comptoir turns into an order.
    pub fn is_order(session: &Value) -> bool {
        session["mode"] == "payment" && session["status"] == "complete"
    }

    /// What `POST /v1/invoices/create_preview` returns for the subscription: a draft invoice
    /// (id `upcoming_in_…`) for its next period. `None` when it will not be billed again
    /// (canceled, cancelling at period end, `cancel_at` or schedule ending first).
    pub fn preview_invoice(&mut self, subscription: &str, now: i64) -> Option<Value> {
        self.with_gen(|ds, g| generate::preview_invoice(ds, g, subscription, now))
    }

    /// The subscription's next period as `(start, end)`, from its first item.
    pub fn next_period(subscription: &Value) -> Option<(i64, i64)> {
        let item = &subscription["items"]["data"][0];
        let start = item["current_period_end"].as_i64()?;
        let rec = &item["price"]["recurring"];
        let end = generate::add_interval(
            start,
            rec["interval"].as_str()?,
            rec["interval_count"].as_i64()?,
        );
        Some((start, end))
    }
}
