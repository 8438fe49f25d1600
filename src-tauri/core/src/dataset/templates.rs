//! Stripe's official example objects (a verbatim subset of `fixtures3.json` from stripe/openapi),
//! embedded so generated objects always have the exact shape the API sends.

use serde_json::Value;
use std::sync::OnceLock;

/// The raw embedded file: `{"resources": {"<object type>": {...}}}`.
pub const TEMPLATES_JSON: &str = include_str!("../../data/stripe-templates.json");

/// The resource names embedded, as Stripe spells the `object` type.
pub const TEMPLATE_NAMES: &[&str] = &[
    "account",
    "charge",
    "checkout.session",
    "coupon",
    "customer",
    "deleted_customer",
    "discount",
    "dispute",
    "event",
    "invoice",
    "invoice_payment",
    "item",
    "line_item",
    "payment_intent",
    "payment_method",
    "price",
    "product",
    "promotion_code",
    "refund",
    "shipping_rate",
    "subscription",
    "subscription_item",
    "subscription_schedule",
    "tax_rate",
];

fn all() -> &'static Value {
    static PARSED: OnceLock<Value> = OnceLock::new();
    PARSED.get_or_init(|| {
        serde_json::from_str(TEMPLATES_JSON).expect("embedded stripe-templates.json is valid JSON")
    })
}

/// A fresh copy of the example object for `name` (for example `"checkout.session"`).
///
/// Panics on an unknown name: the set is fixed at compile time and covered by a test.
pub fn template(name: &str) -> Value {
    all()["resources"]
        .get(name)
        .unwrap_or_else(|| panic!("no Stripe template named {name}"))
        .clone()
}

/// Borrow the example object for `name` without cloning.
pub fn template_ref(name: &str) -> &'static Value {
    all()["resources"]
        .get(name)
        .unwrap_or_else(|| panic!("no Stripe template named {name}"))
}

/// Fields the generator always overwrites, per template. Cloning a template with these already
/// emptied avoids building (and then dropping) big example sub-objects for every object.
const OVERWRITTEN: &[(&str, &[&str])] = &[
    (
        "checkout.session",
        &[
            "custom_text",
            "customer_details",
            "collected_information",
            "currency_conversion",
            "invoice_creation",
            "total_details",
            "shipping_cost",
            "consent_collection",
            "after_expiration",
            "payment_method_configuration_details",
            "shipping_address_collection",
        ],
    ),
    ("item", &["price"]),
    (
        "invoice",
        &[
            "lines",
            "shipping_cost",
            "parent",
            "customer_address",
            "status_transitions",
            "from_invoice",
            "last_finalization_error",
        ],
    ),
    ("line_item", &["parent", "period", "pricing"]),
    (
        "subscription",
        &[
            "items",
            "pending_update",
            "billing_cycle_anchor_config",
            "transfer_data",
        ],
    ),
    ("subscription_item", &["price", "plan"]),
    ("customer", &["discount", "address", "invoice_settings"]),
    (
        "payment_intent",
        &["transfer_data", "payment_method_configuration_details"],
    ),
];

/// [`template`] with the fields the generator always overwrites set to `null` (keys kept, so
/// the shape check in the generator still applies).
pub(crate) fn skeleton(name: &str) -> Value {
    static SKELETONS: OnceLock<std::collections::HashMap<&'static str, Value>> = OnceLock::new();
    let all = SKELETONS.get_or_init(|| {
        OVERWRITTEN
            .iter()
            .map(|(n, fields)| {
                let mut v = template(n);
                for f in *fields {
                    if let Some(slot) = v.get_mut(*f) {
                        *slot = Value::Null;
                    }
                }
                (*n, v)
            })
            .collect()
    });
    match all.get(name) {
        Some(v) => v.clone(),
        None => template(name),
    }
}
