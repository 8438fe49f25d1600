//! The simulator's state: the dataset, an id index, and Stripe's list, cursor, filter and
//! expansion semantics over it.

use crate::api::ApiError;
use comptoir_core::dataset::{Dataset, EVENT_RETENTION_DAYS};
use serde_json::{json, Value};
use std::collections::HashMap;

/// Items an expanded session embeds, as on Stripe; the rest is behind `/line_items`.
pub const SESSION_EMBEDDED_ITEMS: usize = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Customer,
    Session,
    Invoice,
    Subscription,
    Schedule,
    ShippingRate,
    PaymentMethod,
    PaymentIntent,
    Product,
    Price,
    Coupon,
    PromotionCode,
    Discount,
    TaxRate,
    Event,
    Charge,
    Refund,
    Dispute,
}

const KINDS: [Kind; 18] = [
    Kind::Customer,
    Kind::Session,
    Kind::Invoice,
    Kind::Subscription,
    Kind::Schedule,
    Kind::ShippingRate,
    Kind::PaymentMethod,
    Kind::PaymentIntent,
    Kind::Product,
    Kind::Price,
    Kind::Coupon,
    Kind::PromotionCode,
    Kind::Discount,
    Kind::TaxRate,
    Kind::Event,
    Kind::Charge,
    Kind::Refund,
    Kind::Dispute,
];

impl Kind {
    /// The word Stripe uses in "No such …" messages.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Customer => "customer",
            Kind::Session => "checkout.session",
            Kind::Invoice => "invoice",
            Kind::Subscription => "subscription",
            Kind::Schedule => "subscription_schedule",
            Kind::ShippingRate => "shipping_rate",
            Kind::PaymentMethod => "payment_method",
            Kind::PaymentIntent => "payment_intent",
            Kind::Product => "product",
            Kind::Price => "price",
            Kind::Coupon => "coupon",
            Kind::PromotionCode => "promotion_code",
            Kind::Discount => "discount",
            Kind::TaxRate => "tax_rate",
            Kind::Event => "event",
            Kind::Charge => "charge",
            Kind::Refund => "refund",
            Kind::Dispute => "dispute",
        }
    }
}

pub struct Store {
    pub ds: Dataset,
    /// The simulator's clock (unix seconds): new objects get it as `created`, and events older
    /// than 30 days before it are gone.
    pub now: i64,
    index: HashMap<String, (Kind, usize)>,
    /// `created` of deleted customers, whose stored form no longer has it.
    deleted_created: HashMap<String, i64>,
    /// Answers of POSTs by their Idempotency-Key: a retry gets the first answer, and Stripe acts
    /// once.
    pub idempotent: HashMap<String, Value>,
}

fn created(v: &Value) -> i64 {
    v["created"].as_i64().unwrap_or(0)
}

impl Store {
    pub fn new(ds: Dataset) -> Self {
        let now = ds.now;
        let mut s = Store {
            ds,
            now,
            index: HashMap::new(),
            deleted_created: HashMap::new(),
            idempotent: HashMap::new(),
        };
        s.reindex();
        s
    }

    pub fn vec(&self, kind: Kind) -> &Vec<Value> {
        let d = &self.ds;
        match kind {
            Kind::Customer => &d.customers,
            Kind::Session => &d.checkout_sessions,
            Kind::Invoice => &d.invoices,
            Kind::Subscription => &d.subscriptions,
            Kind::Schedule => &d.subscription_schedules,
            Kind::ShippingRate => &d.shipping_rates,
            Kind::PaymentMethod => &d.payment_methods,
            Kind::PaymentIntent => &d.payment_intents,
            Kind::Product => &d.products,
            Kind::Price => &d.prices,
            Kind::Coupon => &d.coupons,
            Kind::PromotionCode => &d.promotion_codes,
            Kind::Discount => &d.discounts,
            Kind::TaxRate => &d.tax_rates,
            Kind::Event => &d.events,
            Kind::Charge => &d.charges,
            Kind::Refund => &d.refunds,
            Kind::Dispute => &d.disputes,
        }
    }

    /// Rebuild the id index after a mutation (cheap next to a request's JSON work).
    pub fn reindex(&mut self) {
        let mut index = HashMap::with_capacity(self.index.len());
        for kind in KINDS {
            for (i, v) in self.vec(kind).iter().enumerate() {
                if let Some(id) = v["id"].as_str() {
                    index.insert(id.to_string(), (kind, i));
                }
            }
        }
        self.index = index;
    }

    /// Note a customer's `created` before it is replaced by its deleted form.
    pub fn remember_created(&mut self, id: &str) {
        if let Some(c) = self.get(Kind::Customer, id) {
            let t = created(c);
            self.deleted_created.insert(id.to_string(), t);
        }
    }

    fn visible(&self, kind: Kind, v: &Value) -> bool {
        match kind {
            Kind::Event => created(v) >= self.now - EVENT_RETENTION_DAYS * 86_400,
            _ => true,
        }
    }

    pub fn get(&self, kind: Kind, id: &str) -> Option<&Value> {
        let &(k, i) = self.index.get(id)?;
        let v = &self.vec(k)[i];
        (k == kind && self.visible(k, v)).then_some(v)
    }

    fn get_any(&self, id: &str) -> Option<(Kind, &Value)> {
        let &(k, i) = self.index.get(id)?;
        let v = &self.vec(k)[i];
        self.visible(k, v).then_some((k, v))
    }

    /// Sort key of an object in its list: newest first, then last inserted first.
    fn key(&self, kind: Kind, i: usize) -> (i64, usize) {
        let v = &self.vec(kind)[i];
        let c = match v["created"].as_i64() {
            Some(c) => c,
            None => v["id"]
                .as_str()
                .and_then(|id| self.deleted_created.get(id).copied())
                .unwrap_or(0),
        };
        (c, i)
    }

    /// One page of a list: `filter` selects, cursors position, `limit` cuts.
    pub fn list(
        &self,
        kind: Kind,
        page: &Page,
        filter: impl Fn(&Value) -> bool,
    ) -> Result<(Vec<&Value>, bool), ApiError> {
        let cursor = |id: &str, param: &str| -> Result<(i64, usize), ApiError> {
            match self.index.get(id) {
                Some(&(k, i)) if k == kind && self.visible(k, &self.vec(k)[i]) => {
                    Ok(self.key(kind, i))
                }
                _ => Err(ApiError::invalid(
                    &format!("No such {}: '{id}'", kind.noun()),
                    Some(param),
                )
                .with_code("resource_missing")),
            }
        };
        let after = page
            .starting_after
            .as_deref()
            .map(|id| cursor(id, "starting_after"))
            .transpose()?;
        let before = page
            .ending_before
            .as_deref()
            .map(|id| cursor(id, "ending_before"))
            .transpose()?;
        let mut keys: Vec<(i64, usize)> = (0..self.vec(kind).len())
            .filter(|&i| {
                let v = &self.vec(kind)[i];
                v["deleted"] != true && self.visible(kind, v) && filter(v)
            })
            .map(|i| self.key(kind, i))
            .collect();
        keys.sort_unstable_by(|a, b| b.cmp(a));
        let limit = page.limit;
        let (slice, has_more) = if let Some(b) = before {
            // The objects just newer than the cursor, still newest first.
            let end = keys.partition_point(|k| *k > b);
            let start = end.saturating_sub(limit);
            (&keys[start..end], start > 0)
        } else {
            let start = match after {
                Some(a) => keys.partition_point(|k| *k >= a),
                None => 0,
            };
            let end = (start + limit).min(keys.len());
            (&keys[start..end], end < keys.len())
        };
        Ok((
            slice.iter().map(|&(_, i)| &self.vec(kind)[i]).collect(),
            has_more,
        ))
    }

    /// Turn a stored object into what the API returns for `expand` paths (already split on dots,
    /// `data.` prefixes removed for lists): includable fields added or stripped, ids replaced by
    /// objects.
    pub fn render(
        &self,
        kind: Kind,
        obj: &Value,
        expand: &[Vec<String>],
    ) -> Result<Value, ApiError> {
        let mut v = obj.clone();
        let wants = |path: &[&str]| {
            expand
                .iter()
                .any(|e| e.len() >= path.len() && e.iter().zip(path).all(|(a, b)| a == b))
        };
        // An invoice's payments are includable: only sent when expanded.
        if kind == Kind::Invoice {
            let id = v["id"].as_str().unwrap_or_default().to_string();
            if let Some(o) = v.as_object_mut() {
                if !wants(&["payments"]) {
                    o.remove("payments");
                } else if o.get("payments").is_none_or(Value::is_null) {
                    // Every invoice has the list, empty until something is paid.
                    o.insert(
                        "payments".into(),
                        json!({"object": "list", "data": [], "has_more": false,
                               "url": format!("/v1/invoice_payments?invoice={id}")}),
                    );
                }
            }
        }
        if kind == Kind::Session {
            if !wants(&["total_details", "breakdown"]) {
                if let Some(td) = v.get_mut("total_details").and_then(Value::as_object_mut) {
                    td.remove("breakdown");
                }
            }
            if wants(&["line_items"]) {
                let id = v["id"].as_str().unwrap_or_default().to_string();
                let items = self
                    .ds
                    .session_line_items
                    .get(&id)
                    .map(Vec::as_slice)
                    .unwrap_or(&[]);
                let keep_discounts = wants(&["line_items", "data", "discounts"]);
                let keep_taxes = wants(&["line_items", "data", "taxes"]);
                let data: Vec<Value> = items
                    .iter()
                    .take(SESSION_EMBEDDED_ITEMS)
                    .map(|it| strip_item(it, keep_discounts, keep_taxes))
                    .collect();
                v["line_items"] = json!({
                    "object": "list", "data": data, "has_more": items.len() > SESSION_EMBEDDED_ITEMS,
                    "url": format!("/v1/checkout/sessions/{id}/line_items"),
                });
            }
        }
        for path in expand {
            let segs: Vec<&str> = path.iter().map(String::as_str).collect();
            self.expand(&mut v, &segs, &path.join("."))?;
        }
        Ok(v)
    }

    pub fn expand(&self, v: &mut Value, segs: &[&str], full: &str) -> Result<(), ApiError> {
        let Some((first, rest)) = segs.split_first() else {
            return Ok(());
        };
        match v {
            Value::Array(items) => {
                for it in items {
                    self.expand(it, segs, full)?;
                }
                Ok(())
            }
            Value::Object(map) => {
                let Some(child) = map.get_mut(*first) else {
                    return Err(ApiError::invalid(
                        &format!("This property cannot be expanded ({full})."),
                        Some("expand"),
                    ));
                };
                if let Value::String(id) = child {
                    // Deleted customers expand to their deleted form, as on Stripe; ids of
                    // objects the simulator does not hold (charges …) stay ids.
                    if let Some((k, obj)) = self.get_any(id) {
                        // Expanded objects come with only the includable fields the rest of
                        // the path asks for (`latest_invoice.payments`).
                        let rest_path: Vec<String> = rest.iter().map(|s| (*s).to_owned()).collect();
                        *child = self.render(k, obj, &[rest_path])?;
                    }
                }
                self.expand(child, rest, full)
            }
            _ => Ok(()),
        }
    }

    pub fn line_items(&self, session: &str) -> Option<&Vec<Value>> {
        self.ds.session_line_items.get(session)
    }
}

/// A line item without its includable `discounts` and `taxes` unless asked for.
pub fn strip_item(item: &Value, keep_discounts: bool, keep_taxes: bool) -> Value {
    let mut it = item.clone();
    if let Some(o) = it.as_object_mut() {
        if !keep_discounts {
            o.remove("discounts");
        }
        if !keep_taxes {
            o.remove("taxes");
        }
    }
    it
}

/// Paging parameters of a list request.
#[derive(Debug, Default, Clone)]
pub struct Page {
    pub limit: usize,
    pub starting_after: Option<String>,
    pub ending_before: Option<String>,
}
