//! The email outbox and SMTP transport against a real SMTP server on loopback: Debian's
//! python3-aiosmtpd, started by each test with a small handler that writes every message it
//! accepts to a folder, so the tests assert on what the server actually received. Covers UTF-8
//! subjects and names with both parts, a server that is down then up, a server that dies
//! mid-queue and comes back (every email arrives exactly once), crash recovery, STARTTLS with
//! AUTH and a wrong password, and invalid settings.

use std::collections::HashMap;

use std::path::Path;
use std::process::{Command, Stdio};

use comptoir_core::mail::{
    self, MailError, Mailer, SendFailureKind, SmtpSecurity, SmtpSettings, STALE_CLAIM_SECS,
};
use comptoir_core::problem::{MailReason, Problem, RetryRefusal, SmtpReason};
use comptoir_core::secrets::Secret;
use comptoir_core::store::outbox::{self, NewEmail, OutboxState};
use comptoir_core::store::{self, Store};
use serde_json::Value;

mod smtp_support;
mod support;
use smtp_support::{free_port, SmtpServer};

fn settings(port: u16) -> SmtpSettings {
    smtp_support::shop_settings(port, "Épicerie Léa & Zoë — Café")
}

fn email(n: usize) -> NewEmail {
    NewEmail {
        kind: "shipping".into(),
        order_id: Some(format!("cs_test_{n}")),
        recipient: "Zoë Dupont-Müller <zoe@example.com>".into(),
        subject: format!("Votre commande n° {n} est partie — suivi 📦"),
        text_body: format!("Bonjour Zoë,\nvotre commande n° {n} est en route.\n"),
        html_body: format!(
            "<p>Bonjour Zoë &lt;script&gt;,</p><p>votre commande n° {n} est en route.</p>"
        ),
    }
}

async fn open_store(dir: &Path) -> Store {
    Store::open(&dir.join("mail.sqlite")).await.unwrap()
}

/// An outbox on a fresh store, SMTP settings pointing at an aiosmtpd on loopback, a mailer for
/// them, and the time the test starts at.
struct Desk {
    store: Store,
    smtp: SmtpSettings,
    mailer: Mailer,
    server: SmtpServer,
    now: i64,
    dir: tempfile::TempDir,
}

impl Desk {
    /// The server not started: nothing listens on its port yet.
    async fn down() -> Desk {
        let dir = tempfile::tempdir().unwrap();
        let server = SmtpServer::new(dir.path());
        let store = open_store(dir.path()).await;
        let smtp = settings(server.port);
        Desk {
            store,
            mailer: Mailer::new(&smtp, None).unwrap(),
            smtp,
            server,
            now: store::now(),
            dir,
        }
    }

    /// The server started with `args` (`--reject ADDRESS`, `--exit-on N`…).
    async fn up(args: &[&str]) -> Desk {
        let mut desk = Desk::down().await;
        desk.server.start(args);
        desk
    }

    /// Queues `email` at the start time.
    async fn queue(&self, email: &NewEmail) -> outbox::OutboxEmail {
        mail::enqueue(self.store.pool(), Some(&self.smtp), email, self.now)
            .await
            .unwrap()
    }

    /// A run of the mail worker at `at`.
    async fn send_due(&self, at: i64) -> mail::SendReport {
        mail::send_due(&self.store, &self.mailer, at).await.unwrap()
    }

    /// The outbox's row for an email.
    async fn get(&self, id: i64) -> outbox::OutboxEmail {
        outbox::get(self.store.pool(), id).await.unwrap()
    }

    /// An app restart: the store closed and opened again.
    async fn reopen(&mut self) {
        self.store.close().await;
        self.store = open_store(self.dir.path()).await;
    }
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("{key} in {v}"))
}

#[tokio::test]
async fn a_utf8_multipart_email_reaches_the_server_once_with_its_message_id() {
    let mut desk = Desk::up(&[]).await;
    mail::save_settings(desk.store.pool(), &desk.smtp)
        .await
        .unwrap();
    // What the outbox works with: the settings as saved and read back.
    let smtp = mail::load_settings(desk.store.pool())
        .await
        .unwrap()
        .unwrap();
    let now = desk.now;

    let queued = mail::enqueue(desk.store.pool(), Some(&smtp), &email(1042), now)
        .await
        .unwrap();
    assert_eq!(queued.state, OutboxState::Pending);
    assert!(
        queued.message_id.starts_with('<') && queued.message_id.ends_with("@epicerie-lea.fr>"),
        "{}",
        queued.message_id
    );

    let mailer = Mailer::new(&smtp, None).unwrap();
    let report = mail::send_due(&desk.store, &mailer, now).await.unwrap();
    assert_eq!((report.sent, report.retrying, report.failed), (1, 0, 0));
    assert!(report.stopped.is_none());

    let got = desk.server.received();
    assert_eq!(got.len(), 1, "{got:?}");
    let m = &got[0];
    assert_eq!(m["rcpt_tos"], serde_json::json!(["zoe@example.com"]));
    assert_eq!(str_of(m, "mail_from"), "boutique@epicerie-lea.fr");
    assert_eq!(
        str_of(m, "subject"),
        "Votre commande n° 1042 est partie — suivi 📦"
    );
    assert_eq!(
        str_of(m, "from"),
        "Épicerie Léa & Zoë — Café <boutique@epicerie-lea.fr>"
    );
    assert_eq!(str_of(m, "to"), "Zoë Dupont-Müller <zoe@example.com>");
    assert_eq!(str_of(m, "reply_to"), "contact@epicerie-lea.fr");
    assert_eq!(str_of(m, "message_id"), queued.message_id);
    assert_eq!(str_of(m, "content_type"), "multipart/alternative");
    let parts = m["parts"].as_array().unwrap();
    assert_eq!(parts.len(), 2, "{parts:?}");
    assert_eq!(str_of(&parts[0], "content_type"), "text/plain");
    assert_eq!(
        str_of(&parts[0], "content").replace("\r\n", "\n"),
        "Bonjour Zoë,\nvotre commande n° 1042 est en route.\n"
    );
    assert_eq!(str_of(&parts[1], "content_type"), "text/html");
    let html = str_of(&parts[1], "content");
    assert!(html.contains("Bonjour Zoë &lt;script&gt;,"), "{html}");
    assert!(html.contains("commande n° 1042"), "{html}");

    let row = desk.get(queued.id).await;
    assert_eq!(row.state, OutboxState::Sent);
    assert_eq!(row.attempts, 1);
    assert_eq!(row.sent_at, Some(now));
    assert_eq!(
        outbox::list_for_order(desk.store.pool(), "cs_test_1042")
            .await
            .unwrap(),
        vec![row]
    );

    // Later runs, and an app restart, never send it again.
    desk.reopen().await;
    let report = mail::send_due(&desk.store, &mailer, now + 24 * 3600)
        .await
        .unwrap();
    assert_eq!(report.sent, 0);
    assert_eq!(desk.server.received().len(), 1);
}

#[tokio::test]
async fn a_server_that_is_down_keeps_the_email_queued_until_it_is_back() {
    let mut desk = Desk::down().await;
    let now = desk.now;
    let queued = desk.queue(&email(7)).await;

    // Offline: the email waits, with the reason in plain words and a backoff.
    let report = desk.send_due(now).await;
    assert_eq!((report.sent, report.retrying, report.failed), (0, 1, 0));
    let stopped = report.stopped.unwrap();
    assert_eq!(stopped.kind, SendFailureKind::ConnectionRefused);
    let row = desk.get(queued.id).await;
    assert_eq!(row.state, OutboxState::Pending);
    assert_eq!(row.attempts, 1);
    assert_eq!(row.next_attempt_at, now + 30);
    let error = row.last_error.unwrap();
    assert!(error.contains("refused the connection"), "{error}");
    // The window words the failure from its problem: why, and the server it was sent through.
    assert_eq!(
        row.last_problem,
        Some(Problem::SmtpFailed {
            reason: SmtpReason::ConnectionRefused,
            host: "127.0.0.1".into(),
            port: desk.server.port,
            reply: None,
        })
    );

    // Not due yet: nothing is tried.
    let report = desk.send_due(now + 10).await;
    assert_eq!(report, mail::SendReport::default());

    // Still down at the next attempt: the wait doubles.
    let report = desk.send_due(now + 30).await;
    assert_eq!(report.retrying, 1);
    let row = desk.get(queued.id).await;
    assert_eq!((row.attempts, row.next_attempt_at), (2, now + 30 + 60));

    desk.server.start(&[]);
    let report = desk.send_due(now + 90).await;
    assert_eq!((report.sent, report.retrying, report.failed), (1, 0, 0));
    let row = desk.get(queued.id).await;
    assert_eq!(row.state, OutboxState::Sent);
    assert_eq!(row.attempts, 3);
    assert_eq!(row.last_error, None);
    assert_eq!(row.last_problem, None);
    let report = desk.send_due(now + 99_999).await;
    assert_eq!(report.sent, 0);
    let got = desk.server.received();
    assert_eq!(got.len(), 1);
    assert_eq!(str_of(&got[0], "message_id"), queued.message_id);
}

#[tokio::test]
async fn a_server_that_dies_mid_queue_gets_every_email_exactly_once() {
    // The server accepts the first email and dies when the second one's data arrives.
    let mut desk = Desk::up(&["--exit-on", "2"]).await;
    let mut now = desk.now;
    let mut ids = Vec::new();
    for n in 1..=5 {
        ids.push(desk.queue(&email(n)).await.message_id);
    }

    let report = desk.send_due(now).await;
    assert_eq!((report.sent, report.retrying), (1, 1), "{report:?}");
    assert_eq!(
        report.stopped.unwrap().kind,
        SendFailureKind::ConnectionLost
    );
    desk.server.wait_exit();

    // Down: a run, then an app restart, then the server is back.
    now += 3600;
    let report = desk.send_due(now).await;
    assert_eq!(report.sent, 0);
    assert_eq!(
        report.stopped.unwrap().kind,
        SendFailureKind::ConnectionRefused
    );
    desk.reopen().await;
    desk.server.start(&[]);

    let mut runs = 0;
    loop {
        now += 3600;
        runs += 1;
        let report = desk.send_due(now).await;
        let left = outbox::list(desk.store.pool())
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.state != OutboxState::Sent)
            .count();
        if left == 0 {
            break;
        }
        assert!(
            runs < 5,
            "still {left} unsent after {runs} runs: {report:?}"
        );
    }

    let mut counts: HashMap<String, usize> = HashMap::new();
    for m in desk.server.received() {
        *counts
            .entry(str_of(&m, "message_id").to_owned())
            .or_default() += 1;
    }
    assert_eq!(counts.len(), 5, "{counts:?}");
    for id in &ids {
        assert_eq!(counts.get(id), Some(&1), "{id} in {counts:?}");
    }
    for row in outbox::list(desk.store.pool()).await.unwrap() {
        assert_eq!(row.state, OutboxState::Sent);
        assert!(row.last_error.is_none());
    }
}

#[tokio::test]
async fn an_email_left_mid_send_by_a_crash_is_sent_once_its_claim_is_stale() {
    let mut desk = Desk::up(&[]).await;
    let now = desk.now;
    let queued = desk.queue(&email(9)).await;
    // A run claims it and the app dies before anything else happens.
    let claimed = outbox::claim_due(desk.store.pool(), now, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].state, OutboxState::Sending);
    desk.reopen().await;
    // A fresh claim may still be in flight elsewhere: leave it alone.
    let report = desk.send_due(now + 60).await;
    assert_eq!(report.sent, 0);
    assert!(desk.server.received().is_empty());
    // Once stale, it goes back to the queue and is sent, once.
    let later = now + STALE_CLAIM_SECS + 1;
    let report = desk.send_due(later).await;
    assert_eq!(report.sent, 1);
    let report = desk.send_due(later + 3600).await;
    assert_eq!(report.sent, 0);
    let got = desk.server.received();
    assert_eq!(got.len(), 1);
    assert_eq!(str_of(&got[0], "message_id"), queued.message_id);
}

fn self_signed_cert(dir: &Path) -> (String, String) {
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    let status = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=localhost",
        ])
        .args(["-days", "1", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("the openssl command is needed to make the test server's certificate");
    assert!(status.success());
    (cert.display().to_string(), key.display().to_string())
}

#[tokio::test]
async fn starttls_with_login_sends_the_test_email_and_a_wrong_password_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = self_signed_cert(dir.path());
    let mut server = SmtpServer::new(dir.path());
    server.start(&["--tls", &cert, &key, "--auth", "boutique", "mot de passe é"]);
    let smtp = SmtpSettings {
        security: SmtpSecurity::Starttls,
        username: Some("boutique".into()),
        accept_invalid_certs: true,
        ..settings(server.port)
    };
    let good = Secret::new("mot de passe é");

    mail::send_test(&smtp, Some(&good), "Zoë <zoe@example.com>")
        .await
        .unwrap();
    let got = server.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["rcpt_tos"], serde_json::json!(["zoe@example.com"]));
    assert!(
        str_of(&got[0], "subject").starts_with("Comptoir test email"),
        "{}",
        got[0]
    );

    // A wrong password.
    let err = mail::send_test(&smtp, Some(&Secret::new("wrong")), "zoe@example.com")
        .await
        .unwrap_err();
    let MailError::Send(failure) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(failure.kind, SendFailureKind::AuthenticationFailed, "{err}");
    assert!(err.to_string().contains("authentication failed"), "{err}");
    assert!(err.to_string().contains("535"), "{err}");
    assert!(!err.to_string().contains("wrong"), "{err}");
    assert_eq!(err.code(), "smtp_auth_failed");

    // The self-signed certificate is refused when it is not explicitly trusted.
    let strict = SmtpSettings {
        accept_invalid_certs: false,
        ..smtp.clone()
    };
    let err = mail::send_test(&strict, Some(&good), "zoe@example.com")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "smtp_tls", "{err}");
    assert!(err.to_string().contains("TLS"), "{err}");

    // No encryption: the server offers no login before STARTTLS.
    let plain = SmtpSettings {
        security: SmtpSecurity::None,
        ..smtp.clone()
    };
    let err = mail::send_test(&plain, Some(&good), "zoe@example.com")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "smtp_auth_unavailable", "{err}");

    // Nothing listening.
    let down = SmtpSettings {
        port: free_port(),
        ..smtp.clone()
    };
    let err = mail::send_test(&down, Some(&good), "zoe@example.com")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "smtp_connection_refused", "{err}");
    assert!(err.to_string().contains("connection refused"), "{err}");

    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn invalid_settings_and_addresses_are_rejected_in_plain_words() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path()).await;
    let good = settings(587);
    good.validate().unwrap();

    let cases: Vec<(SmtpSettings, MailReason, Option<&str>)> = vec![
        (
            SmtpSettings {
                host: "  ".into(),
                ..good.clone()
            },
            MailReason::HostMissing,
            None,
        ),
        (
            SmtpSettings {
                host: "smtp://mail.example.com".into(),
                ..good.clone()
            },
            MailReason::HostNotAName,
            Some("smtp://mail.example.com"),
        ),
        (
            SmtpSettings {
                port: 0,
                ..good.clone()
            },
            MailReason::PortZero,
            None,
        ),
        (
            SmtpSettings {
                from_address: "boutique.example.com".into(),
                ..good.clone()
            },
            MailReason::SenderInvalid,
            Some("boutique.example.com"),
        ),
        (
            SmtpSettings {
                from_address: String::new(),
                ..good.clone()
            },
            MailReason::SenderMissing,
            None,
        ),
        (
            SmtpSettings {
                reply_to: Some("contact@".into()),
                ..good.clone()
            },
            MailReason::ReplyToInvalid,
            Some("contact@"),
        ),
        (
            SmtpSettings {
                from_name: "La Boutique\nBcc: everyone@example.com".into(),
                ..good.clone()
            },
            MailReason::SenderNameLines,
            None,
        ),
    ];
    for (bad, reason, value) in cases {
        let err = bad.validate().unwrap_err();
        assert!(matches!(err, MailError::Invalid(_)), "{err:?}");
        assert_eq!(err.problem(), mail_invalid(reason, value));
        assert!(mail::save_settings(store.pool(), &bad).await.is_err());
        assert!(Mailer::new(&bad, None).is_err());
    }
    assert!(mail::load_settings(store.pool()).await.unwrap().is_none());

    // A user name without a password.
    let with_user = SmtpSettings {
        username: Some("boutique".into()),
        ..good.clone()
    };
    let err = Mailer::new(&with_user, None).unwrap_err();
    assert_eq!(
        err.problem(),
        mail_invalid(MailReason::PasswordMissing, None)
    );

    // Saved settings round-trip and hold no secret.
    mail::save_settings(store.pool(), &with_user).await.unwrap();
    assert_eq!(
        mail::load_settings(store.pool()).await.unwrap(),
        Some(with_user.clone())
    );
    let json = store::settings::get_value(store.pool(), mail::SETTINGS_KEY)
        .await
        .unwrap()
        .unwrap();
    assert!(!json.to_lowercase().contains("password"), "{json}");

    // A recipient that is not an address is refused before it reaches the outbox.
    let mut bad = email(1);
    bad.recipient = "Zoë <zoe-at-example.com>".into();
    let err = mail::enqueue(store.pool(), Some(&good), &bad, store::now())
        .await
        .unwrap_err();
    assert_eq!(
        err.problem(),
        mail_invalid(MailReason::AddressInvalid, Some("Zoë <zoe-at-example.com>"))
    );
    assert!(outbox::list(store.pool()).await.unwrap().is_empty());

    // An unknown host is reported as such.
    let nowhere = SmtpSettings {
        host: "smtp.invalid".into(),
        ..good.clone()
    };
    let err = mail::send_test(&nowhere, None, "zoe@example.com")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "smtp_host_not_found", "{err}");
}

#[tokio::test]
async fn implicit_tls_with_login_sends_the_test_email() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = self_signed_cert(dir.path());
    let mut server = SmtpServer::new(dir.path());
    server.start(&["--tls-wrap", &cert, &key, "--auth", "boutique", "secret"]);
    let smtp = SmtpSettings {
        security: SmtpSecurity::Tls,
        username: Some("boutique".into()),
        accept_invalid_certs: true,
        ..settings(server.port)
    };
    mail::send_test(&smtp, Some(&Secret::new("secret")), "zoe@example.com")
        .await
        .unwrap();
    let got = server.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["rcpt_tos"], serde_json::json!(["zoe@example.com"]));
}

#[tokio::test]
async fn a_refused_recipient_fails_after_three_attempts_without_holding_up_the_others() {
    let mut desk = Desk::up(&["--reject", "nobody@example.com"]).await;
    let now = desk.now;
    let mut refused = email(1);
    refused.recipient = "Nobody <nobody@example.com>".into();
    let refused = desk.queue(&refused).await;
    let accepted = desk.queue(&email(2)).await;

    let report = desk.send_due(now).await;
    assert_eq!((report.sent, report.retrying, report.failed), (1, 1, 0));
    assert!(report.stopped.is_none(), "{report:?}");
    let row = desk.get(refused.id).await;
    assert_eq!((row.state, row.attempts), (OutboxState::Pending, 1));
    let Some(Problem::SmtpFailed { reason, reply, .. }) = row.last_problem else {
        panic!("{:?}", row.last_problem)
    };
    assert_eq!(reason, SmtpReason::Rejected);
    let reply = reply.unwrap();
    assert!(reply.contains("550"), "{reply}");
    assert!(reply.contains("mailbox unavailable"), "{reply}");

    let report = desk.send_due(now + 30).await;
    assert_eq!((report.retrying, report.failed), (1, 0));
    let report = desk.send_due(now + 90).await;
    assert_eq!((report.retrying, report.failed), (0, 1));
    let row = desk.get(refused.id).await;
    assert_eq!((row.state, row.attempts), (OutboxState::Failed, 3));
    assert!(row.last_error.unwrap().contains("550"));
    let report = desk.send_due(now + 99_999).await;
    assert_eq!(report, mail::SendReport::default());

    // The merchant fixed the address on the server side and retries: sent.
    desk.server.stop();
    desk.server.start(&[]);
    outbox::retry(desk.store.pool(), refused.id, now + 100_000)
        .await
        .unwrap();
    let report = desk.send_due(now + 100_000).await;
    assert_eq!(report.sent, 1);

    let got = desk.server.received();
    let ids: Vec<&str> = got.iter().map(|m| str_of(m, "message_id")).collect();
    assert_eq!(
        ids,
        vec![accepted.message_id.as_str(), refused.message_id.as_str()]
    );
}

#[tokio::test]
async fn retry_now_sends_a_failed_email_once_with_its_message_id_and_refuses_a_sent_one() {
    let mut desk = Desk::up(&["--reject", "zoe@example.com"]).await;
    let now = desk.now;
    let queued = desk.queue(&email(5)).await;
    for at in [now, now + 30, now + 90] {
        desk.send_due(at).await;
    }
    let row = desk.get(queued.id).await;
    assert_eq!((row.state, row.attempts), (OutboxState::Failed, 3));
    assert!(desk.server.received().is_empty());

    // The server now accepts the address; "Retry now" queues it again, due at once.
    desk.server.stop();
    desk.server.start(&[]);
    let later = now + 5000;
    let mut conn = desk.store.pool().acquire().await.unwrap();
    let retried = mail::retry_now(&mut conn, queued.id, later).await.unwrap();
    drop(conn);
    assert_eq!(retried.state, OutboxState::Pending);
    assert_eq!(retried.next_attempt_at, later);
    assert_eq!(retried.message_id, queued.message_id);
    assert_eq!(retried.attempts, 3, "earlier attempts are kept");
    let report = desk.send_due(later).await;
    assert_eq!((report.sent, report.retrying, report.failed), (1, 0, 0));
    // Later runs never send it again.
    let report = desk.send_due(later + 99_999).await;
    assert_eq!(report, mail::SendReport::default());
    let got = desk.server.received();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(str_of(&got[0], "message_id"), queued.message_id);
    let row = desk.get(queued.id).await;
    assert_eq!((row.state, row.sent_at), (OutboxState::Sent, Some(later)));

    // A sent email is not retried: refused in plain words, and nothing changes.
    let mut conn = desk.store.pool().acquire().await.unwrap();
    let err = mail::retry_now(&mut conn, queued.id, later + 10)
        .await
        .unwrap_err();
    drop(conn);
    assert_eq!(err.problem(), retry_refused(RetryRefusal::AlreadySent));
    assert_eq!(desk.get(queued.id).await, row);
    desk.send_due(later + 200_000).await;
    assert_eq!(desk.server.received().len(), 1);
}

#[tokio::test]
async fn retry_now_skips_the_backoff_of_an_email_waiting_and_refuses_one_being_sent() {
    let mut desk = Desk::down().await;
    let now = desk.now;
    let waiting = desk.queue(&email(1)).await;
    // Offline: the email waits 30 s for its next attempt.
    let report = desk.send_due(now).await;
    assert_eq!(report.retrying, 1);
    let row = desk.get(waiting.id).await;
    assert_eq!(
        (row.state, row.next_attempt_at),
        (OutboxState::Pending, now + 30)
    );

    // Back online; "Retry now" makes it due at once, without waiting for the backoff.
    desk.server.start(&[]);
    let mut conn = desk.store.pool().acquire().await.unwrap();
    let retried = mail::retry_now(&mut conn, waiting.id, now + 1)
        .await
        .unwrap();
    drop(conn);
    assert_eq!(retried.next_attempt_at, now + 1);
    let report = desk.send_due(now + 1).await;
    assert_eq!(report.sent, 1);
    let got = desk.server.received();
    assert_eq!(got.len(), 1);
    assert_eq!(str_of(&got[0], "message_id"), waiting.message_id);

    // An email a sender holds right now is not touched.
    let held = mail::enqueue(desk.store.pool(), Some(&desk.smtp), &email(2), now + 2)
        .await
        .unwrap();
    let claimed = outbox::claim_due(desk.store.pool(), now + 2, 1)
        .await
        .unwrap();
    assert_eq!(claimed[0].id, held.id);
    let mut conn = desk.store.pool().acquire().await.unwrap();
    let err = mail::retry_now(&mut conn, held.id, now + 3)
        .await
        .unwrap_err();
    assert_eq!(err.problem(), retry_refused(RetryRefusal::BeingSent));
    // An unknown email is not found.
    let err = mail::retry_now(&mut conn, 999_999, now + 3)
        .await
        .unwrap_err();
    assert!(
        matches!(err, MailError::Store(store::StoreError::NotFound(_))),
        "{err:?}"
    );
    drop(conn);
    assert_eq!(desk.get(held.id).await.state, OutboxState::Sending);
}

#[tokio::test]
async fn a_cancellation_asked_for_mid_send_wins_over_a_retry() {
    // Nothing listens on the server's port: no attempt reaches a server.
    let desk = Desk::down().await;
    let now = desk.now;
    let queued = desk.queue(&email(3)).await;
    let order = queued.order_id.clone().unwrap();
    // A sender holds the email when the order's emails are cancelled: it cannot be stopped...
    outbox::claim_due(desk.store.pool(), now, 1).await.unwrap();
    let mut conn = desk.store.pool().acquire().await.unwrap();
    let done = outbox::cancel_unsent(&mut conn, &order, "shipping", now + 1)
        .await
        .unwrap();
    drop(conn);
    assert_eq!(done.in_flight, vec![queued.id]);
    assert!(done.cancelled.is_empty() && done.already_sent.is_empty());
    // ...but when its attempt fails, it is cancelled instead of tried again.
    outbox::mark_failed(
        desk.store.pool(),
        queued.id,
        "connection lost",
        &Problem::SmtpFailed {
            reason: SmtpReason::ConnectionLost,
            host: "127.0.0.1".into(),
            port: 2525,
            reply: None,
        },
        Some(now + 30),
    )
    .await
    .unwrap();
    let row = desk.get(queued.id).await;
    assert_eq!(row.state, OutboxState::Cancelled);
    assert!(outbox::claim_due(desk.store.pool(), now + 99_999, 10)
        .await
        .unwrap()
        .is_empty());
    let mut conn = desk.store.pool().acquire().await.unwrap();
    let err = mail::retry_now(&mut conn, queued.id, now + 40)
        .await
        .unwrap_err();
    assert_eq!(err.problem(), retry_refused(RetryRefusal::Cancelled));

    // The same after a crash mid-send: crash recovery cancels rather than resends.
    let second = mail::enqueue(&mut *conn, Some(&desk.smtp), &email(3), now)
        .await
        .unwrap();
    outbox::claim_due(&mut *conn, now, 1).await.unwrap();
    outbox::cancel_unsent(&mut conn, &order, "shipping", now + 1)
        .await
        .unwrap();
    assert_eq!(
        outbox::recover_stale(&mut *conn, now + STALE_CLAIM_SECS + 1)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        outbox::get(&mut *conn, second.id).await.unwrap().state,
        OutboxState::Cancelled
    );
}

/// The SMTP password against the real Secret Service (gnome-keyring in the test's D-Bus session),
/// through the settings screen's save (`Workspace::save_smtp_settings`): entries of a service of
/// the test's own, removed at the end.
mod password {
    use std::sync::Arc;

    use comptoir_core::mail::{SmtpPassword, SmtpSecurity, SmtpSettings};
    use comptoir_core::problem::MailReason;

    use super::mail_invalid;
    use comptoir_core::secrets::{Keychain, Secret, SecretKind, SecretStore};
    use comptoir_core::sync::SyncOptions;
    use comptoir_core::workspace::{SmtpSettingsView, Workspace, WorkspaceConfig};

    use super::smtp_support::SmtpServer;

    /// Removes the test's keychain entries, even when the test fails.
    struct Wipe(Arc<Keychain>);

    impl Drop for Wipe {
        fn drop(&mut self) {
            for kind in SecretKind::ALL {
                let _ = self.0.delete(kind);
            }
        }
    }

    fn keychain(test: &str) -> (Arc<Keychain>, Wipe) {
        let k = Arc::new(Keychain::new(&format!(
            "app.comptoir.test.mail.{test}.{}",
            std::process::id()
        )));
        (k.clone(), Wipe(k))
    }

    async fn workspace(dir: &std::path::Path, secrets: Arc<Keychain>) -> Workspace {
        Workspace::open(WorkspaceConfig {
            data_dir: dir.to_owned(),
            api_base: "http://127.0.0.1:9/".into(),
            secrets,
            sync_options: SyncOptions::default(),
        })
        .await
        .unwrap()
    }

    fn account(host: &str, user: &str) -> SmtpSettings {
        SmtpSettings {
            host: host.into(),
            port: 587,
            security: SmtpSecurity::Starttls,
            username: Some(user.into()),
            from_name: "Épicerie Léa".into(),
            from_address: "boutique@epicerie-lea.fr".into(),
            reply_to: None,
            accept_invalid_certs: false,
        }
    }

    fn replace(p: &str) -> SmtpPassword {
        SmtpPassword::Replace {
            password: Secret::new(p),
        }
    }

    fn stored(k: &Keychain) -> Option<String> {
        k.get(SecretKind::SmtpPassword)
            .unwrap()
            .map(|s| s.expose().to_owned())
    }

    async fn save(ws: &Workspace, s: &SmtpSettings, p: SmtpPassword) -> SmtpSettingsView {
        let view = ws.save_smtp_settings(s, p).await.unwrap();
        assert_eq!(view.settings.as_ref(), Some(s), "the settings are saved");
        view
    }

    #[tokio::test]
    async fn a_new_server_or_user_name_removes_the_password_and_other_changes_keep_it() {
        let dir = tempfile::tempdir().unwrap();
        let (k, _wipe) = keychain("account");
        let ws = workspace(dir.path(), k.clone()).await;
        let a = account("smtp.shop-a.example", "boutique@shop-a.example");

        let view = save(&ws, &a, replace("first password")).await;
        assert!(view.password_set);
        assert_eq!(stored(&k).as_deref(), Some("first password"));

        // Port, security, sender and reply-to: the same account, the password stays.
        let same = SmtpSettings {
            port: 465,
            security: SmtpSecurity::Tls,
            from_name: "Épicerie Léa & Zoë".into(),
            from_address: "ventes@epicerie-lea.fr".into(),
            reply_to: Some("contact@epicerie-lea.fr".into()),
            ..a.clone()
        };
        assert!(save(&ws, &same, SmtpPassword::Keep).await.password_set);
        assert_eq!(stored(&k).as_deref(), Some("first password"));
        // A host name differing only in case (or blanks) is the same server.
        let cased = SmtpSettings {
            host: " SMTP.Shop-A.example ".into(),
            ..same.clone()
        };
        assert!(save(&ws, &cased, SmtpPassword::Keep).await.password_set);
        assert_eq!(stored(&k).as_deref(), Some("first password"));

        // A new server: the password is gone from the keychain, and the screen says so.
        let b = SmtpSettings {
            host: "smtp.shop-b.example".into(),
            ..same.clone()
        };
        let view = save(&ws, &b, SmtpPassword::Keep).await;
        assert!(!view.password_set);
        assert_eq!(stored(&k), None);
        assert!(!ws.smtp_settings().await.unwrap().password_set);

        // A new server with its own password: only the new one is stored.
        let view = save(&ws, &a, replace("password for A")).await;
        assert!(view.password_set);
        assert_eq!(stored(&k).as_deref(), Some("password for A"));

        // A new user name on the same server: gone too.
        let other_user = account("smtp.shop-a.example", "compta@shop-a.example");
        assert!(
            !save(&ws, &other_user, SmtpPassword::Keep)
                .await
                .password_set
        );
        assert_eq!(stored(&k), None);

        // No user name any more: gone.
        save(&ws, &other_user, replace("pw")).await;
        let no_login = SmtpSettings {
            username: None,
            ..other_user.clone()
        };
        assert!(!save(&ws, &no_login, SmtpPassword::Keep).await.password_set);
        assert_eq!(stored(&k), None);
    }

    #[tokio::test]
    async fn remove_password_deletes_it_and_bad_input_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (k, _wipe) = keychain("remove");
        let ws = workspace(dir.path(), k.clone()).await;
        let a = account("smtp.shop-a.example", "boutique@shop-a.example");
        save(&ws, &a, replace("secret one")).await;

        // An empty replacement is refused, and nothing changes.
        let moved = SmtpSettings {
            port: 2525,
            ..a.clone()
        };
        let err = ws
            .save_smtp_settings(&moved, replace(""))
            .await
            .unwrap_err();
        assert_eq!(
            err.problem(),
            mail_invalid(MailReason::NewPasswordEmpty, None)
        );
        // Invalid settings with a removal: refused, the password stays.
        let broken = SmtpSettings {
            host: "https://smtp.shop-a.example".into(),
            ..a.clone()
        };
        let err = ws
            .save_smtp_settings(&broken, SmtpPassword::Delete)
            .await
            .unwrap_err();
        assert_eq!(
            err.problem(),
            mail_invalid(
                MailReason::HostNotAName,
                Some("https://smtp.shop-a.example")
            )
        );
        let view = ws.smtp_settings().await.unwrap();
        assert_eq!(view.settings.as_ref(), Some(&a));
        assert!(view.password_set);
        assert_eq!(stored(&k).as_deref(), Some("secret one"));

        // Remove password: gone, the settings stay.
        let view = save(&ws, &a, SmtpPassword::Delete).await;
        assert!(!view.password_set);
        assert_eq!(stored(&k), None);
        // Removing it again is fine.
        assert!(!save(&ws, &a, SmtpPassword::Delete).await.password_set);
    }

    /// What the merchant sees after moving to another server without typing its password: the
    /// test email is refused before any connection, asking for the password, and the new server
    /// receives nothing.
    #[tokio::test]
    async fn the_old_password_never_reaches_the_new_server() {
        let dir = tempfile::tempdir().unwrap();
        let (k, _wipe) = keychain("newserver");
        let ws = workspace(dir.path(), k.clone()).await;
        let mut server = SmtpServer::new(dir.path());
        server.start(&[]);
        save(
            &ws,
            &account("smtp.old-provider.example", "boutique"),
            replace("old provider password"),
        )
        .await;
        let new = SmtpSettings {
            port: server.port,
            security: SmtpSecurity::None,
            ..account("127.0.0.1", "boutique")
        };
        assert!(!save(&ws, &new, SmtpPassword::Keep).await.password_set);
        let err = ws.send_test_email("zoe@example.com").await.unwrap_err();
        assert_eq!(
            err.problem(),
            mail_invalid(MailReason::PasswordMissing, None)
        );
        assert!(server.received().is_empty());
        assert_eq!(stored(&k), None);
    }
}

/// The mail worker's runs (`Workspace::send_due_emails`, every 30 seconds in the app) against a
/// connected account (the Stripe simulator) and aiosmtpd with a login, with a secret store that
/// counts reads of the SMTP password: an empty outbox never reads it, a due email reads it once.
mod worker {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use comptoir_core::mail::{self, SmtpPassword, SmtpSecurity, SmtpSettings, STALE_CLAIM_SECS};
    use comptoir_core::secrets::{MemoryStore, Secret, SecretKind, SecretStore, SecretsError};
    use comptoir_core::store::{self, outbox};

    use super::smtp_support::SmtpServer;
    use super::support::TestShop;

    /// A secret store in memory that counts every read of the SMTP password.
    #[derive(Default)]
    struct Counting {
        inner: MemoryStore,
        password_reads: AtomicUsize,
    }

    impl SecretStore for Counting {
        fn get(&self, kind: SecretKind) -> Result<Option<Secret>, SecretsError> {
            if kind == SecretKind::SmtpPassword {
                self.password_reads.fetch_add(1, Ordering::SeqCst);
            }
            self.inner.get(kind)
        }
        fn set(&self, kind: SecretKind, secret: &Secret) -> Result<(), SecretsError> {
            self.inner.set(kind, secret)
        }
        fn delete(&self, kind: SecretKind) -> Result<(), SecretsError> {
            self.inner.delete(kind)
        }
        fn check_access(&self) -> Result<(), SecretsError> {
            self.inner.check_access()
        }
    }

    #[tokio::test]
    async fn the_worker_reads_the_password_only_when_an_email_is_due() {
        let dir = tempfile::tempdir().unwrap();
        let mut server = SmtpServer::new(dir.path());
        server.start(&["--auth-plain", "boutique", "mot de passe é"]);
        let shop = TestShop::new().orders(5).subscriptions(1).start().await;
        let secrets = Arc::new(Counting::default());
        let ws = shop.open_workspace(secrets.clone()).await;
        ws.connect_stripe(Secret::new(shop.key())).await.unwrap();
        let smtp = SmtpSettings {
            security: SmtpSecurity::None,
            username: Some("boutique".into()),
            ..super::settings(server.port)
        };
        ws.save_smtp_settings(
            &smtp,
            SmtpPassword::Replace {
                password: Secret::new("mot de passe é"),
            },
        )
        .await
        .unwrap();
        let reads = || secrets.password_reads.load(Ordering::SeqCst);
        let before = reads();

        // Ten runs of an idle worker: nothing due, the keychain is never asked.
        for _ in 0..10 {
            let report = ws
                .send_due_emails()
                .await
                .unwrap()
                .expect("settings are saved");
            assert_eq!((report.sent, report.retrying, report.failed), (0, 0, 0));
        }
        assert_eq!(reads() - before, 0, "no password read for an empty outbox");

        // One email due: one read, and the server (which checks the login) receives it.
        let store = ws.store().await;
        mail::enqueue(store.pool(), Some(&smtp), &super::email(7), store::now())
            .await
            .unwrap();
        let report = ws.send_due_emails().await.unwrap().unwrap();
        assert_eq!(report.sent, 1, "{report:?}");
        assert_eq!(reads() - before, 1, "one read for the due email");
        assert_eq!(server.received().len(), 1);

        // Sent: the outbox is idle again, and so is the keychain.
        for _ in 0..5 {
            ws.send_due_emails().await.unwrap();
        }
        assert_eq!(reads() - before, 1);

        // An email left mid-send by a crash counts as due once its claim is stale: it is sent.
        let now = store::now();
        mail::enqueue(store.pool(), Some(&smtp), &super::email(8), now - 3600)
            .await
            .unwrap();
        let claimed = outbox::claim_due(store.pool(), now - STALE_CLAIM_SECS - 60, 1)
            .await
            .unwrap();
        assert_eq!(claimed.len(), 1);
        let report = ws.send_due_emails().await.unwrap().unwrap();
        assert_eq!(report.sent, 1, "{report:?}");
        assert_eq!(reads() - before, 2);
        assert_eq!(server.received().len(), 2);
    }
}

/// What the log says about a real exchange with aiosmtpd: a refused recipient's "550 … <address>"
/// reply and a delivered email are both logged, with the code and the reply, but no recipient's
/// address (the outbox keeps the whole reply for the merchant).
#[tokio::test]
async fn the_log_of_a_real_send_names_no_recipient() {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);
    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let sink = Sink::default();
    let writer = sink.clone();
    // This thread only (the test's runtime runs on it): other tests' logs stay out.
    let _logs = tracing::subscriber::set_default(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish(),
    );

    let dir = tempfile::tempdir().unwrap();
    let mut server = SmtpServer::new(dir.path());
    server.start(&["--reject", "nobody.home@example.org"]);
    let store = open_store(dir.path()).await;
    let smtp = settings(server.port);
    let mailer = Mailer::new(&smtp, None).unwrap();
    let now = store::now();
    let mut refused = email(1);
    refused.recipient = "Nobody <nobody.home@example.org>".into();
    let refused = mail::enqueue(store.pool(), Some(&smtp), &refused, now)
        .await
        .unwrap();
    mail::enqueue(store.pool(), Some(&smtp), &email(2), now)
        .await
        .unwrap();
    let report = mail::send_due(&store, &mailer, now).await.unwrap();
    assert_eq!((report.sent, report.retrying), (1, 1), "{report:?}");
    assert_eq!(server.received().len(), 1);
    // The merchant still reads the server's whole reply on the order.
    let shown = outbox::get(store.pool(), refused.id)
        .await
        .unwrap()
        .last_problem;
    let Some(Problem::SmtpFailed {
        reply: Some(shown), ..
    }) = shown
    else {
        panic!("{shown:?}")
    };
    assert!(shown.contains("nobody.home@example.org"), "{shown}");

    let logged = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
    assert!(logged.contains("email not sent"), "{logged}");
    assert!(logged.contains("email sent"), "{logged}");
    assert!(
        logged.contains("550") && logged.contains("mailbox unavailable"),
        "the reply is logged: {logged}"
    );
    assert!(logged.contains("[address]"), "{logged}");
    for address in [
        "nobody.home@example.org",
        "zoe@example.com",
        "nobody.home",
        "@example",
    ] {
        assert!(!logged.contains(address), "{address} in the log: {logged}");
    }
    let report_line = format!("{report:?}");
    assert!(!report_line.contains("@example"), "{report_line}");
}

fn mail_invalid(reason: MailReason, value: Option<&str>) -> Problem {
    Problem::MailInvalid {
        reason,
        value: value.map(str::to_owned),
    }
}

fn retry_refused(reason: RetryRefusal) -> Problem {
    Problem::RetryRefused { reason }
}
