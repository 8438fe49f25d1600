//! End-to-end tests: the real app under Xvfb, driven through tauri-driver and WebKitWebDriver.
//!
//! Run them through `bash scripts/test.sh` (which builds `ui/dist` first and provides Xvfb, a
//! D-Bus session and an unlocked gnome-keyring), or one alone:
//!
//! ```sh
//! bash scripts/test.sh ui nextest -- --test e2e demo_store_opens_with_orders
//! ```
//!
//! Screenshots are saved in `target/e2e-screenshots/` (`<test>-failure.png` when one fails).
#![cfg(target_os = "linux")]

mod support;

use support::{
    block_on, click_row, connect_stripe, js, keys, press, wait_for_first_sync, wait_for_order, App,
    Launch, TestShop, Ui, DEFAULT_WAIT,
};

/// Reads `data-count` of `[data-testid=testid]` as a number.
async fn data_count(ui: &Ui, testid: &str) -> Option<usize> {
    ui.attr_of(testid, "data-count")
        .await
        .and_then(|c| c.trim().parse().ok())
}

/// The harness itself: the app starts, loads the UI embedded with `custom-protocol` (not the
/// Vite dev server URL) and answers DOM queries.
#[test]
fn app_loads_embedded_ui() {
    block_on(async {
        let app = App::launch(Launch::new("app_loads_embedded_ui")).await;
        app.run(|ui| async move {
            the_window_shows_the_embedded_ui(&ui).await;
            the_document_loads(&ui).await;
            ui.screenshot("app_loads_embedded_ui")
                .await
                .expect("screenshot");
        })
        .await;
    });
}

async fn the_window_shows_the_embedded_ui(ui: &Ui) {
    let url = support::retry("current url", || ui.client.current_url())
        .await
        .expect("current url");
    assert!(
        matches!(url.scheme(), "tauri" | "http") && url.as_str().contains("localhost"),
        "the app should load its embedded UI, it shows {url}"
    );
    assert!(
        !url.as_str().contains(":5173"),
        "the app loaded the dev server: {url}"
    );
}

async fn the_document_loads(ui: &Ui) {
    ui.wait_until("the document to load", DEFAULT_WAIT, || async {
        (js(ui, "return document.readyState").await == "complete").then_some(())
    })
    .await;
    ui.wait_for("body", DEFAULT_WAIT).await;
}

#[test]
fn demo_store_opens_with_orders() {
    block_on(async {
        // No Stripe key, empty data dir: the app opens its built-in demo store.
        let app = App::launch(Launch::new("demo_store_opens_with_orders")).await;
        app.run(|ui| async move {
            wait_for_mode_badge(&ui, "demo").await;
            the_all_tab_lists_the_orders(&ui).await;
            let shot = ui
                .screenshot("demo_store_opens_with_orders")
                .await
                .expect("screenshot");
            println!("screenshot: {}", shot.display());

            let numbers = first_two_order_numbers(&ui).await;
            next_and_alt_up_step_through_the_list(&ui, &numbers).await;
            let _ = ui.screenshot("demo_order_detail").await;
            question_mark_shows_every_shortcut_and_escape_closes_them(&ui).await;
            assert_eq!(
                ui.text_of("order-number").await,
                numbers[0],
                "still on the order"
            );
        })
        .await;
    });
}

/// Waits for the mode badge to say `mode` ("demo", "test"…). WebDriver returns the rendered
/// text: the badge's CSS may upper-case it.
async fn wait_for_mode_badge(ui: &Ui, mode: &str) {
    ui.wait_until(
        &format!("the mode badge to say {mode}"),
        DEFAULT_WAIT,
        || async {
            let t = ui.text_of("mode-badge").await;
            t.trim().eq_ignore_ascii_case(mode).then_some(())
        },
    )
    .await;
}

/// The order count is positive and the All tab lists orders. (The default tab may rightly be
/// empty: everything shipped.)
async fn the_all_tab_lists_the_orders(ui: &Ui) {
    let count = ui
        .wait_until("a positive order count", DEFAULT_WAIT, || async {
            data_count(ui, "order-count").await.filter(|&n| n > 0)
        })
        .await;
    ui.click("orders-tab-all").await;
    ui.wait_for_testid("orders-table", DEFAULT_WAIT).await;
    let rows = ui
        .wait_until("order rows", DEFAULT_WAIT, || async {
            let n = ui.count("[data-testid=\"order-row\"]").await;
            (n > 0).then_some(n)
        })
        .await;
    assert!(rows > 0 && count > 0, "{rows} rows, order count {count}");
}

/// The numbers of the list's first two orders.
async fn first_two_order_numbers(ui: &Ui) -> Vec<String> {
    let numbers = js(
        ui,
        "return Array.from(document.querySelectorAll('[data-testid=order-row] td.number')).slice(0, 2).map(td => td.textContent.trim())",
    )
    .await;
    let numbers: Vec<String> = serde_json::from_value(numbers).unwrap();
    assert_eq!(numbers.len(), 2, "the demo lists at least two orders");
    numbers
}

/// From the list into the first order, then Next and Alt+↑ step through the list.
async fn next_and_alt_up_step_through_the_list(ui: &Ui, numbers: &[String]) {
    click_row(ui, "[data-testid=\"order-row\"]").await;
    wait_for_order(ui, &numbers[0]).await;
    ui.click("next-order").await;
    wait_for_order(ui, &numbers[1]).await;
    press(ui, keys::ALT_UP).await;
    wait_for_order(ui, &numbers[0]).await;
}

/// "?" shows every shortcut; Escape closes the sheet.
async fn question_mark_shows_every_shortcut_and_escape_closes_them(ui: &Ui) {
    let sheet_open = "return !!document.querySelector('[data-testid=shortcuts-dialog]')?.open";
    press(ui, "?").await;
    ui.wait_until("the shortcuts sheet", DEFAULT_WAIT, || async {
        (js(ui, sheet_open).await == serde_json::Value::Bool(true)).then_some(())
    })
    .await;
    let text = ui.text_of("shortcuts-dialog").await;
    assert!(text.contains("Alt") && text.contains("Ctrl"), "{text}");
    let _ = ui.screenshot("shortcuts_sheet").await;
    press(ui, keys::ESCAPE).await;
    ui.wait_until("the sheet to close", DEFAULT_WAIT, || async {
        (js(ui, sheet_open).await == serde_json::Value::Bool(false)).then_some(())
    })
    .await;
}

/// Onboarding with a key against the simulator: the key is checked with `GET /v1/account`, kept
/// in the keychain (the test's own service), the first full sync runs with its progress, and the
/// order count on screen is the simulator's.
#[test]
fn onboarding_sync_shows_order_count() {
    block_on(async {
        let sim = TestShop::new()
            .orders(40)
            .one_off_invoices(5)
            .subscriptions(8)
            .deleted_customers(1)
            // The generator's fixed date, not today.
            .dated(comptoir_core::dataset::DatasetSpec::default().now)
            .simulator()
            .await;
        let key = sim.api_key();
        let expected = support::expected_order_count(&sim.snapshot());
        assert!(expected > 0, "the simulator serves no orders");

        let app = App::launch(
            Launch::new("onboarding_sync_shows_order_count").stripe_api_base(&sim.base_url()),
        )
        .await;
        let data_dir = app.data_dir().to_owned();
        app.run(move |ui| async move {
            connect_stripe(&ui, &key).await;
            let account = wait_for_account_name(&ui).await;
            println!("account: {account}");
            wait_for_mode_badge(&ui, "test").await;
            wait_for_first_sync(&ui).await;
            let shown = all_orders_count(&ui).await;
            ui.screenshot("onboarding_sync_shows_order_count")
                .await
                .expect("screenshot");
            assert_eq!(
                shown, expected,
                "orders shown after sync vs. the simulator's"
            );
            the_key_is_nowhere_in_the_data_folder(&data_dir, &key);
        })
        .await;
        sim.shutdown().await;
    });
}

/// Waits for the connected account's name, failing at once on an onboarding error.
async fn wait_for_account_name(ui: &Ui) -> String {
    ui.wait_until("the account name", DEFAULT_WAIT, || async {
        if ui.exists("onboarding-error").await {
            panic!("onboarding error: {}", ui.text_of("onboarding-error").await);
        }
        if !ui.exists("account-name").await {
            return None;
        }
        let name = ui.text_of("account-name").await;
        (!name.trim().is_empty()).then_some(name)
    })
    .await
}

/// The order count the All tab shows.
async fn all_orders_count(ui: &Ui) -> usize {
    ui.click("nav-orders").await;
    ui.click("orders-tab-all").await;
    ui.wait_for_testid("orders-table", DEFAULT_WAIT).await;
    ui.wait_until("the order count", DEFAULT_WAIT, || async {
        data_count(ui, "order-count").await
    })
    .await
}

/// The key went to the keychain only: not into the database, its WAL, the account file or the
/// app's log, which the real app wrote during this run.
fn the_key_is_nowhere_in_the_data_folder(data_dir: &std::path::Path, key: &str) {
    let files = support::files_under(data_dir);
    assert!(
        files
            .iter()
            .any(|(p, _)| p.contains("logs/comptoir.") && p.ends_with(".log")),
        "the app writes its log in the data folder: {:?}",
        files.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    for (path, bytes) in &files {
        assert!(
            !bytes.windows(key.len()).any(|w| w == key.as_bytes()),
            "the Stripe key is in {path}"
        );
    }
}
