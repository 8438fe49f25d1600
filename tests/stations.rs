//! Several stations on one Stripe account (README: Stations): each is a workspace in its own
//! data folder, talking over real HTTP to the Stripe simulator, which keeps the metadata they
//! write and announces it with `invoice.updated` / `charge.updated`. What one station does, the
//! others see after their next incremental sync; a fresh install rebuilds every state; two
//! stations shipping one order send one email; offline actions wait in order; faults never
//! make a write land twice.

mod smtp_support;
mod support;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use comptoir_core::carriers::Carrier;
use comptoir_core::fulfilment::{EmailOutcome, TrackingInput};
use comptoir_core::mail::SmtpPassword;
use comptoir_core::model::{FulfilmentStatus, OrderDetail, OrderQuery, OrderQueue};
use comptoir_core::problem::Problem;
use comptoir_core::secrets::{MemoryStore, Secret, SecretKind, SecretStore};
use comptoir_core::store;
use comptoir_core::sync::SyncOptions;
use comptoir_core::workspace::{Workspace, WorkspaceConfig, WorkspaceError};
use smtp_support::SmtpServer;
use support::{no_progress, Shop, TestShop};

/// A station: the account's key, its own data folder, its staff and its name, synced; its
/// writes are read back after 150 ms (the app waits 2 s: on loopback a write lands in
/// milliseconds).
async fn station(shop: &Shop, dir: &Path, staff: &str, name: &str) -> Workspace {
    station_settling(shop, dir, staff, name, Duration::from_millis(150)).await
}

/// A station whose writes are read back after `settle`.
async fn station_settling(
    shop: &Shop,
    dir: &Path,
    staff: &str,
    name: &str,
    settle: Duration,
) -> Workspace {
    let secrets = Arc::new(MemoryStore::new());
    secrets
        .set(SecretKind::StripeKey, &Secret::new(shop.key()))
        .unwrap();
    let ws = Workspace::open(WorkspaceConfig {
        data_dir: dir.to_owned(),
        api_base: shop.sim.base_url(),
        secrets: secrets as Arc<dyn SecretStore>,
        sync_options: SyncOptions {
            write_settle: settle,
            ..SyncOptions::default()
        },
    })
    .await
    .unwrap();
    let mut s = ws.settings().await.unwrap();
    s.staff_name = staff.into();
    s.station_name = name.into();
    ws.save_settings(&s).await.unwrap();
    ws.sync(no_progress()).await.unwrap();
    ws
}

/// The stations send their emails through `smtp` (on loopback, no login).
async fn email_through(smtp: &SmtpServer, stations: &[&Workspace]) {
    for ws in stations {
        ws.save_smtp_settings(
            &smtp_support::shop_settings(smtp.port, "Épicerie Léa"),
            SmtpPassword::Keep,
        )
        .await
        .unwrap();
    }
}

async fn queue(ws: &Workspace, q: OrderQueue, n: i64) -> Vec<String> {
    ws.list_orders(&OrderQuery {
        status: Some(q),
        limit: n,
        offset: 0,
        ..Default::default()
    })
    .await
    .unwrap()
    .rows
    .into_iter()
    .map(|r| r.id)
    .collect()
}

fn parcel(i: u64) -> TrackingInput {
    TrackingInput {
        carrier: Some(Carrier::Colissimo),
        number: Some(format!("6A{:011}", 10_000_000_000 + i)),
        ..Default::default()
    }
}

/// What every station must agree on: status, when, who, where, and the parcels.
fn shared_view(d: &OrderDetail) -> (FulfilmentStatus, String) {
    let f = d.fulfilment.as_ref();
    let text = format!(
        "{:?} {:?} {:?} {:?} {:?}",
        f.map(|f| (f.sent_at, f.picked_up_at)),
        f.and_then(|f| f.staff.clone()),
        f.and_then(|f| f.station.clone()),
        f.map(|f| f
            .tracking
            .iter()
            .map(|t| (t.carrier.clone(), t.number.clone(), t.url.clone()))
            .collect::<Vec<_>>()),
        d.status,
    );
    (d.status, text)
}

async fn push_all(ws: &Workspace) -> comptoir_core::sharing::PushReport {
    ws.push_writes().await.unwrap().expect("an account station")
}

#[tokio::test]
async fn a_shipment_and_a_pickup_show_at_the_other_station_after_its_next_sync() {
    let shop = TestShop::new().orders(150).start().await;
    let b_dir = tempfile::tempdir().unwrap();
    let a = station(&shop, shop.dir.path(), "Camille", "Atelier").await;
    let b = station(&shop, b_dir.path(), "Léo", "Bureau").await;

    // A ships an order in two parcels.
    let order = queue(&a, OrderQueue::ToBeSent, 1).await.remove(0);
    a.ship_order(&order, &[parcel(1), parcel(2)], false)
        .await
        .unwrap();
    let pushed = push_all(&a).await;
    assert_eq!((pushed.written, pushed.waiting), (1, 0), "{pushed:?}");
    assert!(pushed.conflicts.is_empty());

    // B learns it from the events feed.
    let before = b.order_detail(&order).await.unwrap();
    assert_eq!(before.status, FulfilmentStatus::ToBeSent);
    let report = b.sync(no_progress()).await.unwrap();
    assert!(!report.full && report.events >= 1, "{report:?}");
    let at_a = a.order_detail(&order).await.unwrap();
    let at_b = b.order_detail(&order).await.unwrap();
    assert_eq!(at_b.status, FulfilmentStatus::Sent);
    assert_eq!(shared_view(&at_b), shared_view(&at_a));
    let f = at_b.fulfilment.as_ref().unwrap();
    assert_eq!(f.tracking.len(), 2);
    assert_eq!(
        (f.staff.as_deref(), f.station.as_deref()),
        (Some("Camille"), Some("Atelier"))
    );
    let last = at_b.history.last().unwrap();
    assert_eq!(
        (
            last.action.as_str(),
            last.staff.as_deref(),
            last.station.as_deref()
        ),
        ("shipped", Some("Camille"), Some("Atelier")),
        "B's history says who shipped it, and where"
    );

    // B hands a pickup over; A sees it.
    let pickup = queue(&b, OrderQueue::ToBePickedUp, 1).await.remove(0);
    b.confirm_pickup(&pickup, false).await.unwrap();
    assert_eq!(push_all(&b).await.written, 1);
    a.sync(no_progress()).await.unwrap();
    let at_a = a.order_detail(&pickup).await.unwrap();
    assert_eq!(at_a.status, FulfilmentStatus::PickedUp);
    assert_eq!(
        shared_view(&at_a),
        shared_view(&b.order_detail(&pickup).await.unwrap())
    );
    assert_eq!(
        at_a.fulfilment.as_ref().unwrap().staff.as_deref(),
        Some("Léo")
    );

    // "Mark as not sent" at B undoes A's shipment everywhere, parcels included.
    b.sync(no_progress()).await.unwrap();
    b.mark_not_sent(&order).await.unwrap();
    assert_eq!(push_all(&b).await.written, 1);
    a.sync(no_progress()).await.unwrap();
    let at_a = a.order_detail(&order).await.unwrap();
    assert_eq!(at_a.status, FulfilmentStatus::ToBeSent);
    assert!(at_a.fulfilment.unwrap().tracking.is_empty());
}

#[tokio::test]
async fn a_fresh_install_restores_sixty_states_from_one_full_sync() {
    let shop = TestShop::new().orders(400).start().await;
    let a = station(&shop, shop.dir.path(), "Camille", "Atelier").await;
    let deliveries = queue(&a, OrderQueue::ToBeSent, 50).await;
    let pickups = queue(&a, OrderQueue::ToBePickedUp, 10).await;
    assert_eq!((deliveries.len(), pickups.len()), (50, 10));
    for (i, id) in deliveries.iter().enumerate() {
        let parcels: Vec<TrackingInput> = (0..=(i as u64 % 2))
            .map(|p| parcel(i as u64 * 10 + p))
            .collect();
        a.ship_order(id, &parcels, false).await.unwrap();
    }
    for id in &pickups {
        a.confirm_pickup(id, false).await.unwrap();
    }
    let pushed = push_all(&a).await;
    assert_eq!((pushed.written, pushed.waiting), (60, 0), "{pushed:?}");

    // A new station (a reinstall, a dead disk): one full sync.
    let fresh_dir = tempfile::tempdir().unwrap();
    let fresh = station(&shop, fresh_dir.path(), "Inès", "Comptoir 2").await;
    for id in deliveries.iter().chain(&pickups) {
        let want = a.order_detail(id).await.unwrap();
        let got = fresh.order_detail(id).await.unwrap();
        assert_ne!(got.status, FulfilmentStatus::ToBeSent, "{id} restored");
        assert_eq!(shared_view(&got), shared_view(&want), "{id}");
    }
    let counts = fresh.status().await.unwrap().counts;
    let before = a.status().await.unwrap().counts;
    assert_eq!(counts, before, "every tab counts the same at both stations");
}

/// Both stations ship the same order in the same second, each with its shipping email queued:
/// exactly one email reaches the SMTP server, both end in the same state, and the loser's
/// history says who won.
#[tokio::test]
async fn two_stations_shipping_one_order_send_one_email() {
    let shop = TestShop::new().orders(120).start().await;
    let mail_dir = tempfile::tempdir().unwrap();
    let mut smtp = SmtpServer::new(mail_dir.path());
    smtp.start(&[]);
    let b_dir = tempfile::tempdir().unwrap();
    // The app's own settle delay: the race stays decided even on a loaded machine.
    let settle = comptoir_core::sharing::PushOptions::default().settle;
    let a = station_settling(&shop, shop.dir.path(), "Camille", "Atelier", settle).await;
    let b = station_settling(&shop, b_dir.path(), "Léo", "Bureau", settle).await;
    email_through(&smtp, &[&a, &b]).await;
    let order = queue(&a, OrderQueue::ToBeSent, 1).await.remove(0);
    let (pa7, pb8) = ([parcel(7)], [parcel(8)]);
    let (ra, rb) = tokio::join!(
        a.ship_order(&order, &pa7, false),
        b.ship_order(&order, &pb8, false)
    );
    assert!(matches!(ra.unwrap(), EmailOutcome::Queued { .. }));
    assert!(matches!(rb.unwrap(), EmailOutcome::Queued { .. }));
    // Nothing goes before the writes are settled.
    a.send_due_emails().await.unwrap();
    b.send_due_emails().await.unwrap();
    assert!(
        smtp.received().is_empty(),
        "no email before Stripe has the state"
    );

    let (pa, pb) = tokio::join!(push_all(&a), push_all(&b));
    let conflicts = pa.conflicts.len() + pb.conflicts.len();
    assert_eq!(conflicts, 1, "one station loses: {pa:?} {pb:?}");
    a.send_due_emails().await.unwrap();
    b.send_due_emails().await.unwrap();
    assert_eq!(smtp.received().len(), 1, "exactly one shipping email");

    let (winner, loser) = if pa.conflicts.is_empty() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    let w = winner.order_detail(&order).await.unwrap();
    let l = loser.order_detail(&order).await.unwrap();
    assert_eq!(shared_view(&l), shared_view(&w), "both stations agree");
    let told = l
        .history
        .iter()
        .find(|h| h.action == "shared_conflict")
        .expect("the loser is told");
    let who = w.fulfilment.as_ref().unwrap();
    assert_eq!(
        (told.staff.clone(), told.station.clone()),
        (who.staff.clone(), who.station.clone())
    );
    let cancelled = l
        .emails
        .iter()
        .filter(|e| e.state == store::outbox::OutboxState::Cancelled)
        .count();
    assert_eq!(cancelled, 1, "the loser's email is cancelled");
    // And the winner's next sync changes nothing.
    winner.sync(no_progress()).await.unwrap();
    assert_eq!(
        shared_view(&winner.order_detail(&order).await.unwrap()),
        shared_view(&w)
    );
}

/// A ships while Stripe is down; B ships the same order online. When A is back, it learns B
/// was first: A shows B's state, and A's email never goes.
#[tokio::test]
async fn an_offline_shipment_that_lost_is_undone_when_the_network_returns() {
    let shop = TestShop::new().orders(120).start().await;
    let mail_dir = tempfile::tempdir().unwrap();
    let mut smtp = SmtpServer::new(mail_dir.path());
    smtp.start(&[]);
    let b_dir = tempfile::tempdir().unwrap();
    let a = station(&shop, shop.dir.path(), "Camille", "Atelier").await;
    let b = station(&shop, b_dir.path(), "Léo", "Bureau").await;
    email_through(&smtp, &[&a, &b]).await;
    let order = queue(&a, OrderQueue::ToBeSent, 1).await.remove(0);

    shop.sim.set_down(true);
    a.ship_order(&order, &[parcel(1)], false).await.unwrap();
    assert_eq!(
        a.order_detail(&order).await.unwrap().status,
        FulfilmentStatus::Sent,
        "applied locally at once"
    );
    let offline = push_all(&a).await;
    assert_eq!((offline.written, offline.waiting), (0, 1), "{offline:?}");
    assert_eq!(a.sharing_status().await.unwrap().waiting, 1);
    shop.sim.set_down(false);

    b.ship_order(&order, &[parcel(2)], false).await.unwrap();
    assert_eq!(push_all(&b).await.written, 1);
    b.send_due_emails().await.unwrap();
    assert_eq!(smtp.received().len(), 1);

    // A is back: its sync reaches Stripe, and its waiting write meets B's state.
    a.sync(no_progress()).await.unwrap();
    let back = push_all(&a).await;
    assert_eq!(back.conflicts.len(), 1, "{back:?}");
    assert!(matches!(
        &back.conflicts[0].problem,
        Problem::AlreadyDoneElsewhere { staff: Some(s), station: Some(st), .. }
            if s == "Léo" && st == "Bureau"
    ));
    a.send_due_emails().await.unwrap();
    assert_eq!(smtp.received().len(), 1, "no second email");
    assert_eq!(
        shared_view(&a.order_detail(&order).await.unwrap()),
        shared_view(&b.order_detail(&order).await.unwrap())
    );

    // Online, the same race is refused before anything happens, in the merchant's words.
    let other = queue(&a, OrderQueue::ToBeSent, 1).await.remove(0);
    b.ship_order(&other, &[parcel(3)], false).await.unwrap();
    push_all(&b).await;
    let refused = a.ship_order(&other, &[parcel(4)], false).await.unwrap_err();
    match &refused {
        WorkspaceError::Refused(Problem::AlreadyDoneElsewhere {
            status,
            staff,
            station,
            ..
        }) => assert_eq!(
            (status.as_str(), staff.as_deref(), station.as_deref()),
            ("sent", Some("Léo"), Some("Bureau"))
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        a.order_detail(&other).await.unwrap().status,
        FulfilmentStatus::Sent,
        "A shows B's shipment at once"
    );
}

/// 429s and 500s on a fifth of the requests, and one answer lost after Stripe acted: every
/// write lands exactly once (the retry carries the same idempotency key) and the states match.
#[tokio::test]
async fn faults_never_make_a_write_land_twice() {
    let shop = TestShop::new().orders(150).start().await;
    let a = station(&shop, shop.dir.path(), "Camille", "Atelier").await;
    let orders = queue(&a, OrderQueue::ToBeSent, 20).await;
    for (i, id) in orders.iter().enumerate() {
        a.ship_order(id, &[parcel(i as u64)], false).await.unwrap();
    }
    shop.sim.lose_next_answer("/v1/invoices/{id}");
    shop.sim.lose_next_answer("/v1/charges/{id}");
    shop.sim.set_faults(Duration::ZERO, Some(10), 0.2);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        let a_store = a.store().await;
        store::stripe_writes::due_now(a_store.pool(), store::now())
            .await
            .unwrap();
        let r = push_all(&a).await;
        assert!(r.conflicts.is_empty(), "{r:?}");
        if r.waiting == 0 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "writes still waiting: {r:?}"
        );
    }
    shop.sim.set_faults(Duration::ZERO, None, 0.0);
    let stats = shop.sim.stats();
    assert_eq!(stats.metadata_updates_applied, 20, "each write landed once");
    let keys: std::collections::HashSet<_> = stats
        .metadata_posts
        .iter()
        .map(|(_, k)| k.clone())
        .collect();
    assert_eq!(keys.len(), 20, "one idempotency key per write, never none");
    assert!(!keys.contains(&None));
    assert!(
        stats.answers_lost >= 1,
        "an answer was lost after Stripe acted"
    );
    assert!(stats.rate_limited + stats.injected_errors > 0, "{stats:?}");

    let fresh_dir = tempfile::tempdir().unwrap();
    let fresh = station(&shop, fresh_dir.path(), "Inès", "Comptoir 2").await;
    for id in &orders {
        assert_eq!(
            shared_view(&fresh.order_detail(id).await.unwrap()),
            shared_view(&a.order_detail(id).await.unwrap())
        );
    }
}

/// A key that may not write keeps working as a single station: the action stands, its email
/// goes, and the station says sharing is off and which permission turns it on.
#[tokio::test]
async fn a_read_only_key_works_alone_and_says_which_permission_shares() {
    let shop = TestShop::new().orders(120).start().await;
    let mail_dir = tempfile::tempdir().unwrap();
    let mut smtp = SmtpServer::new(mail_dir.path());
    smtp.start(&[]);
    let a = station(&shop, shop.dir.path(), "Camille", "Atelier").await;
    email_through(&smtp, &[&a]).await;
    shop.sim
        .forbid("POST /v1/invoices/{id}", "rak_invoice_write");
    shop.sim.forbid("POST /v1/charges/{id}", "rak_charge_write");
    shop.sim.forbid(
        "POST /v1/checkout/sessions/{id}",
        "rak_checkout_session_write",
    );
    assert_eq!(a.sharing_status().await.unwrap().off, None);
    let order = queue(&a, OrderQueue::ToBeSent, 1).await.remove(0);
    a.ship_order(&order, &[parcel(1)], false).await.unwrap();
    let r = push_all(&a).await;
    assert_eq!((r.written, r.skipped, r.waiting), (0, 1, 0), "{r:?}");
    let off = a.sharing_status().await.unwrap().off;
    assert!(
        matches!(&off, Some(Problem::SharingNotPermitted { permission: Some(p) }) if p.ends_with("_write")),
        "{off:?}"
    );
    a.send_due_emails().await.unwrap();
    assert_eq!(smtp.received().len(), 1, "the email goes all the same");
    // Later actions do not try again.
    let next = queue(&a, OrderQueue::ToBeSent, 1).await.remove(0);
    a.ship_order(&next, &[parcel(2)], false).await.unwrap();
    let posts = shop.sim.stats().metadata_posts.len();
    push_all(&a).await;
    assert_eq!(shop.sim.stats().metadata_posts.len(), posts);

    // "Check again" tries the key once more: the two shipments made while sharing was off
    // wait to be written, then the next action's; still refused, all three stay here.
    let again = a.retry_sharing().await.unwrap();
    assert_eq!((again.off, again.waiting), (None, 2));
    let third = queue(&a, OrderQueue::ToBeSent, 1).await.remove(0);
    a.ship_order(&third, &[parcel(3)], false).await.unwrap();
    let r = push_all(&a).await;
    assert_eq!((r.written, r.skipped), (0, 3), "{r:?}");
    assert!(a.sharing_status().await.unwrap().off.is_some());
}

#[tokio::test]
async fn actions_taken_while_sharing_was_off_reach_the_other_stations_once_it_is_back() {
    let shop = TestShop::new().orders(120).start().await;
    let b_dir = tempfile::tempdir().unwrap();
    let a = station(&shop, shop.dir.path(), "Camille", "Atelier").await;
    let b = station(&shop, b_dir.path(), "Léo", "Bureau").await;
    for (route, permission) in [
        ("POST /v1/invoices/{id}", "rak_invoice_write"),
        ("POST /v1/charges/{id}", "rak_charge_write"),
        (
            "POST /v1/checkout/sessions/{id}",
            "rak_checkout_session_write",
        ),
    ] {
        shop.sim.forbid(route, permission);
    }
    // A key that may not write: the first shipment turns sharing off, the second is taken
    // while it is off; station B still sees both To be sent.
    let orders = queue(&a, OrderQueue::ToBeSent, 2).await;
    a.ship_order(&orders[0], &[parcel(1)], false).await.unwrap();
    push_all(&a).await;
    assert!(a.sharing_status().await.unwrap().off.is_some());
    a.ship_order(&orders[1], &[parcel(2)], false).await.unwrap();
    push_all(&a).await;
    b.sync(no_progress()).await.unwrap();
    for id in &orders {
        assert_eq!(
            b.order_detail(id).await.unwrap().status,
            FulfilmentStatus::ToBeSent
        );
    }

    // The merchant gives the key write access and presses "Check again": both shipments are
    // written, and station B's next sync shows them as station A recorded them.
    shop.sim.clear_forbidden();
    let status = a.retry_sharing().await.unwrap();
    assert_eq!((status.off, status.waiting), (None, 2));
    let r = push_all(&a).await;
    assert_eq!((r.written, r.skipped, r.waiting), (2, 0, 0), "{r:?}");
    b.sync(no_progress()).await.unwrap();
    for id in &orders {
        let (at_a, at_b) = (
            a.order_detail(id).await.unwrap(),
            b.order_detail(id).await.unwrap(),
        );
        assert_eq!(at_b.status, FulfilmentStatus::Sent, "{id}");
        assert_eq!(shared_view(&at_b), shared_view(&at_a), "{id}");
    }
    // Nothing is written twice: a second "Check again" finds nothing left to send.
    assert_eq!(a.retry_sharing().await.unwrap().waiting, 0);
}
