//! The Stripe → Comptoir mapping, on Stripe's official example objects (stripe/openapi's
//! fixtures, `../shared/stripe/fixtures3.json`) and on variations of them.

use comptoir_core::model::{CustomField, DeliveryKind, Order, OrderSource};
use comptoir_core::stripe::mapping::*;
use serde_json::{json, Value};

fn fixtures() -> Value {
    let path = std::env::var("COMPTOIR_FIXTURES").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/stripe/fixtures3.json"
        )
        .to_owned()
    });
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    serde_json::from_str::<Value>(&text).unwrap()["resources"].clone()
}

fn fixture(name: &str) -> Value {
    fixtures()[name].clone()
}

fn no_rates(_: &str) -> Option<String> {
    None
}

fn guess(_: &str, name: Option<&str>) -> bool {
    name.is_some_and(looks_like_pickup)
}

/// The official session, completed and paid, with an address to ship to.
fn completed_session() -> Value {
    let mut s = fixture("checkout.session");
    s["status"] = json!("complete");
    s["payment_status"] = json!("paid");
    s["currency"] = json!("eur");
    s["amount_subtotal"] = json!(4000);
    s["amount_total"] = json!(4300);
    s["total_details"] = json!({"amount_discount": 500, "amount_shipping": 800, "amount_tax": 0});
    s["collected_information"]["shipping_details"] = json!({
        "name": "Élodie Martin",
        "address": {"line1": "12 rue des Lilas", "line2": null, "postal_code": "69003", "city": "Lyon", "state": null, "country": "FR"}
    });
    s["customer_details"]["name"] = json!("Élodie Martin");
    s
}

fn item(desc: &str, qty: i64, unit: i64) -> Value {
    let mut i = fixture("item");
    i["description"] = json!(desc);
    i["quantity"] = json!(qty);
    i["price"]["unit_amount"] = json!(unit);
    i["amount_subtotal"] = json!(qty * unit);
    i["amount_total"] = json!(qty * unit);
    i
}

#[test]
fn official_open_session_is_not_an_order() {
    let s = fixture("checkout.session");
    assert_eq!(s["status"], "open", "the fixture is an open session");
    assert!(order_from_session(&s, &[], &no_rates, &guess)
        .unwrap()
        .is_none());
}

#[test]
fn completed_session_maps_every_field() {
    let mut s = completed_session();
    s["invoice"] = json!({"id": "in_1", "object": "invoice", "number": "CPT-0042",
        "invoice_pdf": "https://pay.stripe.com/invoice/acct_1/in_1/pdf", "hosted_invoice_url": "https://invoice.stripe.com/i/acct_1/in_1"});
    s["shipping_cost"]["shipping_rate"] =
        json!({"id": "shr_1", "object": "shipping_rate", "display_name": "Colissimo"});
    let items = [
        item("Comté 18 mois", 2, 1500),
        item("Café d'Éthiopie", 1, 1000),
    ];
    let o = order_from_session(&s, &items, &no_rates, &guess)
        .unwrap()
        .unwrap();
    assert_eq!(o.id, s["id"].as_str().unwrap());
    assert_eq!(o.source, OrderSource::CheckoutSession);
    assert_eq!(o.number, "CPT-0042");
    assert_eq!(o.billing.email.as_deref(), Some("example@example.com"));
    assert_eq!(o.billing.name.as_deref(), Some("Élodie Martin"));
    let ship = o
        .shipping
        .as_ref()
        .expect("shipping details from collected_information");
    assert_eq!(ship.address.as_ref().unwrap().city.as_deref(), Some("Lyon"));
    assert_eq!(o.delivery_kind, DeliveryKind::Delivery);
    assert_eq!(o.delivery_method.as_deref(), Some("Colissimo"));
    assert_eq!(o.item_count(), 3);
    assert_eq!(o.lines[0].description, "Comté 18 mois");
    assert_eq!(o.lines[0].unit_amount, Some(1500));
    assert_eq!(
        (
            o.amount_subtotal,
            o.amount_discount,
            o.amount_shipping,
            o.amount_total
        ),
        (4000, 500, 800, 4300)
    );
    assert_eq!(o.invoice_id.as_deref(), Some("in_1"));
    assert_eq!(
        o.invoice_pdf.as_deref(),
        Some("https://pay.stripe.com/invoice/acct_1/in_1/pdf")
    );
    assert_eq!(
        o.payment_intent_id.as_deref(),
        Some("pi_1PgafyB7WZ01zgkWSjxsAJo3")
    );
}

#[test]
fn custom_fields_of_every_type_are_kept_with_their_labels_and_values() {
    let mut s = completed_session();
    assert_eq!(s["custom_fields"], json!([]), "the fixture has none");
    let text = |v: Value| json!({"default_value": null, "maximum_length": 255, "minimum_length": null, "value": v});
    let hostile = "<img src=x onerror=alert(1)> & <script>alert(1)</script>";
    s["custom_fields"] = json!([
        {"key": "giftmessage", "label": {"custom": "Gift message", "type": "custom"},
         "optional": true, "type": "text", "text": text(json!("Happy birthday, Mum!"))},
        {"key": "wrap", "label": {"custom": "Gift wrap", "type": "custom"}, "optional": false,
         "type": "dropdown", "dropdown": {"default_value": null, "value": "box",
            "options": [{"label": "Kraft paper", "value": "kraft"}, {"label": "Gift box", "value": "box"}]}},
        {"key": "floor", "label": {"custom": "Floor", "type": "custom"}, "optional": false,
         "type": "numeric", "numeric": {"default_value": null, "maximum_length": null, "minimum_length": null, "value": "3"}},
        {"key": "instructions", "label": {"custom": "Delivery instructions", "type": "custom"},
         "optional": true, "type": "text", "text": text(Value::Null)},
        {"key": "note", "label": {"custom": hostile, "type": "custom"}, "optional": true,
         "type": "text", "text": text(json!(hostile))},
        // No custom label: the key names it; an option the list lacks shows its value.
        {"key": "colour", "label": {"custom": null, "type": "custom"}, "optional": true,
         "type": "dropdown", "dropdown": {"default_value": null, "value": "teal", "options": []}},
        // Not a field without its key.
        {"label": {"custom": "Lost", "type": "custom"}, "type": "text", "text": text(json!("x"))}
    ]);
    let o = order_from_session(&s, &[], &no_rates, &guess)
        .unwrap()
        .unwrap();
    let field = |key: &str, label: &str, kind: &str, value: Option<&str>| CustomField {
        key: key.into(),
        label: label.into(),
        kind: kind.into(),
        value: value.map(str::to_owned),
    };
    assert_eq!(
        o.custom_fields,
        [
            field(
                "giftmessage",
                "Gift message",
                "text",
                Some("Happy birthday, Mum!")
            ),
            field("wrap", "Gift wrap", "dropdown", Some("Gift box")),
            field("floor", "Floor", "numeric", Some("3")),
            field("instructions", "Delivery instructions", "text", None),
            // Customer text is kept as it was typed: whoever shows it shows it as text.
            field("note", hostile, "text", Some(hostile)),
            field("colour", "colour", "dropdown", Some("teal")),
        ]
    );

    // Read back from the cache as it is stored.
    let stored: Order = serde_json::from_str(&serde_json::to_string(&o).unwrap()).unwrap();
    assert_eq!(stored.custom_fields, o.custom_fields);
    // An order cached before custom fields were kept reads with none.
    let mut old = serde_json::to_value(&o).unwrap();
    old.as_object_mut().unwrap().remove("custom_fields");
    let old: Order = serde_json::from_value(old).unwrap();
    assert!(old.custom_fields.is_empty());
}

#[test]
fn session_without_shipping_or_rate_is_a_pickup() {
    let mut s = completed_session();
    s["collected_information"] = Value::Null;
    let o = order_from_session(&s, &[], &no_rates, &guess)
        .unwrap()
        .unwrap();
    assert!(o.shipping.is_none());
    assert_eq!(o.delivery_kind, DeliveryKind::Pickup);
    assert!(
        o.number.starts_with('#'),
        "no invoice: a short id, got {}",
        o.number
    );
}

#[test]
fn pickup_rate_wins_over_an_address() {
    let mut s = completed_session();
    s["shipping_cost"]["shipping_rate"] = json!("shr_shop");
    let name = |id: &str| (id == "shr_shop").then(|| "Retrait en boutique".to_owned());
    let o = order_from_session(&s, &[], &name, &guess).unwrap().unwrap();
    assert_eq!(o.delivery_method.as_deref(), Some("Retrait en boutique"));
    assert_eq!(o.delivery_kind, DeliveryKind::Pickup);
    // The merchant said this rate is not a pickup: the address makes it a delivery.
    let never = |_: &str, _: Option<&str>| false;
    let o = order_from_session(&s, &[], &name, &never).unwrap().unwrap();
    assert_eq!(o.delivery_kind, DeliveryKind::Delivery);
}

#[test]
fn full_discount_and_several_tax_rates() {
    let mut s = completed_session();
    s["amount_total"] = json!(0);
    s["total_details"] = json!({
        "amount_discount": 4000, "amount_shipping": 0, "amount_tax": 0,
        "breakdown": {
            "discounts": [{"amount": 4000, "discount": {"id": "di_1", "object": "discount",
                "source": {"type": "coupon", "coupon": {"id": "FREE", "object": "coupon", "name": "Offert 100%"}}}}],
            "taxes": [
                {"amount": 0, "rate": {"id": "txr_1", "object": "tax_rate", "display_name": "TVA", "percentage": 20.0}, "taxability_reason": null},
                {"amount": 0, "rate": {"id": "txr_2", "object": "tax_rate", "display_name": "TVA", "percentage": 5.5}, "taxability_reason": null}
            ]
        }
    });
    let o = order_from_session(&s, &[], &no_rates, &guess)
        .unwrap()
        .unwrap();
    assert_eq!(o.amount_total, 0);
    assert_eq!(o.amount_discount, 4000);
    assert_eq!(o.discounts[0].name.as_deref(), Some("Offert 100%"));
    assert_eq!(o.taxes.len(), 2);
    assert_eq!(o.taxes[0].rate.as_deref(), Some("20"));
    assert_eq!(o.taxes[1].rate.as_deref(), Some("5.5"));
}

#[test]
fn zero_decimal_currency_keeps_amounts_as_given() {
    let mut s = completed_session();
    s["currency"] = json!("jpy");
    s["amount_subtotal"] = json!(3200);
    s["amount_total"] = json!(3200);
    s["total_details"] = json!({"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0});
    let o = order_from_session(&s, &[item("抹茶", 1, 3200)], &no_rates, &guess)
        .unwrap()
        .unwrap();
    assert_eq!(o.currency, "jpy");
    assert_eq!(o.amount_total, 3200, "yen are not cents");
    assert_eq!(o.lines[0].unit_amount, Some(3200));
}

#[test]
fn subscription_mode_session_is_not_an_order() {
    let mut s = completed_session();
    s["mode"] = json!("subscription");
    assert!(order_from_session(&s, &[], &no_rates, &guess)
        .unwrap()
        .is_none());
}

#[test]
fn official_invoice_maps() {
    let inv = fixture("invoice");
    let i = invoice_from(&inv).unwrap();
    assert_eq!(i.id, "in_1Pgc6tB7WZ01zgkWu9fdqL6I");
    assert_eq!(i.customer_id.as_deref(), Some("cus_QXg1o8vcGmoR32"));
    assert_eq!(i.total, 1000);
    assert_eq!(i.status.as_deref(), Some("draft"));
    // Its parent is a quote, not a subscription.
    assert_eq!(i.subscription_id, None);
    assert!(!invoice_is_order(&inv), "a draft is not an order");
}

#[test]
fn paid_one_off_invoice_is_an_order() {
    let mut inv = fixture("invoice");
    inv["status"] = json!("paid");
    inv["parent"] = Value::Null;
    inv["number"] = json!("F-2026-0007");
    inv["customer_name"] = json!("Hôtel du Lac");
    inv["customer_email"] = json!("compta@hoteldulac.fr");
    let o = order_from_invoice(&inv, &no_rates, &guess)
        .unwrap()
        .unwrap();
    assert_eq!(o.source, OrderSource::Invoice);
    assert_eq!(o.number, "F-2026-0007");
    assert_eq!(o.billing.name.as_deref(), Some("Hôtel du Lac"));
    assert_eq!(o.lines.len(), 1);
    assert_eq!(
        o.lines[0].description,
        "My First Invoice Item (created for API docs)"
    );
    assert_eq!(o.amount_total, 1000);
    assert_eq!(
        o.delivery_kind,
        DeliveryKind::Pickup,
        "no shipping address: collected"
    );
}

#[test]
fn subscription_invoice_is_not_an_order() {
    let mut inv = fixture("invoice");
    inv["status"] = json!("paid");
    inv["parent"] = json!({"type": "subscription_details", "subscription_details": {"subscription": "sub_1", "metadata": null}, "quote_details": null});
    assert_eq!(invoice_subscription_id(&inv).as_deref(), Some("sub_1"));
    assert!(order_from_invoice(&inv, &no_rates, &guess)
        .unwrap()
        .is_none());
}

#[test]
fn official_customer_and_deleted_customer() {
    let c = customer_from(&fixture("customer")).unwrap();
    assert_eq!(c.id, "cus_QXg1o8vcGmoR32");
    assert!(!c.deleted);
    let d = customer_from(&fixture("deleted_customer")).unwrap();
    assert_eq!(d.id, "cus_QXg1o8vcGmoR32");
    assert!(d.deleted);
    assert_eq!(d.name, None);
}

#[test]
fn official_subscription_reads_period_from_items() {
    let s = subscription_from(&fixture("subscription"), None).unwrap();
    assert_eq!(s.id, "sub_1Pgc6rB7WZ01zgkWNy0Cn5nw");
    assert_eq!(s.amount, 2000);
    assert_eq!(s.interval, "month");
    assert_eq!(s.interval_count, 1);
    // API 2026-09-30: the period is on the item.
    assert_eq!(s.current_period_end, Some(976287773));
    assert_eq!(s.cancel_at, Some(1234567890));
    assert!(s.cancel_at_period_end);
}

#[test]
fn official_payment_method_is_masked() {
    let pm = payment_method_summary(&fixture("payment_method")).unwrap();
    assert_eq!(pm.kind, "card");
    assert_eq!(pm.brand.as_deref(), Some("visa"));
    assert_eq!(pm.last4.as_deref(), Some("4242"));
    assert_eq!((pm.exp_month, pm.exp_year), (Some(8), Some(2030)));
    let shown = serde_json::to_string(&pm).unwrap();
    assert!(
        !shown.contains("fingerprint") && !shown.contains("AOB934RVNwzk6xtn"),
        "only brand, last 4 and expiry"
    );
}

#[test]
fn official_shipping_rate_and_pickup_guess() {
    let r = shipping_rate_from(&fixture("shipping_rate"), None).unwrap();
    assert_eq!(r.display_name, "Ground shipping");
    assert_eq!(r.amount, Some(500));
    assert!(!r.is_pickup);
    for name in [
        "Retrait en boutique",
        "Click & Collect",
        "Store pickup",
        "Pick up in store",
    ] {
        assert!(looks_like_pickup(name), "{name}");
    }
    for name in [
        "Colissimo",
        "Chronopost 24h",
        "UPS Standard",
        "Mondial Relay",
    ] {
        assert!(!looks_like_pickup(name), "{name}");
    }
}

/// The official subscription with its items named after expanded products.
fn subscription_of(items: &[(&str, i64, i64)]) -> Value {
    let mut s = fixture("subscription");
    let tpl = s["items"]["data"][0].clone();
    s["items"]["data"] = Value::Array(
        items
            .iter()
            .map(|&(name, qty, unit)| {
                let mut it = tpl.clone();
                let mut product = fixture("product");
                product["name"] = json!(name);
                it["price"]["product"] = product;
                it["price"]["unit_amount"] = json!(unit);
                it["quantity"] = json!(qty);
                it
            })
            .collect(),
    );
    s
}

#[test]
fn a_subscription_of_several_items_names_them_all() {
    let s = subscription_from(
        &subscription_of(&[("Box thé", 1, 2900), ("Option miel", 2, 450)]),
        None,
    )
    .unwrap();
    assert_eq!(s.product_name.as_deref(), Some("Box thé + Option miel ×2"));
    assert_eq!(s.amount, 2900 + 2 * 450);
    let one = subscription_from(&subscription_of(&[("Box thé", 3, 2900)]), None).unwrap();
    assert_eq!(one.product_name.as_deref(), Some("Box thé ×3"));
}

#[test]
fn a_customer_keeps_only_the_masked_default_payment_method() {
    let mut c = fixture("customer");
    c["invoice_settings"]["default_payment_method"] = fixture("payment_method");
    let c = customer_from(&c).unwrap();
    let pm = c
        .default_payment_method
        .expect("the expanded default is read");
    assert_eq!(
        (
            pm.brand.as_deref(),
            pm.last4.as_deref(),
            pm.exp_month,
            pm.exp_year
        ),
        (Some("visa"), Some("4242"), Some(8), Some(2030))
    );
    assert!(!serde_json::to_string(&pm).unwrap().contains("fingerprint"));
    // Not expanded (an id only): nothing to show rather than an id.
    let mut bare = fixture("customer");
    bare["invoice_settings"]["default_payment_method"] = json!("pm_123");
    assert_eq!(customer_from(&bare).unwrap().default_payment_method, None);
}

/// The official invoice, open after `attempts` failed attempts, whose payment is the official
/// PaymentIntent failed with `error`, its official charge failed too.
fn failed_invoice(attempts: i64, error: Value) -> Value {
    let mut inv = fixture("invoice");
    inv["status"] = json!("open");
    inv["attempt_count"] = json!(attempts);
    inv["next_payment_attempt"] = json!(1_796_000_000);
    inv["last_finalization_error"] = Value::Null;
    let mut pi = fixture("payment_intent");
    pi["status"] = json!("requires_payment_method");
    pi["last_payment_error"] = error;
    let mut ch = fixture("charge");
    ch["status"] = json!("failed");
    ch["failure_code"] = json!("card_declined");
    ch["failure_message"] = json!("Your card was declined.");
    pi["latest_charge"] = ch;
    let mut payment = fixture("invoice_payment");
    payment["payment"] = json!({"type": "payment_intent", "payment_intent": pi});
    inv["payments"] = json!({"object": "list", "data": [payment], "has_more": false, "url": "/v1/invoice_payments"});
    inv
}

#[test]
fn a_past_due_subscription_says_why_and_when_stripe_retries() {
    let mut s = fixture("subscription");
    s["status"] = json!("past_due");
    s["latest_invoice"] = failed_invoice(
        3,
        json!({"type": "card_error", "code": "expired_card", "decline_code": "expired_card",
               "message": "Your card has expired."}),
    );
    let f = subscription_from(&s, None)
        .unwrap()
        .payment_failure
        .unwrap();
    assert_eq!(f.code.as_deref(), Some("expired_card"));
    assert_eq!(f.message.as_deref(), Some("Your card has expired."));
    assert_eq!((f.attempt_count, f.next_attempt), (3, Some(1_796_000_000)));

    // No error on the PaymentIntent: the charge's failure says it.
    let mut inv = failed_invoice(1, Value::Null);
    inv["next_payment_attempt"] = Value::Null;
    let f = payment_failure(&inv).unwrap();
    assert_eq!(f.code.as_deref(), Some("card_declined"));
    assert_eq!(f.message.as_deref(), Some("Your card was declined."));
    assert_eq!((f.attempt_count, f.next_attempt), (1, None));

    // Only the payments' ids (not read): the attempts and the retry are still told.
    let mut inv = failed_invoice(2, Value::Null);
    inv["payments"]["data"][0]["payment"]["payment_intent"] = json!("pi_123");
    let f = payment_failure(&inv).unwrap();
    assert_eq!((f.code, f.attempt_count), (None, 2));

    // A finalization error (no payment tried).
    let mut inv = failed_invoice(0, Value::Null);
    inv["payments"] = Value::Null;
    inv["last_finalization_error"] = json!({"type": "invalid_request_error", "code": "customer_tax_location_invalid", "message": "The customer's location is not valid."});
    assert_eq!(
        payment_failure(&inv).unwrap().code.as_deref(),
        Some("customer_tax_location_invalid")
    );

    // Paid, or never attempted: nothing failed.
    let mut paid = failed_invoice(3, Value::Null);
    paid["status"] = json!("paid");
    assert_eq!(payment_failure(&paid), None);
    assert_eq!(payment_failure(&failed_invoice(0, Value::Null)), None);
    // The official subscription's latest invoice is an id: nothing to say.
    assert_eq!(
        subscription_from(&fixture("subscription"), None)
            .unwrap()
            .payment_failure,
        None
    );
}

/// Packing mode (README: Packing mode): a line keeps its product, a product its first picture
/// only on Stripe's file host over https, and its metadata for codes.
#[test]
fn lines_keep_their_product_and_products_their_stripe_picture_and_metadata() {
    let mut it = item("Miel de lavande", 2, 900);
    it["price"]["product"] = json!("prod_honey");
    assert_eq!(
        order_line_from_item(&it).product_id.as_deref(),
        Some("prod_honey")
    );
    it["price"]["product"] = json!({"id": "prod_expanded", "object": "product"});
    assert_eq!(
        order_line_from_item(&it).product_id.as_deref(),
        Some("prod_expanded")
    );

    let mut p = fixture("product");
    p["id"] = json!("prod_honey");
    p["name"] = json!("Miel de lavande");
    p["metadata"] = json!({"sku": "EPI-007"});
    p["images"] = json!([
        "https://files.stripe.com/links/MDB8abc",
        "https://cdn.example/x.png"
    ]);
    let (id, name, image, metadata) = product_to_store(&p).unwrap();
    assert_eq!(id, "prod_honey");
    assert_eq!(name.as_deref(), Some("Miel de lavande"));
    assert_eq!(
        image.as_deref(),
        Some("https://files.stripe.com/links/MDB8abc")
    );
    assert_eq!(metadata["sku"], "EPI-007");

    for elsewhere in [
        "https://cdn.example/x.png",
        "http://files.stripe.com/links/x",
        "https://files.stripe.com.evil.example/x",
        "https://user@files.stripe.com/x",
        "https://files.stripe.com:8443/x",
        "javascript:alert(1)",
    ] {
        p["images"] = json!([elsewhere]);
        assert_eq!(product_to_store(&p).unwrap().2, None, "{elsewhere}");
    }
    p["images"] = json!([]);
    assert_eq!(product_to_store(&p).unwrap().2, None);
}
