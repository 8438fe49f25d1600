//! Stripe objects (raw JSON, API 2026-09-30) → Comptoir's model.
//!
//! Mapping works on `serde_json::Value` rather than async-stripe's typed structs: a typed page
//! fails whole on one odd object (a deleted customer, an enum value newer than the crate), while
//! a merchant's order list must survive them. Every field is read defensively; a missing field
//! maps to `None` or zero, never to a panic.

use std::collections::HashMap;

use serde_json::Value;

use crate::model::{
    Address, Contact, CustomField, Customer, DiscountLine, Dispute, DisputeSummary, Invoice, Order,
    OrderLine, OrderPayment, OrderSource, PaymentFacts, PaymentFailure, PaymentMethodSummary,
    ShippingRate, Subscription, TaxLine, UpcomingInvoice,
};

#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    #[error("{object} has no `{field}`")]
    Missing {
        object: &'static str,
        field: &'static str,
    },
}

/// Reads `path` ("a.b.c") from `v`.
fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = v;
    for key in path.split('.') {
        cur = cur.get(key)?;
    }
    if cur.is_null() {
        None
    } else {
        Some(cur)
    }
}

fn str_at(v: &Value, path: &str) -> Option<String> {
    at(v, path)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn int_at(v: &Value, path: &str) -> Option<i64> {
    at(v, path).and_then(|x| x.as_i64().or_else(|| x.as_f64().map(|f| f as i64)))
}

fn bool_at(v: &Value, path: &str) -> bool {
    at(v, path).and_then(Value::as_bool).unwrap_or(false)
}

/// The id of an expandable field, whether it came as an id or as the expanded object.
pub fn expandable_id(v: &Value, path: &str) -> Option<String> {
    match at(v, path)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        obj @ Value::Object(_) => str_at(obj, "id"),
        _ => None,
    }
}

/// The expanded object of an expandable field, when it was expanded.
fn expanded<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    at(v, path).filter(|x| x.is_object())
}

fn required_str(
    v: &Value,
    object: &'static str,
    field: &'static str,
) -> Result<String, MappingError> {
    str_at(v, field).ok_or(MappingError::Missing { object, field })
}

fn address(v: Option<&Value>) -> Option<Address> {
    let v = v?;
    let a = Address {
        line1: str_at(v, "line1"),
        line2: str_at(v, "line2"),
        postal_code: str_at(v, "postal_code"),
        city: str_at(v, "city"),
        state: str_at(v, "state"),
        country: str_at(v, "country"),
    };
    (!a.is_empty()).then_some(a)
}

fn tax_ids(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|ids| {
            ids.iter()
                .filter_map(|t| {
                    let value = str_at(t, "value")?;
                    Some(match str_at(t, "type") {
                        Some(kind) => format!("{kind} {value}"),
                        None => value,
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A shipping contact (`{name, phone, address}`), or `None` when it holds no address.
fn shipping_contact(v: Option<&Value>, email: Option<String>) -> Option<Contact> {
    let v = v?;
    let address = address(at(v, "address"))?;
    Some(Contact {
        name: str_at(v, "name"),
        email,
        phone: str_at(v, "phone"),
        address: Some(address),
        tax_ids: Vec::new(),
    })
}

pub use crate::model::{delivery_kind, looks_like_pickup};

/// Short order number for orders without an invoice number: the id's last 8 characters.
pub fn short_id(id: &str) -> String {
    let tail: String = id
        .chars()
        .rev()
        .take(8)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("#{}", tail.to_uppercase())
}

fn locale_from(v: Option<&Value>) -> Option<String> {
    let raw = v?.as_str()?;
    let lang = raw.split(['-', '_']).next()?.to_lowercase();
    (!lang.is_empty() && lang != "auto").then_some(lang)
}

fn discount_name(d: &Value, known: &HashMap<String, String>) -> Option<String> {
    // A breakdown entry's `discount` holds `coupon` (2024 API) or `source.coupon` (2025+), each
    // maybe expanded; a promotion code's customer-facing code is the better name when present.
    // Unexpanded ids are looked up in the names the object's own `discounts` expanded.
    let discount = at(d, "discount").unwrap_or(d);
    let lookup = |path: &str| expandable_id(discount, path).and_then(|id| known.get(&id).cloned());
    str_at(discount, "promotion_code.code")
        .or_else(|| lookup("promotion_code"))
        .or_else(|| str_at(discount, "coupon.name"))
        .or_else(|| str_at(discount, "source.coupon.name"))
        .or_else(|| lookup("coupon"))
        .or_else(|| lookup("source.coupon"))
        .or_else(|| expandable_id(discount, "coupon"))
        .or_else(|| expandable_id(discount, "source.coupon"))
}

/// Names of the coupons and promotion codes an object's `discounts` list expanded, by id.
fn discount_names(obj: &Value) -> HashMap<String, String> {
    let mut names = HashMap::new();
    for d in at(obj, "discounts")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for (path, field) in [
            ("coupon", "name"),
            ("promotion_code", "code"),
            ("source.coupon", "name"),
        ] {
            if let Some(o) = expanded(d, path) {
                if let (Some(id), Some(name)) = (str_at(o, "id"), str_at(o, field)) {
                    names.insert(id, name);
                }
            }
        }
        // A promotion code names its coupon too: show the code the customer typed.
        if let (Some(code), Some(coupon)) =
            (str_at(d, "promotion_code.code"), expandable_id(d, "coupon"))
        {
            names.insert(coupon, code);
        }
    }
    names
}

fn rate_label(rate: &Value) -> (String, Option<String>) {
    let label = str_at(rate, "display_name")
        .or_else(|| str_at(rate, "description"))
        .unwrap_or_else(|| "Tax".to_owned());
    let pct = at(rate, "percentage").and_then(|p| p.as_f64()).map(|p| {
        let s = format!("{p:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    });
    (label, pct)
}

/// One Checkout line item (`object: "item"`).
pub fn order_line_from_item(item: &Value) -> OrderLine {
    let quantity = int_at(item, "quantity").unwrap_or(1);
    let amount_subtotal = int_at(item, "amount_subtotal").unwrap_or(0);
    OrderLine {
        description: str_at(item, "description")
            .or_else(|| str_at(item, "price.product.name"))
            .or_else(|| str_at(item, "price.nickname"))
            .unwrap_or_default(),
        quantity,
        unit_amount: int_at(item, "price.unit_amount")
            .or_else(|| (quantity > 0).then(|| amount_subtotal / quantity)),
        amount_subtotal,
        amount_discount: int_at(item, "amount_discount").unwrap_or(0),
        amount_tax: int_at(item, "amount_tax").unwrap_or(0),
        amount_total: int_at(item, "amount_total").unwrap_or(0),
        product_id: expandable_id(item, "price.product"),
    }
}

/// A product as the store keeps it for packing mode: its name, its first picture when that is
/// an https link on Stripe's file host (the only image host the window's content policy allows,
/// README: Packing mode), and its metadata.
pub fn product_to_store(p: &Value) -> Option<(String, Option<String>, Option<String>, Value)> {
    let id = str_at(p, "id")?;
    let image = at(p, "images")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(Value::as_str)
        .filter(|u| stripe_image(u))
        .map(str::to_owned);
    let metadata = at(p, "metadata")
        .filter(|m| m.is_object())
        .cloned()
        .unwrap_or_else(|| Value::Object(Default::default()));
    Some((id, str_at(p, "name"), image, metadata))
}

/// True for an https link on Stripe's file host (`files.stripe.com`), where the Dashboard puts
/// a product's uploaded pictures.
pub fn stripe_image(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| {
        u.scheme() == "https"
            && u.host_str() == Some("files.stripe.com")
            && u.port().is_none()
            && u.username().is_empty()
            && u.password().is_none()
    })
}

/// The fields the customer filled in at checkout (`custom_fields`), kept verbatim: they are
/// customer text, shown as text by whoever displays them. A dropdown's value is the option's
/// reconciliation value; the customer chose, and staff read, its label.
pub fn custom_fields(session: &Value) -> Vec<CustomField> {
    let Some(fields) = at(session, "custom_fields").and_then(Value::as_array) else {
        return Vec::new();
    };
    fields
        .iter()
        .filter_map(|f| {
            let key = str_at(f, "key")?;
            let kind = str_at(f, "type").unwrap_or_else(|| "text".to_owned());
            let value = match kind.as_str() {
                "dropdown" => str_at(f, "dropdown.value").map(|v| {
                    at(f, "dropdown.options")
                        .and_then(Value::as_array)
                        .and_then(|opts| {
                            opts.iter()
                                .find(|o| str_at(o, "value").as_deref() == Some(v.as_str()))
                        })
                        .and_then(|o| str_at(o, "label"))
                        .unwrap_or(v)
                }),
                // text, numeric, and a type newer than this code: Stripe nests the value under
                // the type's name.
                other => at(f, other).and_then(|x| str_at(x, "value")),
            };
            Some(CustomField {
                label: str_at(f, "label.custom").unwrap_or_else(|| key.clone()),
                key,
                kind,
                value,
            })
        })
        .collect()
}

/// Whether a Checkout Session is an order: a completed session in `payment` mode.
pub fn session_is_order(session: &Value) -> bool {
    str_at(session, "mode").as_deref() == Some("payment")
        && str_at(session, "status").as_deref() == Some("complete")
}

/// Builds an order from a completed Checkout Session in `payment` mode and its line items.
/// `rate_is_pickup` answers, for a shipping rate id, whether the merchant treats it as a pickup;
/// `rate_name` gives a rate's display name when the session did not expand it.
pub fn order_from_session(
    session: &Value,
    items: &[Value],
    rate_name: &dyn Fn(&str) -> Option<String>,
    rate_is_pickup: &dyn Fn(&str, Option<&str>) -> bool,
) -> Result<Option<Order>, MappingError> {
    if !session_is_order(session) {
        return Ok(None);
    }
    let id = required_str(session, "checkout.session", "id")?;
    // Money without its currency cannot be shown: such an order waits for the next sync.
    let currency = required_str(session, "checkout.session", "currency")?;
    let billing = Contact {
        name: str_at(session, "customer_details.name")
            .or_else(|| str_at(session, "customer_details.individual_name"))
            .or_else(|| str_at(session, "customer_details.business_name")),
        email: str_at(session, "customer_details.email")
            .or_else(|| str_at(session, "customer_email")),
        phone: str_at(session, "customer_details.phone"),
        address: address(at(session, "customer_details.address")),
        tax_ids: tax_ids(at(session, "customer_details.tax_ids")),
    };
    // API 2026: shipping lives under collected_information; older sessions had shipping_details.
    let shipping = shipping_contact(
        at(session, "collected_information.shipping_details")
            .or_else(|| at(session, "shipping_details")),
        None,
    );
    let lines: Vec<OrderLine> = items.iter().map(order_line_from_item).collect();

    let shipping_rate_id = expandable_id(session, "shipping_cost.shipping_rate");
    let delivery_method = expanded(session, "shipping_cost.shipping_rate")
        .and_then(|r| str_at(r, "display_name"))
        .or_else(|| shipping_rate_id.as_deref().and_then(rate_name));
    let is_pickup = shipping_rate_id
        .as_deref()
        .map(|rid| rate_is_pickup(rid, delivery_method.as_deref()));
    let kind = delivery_kind(is_pickup, shipping.is_some());

    let known = discount_names(session);
    let discounts = at(session, "total_details.breakdown.discounts")
        .and_then(Value::as_array)
        .map(|ds| {
            ds.iter()
                .map(|d| DiscountLine {
                    name: discount_name(d, &known),
                    amount: int_at(d, "amount").unwrap_or(0),
                })
                .collect()
        })
        .unwrap_or_default();
    let taxes = at(session, "total_details.breakdown.taxes")
        .and_then(Value::as_array)
        .map(|ts| {
            ts.iter()
                .map(|t| {
                    let (label, rate) = at(t, "rate")
                        .map(rate_label)
                        .unwrap_or(("Tax".into(), None));
                    TaxLine {
                        label,
                        rate,
                        amount: int_at(t, "amount").unwrap_or(0),
                    }
                })
                .collect()
        })
        .unwrap_or_default();

    let invoice = expanded(session, "invoice");
    let invoice_id = expandable_id(session, "invoice");
    let number = invoice
        .and_then(|i| str_at(i, "number"))
        .unwrap_or_else(|| short_id(&id));
    let amount_shipping = int_at(session, "total_details.amount_shipping")
        .or_else(|| int_at(session, "shipping_cost.amount_total"))
        .unwrap_or(0);

    Ok(Some(Order {
        number,
        source: OrderSource::CheckoutSession,
        created: int_at(session, "created").unwrap_or(0),
        livemode: bool_at(session, "livemode"),
        customer_id: expandable_id(session, "customer"),
        billing,
        shipping,
        currency,
        amount_subtotal: int_at(session, "amount_subtotal").unwrap_or(0),
        amount_discount: int_at(session, "total_details.amount_discount").unwrap_or(0),
        amount_shipping,
        amount_tax: int_at(session, "total_details.amount_tax").unwrap_or(0),
        amount_total: int_at(session, "amount_total").unwrap_or(0),
        lines,
        discounts,
        taxes,
        shipping_rate_id,
        delivery_method,
        delivery_kind: kind,
        invoice_pdf: invoice.and_then(|i| str_at(i, "invoice_pdf")),
        hosted_invoice_url: invoice.and_then(|i| str_at(i, "hosted_invoice_url")),
        invoice_id,
        payment_intent_id: expandable_id(session, "payment_intent"),
        locale: locale_from(at(session, "locale")),
        payment: OrderPayment {
            checkout_status: str_at(session, "payment_status"),
            ..OrderPayment::default()
        },
        custom_fields: custom_fields(session),
        id,
    }))
}

/// The subscription an invoice belongs to, in the 2025+ shape (`parent.subscription_details`)
/// or the older top-level `subscription`.
pub fn invoice_subscription_id(inv: &Value) -> Option<String> {
    let from_parent = (str_at(inv, "parent.type").as_deref() == Some("subscription_details"))
        .then(|| expandable_id(inv, "parent.subscription_details.subscription"))
        .flatten();
    from_parent.or_else(|| expandable_id(inv, "subscription"))
}

/// The PaymentIntent that paid an invoice: `payments.data[].payment.payment_intent` (2025+), or
/// the older top-level `payment_intent`.
pub fn invoice_payment_intent(inv: &Value) -> Option<String> {
    at(inv, "payments.data")
        .and_then(Value::as_array)
        .and_then(|ps| {
            ps.iter()
                .find_map(|p| expandable_id(p, "payment.payment_intent"))
        })
        .or_else(|| expandable_id(inv, "payment_intent"))
}

pub fn invoice_from(inv: &Value) -> Result<Invoice, MappingError> {
    Ok(Invoice {
        id: required_str(inv, "invoice", "id")?,
        number: str_at(inv, "number"),
        customer_id: expandable_id(inv, "customer"),
        subscription_id: invoice_subscription_id(inv),
        status: str_at(inv, "status"),
        currency: str_at(inv, "currency").unwrap_or_default(),
        total: int_at(inv, "total").unwrap_or(0),
        amount_paid: int_at(inv, "amount_paid").unwrap_or(0),
        amount_due: int_at(inv, "amount_due").unwrap_or(0),
        created: int_at(inv, "created").unwrap_or(0),
        invoice_pdf: str_at(inv, "invoice_pdf"),
        hosted_invoice_url: str_at(inv, "hosted_invoice_url"),
    })
}

/// Whether an invoice is an order of its own: paid and not part of a subscription. (Invoices
/// that a Checkout Session created are folded into that session's order by the store.)
pub fn invoice_is_order(inv: &Value) -> bool {
    str_at(inv, "status").as_deref() == Some("paid") && invoice_subscription_id(inv).is_none()
}

/// Whether an invoice is a paid cycle of a subscription: a subscription box ships it (README:
/// Subscription boxes).
pub fn is_paid_cycle(inv: &Value) -> bool {
    str_at(inv, "status").as_deref() == Some("paid") && invoice_subscription_id(inv).is_some()
}

/// An invoice's lines as cart lines.
fn invoice_lines(inv: &Value) -> Vec<OrderLine> {
    at(inv, "lines.data")
        .and_then(Value::as_array)
        .map(|ls| {
            ls.iter()
                .map(|l| {
                    let quantity = int_at(l, "quantity").unwrap_or(1);
                    let amount = int_at(l, "amount").unwrap_or(0);
                    let discount: i64 = at(l, "discount_amounts")
                        .and_then(Value::as_array)
                        .map(|ds| ds.iter().filter_map(|d| int_at(d, "amount")).sum())
                        .unwrap_or(0);
                    let (tax, inclusive_tax): (i64, i64) = at(l, "taxes")
                        .and_then(Value::as_array)
                        .map(|ts| {
                            ts.iter().fold((0, 0), |(all, incl), t| {
                                let a = int_at(t, "amount").unwrap_or(0);
                                let is_incl =
                                    str_at(t, "tax_behavior").as_deref() == Some("inclusive");
                                (all + a, incl + if is_incl { a } else { 0 })
                            })
                        })
                        .unwrap_or((0, 0));
                    let unit = at(l, "pricing.unit_amount_decimal")
                        .and_then(|u| {
                            u.as_str()
                                .and_then(|s| s.parse::<f64>().ok())
                                .or_else(|| u.as_f64())
                        })
                        .map(|f| f.round() as i64)
                        .or_else(|| (quantity > 0).then(|| amount / quantity));
                    OrderLine {
                        description: str_at(l, "description").unwrap_or_default(),
                        quantity,
                        unit_amount: unit,
                        amount_subtotal: amount,
                        amount_discount: discount,
                        amount_tax: tax,
                        amount_total: amount - discount + tax - inclusive_tax,
                        product_id: expandable_id(l, "pricing.price_details.product")
                            .or_else(|| expandable_id(l, "price.product")),
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

/// An invoice's discounts, named after their coupon or promotion code when known.
fn invoice_discounts(inv: &Value) -> Vec<DiscountLine> {
    let known = discount_names(inv);
    at(inv, "total_discount_amounts")
        .and_then(Value::as_array)
        .map(|ds| {
            ds.iter()
                .map(|d| DiscountLine {
                    name: expanded(d, "discount")
                        .and_then(|x| discount_name(x, &known))
                        .or_else(|| expandable_id(d, "discount")),
                    amount: int_at(d, "amount").unwrap_or(0),
                })
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
}

/// An invoice's VAT breakdown.
fn invoice_taxes(inv: &Value) -> Vec<TaxLine> {
    at(inv, "total_taxes")
        .and_then(Value::as_array)
        .map(|ts| {
            ts.iter()
                .map(|t| {
                    let rate = expanded(t, "tax_rate_details.tax_rate");
                    let (label, pct) = rate.map(rate_label).unwrap_or(("Tax".into(), None));
                    TaxLine {
                        label,
                        rate: pct,
                        amount: int_at(t, "amount").unwrap_or(0),
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The upcoming invoice of a subscription from a `create_preview` answer.
pub fn upcoming_from(inv: &Value, fetched_at: i64) -> UpcomingInvoice {
    let discounts = invoice_discounts(inv);
    let taxes = invoice_taxes(inv);
    UpcomingInvoice {
        // A preview's `created` is when the invoice will be made, i.e. the next charge.
        date: int_at(inv, "created")
            .or_else(|| int_at(inv, "period_end"))
            .unwrap_or(0),
        currency: str_at(inv, "currency").unwrap_or_default(),
        lines: invoice_lines(inv),
        subtotal: int_at(inv, "subtotal").unwrap_or(0),
        discount: discounts.iter().map(|d| d.amount).sum(),
        discounts,
        tax: taxes.iter().map(|t| t.amount).sum(),
        taxes,
        total: int_at(inv, "total").unwrap_or(0),
        fetched_at,
    }
}

/// Builds an order from a paid one-off invoice, for merchants who invoice by hand.
pub fn order_from_invoice(
    inv: &Value,
    rate_name: &dyn Fn(&str) -> Option<String>,
    rate_is_pickup: &dyn Fn(&str, Option<&str>) -> bool,
) -> Result<Option<Order>, MappingError> {
    if !invoice_is_order(inv) {
        return Ok(None);
    }
    invoice_order(inv, rate_name, rate_is_pickup).map(Some)
}

/// Builds the shipment of one paid cycle of a subscription box (README: Subscription boxes),
/// numbered by its invoice; the caller has checked that its goods are shippable. It goes to the
/// invoice's shipping address (else the customer's shipping address as the invoice recorded
/// it, else the billing address).
pub fn order_from_subscription_invoice(
    inv: &Value,
    rate_name: &dyn Fn(&str) -> Option<String>,
    rate_is_pickup: &dyn Fn(&str, Option<&str>) -> bool,
) -> Result<Option<Order>, MappingError> {
    if !is_paid_cycle(inv) {
        return Ok(None);
    }
    let mut order = invoice_order(inv, rate_name, rate_is_pickup)?;
    if order.shipping.is_none() && order.billing.address.is_some() {
        order.shipping = Some(order.billing.clone());
        order.delivery_kind = delivery_kind(None, true);
    }
    Ok(Some(order))
}

/// The order of a paid invoice, whatever made it.
fn invoice_order(
    inv: &Value,
    rate_name: &dyn Fn(&str) -> Option<String>,
    rate_is_pickup: &dyn Fn(&str, Option<&str>) -> bool,
) -> Result<Order, MappingError> {
    let id = required_str(inv, "invoice", "id")?;
    let billing = Contact {
        name: str_at(inv, "customer_name"),
        email: str_at(inv, "customer_email"),
        phone: str_at(inv, "customer_phone"),
        address: address(at(inv, "customer_address")),
        tax_ids: tax_ids(at(inv, "customer_tax_ids")),
    };
    let shipping = shipping_contact(
        at(inv, "shipping_details")
            .filter(|s| at(s, "address").is_some())
            .or_else(|| at(inv, "customer_shipping")),
        None,
    );
    let lines = invoice_lines(inv);
    let discounts = invoice_discounts(inv);
    let taxes = invoice_taxes(inv);
    let shipping_rate_id = expandable_id(inv, "shipping_cost.shipping_rate");
    let delivery_method = expanded(inv, "shipping_cost.shipping_rate")
        .and_then(|r| str_at(r, "display_name"))
        .or_else(|| shipping_rate_id.as_deref().and_then(rate_name));
    let is_pickup = shipping_rate_id
        .as_deref()
        .map(|rid| rate_is_pickup(rid, delivery_method.as_deref()));
    let subtotal = int_at(inv, "subtotal").unwrap_or(0);
    let total = int_at(inv, "total").unwrap_or(0);
    let amount_tax: i64 = taxes.iter().map(|t| t.amount).sum();
    Ok(Order {
        number: str_at(inv, "number").unwrap_or_else(|| short_id(&id)),
        source: OrderSource::Invoice,
        created: int_at(inv, "status_transitions.paid_at")
            .or_else(|| int_at(inv, "created"))
            .unwrap_or(0),
        livemode: bool_at(inv, "livemode"),
        customer_id: expandable_id(inv, "customer"),
        delivery_kind: delivery_kind(is_pickup, shipping.is_some()),
        billing,
        shipping,
        currency: str_at(inv, "currency").unwrap_or_default(),
        lines,
        amount_subtotal: subtotal,
        amount_discount: discounts.iter().map(|d| d.amount).sum(),
        amount_shipping: int_at(inv, "amount_shipping")
            .or_else(|| int_at(inv, "shipping_cost.amount_total"))
            .unwrap_or(0),
        amount_tax,
        amount_total: total,
        discounts,
        taxes,
        shipping_rate_id,
        delivery_method,
        invoice_id: Some(id.clone()),
        invoice_pdf: str_at(inv, "invoice_pdf"),
        hosted_invoice_url: str_at(inv, "hosted_invoice_url"),
        payment_intent_id: invoice_payment_intent(inv),
        locale: None,
        payment: OrderPayment::default(),
        custom_fields: Vec::new(),
        id,
    })
}

/// Attaches an expanded or separately fetched invoice to a session's order.
pub fn apply_invoice_to_order(order: &mut Order, inv: &Value) {
    if let Some(n) = str_at(inv, "number") {
        order.number = n;
    }
    order.invoice_pdf = str_at(inv, "invoice_pdf").or(order.invoice_pdf.take());
    order.hosted_invoice_url =
        str_at(inv, "hosted_invoice_url").or(order.hosted_invoice_url.take());
}

pub fn customer_from(c: &Value) -> Result<Customer, MappingError> {
    let deleted = bool_at(c, "deleted");
    Ok(Customer {
        id: required_str(c, "customer", "id")?,
        deleted,
        name: str_at(c, "name"),
        email: str_at(c, "email"),
        phone: str_at(c, "phone"),
        address: address(at(c, "address")),
        shipping: shipping_contact(at(c, "shipping"), None),
        preferred_locale: at(c, "preferred_locales")
            .and_then(Value::as_array)
            .and_then(|ls| ls.first())
            .and_then(|l| locale_from(Some(l))),
        created: int_at(c, "created").unwrap_or(0),
        default_payment_method: expanded(c, "invoice_settings.default_payment_method")
            .and_then(payment_method_summary),
    })
}

/// A shipping rate as the store keeps it, or `None` (logged) for one that cannot be read: a sync
/// skips it rather than failing.
pub fn shipping_rate_to_store(raw: &Value) -> Option<ShippingRate> {
    shipping_rate_from(raw, None)
        .map_err(|e| tracing::warn!("skipping a shipping rate: {e}"))
        .ok()
}

/// A customer read back from the store (`store::customers::get_raw`): its stored Stripe object,
/// and `deleted` when the store says it is gone (a deletion keeps the last known record).
pub fn stored_customer(id: &str, raw: &Value, deleted: bool) -> Customer {
    let mut c = customer_from(raw).unwrap_or(Customer {
        id: id.to_owned(),
        deleted: true,
        name: None,
        email: None,
        phone: None,
        address: None,
        shipping: None,
        preferred_locale: None,
        created: 0,
        default_payment_method: None,
    });
    c.deleted |= deleted;
    c
}

pub fn shipping_rate_from(
    r: &Value,
    merchant_choice: Option<bool>,
) -> Result<ShippingRate, MappingError> {
    let display_name = str_at(r, "display_name").unwrap_or_default();
    Ok(ShippingRate {
        id: required_str(r, "shipping_rate", "id")?,
        is_pickup: merchant_choice.unwrap_or_else(|| looks_like_pickup(&display_name)),
        pickup_set_by_merchant: merchant_choice.is_some(),
        display_name,
        amount: int_at(r, "fixed_amount.amount"),
        currency: str_at(r, "fixed_amount.currency"),
        active: bool_at(r, "active"),
    })
}

/// A payment method reduced to brand, last four digits and expiry.
pub fn payment_method_summary(pm: &Value) -> Option<PaymentMethodSummary> {
    let kind = str_at(pm, "type")?;
    let details = at(pm, &kind);
    let d = |f: &str| details.and_then(|x| str_at(x, f));
    let n = |f: &str| details.and_then(|x| int_at(x, f));
    Some(PaymentMethodSummary {
        brand: d("display_brand")
            .or_else(|| d("brand"))
            .or_else(|| d("bank_name"))
            .or_else(|| d("bank_code")),
        last4: d("last4"),
        exp_month: n("exp_month"),
        exp_year: n("exp_year"),
        wallet: details.and_then(|x| str_at(x, "wallet.type")),
        kind,
    })
}

/// Builds a subscription. `schedule` is its subscription schedule when it has one.
pub fn subscription_from(
    s: &Value,
    schedule: Option<&Value>,
) -> Result<Subscription, MappingError> {
    let id = required_str(s, "subscription", "id")?;
    let items: &[Value] = at(s, "items.data")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let first = items.first();
    let price = first.and_then(|i| at(i, "price"));
    let product_name = plan_name(items);
    let amount: i64 = items
        .iter()
        .map(|i| int_at(i, "price.unit_amount").unwrap_or(0) * int_at(i, "quantity").unwrap_or(1))
        .sum();
    // API 2026: the billing period lives on the items; the earliest end is the next charge.
    let period_start = items
        .iter()
        .filter_map(|i| int_at(i, "current_period_start"))
        .min();
    let period_end = items
        .iter()
        .filter_map(|i| int_at(i, "current_period_end"))
        .min();
    let schedule = schedule.or_else(|| expanded(s, "schedule"));
    let schedule_end = schedule.and_then(|sch| {
        // Only a schedule that cancels at its end gives the subscription an end.
        (str_at(sch, "end_behavior").as_deref() == Some("cancel"))
            .then(|| {
                at(sch, "phases")
                    .and_then(Value::as_array)
                    .and_then(|ps| ps.last())
            })
            .flatten()
            .and_then(|p| int_at(p, "end_date"))
    });
    Ok(Subscription {
        livemode: bool_at(s, "livemode"),
        customer_id: expandable_id(s, "customer"),
        status: str_at(s, "status").unwrap_or_else(|| "active".into()),
        product_name,
        price_id: price.and_then(|p| str_at(p, "id")),
        currency: str_at(s, "currency")
            .or_else(|| price.and_then(|p| str_at(p, "currency")))
            .unwrap_or_default(),
        amount,
        quantity: first.and_then(|i| int_at(i, "quantity")).unwrap_or(1),
        interval: price
            .and_then(|p| str_at(p, "recurring.interval"))
            .unwrap_or_else(|| "month".into()),
        interval_count: price
            .and_then(|p| int_at(p, "recurring.interval_count"))
            .unwrap_or(1),
        start_date: int_at(s, "start_date")
            .or_else(|| int_at(s, "created"))
            .unwrap_or(0),
        current_period_start: period_start,
        current_period_end: period_end,
        cancel_at: int_at(s, "cancel_at"),
        cancel_at_period_end: bool_at(s, "cancel_at_period_end"),
        canceled_at: int_at(s, "canceled_at"),
        ended_at: int_at(s, "ended_at"),
        trial_end: int_at(s, "trial_end"),
        schedule_end,
        payment_method: expanded(s, "default_payment_method").and_then(payment_method_summary),
        latest_invoice_id: expandable_id(s, "latest_invoice"),
        created: int_at(s, "created").unwrap_or(0),
        payment_failure: expanded(s, "latest_invoice").and_then(payment_failure),
        id,
    })
}

/// Every item's product name, joined: "Box thé + Option miel ×2". A subscription of several
/// items is charged for all of them, so naming only the first misleads whoever packs the box.
fn plan_name(items: &[Value]) -> Option<String> {
    let names: Vec<String> = items
        .iter()
        .filter_map(|i| {
            let price = at(i, "price");
            let name = price
                .and_then(|p| expanded(p, "product"))
                .and_then(|p| str_at(p, "name"))
                .or_else(|| price.and_then(|p| str_at(p, "nickname")))
                .or_else(|| str_at(i, "plan.nickname"))?;
            Some(match int_at(i, "quantity").unwrap_or(1) {
                q if q > 1 => format!("{name} ×{q}"),
                _ => name,
            })
        })
        .collect();
    (!names.is_empty()).then(|| names.join(" + "))
}

/// Why the latest invoice's payment failed and when Stripe retries, from the expanded invoice
/// (`attempt_count`, `next_payment_attempt`, `last_finalization_error`) and, when the sync
/// could read it, the PaymentIntent of its payment (`last_payment_error`, else the charge's
/// `failure_code` / `failure_message`). `None` unless the invoice is unpaid after an attempt.
pub fn payment_failure(inv: &Value) -> Option<PaymentFailure> {
    if !matches!(
        str_at(inv, "status").as_deref(),
        Some("open" | "uncollectible")
    ) {
        return None;
    }
    let attempt_count = int_at(inv, "attempt_count").unwrap_or(0);
    let finalization = at(inv, "last_finalization_error");
    if attempt_count == 0 && finalization.is_none() {
        return None;
    }
    // The newest payment that carries an error (payments are listed newest first).
    let pi = at(inv, "payments.data")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| expanded(p, "payment.payment_intent"))
        .find(|pi| {
            at(pi, "last_payment_error").is_some()
                || str_at(pi, "latest_charge.failure_code").is_some()
        });
    let error = pi
        .and_then(|pi| at(pi, "last_payment_error"))
        .or(finalization);
    let charge = pi.and_then(|pi| expanded(pi, "latest_charge"));
    let code = error
        .and_then(|e| str_at(e, "decline_code").or_else(|| str_at(e, "code")))
        .or_else(|| charge.and_then(|c| str_at(c, "failure_code")));
    let message = error
        .and_then(|e| str_at(e, "message"))
        .or_else(|| charge.and_then(|c| str_at(c, "failure_message")));
    Some(PaymentFailure {
        code,
        message,
        attempt_count,
        next_attempt: int_at(inv, "next_payment_attempt"),
    })
}

/// What a PaymentIntent says of the payment; `latest_charge`, when expanded, adds the refunds
/// and the failure.
pub fn payment_facts(pi: &Value) -> Option<PaymentFacts> {
    let id = str_at(pi, "id")?;
    let charge = expanded(pi, "latest_charge");
    Some(PaymentFacts {
        payment_intent_id: id,
        status: str_at(pi, "status"),
        method: charge
            .and_then(|c| str_at(c, "payment_method_details.type"))
            .or_else(|| {
                at(pi, "payment_method_types")
                    .and_then(Value::as_array)
                    .and_then(|ts| ts.first())
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            }),
        amount: int_at(pi, "amount").unwrap_or(0),
        amount_received: int_at(pi, "amount_received").unwrap_or(0),
        charge_id: expandable_id(pi, "latest_charge"),
        amount_refunded: charge
            .and_then(|c| int_at(c, "amount_refunded"))
            .unwrap_or(0),
        // A charge carries no refund date; the refund events and the refunds list do.
        refunded_at: None,
        failure: str_at(pi, "last_payment_error.message")
            .or_else(|| charge.and_then(|c| str_at(c, "failure_message"))),
    })
}

/// A dispute (`object: "dispute"`).
pub fn dispute_from(d: &Value) -> Result<Dispute, MappingError> {
    Ok(Dispute {
        summary: DisputeSummary {
            id: required_str(d, "dispute", "id")?,
            status: str_at(d, "status").unwrap_or_else(|| "needs_response".into()),
            reason: str_at(d, "reason"),
            amount: int_at(d, "amount").unwrap_or(0),
            due_by: int_at(d, "evidence_details.due_by"),
        },
        payment_intent_id: expandable_id(d, "payment_intent"),
        charge_id: expandable_id(d, "charge"),
        currency: str_at(d, "currency"),
        created: int_at(d, "created").unwrap_or(0),
    })
}
