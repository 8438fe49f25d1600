//! Events: the snapshots they carry, their ids (which sort the way they were created) and the
//! creation events of a freshly generated dataset, within the 30 days Stripe keeps.

use super::common::{obj, sets, Generator, B62, DAY};
use crate::dataset::templates::template;
use crate::dataset::Dataset;
use serde_json::{json, Value};

/// Stripe keeps events for 30 days; the generator emits none older than that.
pub const EVENT_RETENTION_DAYS: i64 = 30;
/// The API version the app pins (async-stripe rc.10).
const API_VERSION: &str = "2026-09-30.endive";

/// A session as an event carries it.
pub(in crate::dataset) fn session_snapshot(session: &Value) -> Value {
    event_snapshot(session)
}

pub(super) fn event_snapshot(object: &Value) -> Value {
    let mut o = object.clone();
    // Includable fields are never part of an event's payload.
    if let Some(td) = o.get_mut("total_details").and_then(Value::as_object_mut) {
        td.remove("breakdown");
    }
    o
}

pub(in crate::dataset) fn make_event(
    g: &mut Generator,
    type_: &str,
    object: Value,
    at: i64,
    previous: Option<Value>,
) -> Value {
    let mut e = template("event");
    let seq = g.next_event_seq;
    g.next_event_seq += 1;
    // Fixed-width sequence first, so event ids sort the way they were created.
    let mut buf = [b'0'; 8];
    let mut c = seq;
    for slot in buf.iter_mut().rev() {
        *slot = B62[(c % 62) as usize];
        c /= 62;
    }
    let id = format!("evt_1{}{}", std::str::from_utf8(&buf).unwrap(), g.token(15));
    let mut data = obj([("object", object)]);
    if let Some(prev) = previous {
        data["previous_attributes"] = prev;
    }
    sets(
        &mut e,
        vec![
            ("api_version", json!(API_VERSION)),
            ("created", json!(at)),
            ("data", data),
            ("id", json!(id)),
            ("livemode", json!(g.livemode)),
            ("type", json!(type_)),
        ],
    );
    e
}

/// One creation event per object, then the deletions. Stripe keeps events for 30 days, so older
/// ones are not generated (they would only cost memory).
pub(super) fn creation_events(
    ds: &mut Dataset,
    g: &mut Generator,
    deleted: &[(usize, i64)],
    now: i64,
) {
    let oldest = now - EVENT_RETENTION_DAYS * DAY;
    let created_of = |v: &Value| v["created"].as_i64().unwrap_or(0);
    let mut evs: Vec<(i64, &str, Value)> = Vec::new();
    for c in ds.customers.iter().filter(|c| created_of(c) >= oldest) {
        evs.push((created_of(c), "customer.created", c.clone()));
    }
    for (ci, at) in deleted.iter().filter(|d| d.1 >= oldest) {
        evs.push((*at, "customer.deleted", ds.customers[*ci].clone()));
    }
    for s in ds.subscriptions.iter().filter(|c| created_of(c) >= oldest) {
        evs.push((created_of(s), "customer.subscription.created", s.clone()));
    }
    for s in ds
        .checkout_sessions
        .iter()
        .filter(|c| created_of(c) + DAY >= oldest)
    {
        let created = created_of(s);
        match s["status"].as_str() {
            Some("complete") if created >= oldest => {
                evs.push((created, "checkout.session.completed", event_snapshot(s)))
            }
            Some("expired") => {
                evs.push((created + DAY, "checkout.session.expired", event_snapshot(s)))
            }
            _ => {}
        }
    }
    for inv in ds.invoices.iter().filter(|c| created_of(c) >= oldest) {
        let t = if inv["status"] == "paid" {
            "invoice.paid"
        } else {
            "invoice.created"
        };
        evs.push((created_of(inv), t, inv.clone()));
    }
    evs.sort_by_key(|e| e.0);
    ds.events = evs
        .into_iter()
        .filter(|e| e.0 <= now)
        .map(|(at, t, o)| make_event(g, t, o, at, None))
        .collect();
}
