//! Orders: Checkout Sessions with their line items and, for a completed order, its PaymentIntent,
//! charge and post-purchase invoice; the sessions that are not orders (open, expired,
//! subscription and setup mode); and `add_order`, which records a new sale after generation.

use super::common::{add, obj, sets, Generator, DAY};
use super::customers::{currency_for, make_person, person_from_customer, shipping_contact, Person};
use super::events::{event_snapshot, make_event};
use super::invoices::{build_invoice, InvoicePlan};
use super::money::{
    apply_discount, discount_object, finish_tax, line_items_tax, make_lines, pick_tax_mode,
    tax_sums, Line,
};
use super::payments::{charge_object, payment_intent_object, PaymentPlan};
use super::vocabulary::HOSTILE_IMG;
use crate::dataset::templates::skeleton;
use crate::dataset::{Dataset, NewOrder, OrderShipping};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum SessionKind {
    Order,
    Open,
    Expired,
    SubscriptionMode,
}

pub(super) struct SessionPlan {
    pub created: i64,
    pub customer: Option<String>,
    pub person: Person,
    pub shipping: OrderShipping,
    pub picks: Vec<(usize, i64)>,
    pub coupon: Option<usize>,
    pub with_invoice: bool,
    pub kind: SessionKind,
    /// A gift: shipped to someone else than the buyer.
    pub ship_to_other: Option<Person>,
    pub subscription: Option<(String, Option<String>)>,
    pub now: i64,
}

/// Gift messages customers type at checkout.
const GIFT_MESSAGES: &[&str] = &[
    "Joyeux anniversaire Maman, avec tout notre amour",
    "Bonne fête Papa ! Profite bien de ce petit panier",
    "Félicitations pour ton nouveau poste, bises de toute l'équipe",
    "Merci pour votre accueil, à très bientôt",
    "Happy birthday Sarah, enjoy the treats!",
];
/// Delivery instructions customers type at checkout.
const DELIVERY_INSTRUCTIONS: &[&str] = &[
    "Code porte 4521B, 3e étage à gauche",
    "Laisser le colis chez la gardienne si absent",
    "Sonner deux fois, l'interphone est capricieux",
    "Livrer après 18 h s'il vous plaît",
];
/// The gift wrap dropdown: `(value, label)`, the value being what Stripe reports as chosen.
const WRAPPINGS: &[(&str, &str)] = &[
    ("kraft", "Papier kraft"),
    ("boitecadeau", "Boîte cadeau"),
    ("aucun", "Sans emballage"),
];

/// The `custom_fields` of a completed session, in the shape Stripe sends them: about one order
/// in four asks for a gift message (optional, sometimes left empty), a gift wrap (a dropdown)
/// and, when delivered, delivery instructions (optional). Drawn from the session id rather than
/// the generator's random stream, so adding them left every other generated value unchanged.
fn custom_fields(g: &Generator, session_id: &str, delivery: bool) -> Value {
    let seed = session_id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let mut r = StdRng::seed_from_u64(seed);
    if !r.random_bool(0.25) {
        return json!([]);
    }
    let label = |custom: &str| json!({"custom": custom, "type": "custom"});
    let text = |value: Option<String>| json!({"default_value": null, "maximum_length": 255, "minimum_length": null, "value": value});
    let mut gift = r
        .random_bool(0.8)
        .then(|| GIFT_MESSAGES.choose(&mut r).unwrap().to_string());
    if g.hostile {
        // Customer text shown in the detail, the slip and the search: it must stay text.
        gift = Some(format!(
            "{} {HOSTILE_IMG}",
            gift.as_deref().unwrap_or(GIFT_MESSAGES[0])
        ));
    }
    let (wrap, _) = WRAPPINGS.choose(&mut r).unwrap();
    let mut fields = vec![
        json!({"key": "messagecadeau", "label": label("Message cadeau"), "optional": true,
               "text": text(gift), "type": "text"}),
        json!({"key": "emballage", "label": label("Emballage"), "optional": false,
               "dropdown": {"default_value": "kraft",
                            "options": WRAPPINGS.iter().map(|(v, l)| json!({"label": l, "value": v})).collect::<Vec<_>>(),
                            "value": wrap},
               "type": "dropdown"}),
    ];
    if delivery {
        let instructions = r
            .random_bool(0.6)
            .then(|| DELIVERY_INSTRUCTIONS.choose(&mut r).unwrap().to_string());
        fields.push(
            json!({"key": "instructionslivraison", "label": label("Instructions de livraison"),
                           "optional": true, "text": text(instructions), "type": "text"}),
        );
    }
    Value::Array(fields)
}

/// Build a session, its line items and, for orders, its PaymentIntent and post-purchase invoice.
/// Returns the session id.
pub(super) fn build_session(ds: &mut Dataset, g: &mut Generator, plan: SessionPlan) -> String {
    let mut currency = currency_for(g, &plan.person.country);
    let mut shipping_kind = plan.shipping;
    // Pickup is only offered by the shop in France, in euros.
    if shipping_kind == OrderShipping::Pickup {
        currency = "eur";
    }
    let mode = pick_tax_mode(g, currency, &plan.person.country);
    let subscription = plan.kind == SessionKind::SubscriptionMode;
    let mut lines = make_lines(ds, g, &plan.picks, currency, mode, subscription);
    let coupon = plan.coupon.map(|c| g.coupons[c].clone());
    if let Some(c) = &coupon {
        apply_discount(&mut lines, c, currency);
    }
    finish_tax(&mut lines);
    if plan.kind == SessionKind::Open || plan.kind == SessionKind::Expired || subscription {
        shipping_kind = OrderShipping::None;
    }
    let shipping: Option<(String, i64)> = match shipping_kind {
        OrderShipping::Delivery => {
            let candidates: Vec<&(String, &str, i64)> = g
                .delivery_rates
                .iter()
                .filter(|(_, c, _)| *c == currency)
                .collect();
            candidates
                .choose(&mut g.rng)
                .map(|(id, _, amount)| (id.clone(), *amount))
        }
        OrderShipping::Pickup => g.pickup_rates.choose(&mut g.rng).map(|id| (id.clone(), 0)),
        OrderShipping::None => None,
    };
    let delivery = shipping_kind == OrderShipping::Delivery && shipping.is_some();

    let id = g.id(&format!("cs_{}_a1", g.mode_prefix()), 54);
    let complete = matches!(
        plan.kind,
        SessionKind::Order | SessionKind::SubscriptionMode
    );
    let is_order = plan.kind == SessionKind::Order;
    let discount_obj = coupon
        .as_ref()
        .filter(|_| lines.iter().any(|l| l.discount > 0))
        .map(|c| {
            discount_object(
                g,
                c,
                plan.created,
                plan.customer.as_deref(),
                Some(&id),
                None,
                None,
            )
        });

    // Line items (`item` objects).
    let mut items = Vec::with_capacity(lines.len());
    for l in &lines {
        let mut it = skeleton("item");
        let price = ds.prices[g.price_idx[&l.price_id]].clone();
        let discounts: Vec<Value> = discount_obj
            .iter()
            .filter(|_| l.discount > 0)
            .map(|d| obj([("amount", json!(l.discount)), ("discount", d.clone())]))
            .collect();
        let taxes: Vec<Value> = l
            .tax
            .iter()
            .map(|(t, a, x)| line_items_tax(ds, g, t, *a, *x))
            .collect();
        let item_id = g.id("li_", 24);
        sets(
            &mut it,
            vec![
                ("amount_discount", json!(l.discount)),
                ("amount_subtotal", json!(l.subtotal)),
                ("amount_tax", json!(l.tax_amount())),
                ("amount_total", json!(l.total())),
                ("currency", json!(currency)),
                ("description", json!(l.description)),
                ("id", json!(item_id)),
                ("price", price),
                ("quantity", json!(l.qty)),
                ("adjustable_quantity", Value::Null),
            ],
        );
        // Includable on Stripe (`expand[]=data.discounts`); the simulator strips them otherwise.
        add(&mut it, "discounts", Value::Array(discounts));
        add(&mut it, "taxes", Value::Array(taxes));
        items.push(it);
    }

    let subtotal: i64 = lines.iter().map(|l| l.subtotal).sum();
    let discount_total: i64 = lines.iter().map(|l| l.discount).sum();
    let excl: i64 = lines.iter().map(Line::exclusive_tax).sum();
    let all_tax: i64 = lines.iter().map(Line::tax_amount).sum();
    let ship_amount = shipping.as_ref().map(|s| s.1).unwrap_or(0);
    let total = subtotal - discount_total + ship_amount + excl;

    let ship_person = plan.ship_to_other.as_ref().unwrap_or(&plan.person);
    let ship_details = if delivery && complete {
        Some(json!({"address": ship_person.address, "name": ship_person.name}))
    } else {
        None
    };

    // PaymentIntent and invoice for real orders.
    let paid = complete;
    let payment_intent = if is_order && total > 0 {
        let pi_id = g.id("pi_", 24);
        let secret = format!("{pi_id}_secret_{}", g.token(25));
        let charge = g.id("ch_", 24);
        let mut pi = payment_intent_object(
            g,
            PaymentPlan {
                id: &pi_id,
                charge: &charge,
                secret,
                amount: total,
                received: total,
                currency: json!(currency),
                customer: json!(plan.customer),
                created: plan.created,
                status: "succeeded",
                error: Value::Null,
            },
        );
        sets(
            &mut pi,
            vec![
                ("receipt_email", json!(plan.person.email)),
                ("shipping", ship_details.as_ref().map(|s| json!({"address": s["address"], "name": s["name"], "carrier": null, "phone": null, "tracking_number": null})).unwrap_or(Value::Null)),
            ],
        );
        ds.payment_intents.push(pi);
        let ch = charge_object(
            g,
            &charge,
            &pi_id,
            total,
            currency,
            plan.customer.as_deref(),
            plan.created,
        );
        ds.charges.push(ch);
        Some(pi_id)
    } else {
        None
    };
    let invoice = if is_order && plan.with_invoice && plan.customer.is_some() {
        let ship_value = ship_details.as_ref().map(|s| {
            shipping_contact(&Person {
                name: s["name"].as_str().unwrap_or("").into(),
                email: String::new(),
                phone: ship_person.phone.clone(),
                address: s["address"].clone(),
                country: String::new(),
                locales: Vec::new(),
            })
        });
        Some(build_invoice(
            ds,
            g,
            &InvoicePlan {
                created: plan.created,
                customer: plan.customer.as_deref(),
                person: Some(&plan.person),
                ship_to: ship_value.as_ref(),
                currency,
                lines: &lines,
                discount: coupon.as_ref(),
                shipping: shipping.as_ref().map(|(r, a)| (r.as_str(), *a)),
                status: "paid",
                billing_reason: "manual",
                subscription: None,
                period: (plan.created, plan.created),
                now: plan.now,
            },
        ))
    } else if subscription {
        plan.subscription.as_ref().and_then(|s| s.1.clone())
    } else {
        None
    };

    let mut s = skeleton("checkout.session");
    let breakdown = obj([
        (
            "discounts",
            Value::Array(
                discount_obj
                    .iter()
                    .map(|d| obj([("amount", json!(discount_total)), ("discount", d.clone())]))
                    .collect(),
            ),
        ),
        (
            "taxes",
            Value::Array(
                tax_sums(&lines)
                    .iter()
                    .map(|(t, a, x)| line_items_tax(ds, g, t, *a, *x))
                    .collect(),
            ),
        ),
    ]);
    let mut total_details = json!({"amount_discount": discount_total, "amount_shipping": ship_amount, "amount_tax": all_tax});
    add(&mut total_details, "breakdown", breakdown);
    let p = &plan.person;
    let customer_details = if complete || plan.kind == SessionKind::Expired {
        json!({
            "address": p.address, "email": p.email, "name": if complete { json!(p.name) } else { Value::Null },
            "phone": if complete { json!(p.phone) } else { Value::Null }, "tax_exempt": "none", "tax_ids": [],
            "business_name": null, "individual_name": null,
        })
    } else {
        Value::Null
    };
    let session_discounts = coupon
        .as_ref()
        .map(|c| json!([{"coupon": c.id, "promotion_code": c.promo}]));
    let status = match plan.kind {
        SessionKind::Order | SessionKind::SubscriptionMode => "complete",
        SessionKind::Open => "open",
        SessionKind::Expired => "expired",
    };
    let shipping_options: Vec<Value> = match shipping_kind {
        OrderShipping::None => Vec::new(),
        _ => g
            .delivery_rates
            .iter()
            .filter(|(_, c, _)| *c == currency)
            .map(|(id, _, a)| json!({"shipping_amount": a, "shipping_rate": id}))
            .chain(
                g.pickup_rates
                    .iter()
                    .filter(|_| currency == "eur")
                    .map(|id| json!({"shipping_amount": 0, "shipping_rate": id})),
            )
            .collect(),
    };
    let locale = if p
        .locales
        .first()
        .map(|l| l.starts_with("fr"))
        .unwrap_or(false)
    {
        "fr"
    } else {
        "auto"
    };
    sets(
        &mut s,
        vec![
            ("after_expiration", Value::Null),
            ("allow_promotion_codes", json!(true)),
            ("amount_subtotal", json!(subtotal)),
            ("amount_total", json!(total)),
            ("billing_address_collection", json!("required")),
            ("cancel_url", json!("https://comptoir-epicerie.fr/panier")),
            ("consent", Value::Null),
            ("consent_collection", Value::Null),
            ("created", json!(plan.created)),
            ("currency", json!(currency)),
            (
                "custom_fields",
                if is_order {
                    custom_fields(g, &id, delivery)
                } else {
                    json!([])
                },
            ),
            (
                "custom_text",
                json!({"after_submit": null, "shipping_address": null, "submit": null, "terms_of_service_acceptance": null}),
            ),
            ("customer", json!(plan.customer)),
            ("customer_creation", json!(if plan.customer.is_some() { "always" } else { "if_required" })),
            ("customer_details", customer_details),
            ("expires_at", json!(plan.created + DAY)),
            ("id", json!(id)),
            ("invoice", json!(invoice)),
            (
                "invoice_creation",
                if subscription {
                    Value::Null
                } else {
                    json!({"enabled": plan.with_invoice && plan.customer.is_some(), "invoice_data": {
                        "account_tax_ids": null, "custom_fields": null, "description": null, "footer": null,
                        "issuer": {"type": "self"}, "metadata": {}, "rendering_options": null}})
                },
            ),
            ("livemode", json!(g.livemode)),
            ("locale", json!(locale)),
            ("mode", json!(if subscription { "subscription" } else { "payment" })),
            ("payment_intent", json!(payment_intent)),
            ("payment_method_configuration_details", Value::Null),
            ("payment_status", json!(if paid { "paid" } else { "unpaid" })),
            ("phone_number_collection", json!({"enabled": true})),
            (
                "shipping_address_collection",
                if shipping_kind == OrderShipping::Delivery {
                    json!({"allowed_countries": ["FR", "BE", "DE", "GB", "US", "JP", "CH", "LU"]})
                } else {
                    Value::Null
                },
            ),
            (
                "shipping_cost",
                shipping
                    .as_ref()
                    .map(|(rate, a)| json!({"amount_subtotal": a, "amount_tax": 0, "amount_total": a, "shipping_rate": rate}))
                    .unwrap_or(Value::Null),
            ),
            ("shipping_options", Value::Array(shipping_options)),
            ("status", json!(status)),
            ("subscription", json!(plan.subscription.as_ref().map(|s| s.0.clone()))),
            ("success_url", json!("https://comptoir-epicerie.fr/merci?session_id={CHECKOUT_SESSION_ID}")),
            ("total_details", total_details),
            ("ui_mode", json!("hosted")),
            (
                "url",
                if plan.kind == SessionKind::Open { json!(format!("https://checkout.stripe.com/c/pay/{id}")) } else { Value::Null },
            ),
            ("adaptive_pricing", json!({"enabled": false})),
            ("discounts", session_discounts.unwrap_or(json!([]))),
            (
                "collected_information",
                if complete {
                    json!({"shipping_details": ship_details, "business_name": null, "individual_name": null})
                } else {
                    Value::Null
                },
            ),
            ("currency_conversion", Value::Null),
        ],
    );
    if let Some(d) = discount_obj {
        ds.discounts.push(d);
    }
    ds.session_line_items.insert(id.clone(), items);
    ds.checkout_sessions.push(s);
    id
}

/// A setup-mode session: no amounts, no line items, a SetupIntent.
pub(super) fn build_setup_session(
    ds: &mut Dataset,
    g: &mut Generator,
    created: i64,
    customer: Option<String>,
    p: &Person,
) -> String {
    let id = g.id(&format!("cs_{}_c1", g.mode_prefix()), 54);
    let seti = g.id("seti_", 24);
    let mut s = skeleton("checkout.session");
    sets(
        &mut s,
        vec![
            ("after_expiration", Value::Null),
            ("consent", Value::Null),
            ("consent_collection", Value::Null),
            ("created", json!(created)),
            ("currency", Value::Null),
            ("customer", json!(customer)),
            (
                "customer_details",
                json!({"address": null, "email": p.email, "name": p.name, "phone": null,
                "tax_exempt": "none", "tax_ids": [], "business_name": null, "individual_name": null}),
            ),
            ("expires_at", json!(created + DAY)),
            ("id", json!(id)),
            ("invoice_creation", Value::Null),
            ("livemode", json!(g.livemode)),
            ("mode", json!("setup")),
            ("payment_intent", Value::Null),
            ("payment_method_configuration_details", Value::Null),
            ("payment_status", json!("no_payment_required")),
            ("setup_intent", json!(seti)),
            ("shipping_address_collection", Value::Null),
            ("shipping_cost", Value::Null),
            ("status", json!("complete")),
            ("success_url", json!("https://comptoir-epicerie.fr/compte")),
            ("total_details", Value::Null),
            ("url", Value::Null),
            (
                "custom_text",
                json!({"after_submit": null, "shipping_address": null, "submit": null, "terms_of_service_acceptance": null}),
            ),
            ("discounts", json!([])),
            ("collected_information", Value::Null),
            ("currency_conversion", Value::Null),
        ],
    );
    ds.session_line_items.insert(id.clone(), Vec::new());
    ds.checkout_sessions.push(s);
    id
}

pub(in crate::dataset) fn add_order(
    ds: &mut Dataset,
    g: &mut Generator,
    order: &NewOrder,
) -> String {
    let live: Vec<usize> = (0..ds.customers.len())
        .filter(|&i| ds.customers[i]["deleted"] != true)
        .collect();
    let (customer, person) = match &order.customer {
        Some(id) => {
            let c = ds.customers.iter().find(|c| c["id"] == id.as_str());
            (
                Some(id.clone()),
                c.map(person_from_customer)
                    .unwrap_or_else(|| make_person(g, 0)),
            )
        }
        None if live.is_empty() => (None, make_person(g, 0)),
        None => {
            let ci = live[g.rng.random_range(0..live.len())];
            (
                ds.customers[ci]["id"].as_str().map(String::from),
                person_from_customer(&ds.customers[ci]),
            )
        }
    };
    let shop = g.shop.len();
    let picks: Vec<(usize, i64)> = (0..order.items.max(1))
        .map(|k| (k % shop, 1 + (k / shop) as i64))
        .collect();
    // Items beyond the catalogue size raise quantities instead of repeating lines.
    let mut merged: Vec<(usize, i64)> = Vec::new();
    for (idx, _) in picks {
        match merged.iter_mut().find(|(p, _)| *p == idx) {
            Some(e) => e.1 += 1,
            None => merged.push((idx, 1)),
        }
    }
    let inv_before = ds.invoices.len();
    let id = build_session(
        ds,
        g,
        SessionPlan {
            created: order.created,
            customer: customer.clone(),
            person,
            shipping: order.shipping,
            picks: merged,
            coupon: None,
            with_invoice: order.with_invoice,
            kind: SessionKind::Order,
            ship_to_other: None,
            subscription: None,
            now: order.created,
        },
    );
    for i in inv_before..ds.invoices.len() {
        ds.invoices[i]["number"] = json!(format!("CPT-{:04}", g.next_invoice_number));
        g.next_invoice_number += 1;
    }
    let session = event_snapshot(ds.checkout_sessions.last().unwrap());
    let e = make_event(
        g,
        "checkout.session.completed",
        session,
        order.created,
        None,
    );
    ds.events.push(e);
    for i in inv_before..ds.invoices.len() {
        let inv = ds.invoices[i].clone();
        let e = make_event(g, "invoice.paid", inv, order.created, None);
        ds.events.push(e);
    }
    id
}
