//! Fulfilment actions (README: Fulfilment, Configure email): ship an order with its tracking links, undo it ("Mark as
//! not sent"), confirm a pickup, and the "Ready for pickup" email. Each action is one
//! transaction: everything is validated first, then the fulfilment row, the tracking entries,
//! the audit log and the queued email are written together, so a refused action changes
//! nothing. The email is only queued here; `mail::send_due` sends it (offline, it waits and the
//! order is still Sent locally).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::carriers::{self, Carrier, CarrierError, CustomCarrier};
use crate::emails::{self, Rendered};
use crate::mail::{self, MailError, SmtpSettings};
use crate::model::{
    DeliveryKind, FulfilmentStatus, Order, OrderFulfilment, Timestamp, TrackingEntry,
};
use crate::problem::{FulfilmentStep, Problem};
use crate::sharing;
use crate::store::outbox::{self, NewEmail, OutboxEmail};
use crate::store::{self, settings, Store, StoreError};

/// The `settings` key the custom carriers are stored under, as JSON.
pub const CUSTOM_CARRIERS_KEY: &str = "custom_carriers";

/// One parcel as staff entered it: a pasted link, or a carrier and a number (and the postcode
/// for Mondial Relay) from which the link is built.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TrackingInput {
    pub carrier: Option<Carrier>,
    pub number: Option<String>,
    pub url: Option<String>,
    pub postcode: Option<String>,
}

/// Who acts, and where (from Settings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub staff: String,
    pub station: String,
}

pub use crate::model::AuditEntry;

/// What happened to the customer email of an action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[ts(export)]
pub enum EmailOutcome {
    /// Queued in the outbox; the mail worker sends it.
    Queued {
        #[ts(type = "number")]
        id: i64,
    },
    /// No SMTP settings yet: nothing was queued (Settings → Email says what to set up).
    NotConfigured,
    /// The order has no customer email address.
    NoRecipient,
    /// The demo store sends nothing: here is what would have been sent.
    Preview { subject: String, text: String },
    /// The action sends no email.
    None,
}

#[derive(Debug, thiserror::Error)]
pub enum FulfilmentError {
    /// Refused before anything was written; the window says why in the merchant's language.
    #[error("refused: {0:?}")]
    Invalid(Problem),
    #[error(transparent)]
    Carrier(#[from] CarrierError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mail(#[from] MailError),
    /// The order is not paid (processing, failed, refunded, disputed): going ahead needs the
    /// merchant's explicit confirmation.
    #[error("This order is not paid: {0}. Confirm to go ahead anyway.")]
    PaymentNotSettled(crate::problem::Unsettled),
}

impl From<sqlx::Error> for FulfilmentError {
    fn from(e: sqlx::Error) -> Self {
        FulfilmentError::Store(StoreError::from(e))
    }
}

pub type Result<T, E = FulfilmentError> = std::result::Result<T, E>;

fn invalid(p: Problem) -> FulfilmentError {
    FulfilmentError::Invalid(p)
}

/// The custom carriers saved in Settings.
pub async fn custom_carriers<'e>(db: impl sqlx::SqliteExecutor<'e>) -> Result<Vec<CustomCarrier>> {
    Ok(match settings::get_value(db, CUSTOM_CARRIERS_KEY).await? {
        Some(json) => serde_json::from_str(&json).map_err(StoreError::Corrupt)?,
        None => Vec::new(),
    })
}

/// Validates and saves the custom carriers.
pub async fn save_custom_carriers<'e>(
    db: impl sqlx::SqliteExecutor<'e>,
    list: &[CustomCarrier],
) -> Result<Vec<CustomCarrier>> {
    let mut clean = Vec::with_capacity(list.len());
    for c in list {
        let c = CustomCarrier::new(&c.id, &c.name, &c.template)?;
        if clean.iter().any(|o: &CustomCarrier| o.id == c.id) {
            return Err(invalid(Problem::CarrierDuplicateId { id: c.id }));
        }
        clean.push(c);
    }
    let json = serde_json::to_string(&clean).map_err(StoreError::Corrupt)?;
    settings::set_value(db, CUSTOM_CARRIERS_KEY, &json).await?;
    Ok(clean)
}

/// A validated parcel: its link and what it was built from.
struct Parcel {
    carrier: Option<String>,
    number: Option<String>,
    url: String,
}

fn carrier_id(c: &Carrier) -> String {
    match c {
        Carrier::Custom(id) => id.clone(),
        other => serde_json::to_value(other)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
    }
}

fn resolve(input: &TrackingInput, custom: &[CustomCarrier]) -> Result<Parcel> {
    let number = input
        .number
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let url = input
        .url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty());
    let carrier = input.carrier.as_ref();
    let (url, number) = match (url, carrier, number) {
        (Some(url), _, n) => (
            carriers::validate_tracking_url(url)?,
            n.map(carriers::normalise_number).transpose()?,
        ),
        (None, Some(c), Some(n)) => (
            carriers::tracking_url(c, n, input.postcode.as_deref(), custom)?,
            Some(carriers::normalise_number(n)?),
        ),
        (None, Some(_), None) => return Err(CarrierError::EmptyNumber.into()),
        (None, None, _) => return Err(invalid(Problem::TrackingMissing)),
    };
    Ok(Parcel {
        carrier: carrier.map(carrier_id),
        number,
        url,
    })
}

fn check_actor(actor: &Actor) -> Result<()> {
    if actor.staff.trim().is_empty() {
        return Err(invalid(Problem::StaffNameMissing));
    }
    Ok(())
}

/// Stops an action on an order whose payment is not settled unless the merchant confirmed it;
/// a confirmed one is recorded in the history (who, when, where, and why it was not paid).
pub(crate) async fn check_payment(
    conn: &mut sqlx::SqliteConnection,
    order: &Order,
    confirmed: bool,
    action: &str,
    actor: &Actor,
    now: Timestamp,
) -> Result<()> {
    let Some(unsettled) = crate::payments::unsettled(&order.payment) else {
        return Ok(());
    };
    if !confirmed {
        return Err(FulfilmentError::PaymentNotSettled(unsettled));
    }
    let reason = unsettled.to_string();
    let detail = format!("{action} although {reason}");
    audit(
        conn,
        &order.id,
        now,
        "unpaid_confirmed",
        actor,
        Some(&detail),
    )
    .await
}

pub(crate) async fn audit(
    conn: &mut sqlx::SqliteConnection,
    order_id: &str,
    at: Timestamp,
    action: &str,
    actor: &Actor,
    detail: Option<&str>,
) -> Result<()> {
    let entry = store::audit_log::NewEntry {
        order_id,
        at,
        action,
        staff: Some(actor.staff.trim()),
        station: Some(actor.station.trim()).filter(|s| !s.is_empty()),
        detail,
    };
    Ok(store::audit_log::insert(conn, &entry).await?)
}

/// An order's history, oldest first.
pub async fn history<'e>(
    db: impl sqlx::SqliteExecutor<'e>,
    order_id: &str,
) -> Result<Vec<AuditEntry>> {
    Ok(store::audit_log::list_for_order(db, order_id).await?)
}

/// The local fulfilment state of an order, with its parcels (carriers by their display
/// names); `None` when nobody has acted on it yet.
pub async fn of_order(
    conn: &mut sqlx::SqliteConnection,
    order_id: &str,
) -> Result<Option<OrderFulfilment>> {
    let Some(f) = store::fulfilments::get(&mut *conn, order_id).await? else {
        return Ok(None);
    };
    let tracking = store::tracking_entries::list_for_order(conn, order_id)
        .await?
        .into_iter()
        .map(|t| TrackingEntry {
            carrier: t.carrier.map(|c| Carrier::display_name(&c)),
            number: t.number,
            url: t.url,
            created_at: t.created_at,
        })
        .collect();
    Ok(Some(OrderFulfilment {
        status: f.status,
        sent_at: f.sent_at,
        picked_up_at: f.picked_up_at,
        staff: f.staff,
        station: f.station,
        tracking,
    }))
}

fn wrong_status(status: FulfilmentStatus, step: FulfilmentStep) -> FulfilmentError {
    invalid(Problem::WrongStatus {
        status: status.as_str().to_owned(),
        step,
    })
}

/// Queues (or previews) an email inside the action's transaction and records what happened.
async fn email_for(
    conn: &mut sqlx::SqliteConnection,
    order: &Order,
    kind: &str,
    content: Rendered,
    demo: bool,
    now: Timestamp,
) -> Result<EmailOutcome> {
    let Rendered {
        subject,
        text,
        html,
    } = content;
    let Some(recipient) = recipient(order) else {
        return Ok(EmailOutcome::NoRecipient);
    };
    if demo {
        return Ok(EmailOutcome::Preview { subject, text });
    }
    let Some(smtp) = mail::load_settings(&mut *conn).await? else {
        return Ok(EmailOutcome::NotConfigured);
    };
    let email = NewEmail {
        kind: kind.to_owned(),
        order_id: Some(order.id.clone()),
        recipient,
        subject,
        text_body: text,
        html_body: html,
    };
    let queued = mail::enqueue(&mut *conn, Some(&smtp), &email, now).await?;
    Ok(EmailOutcome::Queued { id: queued.id })
}

fn outcome_detail(o: &EmailOutcome) -> Option<&'static str> {
    match o {
        EmailOutcome::Queued { .. } => Some("email queued"),
        EmailOutcome::NotConfigured => Some("email not sent: SMTP not configured"),
        EmailOutcome::NoRecipient => Some("email not sent: no customer email address"),
        EmailOutcome::Preview { .. } => Some("demo store: email previewed, not sent"),
        EmailOutcome::None => None,
    }
}

/// How an order leaves: with the tracking links of its parcels, or untracked (a letter, a hand
/// delivery), the customer told or not.
#[derive(Debug, Clone, Copy)]
pub enum Shipment<'a> {
    Parcels(&'a [TrackingInput]),
    Untracked { notify: bool },
}

/// "Send shipping email": records the parcels' tracking links, moves the order to Sent (with
/// the time, staff and station) and queues the shipping confirmation, in one transaction.
pub async fn ship(
    store: &Store,
    order_id: &str,
    parcels: &[TrackingInput],
    actor: &Actor,
    demo: bool,
    confirm_unpaid: bool,
    now: Timestamp,
) -> Result<EmailOutcome> {
    let shipment = Shipment::Parcels(parcels);
    ship_as(store, order_id, shipment, actor, demo, confirm_unpaid, now).await
}

/// "Mark as sent without tracking": a letter or a hand delivery. To be sent → Sent with the
/// time, staff and station, in one transaction; with `notify`, the customer gets the shipping
/// email, without a tracking link.
pub async fn ship_untracked(
    store: &Store,
    order_id: &str,
    actor: &Actor,
    notify: bool,
    demo: bool,
    confirm_unpaid: bool,
    now: Timestamp,
) -> Result<EmailOutcome> {
    let shipment = Shipment::Untracked { notify };
    ship_as(store, order_id, shipment, actor, demo, confirm_unpaid, now).await
}

/// To be sent → Sent as `shipment` says, in one transaction ([`ship`], [`ship_untracked`]).
/// A tracked shipment needs at least one parcel, each link checked against its carrier.
pub async fn ship_as(
    store: &Store,
    order_id: &str,
    shipment: Shipment<'_>,
    actor: &Actor,
    demo: bool,
    confirm_unpaid: bool,
    now: Timestamp,
) -> Result<EmailOutcome> {
    check_actor(actor)?;
    let (parcels, notify) = match shipment {
        Shipment::Parcels([]) => return Err(invalid(Problem::NoParcel)),
        Shipment::Parcels(parcels) => (parcels, true),
        Shipment::Untracked { notify } => (&[][..], notify),
    };
    let mut tx = store.write().await?;
    let custom = custom_carriers(&mut *tx).await?;
    let resolved = parcels
        .iter()
        .map(|p| resolve(p, &custom))
        .collect::<Result<Vec<_>>>()?;
    let outcome = ship_in(
        &mut tx,
        order_id,
        &resolved,
        actor,
        notify,
        demo,
        confirm_unpaid,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(outcome)
}

/// To be sent → Sent with these parcels (none: untracked), the shipping email when `notify`,
/// and the audit entry; the caller commits.
#[allow(clippy::too_many_arguments)]
async fn ship_in(
    tx: &mut sqlx::SqliteConnection,
    order_id: &str,
    resolved: &[Parcel],
    actor: &Actor,
    notify: bool,
    demo: bool,
    confirm_unpaid: bool,
    now: Timestamp,
) -> Result<EmailOutcome> {
    let order = store::orders::get(&mut *tx, order_id).await?;
    let status = store::orders::status(&mut *tx, order_id).await?;
    if status != FulfilmentStatus::ToBeSent {
        return Err(wrong_status(status, FulfilmentStep::Ship));
    }
    check_payment(tx, &order, confirm_unpaid, "shipped", actor, now).await?;
    upsert_fulfilment(&mut *tx, order_id, FulfilmentStatus::Sent, actor, now).await?;
    for p in resolved {
        let entry = store::tracking_entries::StoredTracking {
            carrier: p.carrier.clone(),
            number: p.number.clone(),
            url: p.url.clone(),
            created_at: now,
        };
        store::tracking_entries::insert(&mut *tx, order_id, &entry).await?;
    }
    // Shared with the other stations through Stripe; the email waits until it is there
    // unchallenged (README: Stations).
    let write = sharing::queue(&mut *tx, order_id, "shipped", now).await?;
    let urls: Vec<&str> = resolved.iter().map(|p| p.url.as_str()).collect();
    let outcome = if notify {
        let shop = merchant_name(&mut *tx).await?;
        let content = emails::shipped(&order, &urls, &shop);
        email_for(&mut *tx, &order, "shipping", content, demo, now).await?
    } else {
        EmailOutcome::None
    };
    if let (EmailOutcome::Queued { id }, Some(w)) = (&outcome, write) {
        outbox::wait_for_write(&mut *tx, *id, w).await?;
    }
    let tracking = if urls.is_empty() {
        "no tracking".to_owned()
    } else {
        urls.join(" ")
    };
    let detail = format!(
        "{tracking}; {}",
        outcome_detail(&outcome).unwrap_or("no email")
    );
    audit(&mut *tx, order_id, now, "shipped", actor, Some(&detail)).await?;
    Ok(outcome)
}

async fn upsert_fulfilment(
    conn: &mut sqlx::SqliteConnection,
    order_id: &str,
    status: FulfilmentStatus,
    actor: &Actor,
    now: Timestamp,
) -> Result<()> {
    let row = store::fulfilments::FulfilmentRow {
        status,
        sent_at: (status == FulfilmentStatus::Sent).then_some(now),
        picked_up_at: (status == FulfilmentStatus::PickedUp).then_some(now),
        staff: Some(actor.staff.trim().to_owned()),
        station: Some(actor.station.trim().to_owned()).filter(|s| !s.is_empty()),
        updated_at: now,
    };
    Ok(store::fulfilments::upsert(conn, order_id, &row).await?)
}

/// "Mark as not sent": back to To be sent; the tracking links are removed from the order, the
/// audit log keeps them. In the same transaction, the order's shipping email that no sender
/// has taken yet is cancelled, so it never goes out with a wrong tracking link. One already
/// sent stays sent; one being sent at this moment cannot be stopped (it may already have
/// gone), and the audit detail says so.
pub async fn mark_not_sent(
    store: &Store,
    order_id: &str,
    actor: &Actor,
    now: Timestamp,
) -> Result<()> {
    check_actor(actor)?;
    let mut tx = store.write().await?;
    let status = store::orders::status(&mut *tx, order_id).await?;
    if status != FulfilmentStatus::Sent {
        return Err(wrong_status(status, FulfilmentStep::MarkNotSent));
    }
    let urls = store::tracking_entries::delete_for_order(&mut tx, order_id).await?;
    upsert_fulfilment(&mut tx, order_id, FulfilmentStatus::ToBeSent, actor, now).await?;
    sharing::queue(&mut tx, order_id, "marked_not_sent", now).await?;
    let emails = outbox::cancel_unsent(&mut tx, order_id, "shipping", now).await?;
    let mut detail = format!("tracking removed: {}", urls.join(" "));
    if !emails.cancelled.is_empty() {
        detail.push_str("; shipping email cancelled");
    }
    if !emails.in_flight.is_empty() {
        detail.push_str(
            "; shipping email was being sent and could not be cancelled: it may already have gone",
        );
    }
    if !emails.already_sent.is_empty() {
        detail.push_str("; shipping email already sent");
    }
    audit(
        &mut tx,
        order_id,
        now,
        "marked_not_sent",
        actor,
        Some(&detail),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// "Retry now" on one of an order's emails: queued again, due at `now`, with the same
/// Message-ID (see `mail::retry_now`, which refuses an email sent, being sent or cancelled),
/// and recorded in the order's history. The caller wakes the mail worker.
pub async fn retry_email(
    store: &Store,
    email_id: i64,
    actor: &Actor,
    now: Timestamp,
) -> Result<OutboxEmail> {
    check_actor(actor)?;
    let mut tx = store.write().await?;
    let email = mail::retry_now(&mut tx, email_id, now).await?;
    if let Some(order_id) = &email.order_id {
        let detail = format!(
            "{} email, attempt {} (Message-ID {})",
            email.kind,
            email.attempts.saturating_add(1),
            email.message_id
        );
        audit(
            &mut tx,
            order_id,
            now,
            "email_retried",
            actor,
            Some(&detail),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(email)
}

/// "Confirm order pickup": To be picked up → Picked up, with the time, staff and station.
pub async fn confirm_pickup(
    store: &Store,
    order_id: &str,
    actor: &Actor,
    confirm_unpaid: bool,
    now: Timestamp,
) -> Result<()> {
    check_actor(actor)?;
    let mut tx = store.write().await?;
    let order = store::orders::get(&mut *tx, order_id).await?;
    let status = store::orders::status(&mut *tx, order_id).await?;
    if status != FulfilmentStatus::ToBePickedUp || order.delivery_kind != DeliveryKind::Pickup {
        return Err(wrong_status(status, FulfilmentStep::PickUp));
    }
    check_payment(&mut tx, &order, confirm_unpaid, "handed over", actor, now).await?;
    upsert_fulfilment(&mut tx, order_id, FulfilmentStatus::PickedUp, actor, now).await?;
    sharing::queue(&mut tx, order_id, "picked_up", now).await?;
    audit(&mut tx, order_id, now, "picked_up", actor, None).await?;
    tx.commit().await?;
    Ok(())
}

/// The optional "Ready for pickup" email.
pub async fn send_ready_for_pickup(
    store: &Store,
    order_id: &str,
    actor: &Actor,
    demo: bool,
    now: Timestamp,
) -> Result<EmailOutcome> {
    check_actor(actor)?;
    let mut tx = store.write().await?;
    let order = store::orders::get(&mut *tx, order_id).await?;
    let status = store::orders::status(&mut *tx, order_id).await?;
    if status != FulfilmentStatus::ToBePickedUp {
        return Err(wrong_status(status, FulfilmentStep::AnnounceReady));
    }
    let shop = merchant_name(&mut tx).await?;
    let content = emails::ready_for_pickup(&order, &shop);
    let outcome = email_for(&mut tx, &order, "pickup", content, demo, now).await?;
    audit(
        &mut tx,
        order_id,
        now,
        "ready_for_pickup_email",
        actor,
        outcome_detail(&outcome),
    )
    .await?;
    tx.commit().await?;
    Ok(outcome)
}

pub(crate) async fn merchant_name(conn: &mut sqlx::SqliteConnection) -> Result<String> {
    let smtp: Option<SmtpSettings> = mail::load_settings(&mut *conn).await?;
    Ok(smtp
        .map(|s| s.from_name.trim().to_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "Comptoir".to_owned()))
}

fn recipient(order: &Order) -> Option<String> {
    let email = order
        .billing
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())?;
    Some(match emails::customer_name(order) {
        Some(n) => {
            let n = n.replace(['"', '\\', '\r', '\n'], " ");
            format!("\"{n}\" <{email}>")
        }
        None => email.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parcel_needs_a_safe_link() {
        let bad = TrackingInput {
            url: Some("javascript:alert(1)".into()),
            ..Default::default()
        };
        assert!(resolve(&bad, &[]).is_err());
        let ok = TrackingInput {
            carrier: Some(Carrier::Colissimo),
            number: Some("6A12345678901".into()),
            ..Default::default()
        };
        let p = resolve(&ok, &[]).unwrap();
        assert!(p.url.starts_with("https://"), "{}", p.url);
        assert_eq!(p.carrier.as_deref(), Some("colissimo"));
    }
}
