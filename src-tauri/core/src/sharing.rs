//! Fulfilment state shared between stations through Stripe metadata (README: Stations).
//!
//! Every fulfilment action is applied locally at once and queued in `stripe_writes` (see
//! [`queue`]). [`push_due`] writes the queue to Stripe in order: it reads the order's object,
//! stops on another station's newer state (a conflict: that state is applied here, the emails
//! that waited for the write are cancelled), writes the metadata under the write's
//! idempotency key, waits the settle delay and reads the object again; only a write still there
//! releases its emails. The sync reads the same metadata back ([`apply_remote`]), so another
//! station, or a fresh install, rebuilds every order's state.
//!
//! The metadata lives on the order's invoice when it has one (`invoice.updated` carries the
//! change to other stations), else on its charge (`charge.updated`), else on its Checkout
//! Session, which no event announces: the sync re-reads recent ones.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::time::Duration;

use crate::model::{FulfilmentStatus, Order, OrderSource, Timestamp};
use crate::problem::Problem;
use crate::store::stripe_writes::{self, StripeWrite, WriteState};
use crate::store::{self, Store, StoreError};
use crate::stripe::{StripeClient, StripeError};

/// The metadata keys (all prefixed `comptoir_`, at most 40 characters).
pub mod keys {
    pub const STATUS: &str = "comptoir_status";
    pub const AT: &str = "comptoir_at";
    pub const BY: &str = "comptoir_by";
    pub const STATION: &str = "comptoir_station";
    pub const ACTION: &str = "comptoir_action";
    pub const WRITE: &str = "comptoir_write";
    /// How many `comptoir_t<n>` chunks hold the parcels.
    pub const PARCELS: &str = "comptoir_parcels";
    /// The parcels as one JSON array of `[carrier, number, link]`, cut into chunks of at most
    /// [`super::CHUNK`] characters: `comptoir_t1`, `comptoir_t2`…
    pub const CHUNK_PREFIX: &str = "comptoir_t";
}

/// Stripe's limit on a metadata value, in characters.
pub const VALUE_MAX: usize = 500;
/// The parcels' chunk size (below [`VALUE_MAX`]).
pub const CHUNK: usize = 490;
/// The most chunks written: with the six other keys, 36 of Stripe's 50, leaving the merchant's
/// own keys room.
pub const MAX_CHUNKS: usize = 30;
/// The settings key that says sharing is off, and why (a problem, as JSON).
pub const SHARING_OFF: &str = "sharing_off";
/// The settings key that says the store is an account's, whose state is shared ("1"). A store
/// without it (the demo store, a bare store) keeps its state to itself.
pub const SHARING_ON: &str = "sharing_on";

/// One parcel as shared: carrier id, number, tracking link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedParcel {
    pub carrier: Option<String>,
    pub number: Option<String>,
    pub url: String,
}

/// An order's fulfilment state as written to Stripe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedState {
    pub status: FulfilmentStatus,
    /// When the last action happened (the acting station's clock).
    pub at: Timestamp,
    pub staff: Option<String>,
    pub station: Option<String>,
    /// The last action: `shipped`, `marked_not_sent`, `picked_up`.
    pub action: String,
    pub parcels: Vec<SharedParcel>,
    /// The write's token (its idempotency key): how a station knows its own write.
    pub token: String,
}

fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

impl SharedState {
    /// The metadata to send: every key of this state, and an empty value (Stripe deletes the
    /// key) for the parcel chunks of `previous` this state no longer uses.
    pub fn to_metadata(&self, previous: Option<&Value>) -> Result<Vec<(String, String)>, Problem> {
        let mut out = vec![
            (keys::STATUS.to_owned(), self.status.as_str().to_owned()),
            (keys::AT.to_owned(), self.at.to_string()),
            (
                keys::BY.to_owned(),
                clip(self.staff.as_deref().unwrap_or_default(), VALUE_MAX),
            ),
            (
                keys::STATION.to_owned(),
                clip(self.station.as_deref().unwrap_or_default(), VALUE_MAX),
            ),
            (keys::ACTION.to_owned(), clip(&self.action, VALUE_MAX)),
            (keys::WRITE.to_owned(), self.token.clone()),
        ];
        let chunks: Vec<String> = if self.parcels.is_empty() {
            Vec::new()
        } else {
            let rows: Vec<(&Option<String>, &Option<String>, &str)> = self
                .parcels
                .iter()
                .map(|p| (&p.carrier, &p.number, p.url.as_str()))
                .collect();
            let json = serde_json::to_string(&rows).unwrap_or_default();
            let chars: Vec<char> = json.chars().collect();
            chars.chunks(CHUNK).map(|c| c.iter().collect()).collect()
        };
        if chunks.len() > MAX_CHUNKS {
            return Err(Problem::SharedStateTooLarge {
                parcels: u32::try_from(self.parcels.len()).unwrap_or(u32::MAX),
            });
        }
        out.push((keys::PARCELS.to_owned(), chunks.len().to_string()));
        for (i, c) in chunks.iter().enumerate() {
            out.push((format!("{}{}", keys::CHUNK_PREFIX, i + 1), c.clone()));
        }
        // Chunks of an earlier, longer state are removed.
        if let Some(old) = previous.and_then(Value::as_object) {
            for k in old.keys() {
                let stale = k
                    .strip_prefix(keys::CHUNK_PREFIX)
                    .and_then(|n| n.parse::<usize>().ok())
                    .is_some_and(|n| n > chunks.len());
                if stale {
                    out.push((k.clone(), String::new()));
                }
            }
        }
        Ok(out)
    }

    /// The state in an object's metadata; `None` when it holds none (or not a readable one).
    pub fn from_metadata(meta: &Value) -> Option<SharedState> {
        let get = |k: &str| meta.get(k).and_then(Value::as_str);
        let status = FulfilmentStatus::parse(get(keys::STATUS)?)?;
        let token = get(keys::WRITE)?.to_owned();
        let at = get(keys::AT)?.parse().ok()?;
        let text = |k: &str| get(k).map(str::to_owned).filter(|s| !s.is_empty());
        let chunks: usize = get(keys::PARCELS).and_then(|n| n.parse().ok()).unwrap_or(0);
        let mut json = String::new();
        for i in 1..=chunks.min(MAX_CHUNKS) {
            json.push_str(get(&format!("{}{i}", keys::CHUNK_PREFIX))?);
        }
        let parcels = if json.is_empty() {
            Vec::new()
        } else {
            let rows: Vec<(Option<String>, Option<String>, String)> =
                serde_json::from_str(&json).ok()?;
            rows.into_iter()
                // A link another station wrote is checked like one typed here.
                .filter_map(|(carrier, number, url)| {
                    let url = crate::carriers::validate_tracking_url(&url).ok()?;
                    Some(SharedParcel {
                        carrier,
                        number,
                        url,
                    })
                })
                .collect()
        };
        Some(SharedState {
            status,
            at,
            staff: text(keys::BY),
            station: text(keys::STATION),
            action: get(keys::ACTION).unwrap_or_default().to_owned(),
            parcels,
            token,
        })
    }

    fn is_done(&self) -> bool {
        matches!(
            self.status,
            FulfilmentStatus::Sent | FulfilmentStatus::PickedUp
        )
    }

    /// "Already sent by Camille at Atelier at 14:03", as a problem the window words.
    pub fn already_done(&self) -> Problem {
        Problem::AlreadyDoneElsewhere {
            status: self.status.as_str().to_owned(),
            staff: self.staff.clone(),
            station: self.station.clone(),
            at: self.at,
        }
    }
}

/// The Stripe object an order's shared state lives on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Invoice(String),
    Charge(String),
    Session(String),
}

impl Target {
    /// The path after `/v1`.
    pub fn path(&self) -> String {
        match self {
            Target::Invoice(id) => format!("/invoices/{id}"),
            Target::Charge(id) => format!("/charges/{id}"),
            Target::Session(id) => format!("/checkout/sessions/{id}"),
        }
    }
}

/// Where an order's shared state lives: its invoice, else its charge, else its session.
pub async fn target_of(
    conn: &mut sqlx::SqliteConnection,
    order: &Order,
) -> Result<Option<Target>, StoreError> {
    if let Some(inv) = &order.invoice_id {
        return Ok(Some(Target::Invoice(inv.clone())));
    }
    if let Some(pi) = &order.payment_intent_id {
        if let Some(ch) = store::payments::get(&mut *conn, pi)
            .await?
            .and_then(|p| p.charge_id)
        {
            return Ok(Some(Target::Charge(ch)));
        }
    }
    Ok((order.source == OrderSource::CheckoutSession).then(|| Target::Session(order.id.clone())))
}

/// Why sharing is off at this station (a read-only key, the demo store), if it is.
pub async fn sharing_off<'e>(
    db: impl sqlx::SqliteExecutor<'e>,
) -> Result<Option<Problem>, StoreError> {
    Ok(store::settings::get_value(db, SHARING_OFF)
        .await?
        .and_then(|json| serde_json::from_str(&json).ok()))
}

/// Marks the store as an account's: its fulfilment state is shared from now on.
pub async fn enable<'e>(db: impl sqlx::SqliteExecutor<'e>) -> Result<(), StoreError> {
    store::settings::set_value(db, SHARING_ON, "1").await
}

/// Whether actions at this station are written to Stripe.
pub async fn is_shared(conn: &mut sqlx::SqliteConnection) -> Result<bool, StoreError> {
    let on = store::settings::get_value(&mut *conn, SHARING_ON)
        .await?
        .as_deref()
        == Some("1");
    Ok(on && sharing_off(&mut *conn).await?.is_none())
}

/// Turns sharing off at this station, for the reason given (or on again with `None`).
pub async fn set_sharing_off<'e>(
    db: impl sqlx::SqliteExecutor<'e>,
    why: Option<&Problem>,
) -> Result<(), StoreError> {
    let value = why
        .map(serde_json::to_string)
        .transpose()?
        .unwrap_or_default();
    store::settings::set_value(db, SHARING_OFF, &value).await
}

/// A new write token (also the write's idempotency key).
pub fn new_token() -> String {
    format!("cw_{:032x}", rand::random::<u128>())
}

/// Queues the write of the order's current local state, in the action's transaction; returns
/// its id, or `None` when sharing is off. The order's row takes the write's token.
///
/// While an account's sharing is off (a key that may not write), the write is recorded as
/// skipped, for [`catch_up`] to send once sharing is back; the order keeps the token of the
/// state last seen on Stripe.
pub(crate) async fn queue(
    conn: &mut sqlx::SqliteConnection,
    order_id: &str,
    action: &str,
    now: Timestamp,
) -> Result<Option<i64>, StoreError> {
    let on = store::settings::get_value(&mut *conn, SHARING_ON)
        .await?
        .as_deref()
        == Some("1");
    if !on {
        return Ok(None);
    }
    let off = sharing_off(&mut *conn).await?;
    let Some(row) = store::fulfilments::get(&mut *conn, order_id).await? else {
        return Ok(None);
    };
    let parcels = store::tracking_entries::list_for_order(&mut *conn, order_id)
        .await?
        .into_iter()
        .map(|t| SharedParcel {
            carrier: t.carrier,
            number: t.number,
            url: t.url,
        })
        .collect();
    let base = store::fulfilments::shared_token(&mut *conn, order_id).await?;
    let token = new_token();
    let state = SharedState {
        status: row.status,
        at: now,
        staff: row.staff,
        station: row.station,
        action: action.to_owned(),
        parcels,
        token: token.clone(),
    };
    let payload = serde_json::to_string(&state)?;
    let id = stripe_writes::insert(conn, order_id, &payload, base.as_deref(), &token, now).await?;
    if let Some(why) = off {
        let why = serde_json::to_string(&why)?;
        stripe_writes::finish(&mut *conn, id, WriteState::Skipped, Some(&why), now).await?;
        return Ok(None);
    }
    store::fulfilments::set_shared_token(conn, order_id, &token).await?;
    Ok(Some(id))
}

/// Turns sharing on again (a new key, or "Check again") and queues the actions taken while it
/// was off ([`catch_up`]); returns how many. A key that still may not write turns it off again
/// at the first write.
pub async fn resume(conn: &mut sqlx::SqliteConnection, now: Timestamp) -> Result<u32, StoreError> {
    set_sharing_off(&mut *conn, None).await?;
    catch_up(conn, now).await
}

/// Sharing is back on ("Check again" in Settings): the last action on each order that was
/// skipped while it was off is queued again, under a new token, so the other stations learn
/// of it. An order whose state has changed since (another station's state applied by a sync)
/// is left as it is. Returns how many writes were queued.
pub async fn catch_up(
    conn: &mut sqlx::SqliteConnection,
    now: Timestamp,
) -> Result<u32, StoreError> {
    let mut queued = 0;
    for (order_id, payload) in stripe_writes::last_skipped(&mut *conn).await? {
        let Ok(mut state) = serde_json::from_str::<SharedState>(&payload) else {
            continue;
        };
        let Some(row) = store::fulfilments::get(&mut *conn, &order_id).await? else {
            continue;
        };
        if (row.status, &row.staff, &row.station) != (state.status, &state.staff, &state.station) {
            continue;
        }
        let base = store::fulfilments::shared_token(&mut *conn, &order_id).await?;
        state.token = new_token();
        let payload = serde_json::to_string(&state)?;
        stripe_writes::insert(
            conn,
            &order_id,
            &payload,
            base.as_deref(),
            &state.token,
            now,
        )
        .await?;
        store::fulfilments::set_shared_token(conn, &order_id, &state.token).await?;
        queued += 1;
    }
    Ok(queued)
}

/// Replaces the order's local state with a shared one (parcels included) and notes it in the
/// history under the acting station's staff and name.
async fn replace_local(
    conn: &mut sqlx::SqliteConnection,
    order_id: &str,
    s: &SharedState,
) -> Result<(), StoreError> {
    let row = store::fulfilments::FulfilmentRow {
        status: s.status,
        sent_at: (s.status == FulfilmentStatus::Sent).then_some(s.at),
        picked_up_at: (s.status == FulfilmentStatus::PickedUp).then_some(s.at),
        staff: s.staff.clone(),
        station: s.station.clone(),
        updated_at: s.at,
    };
    store::fulfilments::upsert(conn, order_id, &row).await?;
    store::tracking_entries::delete_for_order(conn, order_id).await?;
    for p in &s.parcels {
        let entry = store::tracking_entries::StoredTracking {
            carrier: p.carrier.clone(),
            number: p.number.clone(),
            url: p.url.clone(),
            created_at: s.at,
        };
        store::tracking_entries::insert(conn, order_id, &entry).await?;
    }
    store::fulfilments::set_shared_token(conn, order_id, &s.token).await?;
    let urls: Vec<&str> = s.parcels.iter().map(|p| p.url.as_str()).collect();
    let detail = (!urls.is_empty()).then(|| urls.join(" "));
    let action = match s.action.as_str() {
        "shipped" | "marked_not_sent" | "picked_up" => s.action.as_str(),
        _ => "shared_update",
    };
    let entry = store::audit_log::NewEntry {
        order_id,
        at: s.at,
        action,
        staff: s.staff.as_deref(),
        station: s.station.as_deref(),
        detail: detail.as_deref(),
    };
    store::audit_log::insert(conn, &entry).await?;
    store::orders::reindex(conn, order_id).await?;
    Ok(())
}

/// Applies the shared state found in an object's metadata to the order, when it is another
/// station's (a token this station has not seen) and this station has no write of its own
/// waiting for the order (that write's turn decides). Returns whether anything changed.
pub async fn apply_remote(
    conn: &mut sqlx::SqliteConnection,
    order_id: &str,
    metadata: Option<&Value>,
) -> Result<bool, StoreError> {
    let Some(remote) = metadata.and_then(SharedState::from_metadata) else {
        return Ok(false);
    };
    if stripe_writes::order_has_pending(&mut *conn, order_id).await? {
        return Ok(false);
    }
    if store::fulfilments::shared_token(&mut *conn, order_id)
        .await?
        .as_deref()
        == Some(remote.token.as_str())
    {
        return Ok(false);
    }
    replace_local(conn, order_id, &remote).await?;
    Ok(true)
}

/// Another station acted on the order first: its state replaces this station's, the order's
/// waiting writes end as conflicts and the emails that waited for them are cancelled; the
/// history says who won and when.
async fn resolve_conflict(
    store: &Store,
    write: &StripeWrite,
    theirs: &SharedState,
    now: Timestamp,
) -> Result<Conflict, StoreError> {
    let problem = theirs.already_done();
    let problem_json = serde_json::to_string(&problem)?;
    let mut tx = store.write().await?;
    let writes =
        stripe_writes::conflict_pending_of_order(&mut tx, &write.order_id, &problem_json, now)
            .await?;
    let cancelled = store::outbox::cancel_waiting_for(&mut tx, &writes, now).await?;
    replace_local(&mut tx, &write.order_id, theirs).await?;
    let detail = format!(
        "{}{}",
        theirs.status.as_str(),
        if cancelled.is_empty() {
            ""
        } else {
            "; email_cancelled"
        }
    );
    // Dated when the other station acted, so the history reads in order and the notice says
    // when the order was shipped or handed over.
    let entry = store::audit_log::NewEntry {
        order_id: &write.order_id,
        at: theirs.at,
        action: "shared_conflict",
        staff: theirs.staff.as_deref(),
        station: theirs.station.as_deref(),
        detail: Some(&detail),
    };
    store::audit_log::insert(&mut tx, &entry).await?;
    tx.commit().await?;
    tracing::info!(
        order = %write.order_id,
        cancelled_emails = cancelled.len(),
        "another station acted first; its state was applied"
    );
    Ok(Conflict {
        order_id: write.order_id.clone(),
        problem,
        emails_cancelled: cancelled.len(),
    })
}

/// A conflict found while writing.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub order_id: String,
    /// "Already sent by … at … at …".
    pub problem: Problem,
    pub emails_cancelled: usize,
}

/// What a pass over the write queue did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PushReport {
    pub written: u32,
    pub conflicts: Vec<Conflict>,
    pub skipped: u32,
    /// Writes still waiting (offline, or Stripe failing): they go on the next pass, in order.
    pub waiting: i64,
    /// Set when the key may not write: sharing is now off at this station.
    pub sharing_off: Option<Problem>,
}

/// How the write queue behaves.
#[derive(Debug, Clone, Copy)]
pub struct PushOptions {
    /// How long a write waits before it is read back (see README: Stations, on the window
    /// that remains between two stations).
    pub settle: Duration,
}

impl Default for PushOptions {
    fn default() -> Self {
        PushOptions {
            settle: Duration::from_secs(2),
        }
    }
}

enum Failure {
    /// Offline, rate-limited, a server error: the write waits, later ones with it.
    Later(Problem),
    /// The key may not write: sharing off.
    NotPermitted(Problem),
    /// This write can never land (the object is gone, Stripe refuses the values).
    Never(Problem),
}

fn failure(e: StripeError) -> Failure {
    match &e {
        StripeError::Permission(said) => Failure::NotPermitted(Problem::SharingNotPermitted {
            permission: crate::stripe::client::missing_permission(said),
        }),
        StripeError::NotFound(_) => Failure::Never(e.problem()),
        StripeError::Api { status, .. } if (400..500).contains(status) && *status != 409 => {
            Failure::Never(e.problem())
        }
        _ => Failure::Later(e.problem()),
    }
}

/// The next attempt after `attempts` failures: 5 s, 10 s, 20 s… at most 5 minutes.
fn backoff(attempts: i64) -> i64 {
    (5_i64 << attempts.clamp(0, 6)).min(300)
}

async fn read_metadata(client: &StripeClient, target: &Target) -> Result<Value, StripeError> {
    let obj = client.get(&target.path(), &[]).await?;
    Ok(obj.get("metadata").cloned().unwrap_or(Value::Null))
}

/// Writes the queue to Stripe, oldest first, until it is empty or a write must wait.
pub async fn push_due(
    store: &Store,
    client: &StripeClient,
    opts: PushOptions,
) -> Result<PushReport, StoreError> {
    let mut report = PushReport::default();
    while let Some(w) = stripe_writes::first_pending(store.pool()).await? {
        let now = store::now();
        if w.next_attempt_at > now {
            break;
        }
        match push_one(store, client, &w, opts).await? {
            Ok(Pushed::Written) => report.written += 1,
            Ok(Pushed::Conflict(c)) => report.conflicts.push(c),
            Ok(Pushed::Skipped) => report.skipped += 1,
            Err(Failure::Later(p)) => {
                let json = serde_json::to_string(&p)?;
                stripe_writes::retry_later(store.pool(), w.id, &json, now + backoff(w.attempts))
                    .await?;
                break;
            }
            Err(Failure::NotPermitted(p)) => {
                let json = serde_json::to_string(&p)?;
                let mut tx = store.write().await?;
                set_sharing_off(&mut *tx, Some(&p)).await?;
                let n = stripe_writes::skip_all_pending(&mut *tx, &json, now).await?;
                tx.commit().await?;
                tracing::warn!("the Stripe key may not write metadata: sharing is off");
                report.skipped += u32::try_from(n).unwrap_or(u32::MAX);
                report.sharing_off = Some(p);
                break;
            }
            Err(Failure::Never(p)) => {
                let json = serde_json::to_string(&p)?;
                stripe_writes::finish(store.pool(), w.id, WriteState::Skipped, Some(&json), now)
                    .await?;
                tracing::warn!(order = %w.order_id, "a fulfilment write could not land: {p:?}");
                report.skipped += 1;
            }
        }
    }
    report.waiting = stripe_writes::pending_count(store.pool()).await?;
    Ok(report)
}

enum Pushed {
    Written,
    Conflict(Conflict),
    Skipped,
}

async fn push_one(
    store: &Store,
    client: &StripeClient,
    w: &StripeWrite,
    opts: PushOptions,
) -> Result<Result<Pushed, Failure>, StoreError> {
    let mut conn = store.pool().acquire().await?;
    let order = match store::orders::get(&mut *conn, &w.order_id).await {
        Ok(o) => o,
        Err(StoreError::NotFound(_)) => {
            drop(conn);
            stripe_writes::finish(store.pool(), w.id, WriteState::Skipped, None, store::now())
                .await?;
            return Ok(Ok(Pushed::Skipped));
        }
        Err(e) => return Err(e),
    };
    let target = target_of(&mut conn, &order).await?;
    drop(conn);
    let Some(target) = target else {
        stripe_writes::finish(store.pool(), w.id, WriteState::Skipped, None, store::now()).await?;
        return Ok(Ok(Pushed::Skipped));
    };
    let ours: SharedState = serde_json::from_str(&w.payload)?;
    let before = match read_metadata(client, &target).await {
        Ok(m) => m,
        Err(e) => return Ok(Err(failure(e))),
    };
    let remote = SharedState::from_metadata(&before);
    if let Some(theirs) = remote.as_ref().filter(|r| {
        r.token != w.idempotency_key && Some(r.token.as_str()) != w.base_token.as_deref()
    }) {
        return Ok(Ok(Pushed::Conflict(
            resolve_conflict(store, w, theirs, store::now()).await?,
        )));
    }
    if remote.as_ref().map(|r| r.token.as_str()) != Some(w.idempotency_key.as_str()) {
        let pairs = match ours.to_metadata(Some(&before)) {
            Ok(p) => p,
            Err(p) => return Ok(Err(Failure::Never(p))),
        };
        let form: Vec<(String, &str)> = pairs
            .iter()
            .map(|(k, v)| (format!("metadata[{k}]"), v.as_str()))
            .collect();
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        if let Err(e) = client
            .post_form(&target.path(), &form, &w.idempotency_key)
            .await
        {
            return Ok(Err(failure(e)));
        }
    }
    // Read back after the settle delay: a station that wrote in between wins (the last write
    // is the one every station reads), and this one learns it now.
    tokio::time::sleep(opts.settle).await;
    let after = match read_metadata(client, &target).await {
        Ok(m) => m,
        Err(e) => return Ok(Err(failure(e))),
    };
    match SharedState::from_metadata(&after) {
        Some(theirs) if theirs.token != w.idempotency_key => Ok(Ok(Pushed::Conflict(
            resolve_conflict(store, w, &theirs, store::now()).await?,
        ))),
        _ => {
            stripe_writes::finish(store.pool(), w.id, WriteState::Done, None, store::now()).await?;
            Ok(Ok(Pushed::Written))
        }
    }
}

/// Before an action at an online station: the order's shared state as Stripe has it now.
/// Another station's state is applied here first; when that station already shipped or
/// handed the order over, the action is refused with "Already sent by …". Offline (or any
/// Stripe failure), the action goes ahead and its write waits in the queue, where the same
/// check runs when the network returns.
pub async fn check_before_action(
    store: &Store,
    client: &StripeClient,
    order_id: &str,
) -> Result<Option<Problem>, StoreError> {
    let mut conn = store.pool().acquire().await?;
    if !is_shared(&mut conn).await? {
        return Ok(None);
    }
    if stripe_writes::order_has_pending(&mut *conn, order_id).await? {
        return Ok(None);
    }
    let order = store::orders::get(&mut *conn, order_id).await?;
    let Some(target) = target_of(&mut conn, &order).await? else {
        return Ok(None);
    };
    let local = store::fulfilments::shared_token(&mut conn, order_id).await?;
    drop(conn);
    let meta = match read_metadata(client, &target).await {
        Ok(m) => m,
        Err(e) => {
            tracing::info!(order = %order_id, "could not read the shared state first: {e}");
            return Ok(None);
        }
    };
    let Some(remote) = SharedState::from_metadata(&meta) else {
        return Ok(None);
    };
    if local.as_deref() == Some(remote.token.as_str()) {
        return Ok(None);
    }
    let mut tx = store.write().await?;
    apply_remote(&mut tx, order_id, Some(&meta)).await?;
    tx.commit().await?;
    Ok(remote.is_done().then(|| remote.already_done()))
}

/// The conflicts of the last day, newest first: which order, and who acted first when (for the
/// window's notice).
pub async fn recent_conflicts<'e>(
    db: impl sqlx::SqliteExecutor<'e>,
    now: Timestamp,
) -> Result<Vec<crate::model::ConflictNotice>, StoreError> {
    let rows =
        store::audit_log::recent_with_action(db, "shared_conflict", now - 24 * 3600, 5).await?;
    Ok(rows
        .into_iter()
        .map(|(e, order_id, order_number)| {
            let status = e
                .detail
                .as_deref()
                .and_then(|d| d.split(';').next())
                .unwrap_or("sent")
                .to_owned();
            crate::model::ConflictNotice {
                id: e.id,
                order_id,
                order_number,
                problem: Problem::AlreadyDoneElsewhere {
                    status,
                    staff: e.staff,
                    station: e.station,
                    at: e.at,
                },
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(parcels: usize) -> SharedState {
        SharedState {
            status: FulfilmentStatus::Sent,
            at: 1_764_000_000,
            staff: Some("Camille".into()),
            station: Some("Atelier".into()),
            action: "shipped".into(),
            parcels: (0..parcels)
                .map(|i| SharedParcel {
                    carrier: Some("colissimo".into()),
                    number: Some(format!("6A{i:011}")),
                    url: format!("https://www.laposte.fr/outils/suivre-vos-envois?code=6A{i:011}"),
                })
                .collect(),
            token: new_token(),
        }
    }

    fn as_object(pairs: &[(String, String)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect(),
        )
    }

    #[test]
    fn a_state_round_trips_within_stripe_limits() {
        for n in [0, 1, 2, 25] {
            let s = state(n);
            let pairs = s.to_metadata(None).unwrap();
            for (k, v) in &pairs {
                assert!(k.starts_with("comptoir_") && k.len() <= 40, "{k}");
                assert!(v.chars().count() <= VALUE_MAX, "{k}: {}", v.len());
            }
            assert!(pairs.len() <= 50);
            assert_eq!(SharedState::from_metadata(&as_object(&pairs)), Some(s));
        }
    }

    #[test]
    fn fewer_parcels_remove_the_old_chunks() {
        let long = as_object(&state(25).to_metadata(None).unwrap());
        let pairs = state(0).to_metadata(Some(&long)).unwrap();
        let removed: Vec<&str> = pairs
            .iter()
            .filter(|(_, v)| v.is_empty())
            .map(|(k, _)| k.as_str())
            .collect();
        assert!(removed.contains(&"comptoir_t1"), "{removed:?}");
        assert!(!removed.contains(&"comptoir_status"));
    }

    #[test]
    fn foreign_or_hostile_metadata_is_not_a_state() {
        assert_eq!(SharedState::from_metadata(&serde_json::json!({})), None);
        let mut m = as_object(&state(1).to_metadata(None).unwrap());
        m["comptoir_status"] = Value::String("lost".into());
        assert_eq!(SharedState::from_metadata(&m), None);
        // A link that is not a web address never becomes a parcel.
        let mut s = state(1);
        s.parcels[0].url = "javascript:alert(1)".into();
        let m = as_object(&s.to_metadata(None).unwrap());
        assert!(SharedState::from_metadata(&m).unwrap().parcels.is_empty());
    }

    #[test]
    fn too_many_parcels_are_refused_before_stripe() {
        assert!(state(200).to_metadata(None).is_err());
    }
}
