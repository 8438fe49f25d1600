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

use std::path::Path;
use std::time::Duration;

use comptoir_core::mail;
use comptoir_core::store::{outbox, Store};
use serde_json::Value;
use smtp_support::SmtpServer;
use support::{
    block_on, connect_and_sync, js, keys, open_account_store, open_order, set_staff,
    wait_for_order_rows, wait_for_status, App, Profile, TestShop, Ui, DEFAULT_WAIT,
};

const NUMBER: &str = "6A12345678901";

/// An order of the shop: (id, number, customer email).
type ShopOrder = (String, String, String);

/// The newest order in `status` with a customer email.
async fn an_order(store: &Store, status: &str) -> ShopOrder {
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

#[test]
fn ship_with_a_colissimo_link_confirm_a_pickup_and_keep_both_after_a_restart() {
    block_on(async {
        let sim = TestShop::new()
            .orders(120)
            .one_off_invoices(2)
            .subscriptions(2)
            .simulator()
            .await;
        let key = sim.api_key();
        let smtp_dir = tempfile::tempdir().unwrap();
        let mut server = SmtpServer::new(smtp_dir.path());
        server.start(&[]);
        let smtp_port = server.port;
        // One data folder and one keychain service for both runs of the app.
        let profile = Profile::new("fulfilment");
        let data_dir = profile.data_dir();
        let open_log = data_dir.join("opened.txt");
        let launch = || {
            profile
                .launch("fulfilment")
                .stripe_api_base(&sim.base_url())
                .env("COMPTOIR_OPEN_LOG", &open_log.display().to_string())
        };

        let (shipped, url, picked, at) = {
            let app = App::launch(launch()).await;
            let data_dir = data_dir.clone();
            let (tx, rx) = tokio::sync::oneshot::channel();
            app.run(move |ui| async move {
                wait_for_order_rows(&ui).await;
                connect_and_sync(&ui, &key).await;
                let (shipped, picked) = set_up_email_and_staff(&data_dir, smtp_port).await;
                settings_show_the_saved_staff(&ui).await;
                let url = ship_as_a_scanner_does(&ui, &shipped).await;
                ui.click("order-back").await;
                let at = confirm_the_pickup(&ui, &picked).await;
                settings_show_the_smtp_server(&ui).await;
                the_shipping_email_goes_once_stripe_has_the_state(&ui, &shipped).await;
                let _ = tx.send((shipped, url, picked, at));
            })
            .await;
            rx.await.unwrap()
        };

        // The mail worker sent the shipping email to the customer, with the link.
        let got = wait_for_emails(&server, Duration::from_secs(60)).await;
        the_shipping_email_reached_the_customer(&got, &shipped, &url);
        let opened = std::fs::read_to_string(&open_log).unwrap_or_default();
        assert!(
            opened.contains(&url),
            "the tracking link was opened: {opened}"
        );

        let (failed_id, failed_message_id) =
            an_email_given_up_on_while_the_app_is_closed(&data_dir, &shipped).await;

        // After a restart, both states are kept.
        let ship = shipped.clone();
        let app = App::launch(launch()).await;
        app.run(move |ui| async move {
            wait_for_order_rows(&ui).await;
            the_shipped_order_kept_its_link_and_its_email(&ui, &ship, &url).await;
            retry_now_sends_the_failed_email(&ui, failed_id).await;
            ui.click("order-back").await;
            open_order(&ui, &picked.0, &picked.1).await;
            wait_for_status(&ui, "picked_up").await;
            assert_eq!(
                ui.attr_of("picked-up-at", "data-ts").await,
                Some(at.to_string())
            );
        })
        .await;

        // The retried email reached the server once, with its Message-ID; nothing else was sent.
        let got = server.received();
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[1]["message_id"], failed_message_id.as_str());
        assert_eq!(got[1]["rcpt_tos"][0], shipped.2.as_str());
    });
}

/// Email set up as Settings would save it, and who works at this station. Returns an order to
/// ship and one to hand over.
async fn set_up_email_and_staff(data_dir: &Path, smtp_port: u16) -> (ShopOrder, ShopOrder) {
    let store = open_account_store(data_dir).await;
    let smtp = smtp_support::shop_settings(smtp_port, "Épicerie Léa");
    mail::save_settings(store.pool(), &smtp).await.unwrap();
    set_staff(&store, "Inès", "Atelier").await;
    let shipped = an_order(&store, "to_be_sent").await;
    let picked = an_order(&store, "to_be_picked_up").await;
    store.close().await;
    (shipped, picked)
}

/// Settings show what is saved now, not what the app read at start-up.
async fn settings_show_the_saved_staff(ui: &Ui) {
    ui.click("nav-settings").await;
    ui.wait_until("the saved staff name in Settings", DEFAULT_WAIT, || async {
        let staff = js(
            ui,
            "return document.querySelector('[data-testid=settings-staff]')?.value ?? ''",
        )
        .await;
        (staff == "Inès").then_some(())
    })
    .await;
}

/// Ships as a scanner does: the number and Enter. That Enter confirms the carrier the number
/// points to (Colissimo) and sends nothing; the next Enter sends. Returns the tracking link.
async fn ship_as_a_scanner_does(ui: &Ui, order: &ShopOrder) -> String {
    open_order(ui, &order.0, &order.1).await;
    ui.wait_for(
        "[data-testid=\"carrier-select\"] option[value=\"colissimo\"]",
        DEFAULT_WAIT,
    )
    .await;
    ui.type_into("tracking-number", &format!("{NUMBER}{}", keys::ENTER))
        .await;
    ui.wait_until(
        "Enter to confirm the suggested carrier",
        DEFAULT_WAIT,
        || async {
            let picked = js(
                ui,
                "return document.querySelector('[data-testid=carrier-select]').value",
            )
            .await;
            (picked == "colissimo").then_some(())
        },
    )
    .await;
    assert!(ui.text_of("carrier-note").await.contains("Colissimo"));
    assert_eq!(
        ui.attr_of("order-status", "data-status").await.as_deref(),
        Some("to_be_sent"),
        "the scanner's Enter sends nothing"
    );
    assert_eq!(
        ui.attr_of("carrier-suggestion", "aria-pressed")
            .await
            .as_deref(),
        Some("true")
    );
    ui.type_into("tracking-number", &format!("{NUMBER}{}", keys::ENTER))
        .await;
    wait_for_status(ui, "sent").await;
    let url = ui.attr_of("tracking-link", "data-url").await.unwrap();
    assert!(url.starts_with("https://") && url.contains(NUMBER), "{url}");
    ui.click("view-tracking-link").await;
    let _ = ui.screenshot("fulfilment_sent").await;
    assert!(ui.exists("history-entry").await);
    url
}

/// Confirms a pickup; its time and the staff show. Returns the time.
async fn confirm_the_pickup(ui: &Ui, order: &ShopOrder) -> i64 {
    open_order(ui, &order.0, &order.1).await;
    ui.click("confirm-pickup").await;
    wait_for_status(ui, "picked_up").await;
    let at: i64 = ui
        .attr_of("picked-up-at", "data-ts")
        .await
        .unwrap()
        .parse()
        .unwrap();
    assert!((at - comptoir_core::store::now()).abs() < 120, "{at}");
    assert!(ui.text_of("picked-up-at").await.contains("Inès"));
    let _ = ui.screenshot("fulfilment_picked_up").await;
    at
}

async fn settings_show_the_smtp_server(ui: &Ui) {
    ui.click("nav-settings").await;
    ui.wait_until("the SMTP settings", DEFAULT_WAIT, || async {
        let host = js(
            ui,
            "return document.querySelector('[data-testid=smtp-host]')?.value ?? null",
        )
        .await;
        (host == "127.0.0.1").then_some(())
    })
    .await;
    js(
        ui,
        "document.querySelector('[data-testid=smtp-host]').scrollIntoView(); return null",
    )
    .await;
    let _ = ui.screenshot("fulfilment_settings").await;
}

/// What the SMTP server received, once it received something or `timeout` passed.
async fn wait_for_emails(server: &SmtpServer, timeout: Duration) -> Vec<Value> {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        let got = server.received();
        if !got.is_empty() || std::time::Instant::now() > deadline {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn the_shipping_email_reached_the_customer(got: &[Value], order: &ShopOrder, url: &str) {
    let (_, number, email) = order;
    assert_eq!(got.len(), 1, "one shipping email: {got:?}");
    assert_eq!(got[0]["rcpt_tos"][0], email.as_str());
    assert!(got[0]["subject"]
        .as_str()
        .unwrap()
        .contains(number.as_str()));
    let text = got[0]["parts"][0]["content"].as_str().unwrap();
    assert!(text.contains(url), "{text}");
    assert_eq!(got[0]["from"], "Épicerie Léa <boutique@epicerie-lea.fr>");
}

/// While the app is closed, a second email to the same customer is given up on (as after three
/// permanent refusals): the worker never sends it on its own. Returns its id and Message-ID.
async fn an_email_given_up_on_while_the_app_is_closed(
    data_dir: &Path,
    order: &ShopOrder,
) -> (i64, String) {
    let (id, number, email) = order;
    let store = open_account_store(data_dir).await;
    let smtp = mail::load_settings(store.pool()).await.unwrap().unwrap();
    let email = outbox::NewEmail {
        kind: "shipping".into(),
        order_id: Some(id.clone()),
        recipient: email.clone(),
        subject: format!("Your order {number} is on its way (again)"),
        text_body: "Retried\n".into(),
        html_body: "<p>Retried</p>".into(),
    };
    let now = comptoir_core::store::now();
    let queued = mail::enqueue(store.pool(), Some(&smtp), &email, now)
        .await
        .unwrap();
    sqlx::query(
        r#"UPDATE outbox SET state = 'failed', attempts = 3,
           last_error = 'The SMTP server refused the email (550 mailbox unavailable).',
           last_problem = '{"code":"smtp_failed","reason":"rejected","host":"127.0.0.1","port":2525,"reply":"550 mailbox unavailable"}'
         WHERE id = ?1"#,
    )
    .bind(queued.id)
    .execute(store.pool())
    .await
    .unwrap();
    store.close().await;
    (queued.id, queued.message_id)
}

/// The shipping email waits until the shipment is on Stripe (README: Stations), then goes while
/// the app runs: the order says so.
async fn the_shipping_email_goes_once_stripe_has_the_state(ui: &Ui, order: &ShopOrder) {
    open_order(ui, &order.0, &order.1).await;
    ui.wait_until("the shipping email to be sent", DEFAULT_WAIT, || async {
        (ui.attr_of("email-state", "data-state").await.as_deref() == Some("sent")).then_some(())
    })
    .await;
}

async fn the_shipped_order_kept_its_link_and_its_email(ui: &Ui, order: &ShopOrder, url: &str) {
    open_order(ui, &order.0, &order.1).await;
    wait_for_status(ui, "sent").await;
    assert_eq!(
        ui.attr_of("tracking-link", "data-url").await.as_deref(),
        Some(url)
    );
    assert_eq!(
        ui.attr_of("email-state", "data-state").await.as_deref(),
        Some("sent")
    );
}

/// "Retry now" on the failed email: the worker is woken and the state moves on.
async fn retry_now_sends_the_failed_email(ui: &Ui, failed_id: i64) {
    let state_of_failed = format!(
        "return document.querySelector('[data-email-id=\"{failed_id}\"] \
         [data-testid=email-state]')?.dataset.state ?? null"
    );
    assert_eq!(js(ui, &state_of_failed).await, "failed");
    assert_eq!(ui.count("[data-testid=\"email-retry\"]").await, 1);
    ui.wait_until("the Retry now button in view", DEFAULT_WAIT, || async {
        let script = "const b = document.querySelector('[data-testid=email-retry]'); \
            b.scrollIntoView({ block: 'center', behavior: 'instant' }); \
            const r = b.getBoundingClientRect(); \
            return r.top >= 0 && r.bottom <= window.innerHeight;";
        (js(ui, script).await == true).then_some(())
    })
    .await;
    let _ = ui.screenshot("fulfilment_email_failed").await;
    ui.click("email-retry").await;
    ui.wait_until("the retried email to be sent", DEFAULT_WAIT, || async {
        (js(ui, &state_of_failed).await == "sent").then_some(())
    })
    .await;
    assert_eq!(ui.count("[data-testid=\"email-retry\"]").await, 0);
    js(
        ui,
        &format!(
            "document.querySelector('[data-email-id=\"{failed_id}\"]').scrollIntoView({{ block: 'center', behavior: 'instant' }}); return null"
        ),
    )
    .await;
    let _ = ui.screenshot("fulfilment_email_retried").await;
}
