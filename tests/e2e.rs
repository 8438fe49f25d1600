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

use std::time::Duration;

use comptoir_core::dataset::DatasetSpec;
use support::{block_on, App, Launch, Ui, DEFAULT_WAIT};

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
            ui.wait_until("the document to load", DEFAULT_WAIT, || async {
                let state = support::retry("readyState", || {
                    ui.client.execute("return document.readyState", vec![])
                })
                .await
                .expect("readyState");
                (state == "complete").then_some(())
            })
            .await;
            ui.wait_for("body", DEFAULT_WAIT).await;
            ui.screenshot("app_loads_embedded_ui")
                .await
                .expect("screenshot");
        })
        .await;
    });
}

#[test]
fn demo_store_opens_with_orders() {
    block_on(async {
        // No Stripe key, empty data dir: the app opens its built-in demo store.
        let app = App::launch(Launch::new("demo_store_opens_with_orders")).await;
        app.run(|ui| async move {
            // WebDriver returns the rendered text: the badge's CSS may upper-case it.
            ui.wait_until("the mode badge to say Demo", DEFAULT_WAIT, || async {
                let t = ui.text_of("mode-badge").await;
                t.trim().eq_ignore_ascii_case("demo").then_some(())
            })
            .await;

            let count = ui
                .wait_until("a positive order count", DEFAULT_WAIT, || async {
                    data_count(&ui, "order-count").await.filter(|&n| n > 0)
                })
                .await;
            // The "All" tab: the default tab may rightly be empty (everything shipped).
            ui.click("orders-tab-all").await;
            ui.wait_for_testid("orders-table", DEFAULT_WAIT).await;
            let rows = ui
                .wait_until("order rows", DEFAULT_WAIT, || async {
                    let n = ui.count("[data-testid=\"order-row\"]").await;
                    (n > 0).then_some(n)
                })
                .await;
            assert!(rows > 0 && count > 0, "{rows} rows, order count {count}");

            let shot = ui
                .screenshot("demo_store_opens_with_orders")
                .await
                .expect("screenshot");
            println!("screenshot: {}", shot.display());

            // From the list into the first order, then Next / Alt+↑ step through the list.
            let numbers = support::retry("row numbers", || {
                ui.client.execute(
                    "return Array.from(document.querySelectorAll('[data-testid=order-row] td.number')).slice(0, 2).map(td => td.textContent.trim())",
                    vec![],
                )
            })
            .await
            .expect("row numbers");
            let numbers: Vec<String> = serde_json::from_value(numbers).unwrap();
            assert_eq!(numbers.len(), 2, "the demo lists at least two orders");
            ui.wait_for("[data-testid=\"order-row\"] td", DEFAULT_WAIT)
                .await
                .click()
                .await
                .expect("open the first order");
            let shows = |n: String| {
                let ui = &ui;
                async move {
                    ui.wait_until(&format!("order {n} on screen"), DEFAULT_WAIT, || async {
                        (ui.exists("order-number").await && ui.text_of("order-number").await == n)
                            .then_some(())
                    })
                    .await
                }
            };
            shows(numbers[0].clone()).await;
            ui.click("next-order").await;
            shows(numbers[1].clone()).await;
            support::retry("Alt+Up", || async {
                ui.client
                    .find(fantoccini::Locator::Css("body"))
                    .await?
                    .send_keys("\u{E00A}\u{E013}\u{E000}")
                    .await
            })
            .await
            .expect("Alt+Up");
            shows(numbers[0].clone()).await;
            let _ = ui.screenshot("demo_order_detail").await;

            // "?" shows every shortcut; Escape closes the sheet and stays on the order.
            let press = |keys: &'static str| {
                let ui = &ui;
                async move {
                    support::retry("keys", || async {
                        ui.client
                            .find(fantoccini::Locator::Css("body"))
                            .await?
                            .send_keys(keys)
                            .await
                    })
                    .await
                    .expect("keys");
                }
            };
            let sheet_open = "return !!document.querySelector('[data-testid=shortcuts-dialog]')?.open";
            press("?").await;
            ui.wait_until("the shortcuts sheet", DEFAULT_WAIT, || async {
                let open = support::retry("sheet", || ui.client.execute(sheet_open, vec![]))
                    .await
                    .expect("sheet");
                (open == serde_json::Value::Bool(true)).then_some(())
            })
            .await;
            let text = ui.text_of("shortcuts-dialog").await;
            assert!(text.contains("Alt") && text.contains("Ctrl"), "{text}");
            let _ = ui.screenshot("shortcuts_sheet").await;
            press("\u{E00C}").await;
            ui.wait_until("the sheet to close", DEFAULT_WAIT, || async {
                let open = support::retry("sheet", || ui.client.execute(sheet_open, vec![]))
                    .await
                    .expect("sheet");
                (open == serde_json::Value::Bool(false)).then_some(())
            })
            .await;
            assert_eq!(ui.text_of("order-number").await, numbers[0], "still on the order");
        })
        .await;
    });
}

/// Onboarding with a key against the simulator: the key is checked with `GET /v1/account`, kept
/// in the keychain (the test's own service), the first full sync runs with its progress, and the
/// order count on screen is the simulator's.
#[test]
fn onboarding_sync_shows_order_count() {
    block_on(async {
        let key = support::test_secret_key();
        let spec = DatasetSpec {
            orders: 40,
            one_off_invoices: 5,
            subscriptions: 8,
            deleted_customers: 1,
            ..DatasetSpec::default()
        };
        let sim = support::start_simulator(&key, &spec).await;
        let expected = support::expected_order_count(&sim.snapshot());
        assert!(expected > 0, "the simulator serves no orders");

        let app = App::launch(
            Launch::new("onboarding_sync_shows_order_count").stripe_api_base(&sim.base_url()),
        )
        .await;
        let data_dir = app.data_dir().to_owned();
        app.run(move |ui| async move {
            ui.click("connect-stripe").await;
            ui.type_into("onboarding-key", &key).await;
            ui.click("onboarding-submit").await;

            let account = ui
                .wait_until("the account name", DEFAULT_WAIT, || async {
                    if ui.exists("onboarding-error").await {
                        panic!("onboarding error: {}", ui.text_of("onboarding-error").await);
                    }
                    if !ui.exists("account-name").await {
                        return None;
                    }
                    let name = ui.text_of("account-name").await;
                    (!name.trim().is_empty()).then_some(name)
                })
                .await;
            println!("account: {account}");
            ui.wait_until("the mode badge to say Test", DEFAULT_WAIT, || async {
                ui.text_of("mode-badge")
                    .await
                    .trim()
                    .eq_ignore_ascii_case("test")
                    .then_some(())
            })
            .await;

            // The sync is finished when its progress bar is gone and a last-synced time shows.
            ui.wait_until(
                "the first sync to finish",
                Duration::from_secs(120),
                || async {
                    (!ui.exists("sync-progress").await && ui.exists("last-synced").await)
                        .then_some(())
                },
            )
            .await;
            ui.click("nav-orders").await;
            ui.click("orders-tab-all").await;
            ui.wait_for_testid("orders-table", DEFAULT_WAIT).await;
            let shown = ui
                .wait_until("the order count", DEFAULT_WAIT, || async {
                    data_count(&ui, "order-count").await
                })
                .await;
            ui.screenshot("onboarding_sync_shows_order_count")
                .await
                .expect("screenshot");
            assert_eq!(
                shown, expected,
                "orders shown after sync vs. the simulator's"
            );
            // The key went to the keychain only: not into the database, its WAL, the account
            // file or the app's log, which the real app wrote during this run.
            let files = support::files_under(&data_dir);
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
        })
        .await;
        sim.shutdown().await;
    });
}
