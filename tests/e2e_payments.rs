//! End to end: payment state in the real app, against the Stripe simulator. An order paid by a
//! SEPA debit still processing waits in Awaiting payment; shipping it asks for a confirmation
//! that names why (Cancel changes nothing); when the debit succeeds, the next sync moves it to
//! To be sent. Another unpaid order shipped on confirmation says so in its history. A refunded
//! order carries its badge in the list and its sentence in the detail.
//!
//! ```sh
//! bash scripts/test.sh nextest -- --test e2e_payments
//! ```
#![cfg(target_os = "linux")]

mod support;

use std::time::Duration;

use comptoir_core::dataset::DatasetSpec;
use comptoir_core::secrets::SecretStore as _;
use comptoir_core::store::{settings, Store};
use support::{account_db, block_on, js, open_order, App, Launch, Ui, DEFAULT_WAIT};

/// Orders of a queue that are deliveries: (id, number), newest first.
async fn deliveries_in(store: &Store, queue: &str) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT id, number FROM orders WHERE queue = ?1 AND delivery_kind = 'delivery'
         ORDER BY created DESC",
    )
    .bind(queue)
    .fetch_all(store.pool())
    .await
    .unwrap()
}

async fn tab_count(ui: &Ui, tab: &str) -> i64 {
    let v = js(
        ui,
        &format!(
            "return document.querySelector('[data-testid=orders-tab-{tab}] .tab-count')\
             ?.dataset.count ?? null"
        ),
    )
    .await;
    v.as_str().and_then(|s| s.parse().ok()).unwrap_or(-1)
}

#[test]
fn unpaid_orders_wait_ask_before_they_go_out_and_refunds_show() {
    block_on(async {
        let key = support::test_secret_key();
        let spec = DatasetSpec {
            orders: 200,
            one_off_invoices: 2,
            subscriptions: 2,
            now: comptoir_core::store::now(),
            ..DatasetSpec::default()
        };
        let sim = support::start_simulator(&key, &spec).await;
        let data = tempfile::Builder::new()
            .prefix("comptoir-e2e-payments-")
            .tempdir()
            .unwrap();
        let data_dir = data.path().to_owned();
        let service = support::unique("comptoir-e2e-payments");
        let launch = Launch::new("payments")
            .stripe_api_base(&sim.base_url())
            .env("COMPTOIR_DATA_DIR", &data_dir.display().to_string())
            .env("COMPTOIR_KEYCHAIN_SERVICE", &service);

        let app = App::launch(launch).await;
        // The test body runs on a task of its own: it moves the debit along at "Stripe".
        let sim = std::sync::Arc::new(sim);
        let sim_ref = sim.clone();
        app.run(move |ui| async move {
            ui.wait_for("[data-testid=\"order-row\"]", DEFAULT_WAIT)
                .await;
            ui.click("connect-stripe").await;
            ui.type_into("onboarding-key", &key).await;
            ui.click("onboarding-submit").await;
            ui.wait_until("the first sync to finish", Duration::from_secs(120), || async {
                if ui.exists("onboarding-error").await {
                    panic!("onboarding error: {}", ui.text_of("onboarding-error").await);
                }
                (!ui.exists("sync-progress").await && ui.exists("last-synced").await).then_some(())
            })
            .await;

            let store = Store::open(&account_db(&data_dir)).await.unwrap();
            settings::set_value(store.pool(), "staff_name", "Inès")
                .await
                .unwrap();
            settings::set_value(store.pool(), "station_name", "Atelier")
                .await
                .unwrap();
            let waiting = deliveries_in(&store, "awaiting_payment").await;
            assert!(waiting.len() >= 2, "two deliveries awaiting payment: {waiting:?}");
            let held = deliveries_in(&store, "on_hold").await;
            let refunded: (String, String) = sqlx::query_as(
                "SELECT id, number FROM orders WHERE payment_state = 'refunded'
                 ORDER BY created DESC LIMIT 1",
            )
            .fetch_one(store.pool())
            .await
            .unwrap();
            let (paid_id, paid_number, paid_pi): (String, String, String) = sqlx::query_as(
                "SELECT id, number, payment_intent_id FROM orders
                 WHERE payment_state = 'paid' AND queue = 'to_be_sent' AND amount_total > 500
                 ORDER BY created DESC LIMIT 1",
            )
            .fetch_one(store.pool())
            .await
            .unwrap();
            let awaiting: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM orders WHERE queue = 'awaiting_payment'",
            )
            .fetch_one(store.pool())
            .await
            .unwrap();
            store.close().await;
            assert!(!held.is_empty());

            // The Awaiting payment tab holds them, each with its badge.
            ui.click("nav-orders").await;
            ui.click("orders-tab-awaiting_payment").await;
            let row = |id: &str| format!("[data-testid=\"order-row\"][data-order-id=\"{id}\"]");
            ui.wait_for(&row(&waiting[0].0), DEFAULT_WAIT).await;
            assert_eq!(tab_count(&ui, "awaiting_payment").await, awaiting);
            assert_eq!(
                ui.count("[data-testid=\"order-row\"]").await as i64,
                awaiting,
                "the tab lists exactly them"
            );
            assert_eq!(
                ui.count("[data-testid=\"order-row\"] [data-payment=\"processing\"]")
                    .await as i64,
                awaiting
            );
            let _ = ui.screenshot("payments_awaiting_tab").await;

            // Shipping one asks first, naming why; Cancel changes nothing.
            let (wait_id, wait_number) = waiting[0].clone();
            open_order(&ui, &wait_id, &wait_number).await;
            assert_eq!(
                ui.attr_of("payment-note", "data-payment").await.as_deref(),
                Some("processing")
            );
            assert!(ui.text_of("payment-note").await.contains("SEPA Direct Debit"));
            ui.type_into("tracking-url", "https://www.laposte.fr/outils/suivre-vos-envois?code=6A11111111111")
                .await;
            ui.click("send-shipping-email").await;
            ui.wait_for_displayed("[data-testid=\"unpaid-dialog\"]", DEFAULT_WAIT)
                .await;
            let body = js(
                &ui,
                "return document.querySelector('[data-testid=unpaid-dialog]').innerText",
            )
            .await;
            assert!(
                body.as_str().unwrap_or("").contains("Payment processing (SEPA Direct Debit)"),
                "{body}"
            );
            let _ = ui.screenshot("payments_confirm_unpaid").await;
            js(
                &ui,
                "document.querySelector('[data-testid=unpaid-dialog] .actions .btn:not(.btn-danger)').click(); return null",
            )
            .await;
            ui.wait_until("the dialog to close", DEFAULT_WAIT, || async {
                (js(&ui, "return document.querySelector('[data-testid=unpaid-dialog]').open").await
                    == false)
                    .then_some(())
            })
            .await;
            assert_eq!(
                ui.attr_of("order-status", "data-status").await.as_deref(),
                Some("to_be_sent")
            );
            assert_eq!(ui.count("[data-testid=\"history-entry\"]").await, 0);

            // The debit succeeds at Stripe: the next sync moves the order to To be sent.
            let at = sim_ref.now() + 5;
            sim_ref.with_dataset(|d| assert!(d.settle_payment(&wait_id, true, at)));
            ui.click("sync-button").await;
            ui.wait_until("the order to be paid", Duration::from_secs(60), || async {
                (!ui.exists("payment-note").await).then_some(())
            })
            .await;
            ui.click("order-back").await;
            ui.click("orders-tab-to_be_sent").await;
            ui.type_into("orders-search", &wait_number).await;
            ui.wait_for(&row(&wait_id), DEFAULT_WAIT).await;
            // Without a search, the tab counts are the shop's: one fewer awaits payment.
            js(
                &ui,
                "const i = document.querySelector('[data-testid=orders-search]'); i.value = ''; \
                 i.dispatchEvent(new Event('input', { bubbles: true })); return null",
            )
            .await;
            ui.wait_until("Awaiting payment to count one fewer", DEFAULT_WAIT, || async {
                (tab_count(&ui, "awaiting_payment").await == awaiting - 1).then_some(())
            })
            .await;

            // Another unpaid order goes out on confirmation, and its history says so.
            let (other_id, other_number) = waiting[1].clone();
            open_order(&ui, &other_id, &other_number).await;
            ui.type_into("tracking-url", "https://www.laposte.fr/outils/suivre-vos-envois?code=6A22222222222")
                .await;
            ui.click("send-shipping-email").await;
            ui.wait_for_displayed("[data-testid=\"unpaid-dialog\"]", DEFAULT_WAIT)
                .await;
            ui.click("unpaid-dialog-confirm").await;
            ui.wait_until("the order to be sent", DEFAULT_WAIT, || async {
                (ui.attr_of("order-status", "data-status").await.as_deref() == Some("sent"))
                    .then_some(())
            })
            .await;
            let actions = js(
                &ui,
                "return [...document.querySelectorAll('[data-testid=history-entry]')].map(e => e.dataset.action)",
            )
            .await;
            assert_eq!(actions, serde_json::json!(["unpaid_confirmed", "shipped"]));
            let history = ui.text_of("order-history").await;
            assert!(history.contains("Inès"), "{history}");
            assert!(history.contains("payment is still processing"), "{history}");

            // A refunded order: its badge in the list, its sentence in the detail.
            ui.click("order-back").await;
            ui.click("orders-tab-all").await;
            ui.type_into("orders-search", &refunded.1).await;
            ui.wait_for(
                &format!("{} [data-payment=\"refunded\"]", row(&refunded.0)),
                DEFAULT_WAIT,
            )
            .await;
            let _ = ui.screenshot("payments_refunded_row").await;
            open_order(&ui, &refunded.0, &refunded.1).await;
            let note = ui.text_of("payment-note").await;
            assert!(note.starts_with("Refunded "), "{note}");
            assert!(note.contains(" of ") && note.contains(" on "), "{note}");
            let _ = ui.screenshot("payments_refunded_detail").await;

            // An in-app partial refund of €5.00. The first answer is lost on the way (Stripe
            // acted); the merchant clicks again; the one key makes it one refund.
            ui.click("order-back").await;
            open_order(&ui, &paid_id, &paid_number).await;
            ui.click("refund-open").await;
            ui.wait_for_displayed("[data-testid=\"refund-dialog\"]", DEFAULT_WAIT)
                .await;
            ui.click("refund-mode-amount").await;
            ui.type_into("refund-amount", "5,00").await;
            ui.wait_until("the dialog to state the amount", DEFAULT_WAIT, || async {
                let said = ui.text_of("refund-statement").await;
                (said.contains("€5.00") && said.contains("(EUR)")).then_some(())
            })
            .await;
            assert!(ui.text_of("refund-confirm").await.contains("€5.00 EUR"));
            let _ = ui.screenshot("payments_refund_dialog").await;
            sim_ref.lose_next_answer("/v1/refunds");
            ui.click("refund-confirm").await;
            ui.wait_for_displayed("[data-testid=\"refund-error\"]", DEFAULT_WAIT)
                .await;
            ui.click("refund-confirm").await;
            ui.wait_until("the refund to show", DEFAULT_WAIT, || async {
                (ui.exists("payment-note").await
                    && ui.text_of("payment-note").await.starts_with("Refunded €5.00 of "))
                .then_some(())
            })
            .await;
            let posts = sim_ref.stats().refund_posts;
            assert_eq!(posts.len(), 2, "two clicks reached Stripe: {posts:?}");
            assert!(posts[0].is_some() && posts[0] == posts[1], "with one key: {posts:?}");
            let made = sim_ref
                .snapshot()
                .refunds
                .iter()
                .filter(|r| r["payment_intent"] == paid_pi.as_str())
                .count();
            assert_eq!(made, 1, "one refund");
            let actions = js(
                &ui,
                "return [...document.querySelectorAll('[data-testid=history-entry]')].map(e => e.dataset.action)",
            )
            .await;
            assert_eq!(actions, serde_json::json!(["refunded"]));
            let _ = ui.screenshot("payments_refunded_in_app").await;
        })
        .await;
        let _ = comptoir_core::secrets::Keychain::new(&service)
            .delete(comptoir_core::secrets::SecretKind::StripeKey);
    });
}
