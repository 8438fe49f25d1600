//! Fulfilment against a real SMTP server on loopback (python3-aiosmtpd, as in tests/mail.rs):
//! shipping with a generated Colissimo link queues the customer's email in the same
//! transaction and the server receives it (recipient, UTF-8 subject and names, both parts, the
//! tracking link); hostile links change nothing; several parcels; "Mark as not sent" keeps the
//! audit; pickup records its time and staff; offline, the order is Sent and the email waits.

mod smtp_support;

use std::path::Path;

use comptoir_core::carriers::Carrier;
use comptoir_core::dataset::Dataset;
use comptoir_core::fulfilment::{self, Actor, EmailOutcome, FulfilmentError, TrackingInput};
use comptoir_core::mail::{self, Mailer, SmtpSecurity, SmtpSettings};
use comptoir_core::model::FulfilmentStatus;
use comptoir_core::store::outbox::{self, OutboxState};
use comptoir_core::store::{self, Store};
use smtp_support::SmtpServer;

fn settings(port: u16) -> SmtpSettings {
    SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        security: SmtpSecurity::None,
        username: None,
        from_name: "Épicerie Léa & Zoë".into(),
        from_address: "boutique@epicerie-lea.fr".into(),
        reply_to: Some("contact@epicerie-lea.fr".into()),
        accept_invalid_certs: false,
    }
}

fn actor() -> Actor {
    Actor {
        staff: "Inès".into(),
        station: "Atelier 2".into(),
    }
}

/// A store with the demo shop and no fulfilment yet.
async fn shop(dir: &Path) -> Store {
    let store = Store::open(&dir.join("shop.sqlite")).await.unwrap();
    comptoir_core::sync::import_dataset(&store, &Dataset::demo(store::now()))
        .await
        .unwrap();
    store
}

/// The demo shop, its SMTP settings pointing at a fresh aiosmtpd on loopback, and where both
/// live (dropped last).
struct Shop {
    store: Store,
    smtp: SmtpSettings,
    server: SmtpServer,
    dir: tempfile::TempDir,
}

async fn shop_with_smtp() -> Shop {
    let dir = tempfile::tempdir().unwrap();
    let mut server = SmtpServer::new(dir.path());
    server.start(&[]);
    let store = shop(dir.path()).await;
    let smtp = settings(server.port);
    mail::save_settings(store.pool(), &smtp).await.unwrap();
    Shop {
        store,
        smtp,
        server,
        dir,
    }
}

/// An order waiting in `status`, made to belong to Zoë (French) at zoe@example.com.
async fn order_in(store: &Store, status: &str) -> String {
    let id: String =
        sqlx::query_scalar("SELECT id FROM orders WHERE queue = ?1 ORDER BY created DESC LIMIT 1")
            .bind(status)
            .fetch_one(store.pool())
            .await
            .unwrap();
    sqlx::query(
        "UPDATE orders SET detail = json_set(detail, '$.billing.name', 'Zoë Dupont-Müller',
           '$.billing.email', 'zoe@example.com', '$.locale', 'fr') WHERE id = ?1",
    )
    .bind(&id)
    .execute(store.pool())
    .await
    .unwrap();
    id
}

fn colissimo(number: &str) -> TrackingInput {
    TrackingInput {
        carrier: Some(Carrier::Colissimo),
        number: Some(number.into()),
        ..Default::default()
    }
}

/// Ships an order with one Colissimo parcel and returns the id of its queued shipping email.
async fn ship_queued(store: &Store, id: &str, number: &str, now: i64) -> i64 {
    let out = fulfilment::ship(store, id, &[colissimo(number)], &actor(), false, false, now)
        .await
        .unwrap();
    let EmailOutcome::Queued { id: email } = out else {
        panic!("{out:?}")
    };
    email
}

async fn counts(store: &Store, id: &str) -> (i64, i64, i64) {
    let q = |sql: &'static str| {
        let id = id.to_owned();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .bind(id)
                .fetch_one(store.pool())
                .await
                .unwrap()
        }
    };
    (
        q("SELECT COUNT(*) FROM tracking_entries WHERE order_id = ?1").await,
        q("SELECT COUNT(*) FROM audit_log WHERE order_id = ?1").await,
        q("SELECT COUNT(*) FROM outbox WHERE order_id = ?1").await,
    )
}

#[tokio::test]
async fn shipping_sends_the_customer_a_utf8_multipart_email_with_the_tracking_link() {
    let Shop {
        store,
        smtp,
        server,
        dir: _dir,
    } = shop_with_smtp().await;
    let id = order_in(&store, "to_be_sent").await;
    let now = store::now();

    let out = fulfilment::ship(
        &store,
        &id,
        &[colissimo("6A 1234 5678 901")],
        &actor(),
        false,
        false,
        now,
    )
    .await
    .unwrap();
    assert!(matches!(out, EmailOutcome::Queued { .. }), "{out:?}");
    assert_eq!(
        store::orders::status(store.pool(), &id).await.unwrap(),
        FulfilmentStatus::Sent
    );
    let mut conn = store.pool().acquire().await.unwrap();
    let f = comptoir_core::fulfilment::of_order(&mut conn, &id)
        .await
        .unwrap()
        .unwrap();
    drop(conn);
    assert_eq!(f.sent_at, Some(now));
    assert_eq!(f.staff.as_deref(), Some("Inès"));
    assert_eq!(f.station.as_deref(), Some("Atelier 2"));
    assert_eq!(f.tracking.len(), 1);
    let link = f.tracking[0].url.clone();
    assert!(
        link.starts_with("https://") && link.contains("6A12345678901"),
        "{link}"
    );
    assert_eq!(
        f.tracking[0].carrier.as_deref(),
        Some("Colissimo"),
        "staff see the carrier's name"
    );

    let mailer = Mailer::new(&smtp, None).unwrap();
    let report = mail::send_due(&store, &mailer, now).await.unwrap();
    assert_eq!(report.sent, 1);
    let got = server.received();
    assert_eq!(got.len(), 1);
    let m = &got[0];
    let number: String = sqlx::query_scalar("SELECT number FROM orders WHERE id = ?1")
        .bind(&id)
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(m["rcpt_tos"][0], "zoe@example.com");
    assert_eq!(m["to"], "Zoë Dupont-Müller <zoe@example.com>");
    assert_eq!(
        m["subject"],
        format!("Votre commande {number} est en route")
    );
    assert_eq!(m["from"], "Épicerie Léa & Zoë <boutique@epicerie-lea.fr>");
    assert_eq!(m["reply_to"], "contact@epicerie-lea.fr");
    assert_eq!(m["content_type"], "multipart/alternative");
    let parts = m["parts"].as_array().unwrap();
    assert_eq!(parts[0]["content_type"], "text/plain");
    assert_eq!(parts[1]["content_type"], "text/html");
    let text = parts[0]["content"].as_str().unwrap();
    let html = parts[1]["content"].as_str().unwrap();
    assert!(text.contains("Bonjour Zoë Dupont-Müller"), "{text}");
    assert!(text.contains(&link), "{text}");
    assert!(
        html.contains(&format!("href=\"{}\"", link.replace('&', "&amp;"))),
        "{html}"
    );
    assert!(html.contains("Épicerie Léa &amp; Zoë"), "{html}");
    assert!(text.contains("Total"), "{text}");

    let history = fulfilment::history(store.pool(), &id).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].action, "shipped");
    assert_eq!(history[0].staff.as_deref(), Some("Inès"));
    // Shipping twice is refused.
    let again = fulfilment::ship(
        &store,
        &id,
        &[colissimo("6A12345678901")],
        &actor(),
        false,
        false,
        now,
    )
    .await;
    assert!(
        matches!(again, Err(FulfilmentError::Invalid(_))),
        "{again:?}"
    );
}

#[tokio::test]
async fn hostile_links_are_refused_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let store = shop(dir.path()).await;
    mail::save_settings(store.pool(), &settings(1))
        .await
        .unwrap();
    let id = order_in(&store, "to_be_sent").await;
    for url in [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "data:text/html,<script>alert(1)</script>",
        "https://",
        "JaVaScRiPt:alert(1)",
    ] {
        // A good parcel next to the bad one: the whole action is refused.
        let parcels = [
            colissimo("6A12345678901"),
            TrackingInput {
                url: Some(url.into()),
                ..Default::default()
            },
        ];
        let err = fulfilment::ship(&store, &id, &parcels, &actor(), false, false, store::now())
            .await
            .unwrap_err();
        assert!(!err.to_string().is_empty());
        assert_eq!(
            store::orders::status(store.pool(), &id).await.unwrap(),
            FulfilmentStatus::ToBeSent,
            "{url}"
        );
        assert_eq!(counts(&store, &id).await, (0, 0, 0), "{url}");
    }
    // No staff name: refused too.
    let nobody = Actor {
        staff: " ".into(),
        station: String::new(),
    };
    let err = fulfilment::ship(
        &store,
        &id,
        &[colissimo("6A12345678901")],
        &nobody,
        false,
        false,
        1,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            err,
            FulfilmentError::Invalid(comptoir_core::problem::Problem::StaffNameMissing)
        ),
        "{err:?}"
    );
    assert_eq!(counts(&store, &id).await, (0, 0, 0));
}

#[tokio::test]
async fn several_parcels_then_mark_not_sent_keeps_the_audit() {
    let dir = tempfile::tempdir().unwrap();
    let store = shop(dir.path()).await;
    let id = order_in(&store, "to_be_sent").await;
    let parcels = [
        colissimo("6A12345678901"),
        TrackingInput {
            url: Some("https://track.example.com/p/XYZ?a=1&b=2".into()),
            ..Default::default()
        },
        TrackingInput {
            carrier: Some(Carrier::MondialRelay),
            number: Some("12345678".into()),
            postcode: Some("75011".into()),
            ..Default::default()
        },
    ];
    // No SMTP configured: the order still moves, and the UI is told.
    let out = fulfilment::ship(&store, &id, &parcels, &actor(), false, false, 1000)
        .await
        .unwrap();
    assert_eq!(out, EmailOutcome::NotConfigured);
    assert_eq!(counts(&store, &id).await, (3, 1, 0));
    let history = fulfilment::history(store.pool(), &id).await.unwrap();
    assert!(history[0]
        .detail
        .as_deref()
        .unwrap()
        .contains("SMTP not configured"));

    fulfilment::mark_not_sent(&store, &id, &actor(), 2000)
        .await
        .unwrap();
    assert_eq!(
        store::orders::status(store.pool(), &id).await.unwrap(),
        FulfilmentStatus::ToBeSent
    );
    assert_eq!(counts(&store, &id).await, (0, 2, 0));
    let history = fulfilment::history(store.pool(), &id).await.unwrap();
    assert_eq!(history[1].action, "marked_not_sent");
    assert!(history[1]
        .detail
        .as_deref()
        .unwrap()
        .contains("track.example.com"));
    // Marking again is refused; shipping again works.
    assert!(fulfilment::mark_not_sent(&store, &id, &actor(), 3000)
        .await
        .is_err());
    fulfilment::ship(&store, &id, &parcels[..1], &actor(), false, false, 4000)
        .await
        .unwrap();
    assert_eq!(counts(&store, &id).await, (1, 3, 0));
}

#[tokio::test]
async fn a_pickup_is_confirmed_with_its_time_and_staff() {
    let Shop {
        store,
        smtp,
        server,
        dir: _dir,
    } = shop_with_smtp().await;
    let id = order_in(&store, "to_be_picked_up").await;
    // A pickup cannot be shipped.
    assert!(fulfilment::ship(
        &store,
        &id,
        &[colissimo("6A12345678901")],
        &actor(),
        false,
        false,
        5
    )
    .await
    .is_err());
    let out = fulfilment::send_ready_for_pickup(&store, &id, &actor(), false, 10)
        .await
        .unwrap();
    assert!(matches!(out, EmailOutcome::Queued { .. }));
    fulfilment::confirm_pickup(&store, &id, &actor(), false, 1_700_000_000)
        .await
        .unwrap();
    assert_eq!(
        store::orders::status(store.pool(), &id).await.unwrap(),
        FulfilmentStatus::PickedUp
    );
    let mut conn = store.pool().acquire().await.unwrap();
    let f = comptoir_core::fulfilment::of_order(&mut conn, &id)
        .await
        .unwrap()
        .unwrap();
    drop(conn);
    assert_eq!(f.picked_up_at, Some(1_700_000_000));
    assert_eq!(f.staff.as_deref(), Some("Inès"));
    assert!(fulfilment::confirm_pickup(&store, &id, &actor(), false, 1)
        .await
        .is_err());
    let actions: Vec<String> = fulfilment::history(store.pool(), &id)
        .await
        .unwrap()
        .into_iter()
        .map(|h| h.action)
        .collect();
    assert_eq!(actions, ["ready_for_pickup_email", "picked_up"]);

    let mailer = Mailer::new(&smtp, None).unwrap();
    assert_eq!(mail::send_due(&store, &mailer, 20).await.unwrap().sent, 1);
    let got = server.received();
    assert!(got[0]["subject"]
        .as_str()
        .unwrap()
        .contains("prête à être retirée"));
}

#[tokio::test]
async fn offline_the_order_is_sent_and_the_email_waits_then_goes_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = SmtpServer::new(dir.path());
    let store = shop(dir.path()).await;
    let smtp = settings(server.port);
    mail::save_settings(store.pool(), &smtp).await.unwrap();
    let id = order_in(&store, "to_be_sent").await;
    let now = store::now();
    let email_id = ship_queued(&store, &id, "6A12345678901", now).await;
    let mailer = Mailer::new(&smtp, None).unwrap();
    let report = mail::send_due(&store, &mailer, now).await.unwrap();
    assert_eq!(report.sent, 0);
    assert_eq!(
        store::orders::status(store.pool(), &id).await.unwrap(),
        FulfilmentStatus::Sent
    );
    let row = outbox::get(store.pool(), email_id).await.unwrap();
    assert_eq!(row.state, OutboxState::Pending);
    assert!(row.last_error.is_some());

    server.start(&[]);
    let report = mail::send_due(&store, &mailer, now + 30).await.unwrap();
    assert_eq!(report.sent, 1);
    assert_eq!(
        mail::send_due(&store, &mailer, now + 9999)
            .await
            .unwrap()
            .sent,
        0
    );
    assert_eq!(server.received().len(), 1);
    assert_eq!(
        outbox::get(store.pool(), email_id).await.unwrap().state,
        OutboxState::Sent
    );
}

#[tokio::test]
async fn the_demo_store_previews_the_email_instead_of_sending() {
    let dir = tempfile::tempdir().unwrap();
    let store = shop(dir.path()).await;
    mail::save_settings(store.pool(), &settings(1))
        .await
        .unwrap();
    let id = order_in(&store, "to_be_sent").await;
    let out = fulfilment::ship(
        &store,
        &id,
        &[colissimo("6A12345678901")],
        &actor(),
        true,
        false,
        1,
    )
    .await
    .unwrap();
    let EmailOutcome::Preview { subject, text } = out else {
        panic!("{out:?}")
    };
    assert!(subject.starts_with("Votre commande"));
    assert!(text.contains("6A12345678901"));
    assert_eq!(counts(&store, &id).await, (1, 1, 0));
}

/// The order's outbox rows as (state, Message-ID), oldest first.
async fn emails_of(store: &Store, id: &str) -> Vec<outbox::OutboxEmail> {
    outbox::list_for_order(store.pool(), id).await.unwrap()
}

#[tokio::test]
async fn mark_not_sent_cancels_the_unsent_shipping_email_for_good() {
    let Shop {
        store,
        smtp,
        server,
        dir: _dir,
    } = shop_with_smtp().await;
    let mailer = Mailer::new(&smtp, None).unwrap();
    let id = order_in(&store, "to_be_sent").await;
    let now = store::now();

    // Shipped with a wrong number; the email is queued but the worker has not run yet.
    let wrong = ship_queued(&store, &id, "6A99999999999", now).await;
    fulfilment::mark_not_sent(&store, &id, &actor(), now + 5)
        .await
        .unwrap();
    let row = outbox::get(store.pool(), wrong).await.unwrap();
    assert_eq!(row.state, OutboxState::Cancelled);
    assert_eq!(row.sent_at, None);
    let history = fulfilment::history(store.pool(), &id).await.unwrap();
    let undo = history.last().unwrap();
    assert_eq!(undo.action, "marked_not_sent");
    let detail = undo.detail.as_deref().unwrap();
    assert!(detail.contains("shipping email cancelled"), "{detail}");
    assert!(detail.contains("6A99999999999"), "{detail}");

    // The worker runs afterwards, even much later: the cancelled email never goes out, and
    // "Retry now" refuses it.
    let report = mail::send_due(&store, &mailer, now + 99_999).await.unwrap();
    assert_eq!(report, mail::SendReport::default());
    assert!(server.received().is_empty());
    let err = fulfilment::retry_email(&store, wrong, &actor(), now + 100_000)
        .await
        .unwrap_err();
    assert!(matches!(err, FulfilmentError::Mail(_)), "{err:?}");
    assert!(err.to_string().contains("cancelled"), "{err}");
    assert_eq!(
        outbox::get(store.pool(), wrong).await.unwrap().state,
        OutboxState::Cancelled
    );

    // Shipped again with the right number: only that email reaches the customer.
    let right = ship_queued(&store, &id, "6A12345678901", now + 100_010).await;
    let report = mail::send_due(&store, &mailer, now + 100_010)
        .await
        .unwrap();
    assert_eq!(report.sent, 1);
    let got = server.received();
    assert_eq!(got.len(), 1, "{got:?}");
    let right = outbox::get(store.pool(), right).await.unwrap();
    assert_eq!(
        got[0]["message_id"].as_str(),
        Some(right.message_id.as_str())
    );
    let text = got[0]["parts"][0]["content"].as_str().unwrap();
    assert!(text.contains("6A12345678901"), "{text}");
    assert!(!text.contains("6A99999999999"), "{text}");
    let states: Vec<OutboxState> = emails_of(&store, &id)
        .await
        .iter()
        .map(|e| e.state)
        .collect();
    assert_eq!(states, vec![OutboxState::Cancelled, OutboxState::Sent]);
}

#[tokio::test]
async fn mark_not_sent_leaves_a_sent_email_sent_and_says_when_one_may_have_gone() {
    let Shop {
        store,
        smtp,
        server,
        dir: _dir,
    } = shop_with_smtp().await;
    let mailer = Mailer::new(&smtp, None).unwrap();
    let id = order_in(&store, "to_be_sent").await;
    let now = store::now();

    // Already sent: it stays sent, and the history says so.
    let sent = ship_queued(&store, &id, "6A12345678901", now).await;
    assert_eq!(mail::send_due(&store, &mailer, now).await.unwrap().sent, 1);
    let before = outbox::get(store.pool(), sent).await.unwrap();
    assert_eq!(before.state, OutboxState::Sent);
    fulfilment::mark_not_sent(&store, &id, &actor(), now + 5)
        .await
        .unwrap();
    assert_eq!(outbox::get(store.pool(), sent).await.unwrap(), before);
    let detail = fulfilment::history(store.pool(), &id).await.unwrap();
    let detail = detail.last().unwrap().detail.clone().unwrap();
    assert!(detail.contains("already sent"), "{detail}");
    assert!(!detail.contains("cancelled"), "{detail}");
    // A sent email is not retried.
    let err = fulfilment::retry_email(&store, sent, &actor(), now + 6)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("already sent"), "{err}");

    // Being sent right now (a sender claimed it): not touched, and the history warns that it
    // may already have gone.
    let held = ship_queued(&store, &id, "6A12345678902", now + 10).await;
    let claimed = outbox::claim_due(store.pool(), now + 10, 1).await.unwrap();
    assert_eq!(claimed[0].id, held);
    fulfilment::mark_not_sent(&store, &id, &actor(), now + 15)
        .await
        .unwrap();
    assert_eq!(
        outbox::get(store.pool(), held).await.unwrap().state,
        OutboxState::Sending
    );
    let detail = fulfilment::history(store.pool(), &id).await.unwrap();
    let detail = detail.last().unwrap().detail.clone().unwrap();
    assert!(detail.contains("may already have gone"), "{detail}");
    // The claimed attempt then goes through: the server accepts it, and it is recorded sent.
    mailer.send(&claimed[0]).await.unwrap();
    outbox::mark_sent(store.pool(), held, now + 16)
        .await
        .unwrap();
    assert_eq!(server.received().len(), 2);
}

#[tokio::test]
async fn retry_now_sends_a_failed_shipping_email_once_with_its_message_id() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = SmtpServer::new(dir.path());
    server.start(&["--reject", "zoe@example.com"]);
    let store = shop(dir.path()).await;
    let smtp = settings(server.port);
    mail::save_settings(store.pool(), &smtp).await.unwrap();
    let mailer = Mailer::new(&smtp, None).unwrap();
    let id = order_in(&store, "to_be_sent").await;
    let now = store::now();
    let email = ship_queued(&store, &id, "6A12345678901", now).await;
    for at in [now, now + 30, now + 90] {
        mail::send_due(&store, &mailer, at).await.unwrap();
    }
    let failed = outbox::get(store.pool(), email).await.unwrap();
    assert_eq!(failed.state, OutboxState::Failed);
    assert!(failed.last_error.as_deref().unwrap().contains("550"));

    // Refused without a staff name, like every fulfilment action: nothing changes.
    let nobody = Actor {
        staff: " ".into(),
        station: String::new(),
    };
    assert!(fulfilment::retry_email(&store, email, &nobody, now + 100)
        .await
        .is_err());
    assert_eq!(outbox::get(store.pool(), email).await.unwrap(), failed);

    server.stop();
    server.start(&[]);
    let later = now + 1000;
    let retried = fulfilment::retry_email(&store, email, &actor(), later)
        .await
        .unwrap();
    assert_eq!(retried.state, OutboxState::Pending);
    assert_eq!(retried.message_id, failed.message_id);
    let history = fulfilment::history(store.pool(), &id).await.unwrap();
    let entry = history.last().unwrap();
    assert_eq!(entry.action, "email_retried");
    assert_eq!(entry.staff.as_deref(), Some("Inès"));
    assert!(entry
        .detail
        .as_deref()
        .unwrap()
        .contains(&failed.message_id));

    assert_eq!(
        mail::send_due(&store, &mailer, later).await.unwrap().sent,
        1
    );
    assert_eq!(
        mail::send_due(&store, &mailer, later + 99_999)
            .await
            .unwrap()
            .sent,
        0
    );
    let got = server.received();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(
        got[0]["message_id"].as_str(),
        Some(failed.message_id.as_str())
    );
    assert_eq!(got[0]["rcpt_tos"], serde_json::json!(["zoe@example.com"]));
    let sent = outbox::get(store.pool(), email).await.unwrap();
    assert_eq!((sent.state, sent.sent_at), (OutboxState::Sent, Some(later)));
    let err = fulfilment::retry_email(&store, email, &actor(), later + 5)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("already sent"), "{err}");
}

#[tokio::test]
async fn a_letter_is_marked_sent_without_tracking_with_or_without_the_email() {
    let Shop {
        store,
        smtp,
        server,
        dir: _dir,
    } = shop_with_smtp().await;
    let now = store::now();

    // Told to the customer: the shipping email, without a "track your parcel" line.
    let letter = order_in(&store, "to_be_sent").await;
    let out = fulfilment::ship_untracked(&store, &letter, &actor(), true, false, false, now)
        .await
        .unwrap();
    assert!(matches!(out, EmailOutcome::Queued { .. }), "{out:?}");
    assert_eq!(
        store::orders::status(store.pool(), &letter).await.unwrap(),
        FulfilmentStatus::Sent
    );
    assert_eq!(
        counts(&store, &letter).await,
        (0, 1, 1),
        "no tracking entry"
    );
    let history = fulfilment::history(store.pool(), &letter).await.unwrap();
    assert_eq!(history[0].action, "shipped");
    assert_eq!(
        history[0].detail.as_deref(),
        Some("no tracking; email queued")
    );
    let mailer = Mailer::new(&smtp, None).unwrap();
    assert_eq!(mail::send_due(&store, &mailer, now).await.unwrap().sent, 1);
    let got = server.received();
    let text = got[0]["parts"][0]["content"].as_str().unwrap();
    assert!(text.contains("a été expédiée"), "{text}");
    assert!(!text.contains("Suivre votre colis"), "{text}");
    assert!(!got[0]["parts"][1]["content"]
        .as_str()
        .unwrap()
        .contains("<ul>"));

    // Not told: Sent, no email queued, and the history says so.
    let quiet = order_in(&store, "to_be_sent").await;
    assert_ne!(quiet, letter);
    let out = fulfilment::ship_untracked(&store, &quiet, &actor(), false, false, false, now)
        .await
        .unwrap();
    assert!(matches!(out, EmailOutcome::None), "{out:?}");
    assert_eq!(counts(&store, &quiet).await, (0, 1, 0));
    let history = fulfilment::history(store.pool(), &quiet).await.unwrap();
    assert_eq!(history[0].detail.as_deref(), Some("no tracking; no email"));

    // Only from To be sent, and only with a staff name: nothing changes otherwise.
    let again =
        fulfilment::ship_untracked(&store, &quiet, &actor(), false, false, false, now).await;
    assert!(
        matches!(again, Err(FulfilmentError::Invalid(_))),
        "{again:?}"
    );
    let nobody = Actor {
        staff: " ".into(),
        station: String::new(),
    };
    let pickup = order_in(&store, "to_be_picked_up").await;
    let refused =
        fulfilment::ship_untracked(&store, &pickup, &nobody, false, false, false, now).await;
    assert!(matches!(refused, Err(FulfilmentError::Invalid(_))));
    assert_eq!(counts(&store, &pickup).await, (0, 0, 0));
}

/// An order held back by its payment (`hold` is `awaiting_payment` or `on_hold`) that staff
/// would ship (`kind` delivery) or hand over (pickup).
async fn held_order(store: &Store, hold: &str, kind: &str) -> String {
    sqlx::query_scalar(
        "SELECT id FROM orders WHERE queue = ?1 AND delivery_kind = ?2
         ORDER BY created DESC LIMIT 1",
    )
    .bind(hold)
    .bind(kind)
    .fetch_one(store.pool())
    .await
    .unwrap_or_else(|e| panic!("a {kind} order in {hold}: {e}"))
}

#[tokio::test]
async fn an_unpaid_order_goes_out_only_on_a_confirmation_the_history_keeps() {
    let shop = shop_with_smtp().await;
    let store = &shop.store;
    let id = held_order(store, "awaiting_payment", "delivery").await;
    let parcels = [colissimo("6A12345678901")];

    // Without the confirmation: refused with the reason, and nothing changed.
    let err = fulfilment::ship(store, &id, &parcels, &actor(), false, false, 1000)
        .await
        .unwrap_err();
    let FulfilmentError::PaymentNotSettled(reason) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        reason,
        "the payment is still processing (SEPA Direct Debit)"
    );
    assert!(err.to_string().contains("Confirm to go ahead"), "{err}");
    let mut conn = store.pool().acquire().await.unwrap();
    assert_eq!(
        store::orders::status(&mut *conn, &id).await.unwrap(),
        FulfilmentStatus::ToBeSent
    );
    assert!(comptoir_core::fulfilment::of_order(&mut conn, &id)
        .await
        .unwrap()
        .is_none());
    assert!(fulfilment::history(&mut *conn, &id)
        .await
        .unwrap()
        .is_empty());
    assert!(outbox::list_for_order(&mut *conn, &id)
        .await
        .unwrap()
        .is_empty());
    drop(conn);
    // Untracked shipping is held back the same way.
    assert!(matches!(
        fulfilment::ship_untracked(store, &id, &actor(), true, false, false, 1000).await,
        Err(FulfilmentError::PaymentNotSettled(_))
    ));

    // Confirmed: it goes out, and the history says who went ahead, and why it was unpaid.
    let out = fulfilment::ship(store, &id, &parcels, &actor(), false, true, 2000)
        .await
        .unwrap();
    assert!(matches!(out, EmailOutcome::Queued { .. }), "{out:?}");
    let history = fulfilment::history(store.pool(), &id).await.unwrap();
    let actions: Vec<&str> = history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(actions, ["unpaid_confirmed", "shipped"]);
    assert_eq!(history[0].staff.as_deref(), Some("Inès"));
    assert_eq!(history[0].station.as_deref(), Some("Atelier 2"));
    assert_eq!(
        history[0].detail.as_deref(),
        Some("shipped although the payment is still processing (SEPA Direct Debit)")
    );
    // Out of Awaiting payment, into Sent.
    let queue: String = sqlx::query_scalar("SELECT queue FROM orders WHERE id = ?1")
        .bind(&id)
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(queue, "sent");

    // A paid order needs no confirmation and records none.
    let paid = order_in(store, "to_be_sent").await;
    fulfilment::ship(store, &paid, &parcels, &actor(), false, false, 3000)
        .await
        .unwrap();
    let history = fulfilment::history(store.pool(), &paid).await.unwrap();
    assert_eq!(
        history
            .iter()
            .map(|h| h.action.as_str())
            .collect::<Vec<_>>(),
        ["shipped"]
    );
}

#[tokio::test]
async fn a_held_pickup_is_handed_over_only_on_a_confirmation() {
    let dir = tempfile::tempdir().unwrap();
    let store = shop(dir.path()).await;
    let id = held_order(&store, "on_hold", "pickup").await;
    let err = fulfilment::confirm_pickup(&store, &id, &actor(), false, 1000)
        .await
        .unwrap_err();
    assert!(
        matches!(err, FulfilmentError::PaymentNotSettled(_)),
        "{err:?}"
    );
    let mut conn = store.pool().acquire().await.unwrap();
    assert_eq!(
        store::orders::status(&mut *conn, &id).await.unwrap(),
        FulfilmentStatus::ToBePickedUp
    );
    drop(conn);
    fulfilment::confirm_pickup(&store, &id, &actor(), true, 2000)
        .await
        .unwrap();
    let history = fulfilment::history(store.pool(), &id).await.unwrap();
    assert_eq!(
        history
            .iter()
            .map(|h| h.action.as_str())
            .collect::<Vec<_>>(),
        ["unpaid_confirmed", "picked_up"]
    );
    assert!(history[0]
        .detail
        .as_deref()
        .is_some_and(|d| d.starts_with("handed over although the")));
}
