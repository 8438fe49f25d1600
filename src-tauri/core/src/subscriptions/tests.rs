//! Table-driven checks of the duration, next-charge and state rules, on Stripe's official
//! subscription fixture with its fields varied the way real subscriptions vary.

use serde_json::{json, Value};
use time::macros::datetime;

use super::*;
use crate::dataset::templates::template;
use crate::stripe::mapping::subscription_from;

const DAY: i64 = 86_400;

fn t(dt: time::OffsetDateTime) -> i64 {
    dt.unix_timestamp()
}

fn start() -> i64 {
    t(datetime!(2026-01-15 10:00 UTC))
}

/// The official fixture, set to start on 15 Jan 2026 with a current period on its item.
fn official(interval: &str, count: i64, period: (i64, i64)) -> Value {
    let mut s = template("subscription");
    s["start_date"] = json!(start());
    s["status"] = json!("active");
    s["cancel_at"] = Value::Null;
    s["cancel_at_period_end"] = json!(false);
    s["ended_at"] = Value::Null;
    s["canceled_at"] = Value::Null;
    s["trial_end"] = Value::Null;
    let item = &mut s["items"]["data"][0];
    item["current_period_start"] = json!(period.0);
    item["current_period_end"] = json!(period.1);
    item["price"]["recurring"]["interval"] = json!(interval);
    item["price"]["recurring"]["interval_count"] = json!(count);
    s
}

fn sub(v: &Value, schedule: Option<&Value>) -> Subscription {
    subscription_from(v, schedule).expect("the fixture maps")
}

fn schedule(end: i64, behavior: &str) -> Value {
    let mut sch = template("subscription_schedule");
    sch["end_behavior"] = json!(behavior);
    sch["phases"] = json!([
        {"start_date": start(), "end_date": start() + 90 * DAY},
        {"start_date": start() + 90 * DAY, "end_date": end}
    ]);
    sch
}

fn invoice(status: &str, created: i64) -> Invoice {
    Invoice {
        id: format!("in_{created}"),
        number: None,
        customer_id: None,
        subscription_id: Some("sub_1".into()),
        status: Some(status.into()),
        currency: "eur".into(),
        total: 2900,
        amount_paid: 0,
        amount_due: 2900,
        created,
        invoice_pdf: None,
        hosted_invoice_url: None,
    }
}

#[test]
fn official_fixture_period_comes_from_items() {
    let p = (
        t(datetime!(2026-11-15 10:00 UTC)),
        t(datetime!(2026-12-15 10:00 UTC)),
    );
    let mut v = official("month", 1, p);
    // A top-level period (the pre-2025 shape) must be ignored.
    v["current_period_end"] = json!(1);
    let s = sub(&v, None);
    assert_eq!(s.current_period_start, Some(p.0));
    assert_eq!(s.current_period_end, Some(p.1));
    assert_eq!(next_charge(&s), Some(p.1));
}

#[test]
fn months_between_counts_calendar_months() {
    let cases = [
        (
            datetime!(2026-01-15 10:00 UTC),
            datetime!(2027-01-15 10:00 UTC),
            (12, 0),
        ),
        (
            datetime!(2026-01-15 10:00 UTC),
            datetime!(2027-01-15 09:59 UTC),
            (12, 0),
        ),
        (
            datetime!(2026-01-15 10:00 UTC),
            datetime!(2026-04-15 00:00 UTC),
            (3, 0),
        ),
        (
            datetime!(2026-01-15 10:00 UTC),
            datetime!(2026-04-20 00:00 UTC),
            (3, 5),
        ),
        (
            datetime!(2026-01-15 10:00 UTC),
            datetime!(2026-02-14 00:00 UTC),
            (0, 30),
        ),
        (
            datetime!(2026-01-31 00:00 UTC),
            datetime!(2026-02-28 00:00 UTC),
            (1, 0),
        ),
        (
            datetime!(2024-02-29 00:00 UTC),
            datetime!(2025-02-28 00:00 UTC),
            (12, 0),
        ),
        (
            datetime!(2026-03-01 00:00 UTC),
            datetime!(2026-03-01 00:00 UTC),
            (0, 0),
        ),
        (
            datetime!(2026-03-01 00:00 UTC),
            datetime!(2026-02-01 00:00 UTC),
            (0, 0),
        ),
    ];
    for (a, b, want) in cases {
        assert_eq!(months_between(t(a), t(b)), Some(want), "{a} → {b}");
    }
}

#[test]
fn duration_next_charge_and_state_by_kind_of_subscription() {
    use SubscriptionEndSource as E;
    use SubscriptionStateKind as K;
    let month = (
        t(datetime!(2026-11-15 10:00 UTC)),
        t(datetime!(2026-12-15 10:00 UTC)),
    );
    let year = (
        t(datetime!(2026-01-15 10:00 UTC)),
        t(datetime!(2027-01-15 10:00 UTC)),
    );
    let quarter = (
        t(datetime!(2026-10-15 10:00 UTC)),
        t(datetime!(2027-01-15 10:00 UTC)),
    );
    let fixed_end = t(datetime!(2027-01-15 10:00 UTC));
    let sched_end = t(datetime!(2026-07-15 10:00 UTC));
    let ended = t(datetime!(2026-06-02 08:00 UTC));
    let trial_end = t(datetime!(2026-01-29 10:00 UTC));

    struct Case {
        name: &'static str,
        v: Value,
        schedule: Option<Value>,
        end: Option<(i64, E)>,
        months: Option<(i64, i64)>,
        next: Option<i64>,
        state: (K, Option<i64>),
    }
    let with = |mut v: Value, f: &dyn Fn(&mut Value)| {
        f(&mut v);
        v
    };
    let cases = vec![
        Case {
            name: "monthly, until cancelled",
            v: official("month", 1, month),
            schedule: None,
            end: None,
            months: None,
            next: Some(month.1),
            state: (K::Active, Some(month.1)),
        },
        Case {
            name: "yearly, until cancelled",
            v: official("year", 1, year),
            schedule: None,
            end: None,
            months: None,
            next: Some(year.1),
            state: (K::Active, Some(year.1)),
        },
        Case {
            name: "every 3 months",
            v: official("month", 3, quarter),
            schedule: None,
            end: None,
            months: None,
            next: Some(quarter.1),
            state: (K::Active, Some(quarter.1)),
        },
        Case {
            name: "fixed term with cancel_at: the last period ends with it, no charge then",
            v: with(official("month", 3, quarter), &|v| {
                v["cancel_at"] = json!(fixed_end)
            }),
            schedule: None,
            end: Some((fixed_end, E::CancelAt)),
            months: Some((12, 0)),
            next: None,
            state: (K::Cancelling, Some(fixed_end)),
        },
        Case {
            name: "fixed term with cancel_at, charges left",
            v: with(official("month", 1, month), &|v| {
                v["cancel_at"] = json!(fixed_end)
            }),
            schedule: None,
            end: Some((fixed_end, E::CancelAt)),
            months: Some((12, 0)),
            next: Some(month.1),
            state: (K::Cancelling, Some(fixed_end)),
        },
        Case {
            name: "cancelling at period end",
            v: with(official("month", 1, month), &|v| {
                v["cancel_at_period_end"] = json!(true)
            }),
            schedule: None,
            end: Some((month.1, E::CancelAt)),
            months: Some((11, 0)),
            next: None,
            state: (K::Cancelling, Some(month.1)),
        },
        Case {
            name: "schedule that cancels after its last phase",
            v: official("month", 1, (t(datetime!(2026-06-15 10:00 UTC)), sched_end)),
            schedule: Some(schedule(sched_end, "cancel")),
            end: Some((sched_end, E::Schedule)),
            months: Some((6, 0)),
            next: None,
            state: (K::Cancelling, Some(sched_end)),
        },
        Case {
            name: "schedule that releases has no end",
            v: official("month", 1, month),
            schedule: Some(schedule(sched_end, "release")),
            end: None,
            months: None,
            next: Some(month.1),
            state: (K::Active, Some(month.1)),
        },
        Case {
            name: "trialing",
            v: with(official("month", 1, (start(), trial_end)), &|v| {
                v["status"] = json!("trialing");
                v["trial_end"] = json!(trial_end);
            }),
            schedule: None,
            end: None,
            months: None,
            next: Some(trial_end),
            state: (K::Trialing, Some(trial_end)),
        },
        Case {
            name: "past due: failed on the open invoice's date",
            v: with(official("month", 1, month), &|v| {
                v["status"] = json!("past_due")
            }),
            schedule: None,
            end: None,
            months: None,
            next: Some(month.1),
            state: (K::PastDue, Some(month.0 + 3600)),
        },
        Case {
            name: "cancelled",
            v: with(official("month", 1, month), &|v| {
                v["status"] = json!("canceled");
                v["ended_at"] = json!(ended);
                v["canceled_at"] = json!(ended - DAY);
            }),
            schedule: None,
            end: Some((ended, E::Ended)),
            months: Some((4, 18)),
            next: None,
            state: (K::Canceled, Some(ended)),
        },
        Case {
            name: "incomplete",
            v: with(official("month", 1, month), &|v| {
                v["status"] = json!("incomplete")
            }),
            schedule: None,
            end: None,
            months: None,
            next: None,
            state: (K::Incomplete, None),
        },
    ];
    let invoices = vec![
        invoice("paid", month.0 - 30 * DAY),
        invoice("open", month.0 + 3600),
    ];
    for c in cases {
        let s = sub(&c.v, c.schedule.as_ref());
        let d = duration(&s);
        assert_eq!(end(&s), c.end, "{}: end", c.name);
        assert_eq!(d.start, start(), "{}: start", c.name);
        assert_eq!(d.end, c.end.map(|e| e.0), "{}: duration end", c.name);
        assert_eq!(
            d.months.zip(d.days),
            c.months,
            "{}: months and days",
            c.name
        );
        assert_eq!(next_charge(&s), c.next, "{}: next charge", c.name);
        let st = state(&s, &invoices);
        assert_eq!((st.kind, st.at), c.state, "{}: state", c.name);
    }
}

#[test]
fn upcoming_charge_from_the_official_invoice_and_a_discounted_taxed_preview() {
    use crate::stripe::mapping::upcoming_from;
    let official = template("invoice");
    let up = upcoming_from(&official, 42);
    assert_eq!(up.date, official["created"].as_i64().unwrap());
    assert_eq!(up.currency, "usd");
    assert_eq!(up.lines.len(), 1);
    assert_eq!(
        up.lines[0].description,
        "My First Invoice Item (created for API docs)"
    );
    assert_eq!(
        (up.subtotal, up.discount, up.tax, up.total),
        (1000, 0, 0, 1000)
    );
    assert_eq!(up.fetched_at, 42);

    let mut preview = official.clone();
    preview["currency"] = json!("eur");
    preview["subtotal"] = json!(2900);
    preview["total"] = json!(2400);
    preview["total_discount_amounts"] = json!([{"amount": 500, "discount": "di_1"}]);
    preview["total_taxes"] = json!([{
        "amount": 400, "tax_behavior": "inclusive", "taxable_amount": 2000,
        "tax_rate_details": {"tax_rate": {"id": "txr_1", "display_name": "TVA", "percentage": 20.0}},
        "type": "tax_rate_details"
    }]);
    let up = upcoming_from(&preview, 42);
    assert_eq!(
        (up.subtotal, up.discount, up.tax, up.total),
        (2900, 500, 400, 2400)
    );
    assert_eq!(up.taxes[0].label, "TVA");
    assert_eq!(up.taxes[0].rate.as_deref(), Some("20"));
    assert_eq!(up.discounts[0].name.as_deref(), Some("di_1"));
}

#[test]
fn without_its_own_payment_method_the_customers_default_is_charged() {
    use crate::stripe::mapping::{customer_from, payment_method_summary};
    let card = template("payment_method");
    let mut c = template("customer");
    c["invoice_settings"]["default_payment_method"] = card.clone();
    let customer = customer_from(&c).unwrap();

    let mut own = official("month", 1, (start(), start() + 30 * DAY));
    let mut sepa = template("payment_method");
    sepa["type"] = json!("sepa_debit");
    sepa["sepa_debit"] = json!({"last4": "3000", "bank_code": "37040044"});
    own["default_payment_method"] = sepa;
    let (pm, from_customer) = payment_method(&sub(&own, None), Some(&customer));
    assert_eq!(pm.unwrap().last4.as_deref(), Some("3000"));
    assert!(!from_customer, "its own method wins");

    let mut none = own.clone();
    none["default_payment_method"] = Value::Null;
    let (pm, from_customer) = payment_method(&sub(&none, None), Some(&customer));
    assert_eq!(pm, payment_method_summary(&card));
    assert!(from_customer);

    assert_eq!(payment_method(&sub(&none, None), None), (None, false));
}
