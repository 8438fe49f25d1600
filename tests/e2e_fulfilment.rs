//! End to end: connect the Stripe simulator's shop, set up email (SMTP settings written to the
//! account's database, pointing at a real aiosmtpd on loopback), ship an order with a
//! Colissimo link generated from a tracking number and check the email arrived at the SMTP
//! server; confirm a pickup and see its timestamp; restart the app on the same data folder and
//! keychain and see both states kept.
//!
//! ```sh
//! bash scripts/test.sh nextest -- --test e2e_fulfilment
//! ```
#![cfg(target_os = "linux")]

mod smtp_support;
mod support;

use std::time::Duration;

use comptoir_core::dataset::DatasetSpec;
use comptoir_core::mail::{self, SmtpSecurity, SmtpSettings};
use comptoir_core::secrets::SecretStore as _;
use comptoir_core::store::{outbox, settings, Store};
use smtp_support::SmtpServer;
use support::{account_db, block_on, js, open_order, App, Launch, Ui, DEFAULT_WAIT};

const NUMBER: &str = "6A12345678901";

/// The newest order in `status` with a customer email: (id, number, email).
async fn an_order(store: &Store, status: &str) -> (String, String, String) {
    sqlx::query_as(
        "SELECT id, number, json_extract(detail, '$.billing.email') FROM orders
         WHERE queue = ?1 AND json_extract(detail, '$.billing.email') IS NOT NULL
         ORDER BY created DESC LIMIT 1",
    )
    .bind(status)
    .fetch_one(store.pool())
    .await
    .unwrap_or_else(|e| panic!("an order in {status}: {e}"))
}

async fn status_is(ui: &Ui, status: &str) {
    ui.wait_until(
        &format!("the order to be {status}"),
        DEFAULT_WAIT,
        || async {
            (ui.attr_of("order-status", "data-status").await.as_deref() == Some(status))
                .then_some(())
        },
    )
    .await;
}

#[test]
fn ship_with_a_colissimo_link_confirm_a_pickup_and_keep_both_after_a_restart() {
    block_on(async {
        let key = support::test_secret_key();
        let spec = DatasetSpec {
            orders: 120,
            one_off_invoices: 2,
            subscriptions: 2,
            now: comptoir_core::store::now(),
            ..DatasetSpec::default()
        };
        let sim = support::start_simulator(&key, &spec).await;
        let smtp_dir = tempfile::tempdir().unwrap();
        let mut server = SmtpServer::new(smtp_dir.path());
        server.start(&[]);
        let smtp_port = server.port;
        // One data folder and one keychain service for both runs of the app.
        let data = tempfile::Builder::new()
            .prefix("comptoir-e2e-fulfilment-")
            .tempdir()
            .unwrap();
        let data_dir = data.path().to_owned();
        let service = support::unique("comptoir-e2e-fulfilment");
        let open_log = data.path().join("opened.txt");
        let launch = || {
            Launch::new("fulfilment")
                .stripe_api_base(&sim.base_url())
                .env("COMPTOIR_DATA_DIR", &data_dir.display().to_string())
                .env("COMPTOIR_KEYCHAIN_SERVICE", &service)
                .env("COMPTOIR_OPEN_LOG", &open_log.display().to_string())
        };

        let (shipped, picked) = {
            let app = App::launch(launch()).await;
            let data_dir = data_dir.clone();
            let key = key.clone();
            let (tx, rx) = tokio::sync::oneshot::channel();
            app.run(move |ui| async move {
                ui.wait_for("[data-testid=\"order-row\"]", DEFAULT_WAIT)
                    .await;
                ui.click("connect-stripe").await;
                ui.type_into("onboarding-key", &key).await;
                ui.click("onboarding-submit").await;
                ui.wait_until(
                    "the first sync to finish",
                    Duration::from_secs(120),
                    || async {
                        if ui.exists("onboarding-error").await {
                            panic!("onboarding error: {}", ui.text_of("onboarding-error").await);
                        }
                        (!ui.exists("sync-progress").await && ui.exists("last-synced").await)
                            .then_some(())
                    },
                )
                .await;

                // Email set up as Settings would save it, and who works at this station.
                let store = Store::open(&account_db(&data_dir)).await.unwrap();
                let smtp = SmtpSettings {
                    host: "127.0.0.1".into(),
                    port: smtp_port,
                    security: SmtpSecurity::None,
                    username: None,
                    from_name: "Épicerie Léa".into(),
                    from_address: "boutique@epicerie-lea.fr".into(),
                    reply_to: Some("contact@epicerie-lea.fr".into()),
                    accept_invalid_certs: false,
                };
                mail::save_settings(store.pool(), &smtp).await.unwrap();
                settings::set_value(store.pool(), "staff_name", "Inès")
                    .await
                    .unwrap();
                settings::set_value(store.pool(), "station_name", "Atelier")
                    .await
                    .unwrap();
                let shipped = an_order(&store, "to_be_sent").await;
                let picked = an_order(&store, "to_be_picked_up").await;
                store.close().await;

                // Settings show what is saved now, not what the app read at start-up.
                ui.click("nav-settings").await;
                ui.wait_until("the saved staff name in Settings", DEFAULT_WAIT, || async {
                    let staff = js(
                        &ui,
                        "return document.querySelector('[data-testid=settings-staff]')?.value ?? ''",
                    )
                    .await;
                    (staff == "Inès").then_some(())
                })
                .await;

                // Ship as a scanner does: the number and Enter. That Enter confirms the carrier
                // the number points to (Colissimo) and sends nothing; the next Enter sends.
                open_order(&ui, &shipped.0, &shipped.1).await;
                ui.wait_for(
                    "[data-testid=\"carrier-select\"] option[value=\"colissimo\"]",
                    DEFAULT_WAIT,
                )
                .await;
                ui.type_into("tracking-number", &format!("{NUMBER}\u{E007}")).await;
                ui.wait_until("Enter to confirm the suggested carrier", DEFAULT_WAIT, || async {
                    let picked = js(
                        &ui,
                        "return document.querySelector('[data-testid=carrier-select]').value",
                    )
                    .await;
                    (picked == "colissimo").then_some(())
                })
                .await;
                assert!(ui.text_of("carrier-note").await.contains("Colissimo"));
                assert_eq!(
                    ui.attr_of("order-status", "data-status").await.as_deref(),
                    Some("to_be_sent"),
                    "the scanner's Enter sends nothing"
                );
                assert_eq!(
                    ui.attr_of("carrier-suggestion", "aria-pressed").await.as_deref(),
                    Some("true")
                );
                ui.type_into("tracking-number", &format!("{NUMBER}\u{E007}")).await;
                status_is(&ui, "sent").await;
                let url = ui.attr_of("tracking-link", "data-url").await.unwrap();
                assert!(url.starts_with("https://") && url.contains(NUMBER), "{url}");
                ui.click("view-tracking-link").await;
                let _ = ui.screenshot("fulfilment_sent").await;
                assert!(ui.exists("history-entry").await);

                // Confirm a pickup.
                ui.click("order-back").await;
                open_order(&ui, &picked.0, &picked.1).await;
                ui.click("confirm-pickup").await;
                status_is(&ui, "picked_up").await;
                let at: i64 = ui
                    .attr_of("picked-up-at", "data-ts")
                    .await
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!((at - comptoir_core::store::now()).abs() < 120, "{at}");
                assert!(ui.text_of("picked-up-at").await.contains("Inès"));
                let _ = ui.screenshot("fulfilment_picked_up").await;
                ui.click("nav-settings").await;
                ui.wait_until("the SMTP settings", DEFAULT_WAIT, || async {
                    let host = js(
                        &ui,
                        "return document.querySelector('[data-testid=smtp-host]')?.value ?? null",
                    )
                    .await;
                    (host == "127.0.0.1").then_some(())
                })
                .await;
                js(&ui, "document.querySelector('[data-testid=smtp-host]').scrollIntoView(); return null").await;
                let _ = ui.screenshot("fulfilment_settings").await;
                let _ = tx.send((shipped, picked, url, at));
            })
            .await;
            let (shipped, picked, url, at) = rx.await.unwrap();
            ((shipped, url), (picked, at))
        };

        // The mail worker sent the shipping email to the customer, with the link.
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        let got = loop {
            let got = server.received();
            if !got.is_empty() || std::time::Instant::now() > deadline {
                break got;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        assert_eq!(got.len(), 1, "one shipping email: {got:?}");
        let ((ship_id, ship_number, ship_email), url) = shipped;
        assert_eq!(got[0]["rcpt_tos"][0], ship_email.as_str());
        assert!(got[0]["subject"].as_str().unwrap().contains(&ship_number));
        let text = got[0]["parts"][0]["content"].as_str().unwrap();
        assert!(text.contains(&url), "{text}");
        assert_eq!(got[0]["from"], "Épicerie Léa <boutique@epicerie-lea.fr>");
        let opened = std::fs::read_to_string(&open_log).unwrap_or_default();
        assert!(
            opened.contains(&url),
            "the tracking link was opened: {opened}"
        );

        // While the app is closed, a second email to the same customer is given up on (as after
        // three permanent refusals): the worker never sends it on its own.
        let failed = {
            let store = Store::open(&account_db(&data_dir)).await.unwrap();
            let smtp = mail::load_settings(store.pool()).await.unwrap().unwrap();
            let email = outbox::NewEmail {
                kind: "shipping".into(),
                order_id: Some(ship_id.clone()),
                recipient: ship_email.clone(),
                subject: format!("Your order {ship_number} is on its way (again)"),
                text_body: "Retried\n".into(),
                html_body: "<p>Retried</p>".into(),
            };
            let now = comptoir_core::store::now();
            let queued = mail::enqueue(store.pool(), Some(&smtp), &email, now)
                .await
                .unwrap();
            sqlx::query(
                "UPDATE outbox SET state = 'failed', attempts = 3,
                   last_error = 'The SMTP server refused the email (550 mailbox unavailable).'
                 WHERE id = ?1",
            )
            .bind(queued.id)
            .execute(store.pool())
            .await
            .unwrap();
            store.close().await;
            queued
        };

        // After a restart, both states are kept.
        let ((pick_id, pick_number, _), at) = picked;
        let failed_id = failed.id;
        let app = App::launch(launch()).await;
        app.run(move |ui| async move {
            ui.wait_for("[data-testid=\"order-row\"]", DEFAULT_WAIT)
                .await;
            open_order(&ui, &ship_id, &ship_number).await;
            status_is(&ui, "sent").await;
            assert_eq!(
                ui.attr_of("tracking-link", "data-url").await.as_deref(),
                Some(url.as_str())
            );
            assert_eq!(
                ui.attr_of("email-state", "data-state").await.as_deref(),
                Some("sent")
            );
            // "Retry now" on the failed email: the worker is woken and the state moves on.
            let state_of_failed = format!(
                "return document.querySelector('[data-email-id=\"{failed_id}\"] \
                 [data-testid=email-state]')?.dataset.state ?? null"
            );
            assert_eq!(js(&ui, &state_of_failed).await, "failed");
            assert_eq!(ui.count("[data-testid=\"email-retry\"]").await, 1);
            ui.wait_until("the Retry now button in view", DEFAULT_WAIT, || async {
                let script = "const b = document.querySelector('[data-testid=email-retry]'); \
                    b.scrollIntoView({ block: 'center', behavior: 'instant' }); \
                    const r = b.getBoundingClientRect(); \
                    return r.top >= 0 && r.bottom <= window.innerHeight;";
                (js(&ui, script).await == true).then_some(())
            })
            .await;
            let _ = ui.screenshot("fulfilment_email_failed").await;
            ui.click("email-retry").await;
            ui.wait_until("the retried email to be sent", DEFAULT_WAIT, || async {
                (js(&ui, &state_of_failed).await == "sent").then_some(())
            })
            .await;
            assert_eq!(ui.count("[data-testid=\"email-retry\"]").await, 0);
            js(&ui, &format!("document.querySelector('[data-email-id=\"{failed_id}\"]').scrollIntoView({{ block: 'center', behavior: 'instant' }}); return null")).await;
            let _ = ui.screenshot("fulfilment_email_retried").await;
            ui.click("order-back").await;
            open_order(&ui, &pick_id, &pick_number).await;
            status_is(&ui, "picked_up").await;
            assert_eq!(
                ui.attr_of("picked-up-at", "data-ts").await,
                Some(at.to_string())
            );
        })
        .await;
        let _ = comptoir_core::secrets::Keychain::new(&service)
            .delete(comptoir_core::secrets::SecretKind::StripeKey);

        // The retried email reached the server once, with its Message-ID; nothing else was sent.
        let got = server.received();
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[1]["message_id"], failed.message_id.as_str());
        assert_eq!(got[1]["rcpt_tos"][0], ship_email.as_str());
    });
}
