//! The rules of a subscription's detail, as pure functions: its total duration (start to end),
//! its next charge, and the state the detail states plainly ("Cancels on …", "Payment failed
//! on …"). The store and the workspace feed them cached data; tests feed them tables.

use time::{Date, Month, OffsetDateTime};

use crate::model::{
    Customer, Invoice, PaymentMethodSummary, Subscription, SubscriptionDuration,
    SubscriptionEndSource, SubscriptionState, SubscriptionStateKind, Timestamp,
};

/// The store's setting that turns subscription shipments off ("1"), for a shop whose
/// subscriptions ship nothing. Off by default: each paid cycle of a subscription to a shippable
/// product becomes an order To be sent (README: Subscription boxes).
pub const SHIPMENTS_OFF: &str = "subscription_shipments_off";

/// How recent a paid cycle must be to become an order (README: Subscription boxes): a shop
/// connecting an account with years of renewals gets the boxes still to send, not every box it
/// ever shipped. 35 days covers a monthly cycle and the days around it.
pub const RECENT_CYCLE_SECS: i64 = 35 * 86_400;

/// Whether paid cycles of shippable subscriptions become orders in this store.
pub async fn ships_boxes(
    conn: &mut sqlx::SqliteConnection,
) -> Result<bool, crate::store::StoreError> {
    let off = crate::store::settings::get_value(&mut *conn, SHIPMENTS_OFF).await?;
    Ok(off.as_deref() != Some("1"))
}

/// Whether Stripe will charge the subscription again: it is live and nothing ends it first.
fn renews(s: &Subscription) -> bool {
    matches!(s.status.as_str(), "active" | "trialing" | "past_due") && !s.cancel_at_period_end
}

/// The next charge: the end of the current period (from the items, API 2026), while the
/// subscription renews and its end (if any) comes later.
pub fn next_charge(s: &Subscription) -> Option<Timestamp> {
    let next = s.current_period_end?;
    let end = s.cancel_at.or(s.schedule_end);
    (renews(s) && end.is_none_or(|end| next < end)).then_some(next)
}

/// Computes the next charge of the subscriptions stored before it was kept with them (once per
/// store, when the app opens it). Returns how many were filled in.
pub async fn fill_next_charges(
    store: &crate::store::Store,
) -> Result<usize, crate::store::StoreError> {
    let missing = crate::store::subscriptions::without_next_charge(store.pool()).await?;
    if missing.is_empty() {
        return Ok(0);
    }
    let mut tx = store.write().await?;
    for s in &missing {
        crate::store::subscriptions::set_next_charge(&mut tx, &s.id, next_charge(s)).await?;
    }
    tx.commit().await?;
    Ok(missing.len())
}

/// The subscription's end and where it comes from: it ended, it is set to cancel, or its
/// schedule cancels it after the last phase. `None` means it runs until cancelled.
pub fn end(s: &Subscription) -> Option<(Timestamp, SubscriptionEndSource)> {
    let ended = matches!(s.status.as_str(), "canceled" | "incomplete_expired");
    if let Some(at) = s.ended_at.or(if ended { s.canceled_at } else { None }) {
        return Some((at, SubscriptionEndSource::Ended));
    }
    if let Some(at) = s.cancel_at {
        return Some((at, SubscriptionEndSource::CancelAt));
    }
    if s.cancel_at_period_end {
        if let Some(at) = s.current_period_end {
            return Some((at, SubscriptionEndSource::CancelAt));
        }
    }
    s.schedule_end
        .map(|at| (at, SubscriptionEndSource::Schedule))
}

fn utc_date(t: Timestamp) -> Option<Date> {
    OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .map(|d| d.date())
}

fn last_day(year: i32, month: Month) -> u8 {
    month.length(year)
}

/// `d` plus `months` calendar months, the day clamped to the month's length (31 Jan + 1 = 28 Feb).
fn add_months(d: Date, months: i64) -> Option<Date> {
    let index = i64::from(d.year()) * 12 + i64::from(u8::from(d.month())) - 1 + months;
    let year = i32::try_from(index.div_euclid(12)).ok()?;
    let month = Month::try_from(u8::try_from(index.rem_euclid(12) + 1).ok()?).ok()?;
    let day = d.day().min(last_day(year, month));
    Date::from_calendar_date(year, month, day).ok()
}

/// Whole calendar months from `start` to `end` (UTC dates), and the days left over.
pub fn months_between(start: Timestamp, end: Timestamp) -> Option<(i64, i64)> {
    let (a, b) = (utc_date(start)?, utc_date(end)?);
    if b < a {
        return Some((0, 0));
    }
    let mut months = (i64::from(b.year()) - i64::from(a.year())) * 12
        + i64::from(u8::from(b.month()))
        - i64::from(u8::from(a.month()));
    while months > 0 && add_months(a, months)? > b {
        months -= 1;
    }
    let days = (b - add_months(a, months)?).whole_days();
    Some((months, days))
}

/// The total duration: from the start to the end, or open-ended ("until cancelled").
pub fn duration(s: &Subscription) -> SubscriptionDuration {
    let end = end(s);
    let span = end.and_then(|(at, _)| months_between(s.start_date, at));
    SubscriptionDuration {
        start: s.start_date,
        end: end.map(|(at, _)| at),
        end_source: end.map(|(_, source)| source),
        months: span.map(|(m, _)| m),
        days: span.map(|(_, d)| d),
    }
}

/// When the last payment failed: the newest unpaid invoice's date, else the period's start.
fn failed_at(s: &Subscription, invoices: &[Invoice]) -> Option<Timestamp> {
    invoices
        .iter()
        .filter(|i| matches!(i.status.as_deref(), Some("open" | "uncollectible")))
        .map(|i| i.created)
        .max()
        .or(s.current_period_start)
}

/// The state the detail shows plainly, with its date.
pub fn state(s: &Subscription, invoices: &[Invoice]) -> SubscriptionState {
    use SubscriptionStateKind as K;
    let (kind, at) = match s.status.as_str() {
        "canceled" | "incomplete_expired" => (K::Canceled, s.ended_at.or(s.canceled_at)),
        "incomplete" => (K::Incomplete, None),
        "paused" => (K::Paused, None),
        "unpaid" => (K::Unpaid, failed_at(s, invoices)),
        "past_due" => (K::PastDue, failed_at(s, invoices)),
        live => match end(s) {
            Some((at, source)) if source != SubscriptionEndSource::Ended => {
                (K::Cancelling, Some(at))
            }
            _ if live == "trialing" => (K::Trialing, s.trial_end),
            _ => (K::Active, next_charge(s)),
        },
    };
    SubscriptionState { kind, at }
}

/// The payment method Stripe charges: the subscription's own, else the customer's default
/// (`invoice_settings.default_payment_method`), flagged as such so the detail says whose it is.
pub fn payment_method(
    s: &Subscription,
    customer: Option<&Customer>,
) -> (Option<PaymentMethodSummary>, bool) {
    match (
        &s.payment_method,
        customer.and_then(|c| c.default_payment_method.as_ref()),
    ) {
        (Some(own), _) => (Some(own.clone()), false),
        (None, Some(default)) => (Some(default.clone()), true),
        (None, None) => (None, false),
    }
}

#[cfg(test)]
mod tests;
