//! Customers: the people who buy (names, addresses, phones and e-mails drawn from the shop's
//! vocabulary) and their Customer objects.

use super::common::{sets, Generator};
use super::vocabulary::{
    ascii_fold, Street, DE_NAMES, DE_STREETS, EMAIL_DOMAINS, EN_FIRST, EN_LAST, FR_FIRST, FR_LAST,
    FR_STREETS, GB_STREETS, HOSTILE_IMG, HOSTILE_SCRIPT, JP_NAMES, JP_STREETS, US_STREETS,
};
use crate::dataset::templates::skeleton;
use rand::seq::IndexedRandom;
use rand::Rng;
use serde_json::{json, Value};

#[derive(Clone, Debug)]
pub(super) struct Person {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub address: Value,
    pub country: String,
    pub locales: Vec<String>,
}

pub(super) fn address_value(street: &Street, country: &str) -> Value {
    json!({
        "city": street.2,
        "country": country,
        "line1": street.0,
        "line2": street.1,
        "postal_code": street.4,
        "state": street.3,
    })
}

pub(super) fn make_person(g: &mut Generator, idx: usize) -> Person {
    let roll: f64 = g.rng.random();
    let country = match roll {
        r if r < 0.65 => "FR",
        r if r < 0.77 => "GB",
        r if r < 0.87 => "US",
        r if r < 0.95 => "DE",
        _ => "JP",
    };
    let (mut name, street, phone, locales) = match country {
        "FR" => (
            format!(
                "{} {}",
                FR_FIRST.choose(&mut g.rng).unwrap(),
                FR_LAST.choose(&mut g.rng).unwrap()
            ),
            *FR_STREETS.choose(&mut g.rng).unwrap(),
            format!(
                "+33 6 {:02} {:02} {:02} {:02}",
                g.rng.random_range(0..100),
                g.rng.random_range(0..100),
                g.rng.random_range(0..100),
                g.rng.random_range(0..100)
            ),
            vec!["fr-FR".to_string()],
        ),
        "GB" => (
            format!(
                "{} {}",
                EN_FIRST.choose(&mut g.rng).unwrap(),
                EN_LAST.choose(&mut g.rng).unwrap()
            ),
            *GB_STREETS.choose(&mut g.rng).unwrap(),
            format!("+44 7700 900{:03}", g.rng.random_range(0..1000)),
            vec!["en-GB".to_string()],
        ),
        "US" => (
            format!(
                "{} {}",
                EN_FIRST.choose(&mut g.rng).unwrap(),
                EN_LAST.choose(&mut g.rng).unwrap()
            ),
            *US_STREETS.choose(&mut g.rng).unwrap(),
            format!("+1 415 555 {:04}", g.rng.random_range(0..10000)),
            vec!["en-GB".to_string()],
        ),
        "DE" => (
            DE_NAMES.choose(&mut g.rng).unwrap().to_string(),
            *DE_STREETS.choose(&mut g.rng).unwrap(),
            format!("+49 30 {:07}", g.rng.random_range(0..10_000_000)),
            vec!["en-GB".to_string()],
        ),
        _ => (
            JP_NAMES.choose(&mut g.rng).unwrap().to_string(),
            *JP_STREETS.choose(&mut g.rng).unwrap(),
            format!(
                "+81 3-{:04}-{:04}",
                g.rng.random_range(0..10000),
                g.rng.random_range(0..10000)
            ),
            vec!["en-GB".to_string()],
        ),
    };
    let locales = if g.chance(0.1) { Vec::new() } else { locales };
    let email_local = ascii_fold(&name);
    let email_local = if email_local == "client" {
        format!("client{}", idx)
    } else {
        format!("{email_local}{}", idx % 97)
    };
    let email = format!(
        "{email_local}@{}",
        EMAIL_DOMAINS.choose(&mut g.rng).unwrap()
    );
    let mut address = address_value(&street, country);
    if g.hostile {
        // Fixed positions, so every hostile dataset of a decent size carries both payloads.
        if idx % 10 == 1 {
            name = format!("{name} {HOSTILE_IMG}");
        }
        if idx % 10 == 6 {
            address["line1"] = json!(format!("{} {HOSTILE_SCRIPT}", street.0));
        }
        if idx % 10 == 8 {
            address["line2"] = json!(HOSTILE_IMG);
        }
    }
    Person {
        name,
        email,
        phone,
        address,
        country: country.to_string(),
        locales,
    }
}

pub(super) fn person_from_customer(c: &Value) -> Person {
    let s = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    Person {
        name: s("name"),
        email: s("email"),
        phone: s("phone"),
        address: c.get("address").cloned().unwrap_or(Value::Null),
        country: c["address"]["country"].as_str().unwrap_or("FR").to_string(),
        locales: c["preferred_locales"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

pub(super) fn currency_for(g: &mut Generator, country: &str) -> &'static str {
    if g.chance(0.08) {
        return "eur";
    }
    match country {
        "GB" => "gbp",
        "US" => "usd",
        "JP" => "jpy",
        _ => "eur",
    }
}

pub(super) fn customer_object(g: &mut Generator, id: &str, p: &Person, created: i64) -> Value {
    let mut c = skeleton("customer");
    let shipping = if g.chance(0.3) {
        json!({"address": p.address, "name": p.name, "phone": p.phone})
    } else {
        Value::Null
    };
    let currency = match p.country.as_str() {
        "GB" => "gbp",
        "US" => "usd",
        "JP" => "jpy",
        _ => "eur",
    };
    let prefix = g.token(8).to_uppercase();
    sets(
        &mut c,
        vec![
            ("address", p.address.clone()),
            ("created", json!(created)),
            ("currency", json!(currency)),
            ("discount", Value::Null),
            ("email", json!(p.email)),
            ("id", json!(id)),
            ("invoice_prefix", json!(prefix)),
            (
                "invoice_settings",
                json!({"custom_fields": null, "default_payment_method": null, "footer": null, "rendering_options": null}),
            ),
            ("livemode", json!(g.livemode)),
            ("name", json!(p.name)),
            ("phone", json!(p.phone)),
            ("preferred_locales", json!(p.locales)),
            ("shipping", shipping),
        ],
    );
    c
}

pub(super) fn shipping_contact(p: &Person) -> Value {
    json!({"address": p.address, "name": p.name, "phone": p.phone})
}
