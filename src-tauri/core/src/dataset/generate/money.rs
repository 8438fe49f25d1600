//! Money: cart lines, taxes (exclusive or inclusive, rounded like Stripe) and discounts, shared
//! by Checkout Sessions, invoices and subscriptions.

use super::common::{obj, sets, CouponRef, Generator, TaxRef};
use super::vocabulary::{SHOP_PRODUCTS, SUBSCRIPTION_PRODUCTS};
use crate::dataset::templates::template;
use crate::dataset::Dataset;
use rand::Rng;
use serde_json::{json, Value};

/// Tax on one line: `(amount, taxable_amount)`. Exclusive tax is added on top; inclusive tax is
/// carved out of the amount (Stripe reports the net amount as taxable).
fn compute_tax(base: i64, t: &TaxRef) -> (i64, i64) {
    if t.inclusive {
        let net = (base * 10_000 + (10_000 + t.bp) / 2) / (10_000 + t.bp);
        (base - net, net)
    } else {
        ((base * t.bp + 5_000) / 10_000, base)
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum TaxMode {
    None,
    FrExclusive,
    FrInclusive,
    GbInclusive,
    DeExclusive,
}

pub(super) fn tax_for(g: &Generator, mode: TaxMode, reduced: bool) -> Option<TaxRef> {
    let t = &g.taxes;
    match mode {
        TaxMode::None => None,
        TaxMode::FrExclusive => {
            if reduced {
                t.fr55_ex.clone()
            } else {
                t.fr20_ex.clone()
            }
        }
        TaxMode::FrInclusive => {
            if reduced {
                t.fr55_in.clone()
            } else {
                t.fr20_in.clone()
            }
        }
        TaxMode::GbInclusive => t.gb20_in.clone(),
        TaxMode::DeExclusive => {
            if reduced {
                t.de7_ex.clone()
            } else {
                t.de19_ex.clone()
            }
        }
    }
}

pub(super) fn pick_tax_mode(g: &mut Generator, currency: &str, country: &str) -> TaxMode {
    match (currency, country) {
        ("eur", "DE") => TaxMode::DeExclusive,
        ("eur", _) => {
            let r: f64 = g.rng.random();
            if r < 0.6 {
                TaxMode::FrExclusive
            } else if r < 0.9 {
                TaxMode::FrInclusive
            } else {
                TaxMode::None
            }
        }
        ("gbp", _) => TaxMode::GbInclusive,
        _ => TaxMode::None,
    }
}

pub(super) struct Line {
    pub(super) description: String,
    pub(super) price_id: String,
    pub(super) product_id: String,
    pub(super) qty: i64,
    pub(super) unit: i64,
    pub(super) subtotal: i64,
    pub(super) discount: i64,
    pub(super) tax: Option<(TaxRef, i64, i64)>,
}

impl Line {
    pub(super) fn exclusive_tax(&self) -> i64 {
        match &self.tax {
            Some((t, amount, _)) if !t.inclusive => *amount,
            _ => 0,
        }
    }
    pub(super) fn tax_amount(&self) -> i64 {
        self.tax.as_ref().map(|t| t.1).unwrap_or(0)
    }
    pub(super) fn total(&self) -> i64 {
        self.subtotal - self.discount + self.exclusive_tax()
    }
}

/// Spread a coupon over the lines: a percentage line by line, a fixed amount pro rata with the
/// rounding remainder on the last line, never more than the lines are worth.
pub(super) fn apply_discount(lines: &mut [Line], coupon: &CouponRef, currency: &str) {
    if let Some(p) = coupon.percent {
        for l in lines.iter_mut() {
            l.discount = (l.subtotal * p + 50) / 100;
        }
    } else if let Some((amount, cur)) = coupon.amount_off {
        if cur != currency {
            return;
        }
        let total: i64 = lines.iter().map(|l| l.subtotal).sum();
        let amount = amount.min(total);
        let mut left = amount;
        let n = lines.len();
        for (i, l) in lines.iter_mut().enumerate() {
            let share = if i + 1 == n {
                left
            } else {
                amount * l.subtotal / total.max(1)
            };
            l.discount = share.min(l.subtotal);
            left -= l.discount;
        }
    }
}

pub(super) fn discount_object(
    g: &mut Generator,
    coupon: &CouponRef,
    created: i64,
    customer: Option<&str>,
    session: Option<&str>,
    invoice: Option<&str>,
    subscription: Option<&str>,
) -> Value {
    let mut d = template("discount");
    let id = g.id("di_", 24);
    sets(
        &mut d,
        vec![
            ("checkout_session", json!(session)),
            ("customer", json!(customer)),
            ("end", Value::Null),
            ("id", json!(id)),
            ("invoice", json!(invoice)),
            ("promotion_code", json!(coupon.promo)),
            ("start", json!(created)),
            ("subscription", json!(subscription)),
            ("source", json!({"coupon": coupon.id, "type": "coupon"})),
        ],
    );
    d
}

/// Per-rate sums in first-seen order: `(rate, amount, taxable_amount)`.
pub(super) fn tax_sums(lines: &[Line]) -> Vec<(TaxRef, i64, i64)> {
    let mut out: Vec<(TaxRef, i64, i64)> = Vec::new();
    for l in lines {
        if let Some((t, amount, taxable)) = &l.tax {
            match out.iter_mut().find(|(r, _, _)| r.id == t.id) {
                Some(e) => {
                    e.1 += amount;
                    e.2 += taxable;
                }
                None => out.push((t.clone(), *amount, *taxable)),
            }
        }
    }
    out
}

pub(super) fn line_items_tax(
    ds: &Dataset,
    g: &Generator,
    t: &TaxRef,
    amount: i64,
    taxable: i64,
) -> Value {
    obj([
        ("amount", json!(amount)),
        ("rate", ds.tax_rates[g.tax_idx[&t.id]].clone()),
        ("taxability_reason", json!("standard_rated")),
        ("taxable_amount", json!(taxable)),
    ])
}

pub(super) fn invoice_tax(t: &TaxRef, amount: i64, taxable: i64) -> Value {
    json!({
        "amount": amount,
        "tax_behavior": if t.inclusive { "inclusive" } else { "exclusive" },
        "tax_rate_details": {"tax_rate": t.id},
        "taxability_reason": "standard_rated",
        "taxable_amount": taxable,
        "type": "tax_rate_details",
    })
}

pub(super) fn make_lines(
    ds: &Dataset,
    g: &mut Generator,
    picks: &[(usize, i64)],
    currency: &str,
    mode: TaxMode,
    subscription: bool,
) -> Vec<Line> {
    picks
        .iter()
        .map(|&(idx, qty)| {
            let entry = if subscription {
                &g.subs[idx]
            } else {
                &g.shop[idx]
            };
            let def = if subscription {
                &SUBSCRIPTION_PRODUCTS[entry.def]
            } else {
                &SHOP_PRODUCTS[entry.def]
            };
            let price_id = entry.price(currency).to_string();
            let unit = ds.prices[g.price_idx[&price_id]]["unit_amount"]
                .as_i64()
                .unwrap_or(0);
            Line {
                description: def.name.to_string(),
                product_id: entry.product_id.clone(),
                price_id,
                qty,
                unit,
                subtotal: unit * qty,
                discount: 0,
                tax: tax_for(g, mode, def.reduced_vat).map(|t| (t, 0, 0)),
            }
        })
        .collect()
}

pub(super) fn finish_tax(lines: &mut [Line]) {
    for l in lines.iter_mut() {
        let base = l.subtotal - l.discount;
        if let Some((t, amount, taxable)) = &mut l.tax {
            let (a, tx) = compute_tax(base, t);
            *amount = a;
            *taxable = tx;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taxes_round_like_stripe() {
        let ex = TaxRef {
            id: "t".into(),
            bp: 550,
            inclusive: false,
        };
        assert_eq!(compute_tax(1000, &ex), (55, 1000));
        let inc = TaxRef {
            id: "t".into(),
            bp: 2000,
            inclusive: true,
        };
        assert_eq!(compute_tax(1200, &inc), (200, 1000));
    }
}
