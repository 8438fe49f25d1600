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

use std::path::Path;
use std::time::Duration;

use comptoir_core::store::Store;
use comptoir_stripe_sim::SimHandle;
use support::{
    block_on, connect_and_sync, history_actions, js, open_account_store, open_order, order_row,
    set_staff, wait_for_displayed_testid, wait_for_order_rows, wait_for_status, App, Profile,
    TestShop, Ui, DEFAULT_WAIT,
};

/// An order of the shop: (id, number).
type ShopOrder = (String, String);

/// Orders of a queue that are deliveries, newest first.
async fn deliveries_in(store: &Store, queue: &str) -> Vec<ShopOrder> {
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

/// The orders the test works on, read from the account's store after the first sync.
struct Orders {
    /// Deliveries awaiting payment (two at least).
    waiting: Vec<ShopOrder>,
    /// How many orders await payment.
    awaiting: i64,
    refunded: ShopOrder,
    /// A paid order to be sent, of more than €5, with its PaymentIntent.
    paid: (String, String, String),
}

#[test]
fn unpaid_orders_wait_ask_before_they_go_out_and_refunds_show() {
    block_on(async {
        let sim = TestShop::new()
            .orders(200)
            .one_off_invoices(2)
            .subscriptions(2)
            .simulator()
            .await;
        let key = sim.api_key();
        let profile = Profile::new("payments");
        let data_dir = profile.data_dir();
        let launch = profile.launch("payments").stripe_api_base(&sim.base_url());

        let app = App::launch(launch).await;
        // The test body runs on a task of its own: it moves the debit along at "Stripe".
        let sim = std::sync::Arc::new(sim);
        let sim_ref = sim.clone();
        app.run(move |ui| async move {
            let sim = sim_ref;
            wait_for_order_rows(&ui).await;
            connect_and_sync(&ui, &key).await;
            let orders = staff_the_station_and_find_the_orders(&data_dir).await;
            the_awaiting_payment_tab_holds_them(&ui, &orders).await;
            shipping_one_asks_first_and_cancel_changes_nothing(&ui, &orders.waiting[0]).await;
            the_debit_succeeds_and_the_next_sync_moves_it(&ui, &sim, &orders).await;
            another_goes_out_on_confirmation(&ui, &orders.waiting[1]).await;
            a_refunded_order_shows_its_badge_and_sentence(&ui, &orders.refunded).await;
            an_in_app_refund_is_made_once_despite_a_lost_answer(&ui, &sim, &orders.paid).await;
        })
        .await;
    });
}

async fn staff_the_station_and_find_the_orders(data_dir: &Path) -> Orders {
    let store = open_account_store(data_dir).await;
    set_staff(&store, "Inès", "Atelier").await;
    let waiting = deliveries_in(&store, "awaiting_payment").await;
    assert!(
        waiting.len() >= 2,
        "two deliveries awaiting payment: {waiting:?}"
    );
    let held = deliveries_in(&store, "on_hold").await;
    let refunded: ShopOrder = sqlx::query_as(
        "SELECT id, number FROM orders WHERE payment_state = 'refunded'
         ORDER BY created DESC LIMIT 1",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    let paid: (String, String, String) = sqlx::query_as(
        "SELECT id, number, payment_intent_id FROM orders
         WHERE payment_state = 'paid' AND queue = 'to_be_sent' AND amount_total > 500
         ORDER BY created DESC LIMIT 1",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    let awaiting: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE queue = 'awaiting_payment'")
            .fetch_one(store.pool())
            .await
            .unwrap();
    store.close().await;
    assert!(!held.is_empty());
    Orders {
        waiting,
        awaiting,
        refunded,
        paid,
    }
}

/// The Awaiting payment tab holds them, each with its badge.
async fn the_awaiting_payment_tab_holds_them(ui: &Ui, orders: &Orders) {
    ui.click("nav-orders").await;
    ui.click("orders-tab-awaiting_payment").await;
    ui.wait_for(&order_row(&orders.waiting[0].0), DEFAULT_WAIT)
        .await;
    assert_eq!(tab_count(ui, "awaiting_payment").await, orders.awaiting);
    assert_eq!(
        ui.count("[data-testid=\"order-row\"]").await as i64,
        orders.awaiting,
        "the tab lists exactly them"
    );
    assert_eq!(
        ui.count("[data-testid=\"order-row\"] [data-payment=\"processing\"]")
            .await as i64,
        orders.awaiting
    );
    let _ = ui.screenshot("payments_awaiting_tab").await;
}

/// Types a tracking link and asks to send the shipping email: an unpaid order's dialog opens.
async fn ship_unpaid(ui: &Ui, tracking_url: &str) {
    ui.type_into("tracking-url", tracking_url).await;
    ui.click("send-shipping-email").await;
    wait_for_displayed_testid(ui, "unpaid-dialog").await;
}

/// Shipping one asks first, naming why; Cancel changes nothing.
async fn shipping_one_asks_first_and_cancel_changes_nothing(ui: &Ui, order: &ShopOrder) {
    open_order(ui, &order.0, &order.1).await;
    assert_eq!(
        ui.attr_of("payment-note", "data-payment").await.as_deref(),
        Some("processing")
    );
    assert!(ui
        .text_of("payment-note")
        .await
        .contains("SEPA Direct Debit"));
    ship_unpaid(
        ui,
        "https://www.laposte.fr/outils/suivre-vos-envois?code=6A11111111111",
    )
    .await;
    let body = js(
        ui,
        "return document.querySelector('[data-testid=unpaid-dialog]').innerText",
    )
    .await;
    assert!(
        body.as_str()
            .unwrap_or("")
            .contains("Payment processing (SEPA Direct Debit)"),
        "{body}"
    );
    let _ = ui.screenshot("payments_confirm_unpaid").await;
    js(
        ui,
        "document.querySelector('[data-testid=unpaid-dialog] .actions .btn:not(.btn-danger)').click(); return null",
    )
    .await;
    ui.wait_until("the dialog to close", DEFAULT_WAIT, || async {
        (js(
            ui,
            "return document.querySelector('[data-testid=unpaid-dialog]').open",
        )
        .await
            == false)
            .then_some(())
    })
    .await;
    assert_eq!(
        ui.attr_of("order-status", "data-status").await.as_deref(),
        Some("to_be_sent")
    );
    assert_eq!(ui.count("[data-testid=\"history-entry\"]").await, 0);
}

/// The debit succeeds at Stripe: the next sync moves the order to To be sent, and Awaiting
/// payment counts one fewer.
async fn the_debit_succeeds_and_the_next_sync_moves_it(ui: &Ui, sim: &SimHandle, orders: &Orders) {
    let (wait_id, wait_number) = &orders.waiting[0];
    let at = sim.now() + 5;
    sim.with_dataset(|d| assert!(d.settle_payment(wait_id, true, at)));
    ui.click("sync-button").await;
    ui.wait_until("the order to be paid", Duration::from_secs(60), || async {
        (!ui.exists("payment-note").await).then_some(())
    })
    .await;
    ui.click("order-back").await;
    ui.click("orders-tab-to_be_sent").await;
    ui.type_into("orders-search", wait_number).await;
    ui.wait_for(&order_row(wait_id), DEFAULT_WAIT).await;
    // Without a search, the tab counts are the shop's: one fewer awaits payment.
    js(
        ui,
        "const i = document.querySelector('[data-testid=orders-search]'); i.value = ''; \
         i.dispatchEvent(new Event('input', { bubbles: true })); return null",
    )
    .await;
    ui.wait_until(
        "Awaiting payment to count one fewer",
        DEFAULT_WAIT,
        || async { (tab_count(ui, "awaiting_payment").await == orders.awaiting - 1).then_some(()) },
    )
    .await;
}

/// Another unpaid order goes out on confirmation, and its history says so.
async fn another_goes_out_on_confirmation(ui: &Ui, order: &ShopOrder) {
    open_order(ui, &order.0, &order.1).await;
    ship_unpaid(
        ui,
        "https://www.laposte.fr/outils/suivre-vos-envois?code=6A22222222222",
    )
    .await;
    ui.click("unpaid-dialog-confirm").await;
    wait_for_status(ui, "sent").await;
    assert_eq!(
        history_actions(ui).await,
        serde_json::json!(["unpaid_confirmed", "shipped"])
    );
    let history = ui.text_of("order-history").await;
    assert!(history.contains("Inès"), "{history}");
    assert!(history.contains("payment is still processing"), "{history}");
}

/// A refunded order: its badge in the list, its sentence in the detail.
async fn a_refunded_order_shows_its_badge_and_sentence(ui: &Ui, refunded: &ShopOrder) {
    ui.click("order-back").await;
    ui.click("orders-tab-all").await;
    ui.type_into("orders-search", &refunded.1).await;
    ui.wait_for(
        &format!("{} [data-payment=\"refunded\"]", order_row(&refunded.0)),
        DEFAULT_WAIT,
    )
    .await;
    let _ = ui.screenshot("payments_refunded_row").await;
    open_order(ui, &refunded.0, &refunded.1).await;
    let note = ui.text_of("payment-note").await;
    assert!(note.starts_with("Refunded "), "{note}");
    assert!(note.contains(" of ") && note.contains(" on "), "{note}");
    let _ = ui.screenshot("payments_refunded_detail").await;
}

/// An in-app partial refund of €5.00. The first answer is lost on the way (Stripe acted); the
/// merchant clicks again; the one key makes it one refund.
async fn an_in_app_refund_is_made_once_despite_a_lost_answer(
    ui: &Ui,
    sim: &SimHandle,
    paid: &(String, String, String),
) {
    let (paid_id, paid_number, paid_pi) = paid;
    ui.click("order-back").await;
    open_order(ui, paid_id, paid_number).await;
    ui.click("refund-open").await;
    wait_for_displayed_testid(ui, "refund-dialog").await;
    ui.click("refund-mode-amount").await;
    ui.type_into("refund-amount", "5,00").await;
    ui.wait_until("the dialog to state the amount", DEFAULT_WAIT, || async {
        let said = ui.text_of("refund-statement").await;
        (said.contains("€5.00") && said.contains("(EUR)")).then_some(())
    })
    .await;
    assert!(ui.text_of("refund-confirm").await.contains("€5.00 EUR"));
    let _ = ui.screenshot("payments_refund_dialog").await;
    sim.lose_next_answer("/v1/refunds");
    ui.click("refund-confirm").await;
    wait_for_displayed_testid(ui, "refund-error").await;
    ui.click("refund-confirm").await;
    ui.wait_until("the refund to show", DEFAULT_WAIT, || async {
        (ui.exists("payment-note").await
            && ui
                .text_of("payment-note")
                .await
                .starts_with("Refunded €5.00 of "))
        .then_some(())
    })
    .await;
    let posts = sim.stats().refund_posts;
    assert_eq!(posts.len(), 2, "two clicks reached Stripe: {posts:?}");
    assert!(
        posts[0].is_some() && posts[0] == posts[1],
        "with one key: {posts:?}"
    );
    let made = sim
        .snapshot()
        .refunds
        .iter()
        .filter(|r| r["payment_intent"] == paid_pi.as_str())
        .count();
    assert_eq!(made, 1, "one refund");
    assert_eq!(history_actions(ui).await, serde_json::json!(["refunded"]));
    let _ = ui.screenshot("payments_refunded_in_app").await;
}
