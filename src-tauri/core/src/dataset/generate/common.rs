//! What every part of the generator shares: helpers that fill Stripe's example objects, calendar
//! arithmetic, and the generator's state (the random stream, the id counters and the references
//! to the catalogue that later objects point at).

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use std::collections::HashMap;

pub(in crate::dataset) const DAY: i64 = 86_400;
pub(super) const B62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// Overwrite a field the template has. Debug builds refuse a field the template lacks, so a typo
/// cannot invent a shape Stripe does not send.
pub(super) fn set(v: &mut Value, key: &str, val: Value) {
    let obj = v.as_object_mut().expect("template is an object");
    match obj.get_mut(key) {
        Some(slot) => *slot = val,
        None => {
            debug_assert!(false, "template has no field {key}");
            obj.insert(key.to_string(), val);
        }
    }
}

/// Add a field that Stripe sends but the example object leaves out (includable fields such as
/// `total_details.breakdown`, or the `sepa_debit` hash of a SEPA payment method).
pub(super) fn add(v: &mut Value, key: &str, val: Value) {
    v.as_object_mut()
        .expect("object")
        .insert(key.to_string(), val);
}

/// An object from moved values (`json!` would re-serialize every interpolated `Value`).
pub(super) fn obj<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

/// A Stripe list object.
pub(super) fn list(data: Vec<Value>, url: String) -> Value {
    obj([
        ("data", Value::Array(data)),
        ("has_more", Value::Bool(false)),
        ("object", json!("list")),
        ("url", Value::String(url)),
    ])
}

pub(super) fn sets(v: &mut Value, fields: Vec<(&str, Value)>) {
    for (k, val) in fields {
        set(v, k, val);
    }
}

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic (Stripe bills on calendar months).

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub(super) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    let next = if m == 12 {
        days_from_civil(y + 1, 1, 1)
    } else {
        days_from_civil(y, m + 1, 1)
    };
    next - days_from_civil(y, m, 1)
}

pub(super) fn add_months(ts: i64, months: i64) -> i64 {
    let secs = ts.rem_euclid(DAY);
    let (y, m, d) = civil_from_days(ts.div_euclid(DAY));
    let total = y * 12 + (m - 1) + months;
    let (ny, nm) = (total.div_euclid(12), total.rem_euclid(12) + 1);
    let nd = d.min(days_in_month(ny, nm));
    days_from_civil(ny, nm, nd) * DAY + secs
}

pub(in crate::dataset) fn add_interval(ts: i64, interval: &str, count: i64) -> i64 {
    match interval {
        "year" => add_months(ts, 12 * count),
        "month" => add_months(ts, count),
        "week" => ts + 7 * DAY * count,
        _ => ts + DAY * count,
    }
}

// ---------------------------------------------------------------------------------------------
// Generator state, kept in the dataset so later mutations continue the same id sequences.

#[derive(Clone, Debug)]
pub(super) struct CatalogEntry {
    pub def: usize,
    pub product_id: String,
    /// `(currency, price id)`.
    pub prices: Vec<(&'static str, String)>,
}

impl CatalogEntry {
    pub(super) fn price(&self, currency: &str) -> &str {
        self.prices
            .iter()
            .find(|(c, _)| *c == currency)
            .map(|(_, p)| p.as_str())
            .unwrap_or("")
    }
}

#[derive(Clone, Debug)]
pub(super) struct TaxRef {
    pub id: String,
    /// Percentage in basis points (20 % = 2000, 5.5 % = 550).
    pub bp: i64,
    pub inclusive: bool,
}

#[derive(Clone, Debug, Default)]
pub(super) struct Taxes {
    pub fr20_ex: Option<TaxRef>,
    pub fr55_ex: Option<TaxRef>,
    pub fr20_in: Option<TaxRef>,
    pub fr55_in: Option<TaxRef>,
    pub gb20_in: Option<TaxRef>,
    pub de19_ex: Option<TaxRef>,
    pub de7_ex: Option<TaxRef>,
}

#[derive(Clone, Debug)]
pub(super) struct CouponRef {
    pub id: String,
    pub promo: Option<String>,
    pub percent: Option<i64>,
    pub amount_off: Option<(i64, &'static str)>,
}

#[derive(Clone, Debug)]
pub(in crate::dataset) struct Generator {
    pub(super) rng: StdRng,
    pub(super) counter: u64,
    pub(super) livemode: bool,
    pub(super) hostile: bool,
    pub(super) last_time: i64,
    pub(super) account_id: String,
    pub(super) shop: Vec<CatalogEntry>,
    pub(super) subs: Vec<CatalogEntry>,
    /// `(rate id, currency, amount)` of delivery rates.
    pub(super) delivery_rates: Vec<(String, &'static str, i64)>,
    pub(super) pickup_rates: Vec<String>,
    pub(super) taxes: Taxes,
    pub(super) coupons: Vec<CouponRef>,
    pub(super) price_idx: HashMap<String, usize>,
    pub(super) tax_idx: HashMap<String, usize>,
    pub(super) next_invoice_number: u32,
    pub(super) next_event_seq: u64,
}

impl Generator {
    pub(super) fn new(seed: u64, livemode: bool, hostile: bool) -> Self {
        Generator {
            rng: StdRng::seed_from_u64(seed),
            counter: 0,
            livemode,
            hostile,
            last_time: 0,
            account_id: String::new(),
            shop: Vec::new(),
            subs: Vec::new(),
            delivery_rates: Vec::new(),
            pickup_rates: Vec::new(),
            taxes: Taxes::default(),
            coupons: Vec::new(),
            price_idx: HashMap::new(),
            tax_idx: HashMap::new(),
            next_invoice_number: 1,
            next_event_seq: 1,
        }
    }

    /// A Stripe-looking id: the prefix, a fixed-width counter (so ids never collide), then
    /// random characters up to `len`.
    pub(crate) fn id(&mut self, prefix: &str, len: usize) -> String {
        self.counter += 1;
        let mut s = String::with_capacity(prefix.len() + len);
        s.push_str(prefix);
        let mut c = self.counter;
        let mut buf = [b'0'; 6];
        for slot in buf.iter_mut().rev() {
            *slot = B62[(c % 62) as usize];
            c /= 62;
        }
        s.extend(buf.iter().map(|&b| b as char));
        for _ in 6..len {
            s.push(B62[self.rng.random_range(0..62)] as char);
        }
        s
    }

    pub(super) fn token(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| B62[self.rng.random_range(0..62)] as char)
            .collect()
    }

    pub(super) fn mode_prefix(&self) -> &'static str {
        if self.livemode {
            "live"
        } else {
            "test"
        }
    }

    /// A time in `[lo, hi]`; about a third of the time the previous pick again, because real
    /// accounts have many objects created in the same second and paging must not rely on
    /// `created`.
    pub(super) fn pick_time(&mut self, lo: i64, hi: i64) -> i64 {
        let hi = hi.max(lo);
        if self.last_time >= lo && self.last_time <= hi && self.rng.random_bool(0.3) {
            return self.last_time;
        }
        let t = self.rng.random_range(lo..=hi);
        self.last_time = t;
        t
    }

    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p.clamp(0.0, 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_follow_the_calendar() {
        // 2026-01-31 + 1 month = 2026-02-28.
        let jan31 = days_from_civil(2026, 1, 31) * DAY + 3600;
        assert_eq!(
            civil_from_days(add_months(jan31, 1).div_euclid(DAY)),
            (2026, 2, 28)
        );
        assert_eq!(add_months(jan31, 1).rem_euclid(DAY), 3600);
        assert_eq!(
            civil_from_days(add_months(jan31, 12).div_euclid(DAY)),
            (2027, 1, 31)
        );
        assert_eq!(civil_from_days(0), (1970, 1, 1));
    }
}
