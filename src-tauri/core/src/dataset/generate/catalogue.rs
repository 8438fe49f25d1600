//! The account and its catalogue: tax rates, shipping rates, products with a price in each
//! currency, coupons and promotion codes. The generator keeps references to them (its `shop`,
//! `subs`, `taxes`, rates and coupons) for the objects built later.

use super::common::{sets, CatalogEntry, CouponRef, Generator, TaxRef, Taxes, DAY};
use super::customers::address_value;
use super::vocabulary::{
    convert_price, FR_STREETS, HOSTILE_IMG, HOSTILE_SCRIPT, SHOP_PRODUCTS, SUBSCRIPTION_PRODUCTS,
};
use crate::dataset::templates::template;
use crate::dataset::{Dataset, DatasetSpec};
use rand::Rng;
use serde_json::{json, Value};

fn tax_rate_object(
    g: &mut Generator,
    created: i64,
    country: &str,
    display: &str,
    desc: &str,
    bp: i64,
    inclusive: bool,
) -> Value {
    let mut t = template("tax_rate");
    let pct = if bp % 100 == 0 {
        json!(bp / 100)
    } else {
        json!(bp as f64 / 100.0)
    };
    let id = g.id("txr_", 24);
    sets(
        &mut t,
        vec![
            ("country", json!(country)),
            ("created", json!(created)),
            ("description", json!(desc)),
            ("display_name", json!(display)),
            ("effective_percentage", pct.clone()),
            ("id", json!(id)),
            ("inclusive", json!(inclusive)),
            ("jurisdiction", json!(country)),
            ("livemode", json!(g.livemode)),
            ("percentage", pct),
            ("flat_amount", Value::Null),
            ("rate_type", json!("percentage")),
        ],
    );
    t
}

fn price_object(
    g: &mut Generator,
    id: &str,
    product: &str,
    currency: &str,
    amount: i64,
    recurring: Option<(&str, i64)>,
    created: i64,
) -> Value {
    let mut p = template("price");
    let rec = recurring.map(|(i, c)| {
        json!({"interval": i, "interval_count": c, "meter": null, "usage_type": "licensed", "trial_period_days": null})
    });
    sets(
        &mut p,
        vec![
            ("created", json!(created)),
            ("currency", json!(currency)),
            ("custom_unit_amount", Value::Null),
            ("id", json!(id)),
            ("livemode", json!(g.livemode)),
            ("product", json!(product)),
            (
                "type",
                json!(if rec.is_some() {
                    "recurring"
                } else {
                    "one_time"
                }),
            ),
            ("recurring", rec.unwrap_or(Value::Null)),
            ("transform_quantity", Value::Null),
            ("unit_amount", json!(amount)),
            ("unit_amount_decimal", json!(amount.to_string())),
        ],
    );
    p
}

/// `(display name, currency, amount, active, delivery estimate in business days)`.
type RateDef = (&'static str, &'static str, i64, bool, Option<(i64, i64)>);
/// `(name, percent off, amount off in cents, promotion code)`.
type CouponDef = (&'static str, Option<f64>, Option<i64>, Option<&'static str>);

pub(super) fn build_catalog(ds: &mut Dataset, g: &mut Generator, spec: &DatasetSpec) {
    let t0 = spec.now - 760 * DAY;
    // Account.
    let mut a = template("account");
    g.account_id = g.id("acct_", 16);
    a["business_profile"]["name"] = json!("Comptoir — Épicerie fine");
    a["business_profile"]["support_email"] = json!("bonjour@comptoir-epicerie.fr");
    a["business_profile"]["url"] = json!("https://comptoir-epicerie.fr");
    a["business_profile"]["support_address"] = address_value(&FR_STREETS[0], "FR");
    a["settings"]["dashboard"]["display_name"] = json!("Comptoir");
    a["settings"]["dashboard"]["timezone"] = json!("Europe/Paris");
    a["external_accounts"]["url"] =
        json!(format!("/v1/accounts/{}/external_accounts", g.account_id));
    a["requirements"]["currently_due"] = json!([]);
    a["requirements"]["eventually_due"] = json!([]);
    a["requirements"]["disabled_reason"] = Value::Null;
    sets(
        &mut a,
        vec![
            ("id", json!(g.account_id)),
            ("country", json!("FR")),
            ("default_currency", json!("eur")),
            ("email", json!("bonjour@comptoir-epicerie.fr")),
            ("created", json!(t0 - 30 * DAY)),
            ("charges_enabled", json!(true)),
            ("payouts_enabled", json!(true)),
            ("details_submitted", json!(true)),
            ("business_type", json!("company")),
        ],
    );
    ds.account = a;

    // Tax rates.
    let defs: [(&str, &str, &str, i64, bool); 7] = [
        ("FR", "TVA", "TVA France 20 % (HT)", 2000, false),
        ("FR", "TVA", "TVA France 5,5 % (HT)", 550, false),
        ("FR", "TVA", "TVA France 20 % (TTC)", 2000, true),
        ("FR", "TVA", "TVA France 5,5 % (TTC)", 550, true),
        ("GB", "VAT", "UK VAT 20% (inclusive)", 2000, true),
        ("DE", "MwSt.", "Umsatzsteuer 19 %", 1900, false),
        ("DE", "MwSt.", "Umsatzsteuer 7 %", 700, false),
    ];
    let mut refs = Vec::new();
    for (country, display, desc, bp, inclusive) in defs {
        let t = tax_rate_object(g, t0, country, display, desc, bp, inclusive);
        let id = t["id"].as_str().unwrap().to_string();
        g.tax_idx.insert(id.clone(), ds.tax_rates.len());
        ds.tax_rates.push(t);
        refs.push(Some(TaxRef { id, bp, inclusive }));
    }
    let mut it = refs.into_iter();
    g.taxes = Taxes {
        fr20_ex: it.next().flatten(),
        fr55_ex: it.next().flatten(),
        fr20_in: it.next().flatten(),
        fr55_in: it.next().flatten(),
        gb20_in: it.next().flatten(),
        de19_ex: it.next().flatten(),
        de7_ex: it.next().flatten(),
    };

    // Shipping rates. Pickup rates cost nothing; one retired rate exercises the `active` filter.
    let rates: [RateDef; 9] = [
        ("Colissimo", "eur", 690, true, Some((2, 4))),
        ("Chronopost 24h", "eur", 1290, true, Some((1, 1))),
        ("Mondial Relay", "eur", 450, true, Some((3, 5))),
        ("UPS Standard", "usd", 1500, true, Some((5, 8))),
        ("UPS Standard", "gbp", 1200, true, Some((3, 5))),
        ("UPS Standard", "jpy", 2500, true, Some((6, 9))),
        ("Retrait en boutique", "eur", 0, true, None),
        ("Click & collect", "eur", 0, true, None),
        ("Colissimo (ancien tarif)", "eur", 590, false, Some((2, 4))),
    ];
    for (name, currency, amount, active, estimate) in rates {
        let mut r = template("shipping_rate");
        let id = g.id("shr_", 24);
        let est = estimate.map(|(lo, hi)| {
            json!({"maximum": {"unit": "business_day", "value": hi}, "minimum": {"unit": "business_day", "value": lo}})
        });
        sets(
            &mut r,
            vec![
                ("active", json!(active)),
                ("created", json!(t0)),
                ("delivery_estimate", est.clone().unwrap_or(Value::Null)),
                ("display_name", json!(name)),
                (
                    "fixed_amount",
                    json!({"amount": amount, "currency": currency}),
                ),
                ("id", json!(id)),
                ("livemode", json!(g.livemode)),
                ("tax_behavior", json!("inclusive")),
            ],
        );
        ds.shipping_rates.push(r);
        if !active {
            continue;
        }
        if est.is_some() {
            g.delivery_rates.push((id, currency, amount));
        } else {
            g.pickup_rates.push(id);
        }
    }

    // Products and their prices in each currency.
    for (subscription, defs) in [(false, SHOP_PRODUCTS), (true, SUBSCRIPTION_PRODUCTS)] {
        for (i, def) in defs.iter().enumerate() {
            let product_id = g.id("prod_", 14);
            let created = t0 + g.rng.random_range(0..20 * DAY);
            let mut prices = Vec::new();
            for currency in ["eur", "usd", "gbp", "jpy"] {
                let price_id = g.id("price_", 24);
                let amount = convert_price(def.eur, currency);
                let p = price_object(
                    g,
                    &price_id,
                    &product_id,
                    currency,
                    amount,
                    def.recurring,
                    created,
                );
                g.price_idx.insert(price_id.clone(), ds.prices.len());
                ds.prices.push(p);
                prices.push((currency, price_id));
            }
            let mut description = def.description.to_string();
            if g.hostile && !subscription && (i == 0 || i == 4) {
                description = format!("{description} {HOSTILE_SCRIPT} {HOSTILE_IMG}");
            }
            let mut p = template("product");
            sets(
                &mut p,
                vec![
                    ("created", json!(created)),
                    ("default_price", json!(prices[0].1)),
                    ("description", json!(description)),
                    ("id", json!(product_id)),
                    ("livemode", json!(g.livemode)),
                    ("name", json!(def.name)),
                    ("package_dimensions", Value::Null),
                    ("shippable", json!(def.shippable)),
                    ("updated", json!(created)),
                    ("type", json!("good")),
                ],
            );
            if !subscription {
                // Codes a packing station scans (README: Packing mode): a SKU on every shop
                // product, an EAN-13 on every other one; no random draw, so the rest of the
                // dataset stays as it was.
                p["metadata"] = product_codes(i);
            }
            ds.products.push(p);
            let entry = CatalogEntry {
                def: i,
                product_id,
                prices,
            };
            if subscription {
                g.subs.push(entry);
            } else {
                g.shop.push(entry);
            }
        }
    }

    // Coupons and promotion codes.
    let coupons: [CouponDef; 4] = [
        ("Bienvenue −10 %", Some(10.0), None, Some("BIENVENUE10")),
        ("Noël −20 %", Some(20.0), None, Some("NOEL20")),
        ("Fidélité 5 €", None, Some(500), None),
        ("Cadeau partenaire 100 %", Some(100.0), None, None),
    ];
    for (name, percent, amount_off, code) in coupons {
        let mut c = template("coupon");
        let id = g.token(8).to_uppercase();
        sets(
            &mut c,
            vec![
                ("amount_off", json!(amount_off)),
                ("created", json!(t0)),
                (
                    "currency",
                    if amount_off.is_some() {
                        json!("eur")
                    } else {
                        Value::Null
                    },
                ),
                ("duration", json!("once")),
                ("duration_in_months", Value::Null),
                ("id", json!(id)),
                ("livemode", json!(g.livemode)),
                ("name", json!(name)),
                ("percent_off", json!(percent)),
                ("redeem_by", Value::Null),
            ],
        );
        ds.coupons.push(c);
        let promo = code.map(|code| {
            let mut p = template("promotion_code");
            let pid = g.id("promo_", 24);
            sets(
                &mut p,
                vec![
                    ("active", json!(true)),
                    ("code", json!(code)),
                    ("created", json!(t0)),
                    ("expires_at", Value::Null),
                    ("id", json!(pid)),
                    ("livemode", json!(g.livemode)),
                    ("promotion", json!({"coupon": id, "type": "coupon"})),
                ],
            );
            ds.promotion_codes.push(p);
            pid
        });
        g.coupons.push(CouponRef {
            id,
            promo,
            percent: percent.map(|p| p as i64),
            amount_off: amount_off.map(|a| (a, "eur")),
        });
    }
}

/// The metadata codes of the `i`th shop product: `sku` "EPI-001"…, and on even ones a valid
/// EAN-13 `barcode` in the French range (376…).
fn product_codes(i: usize) -> Value {
    let sku = format!("EPI-{:03}", i + 1);
    if i % 2 == 1 {
        return json!({ "sku": sku });
    }
    let body = format!("376000000{:03}", i + 1);
    let sum: u32 = body
        .chars()
        .rev()
        .enumerate()
        .map(|(k, c)| c.to_digit(10).unwrap_or(0) * if k % 2 == 0 { 3 } else { 1 })
        .sum();
    let check = (10 - sum % 10) % 10;
    json!({ "sku": sku, "barcode": format!("{body}{check}") })
}
