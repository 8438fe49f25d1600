//! End to end: connect to the Stripe simulator, sync, then open a subscription and check its
//! title, cycle, masked card, upcoming charge and invoices against the simulator's data, and
//! that the PDF and Dashboard buttons would open the right Stripe URLs (logged through
//! `COMPTOIR_OPEN_LOG`: no browser is launched). Escape goes back to the table with its search.
//!
//! ```sh
//! bash scripts/test.sh nextest -- --test e2e_subscriptions
//! ```
#![cfg(target_os = "linux")]

mod support;

use std::time::Duration;

use comptoir_core::dataset::{Dataset, DatasetSpec};
use fantoccini::Locator;
use serde_json::Value;
use support::{block_on, App, Launch, Ui, DEFAULT_WAIT};

/// A renewing monthly-or-longer subscription paid by card, with invoices and a named customer.
fn pick(data: &Dataset) -> (Value, Value, Value, Vec<Value>) {
    // (several items with invoices enough, invoice count), subscription, customer, card, invoices.
    type Candidate = ((bool, usize), Value, Value, Value, Vec<Value>);
    let mut best: Option<Candidate> = None;
    for s in &data.subscriptions {
        if s["status"] != "active"
            || s["cancel_at_period_end"] == true
            || !s["cancel_at"].is_null()
            || !s["schedule"].is_null()
        {
            continue;
        }
        let Some(pm) = s["default_payment_method"]
            .as_str()
            .and_then(|id| data.payment_methods.iter().find(|p| p["id"] == id))
        else {
            continue;
        };
        if pm["type"] != "card" {
            continue;
        }
        let Some(cus) = data
            .customers
            .iter()
            .find(|c| c["id"] == s["customer"] && c["deleted"] != true && c["name"].is_string())
        else {
            continue;
        };
        let mut invoices: Vec<Value> = data
            .invoices
            .iter()
            .filter(|i| i.pointer("/parent/subscription_details/subscription") == Some(&s["id"]))
            .cloned()
            .collect();
        invoices.sort_by_key(|i| {
            std::cmp::Reverse((i["created"].as_i64(), i["id"].as_str().map(String::from)))
        });
        // Several items first (when it has invoices enough), then the most invoices.
        let several = s["items"]["data"].as_array().is_some_and(|i| i.len() > 1);
        let rank = (several && invoices.len() >= 2, invoices.len());
        if best.as_ref().is_none_or(|b| rank > b.0) {
            best = Some((rank, s.clone(), cus.clone(), pm.clone(), invoices));
        }
    }
    let ((_, n), s, c, pm, inv) = best.expect("an active card subscription");
    assert!(n >= 2, "the chosen subscription has several invoices");
    (s, c, pm, inv)
}

async fn open_log_lines(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

async fn js_string(ui: &Ui, script: &str) -> String {
    support::retry("script", || ui.client.execute(script, vec![]))
        .await
        .expect("script")
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn open_a_subscription_and_check_it_against_the_simulator() {
    block_on(async {
        let key = support::test_secret_key();
        let spec = DatasetSpec {
            orders: 10,
            one_off_invoices: 2,
            subscriptions: 30,
            deleted_customers: 1,
            now: comptoir_core::store::now(),
            ..DatasetSpec::default()
        };
        let sim = support::start_simulator(&key, &spec).await;
        let data = sim.snapshot();
        let (sub, customer, pm, invoices) = pick(&data);
        let sub_id = sub["id"].as_str().unwrap().to_owned();
        let item = sub["items"]["data"][0].clone();
        let items = sub["items"]["data"].as_array().unwrap().clone();
        let amount: i64 = items
            .iter()
            .map(|it| {
                it["price"]["unit_amount"].as_i64().unwrap() * it["quantity"].as_i64().unwrap()
            })
            .sum();
        // Every item's product, with its quantity above one: "A + B ×2".
        let product = items
            .iter()
            .map(|it| {
                let name = data
                    .products
                    .iter()
                    .find(|p| p["id"] == it["price"]["product"])
                    .and_then(|p| p["name"].as_str())
                    .unwrap();
                match it["quantity"].as_i64().unwrap() {
                    1 => name.to_owned(),
                    q => format!("{name} ×{q}"),
                }
            })
            .collect::<Vec<_>>()
            .join(" + ");
        assert!(
            product.contains(" + "),
            "a subscription of several items: {product}"
        );
        // A deleted customer's (cancelled) subscription, said to be deleted in the table.
        let gone = data
            .subscriptions
            .iter()
            .find(|s| {
                data.customers
                    .iter()
                    .any(|c| c["id"] == s["customer"] && c["deleted"] == true)
            })
            .map(|s| s["id"].as_str().unwrap().to_owned())
            .expect("a deleted customer's subscription");
        let log_dir = tempfile::tempdir().unwrap();
        let open_log = log_dir.path().join("opened.txt");

        let app = App::launch(
            Launch::new("open_a_subscription")
                .stripe_api_base(&sim.base_url())
                .env("COMPTOIR_OPEN_LOG", &open_log.display().to_string()),
        )
        .await;
        app.run(move |ui| async move {
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

            ui.click("nav-subscriptions").await;

            // Export: the whole table to CSV, at the path the toast names.
            ui.wait_for("[data-testid=\"subscription-row\"]", DEFAULT_WAIT).await;
            ui.click("export-subscriptions-csv").await;
            let toast = ui
                .wait_until("the export's toast", DEFAULT_WAIT, || async {
                    let text = js_string(
                        &ui,
                        "return Array.from(document.querySelectorAll('[data-testid=toast]')).map(t => t.textContent).join('\\n')",
                    )
                    .await;
                    text.lines()
                        .find_map(|l| l.trim().strip_prefix("Exported to ").map(str::to_owned))
                })
                .await;
            let csv = std::fs::read_to_string(toast.trim()).expect("the exported file");
            assert!(csv.starts_with('\u{feff}'), "a byte-order mark");
            assert_eq!(
                csv.matches("\r\n").count(),
                data.subscriptions.len() + 1,
                "a header and every subscription"
            );
            // Dismiss the toast, as a merchant would, so it covers nothing below.
            js_string(
                &ui,
                "document.querySelectorAll('[data-testid=toast] button.close').forEach(b => b.click()); return ''",
            )
            .await;

            let email = customer["email"].as_str().unwrap().to_owned();
            ui.type_into("subscriptions-search", &email).await;
            let row = format!("[data-testid=\"subscription-row\"][data-subscription-id=\"{sub_id}\"]");
            // The search narrows the table to this customer's subscriptions.
            ui.wait_until("the search to apply", DEFAULT_WAIT, || async {
                let all = ui.count("[data-testid=\"subscription-row\"]").await;
                let mine = ui.count(&row).await;
                (mine == 1 && all < data.subscriptions.len()).then_some(())
            })
            .await;
            // WebKitWebDriver cannot click a <tr> itself: click its first cell.
            ui.wait_for(&format!("{row} td"), DEFAULT_WAIT)
                .await
                .click()
                .await
                .expect("click the row");

            // Title: customer, plan, amount and cycle, duration.
            ui.wait_for_testid("subscription-title", DEFAULT_WAIT).await;
            let title = ui.text_of("subscription-title").await;
            assert!(title.contains(customer["name"].as_str().unwrap()), "title {title:?}");
            assert!(title.contains(&product), "title {title:?} names the plan {product}");
            let duration = ui.text_of("subscription-duration").await;
            assert!(
                matches!(duration.trim(), "until cancelled" | "jusqu’à résiliation"),
                "an open-ended subscription: {duration:?}"
            );

            // Cycle: start, no end, next charge from the item's period.
            let ts = |testid: &'static str| {
                let ui = &ui;
                async move { ui.attr_of(testid, "data-ts").await.unwrap_or_default() }
            };
            assert_eq!(ts("subscription-cycle-start").await, sub["start_date"].to_string());
            assert_eq!(ts("subscription-cycle-end").await, "");
            assert_eq!(
                ts("subscription-next-charge").await,
                item["current_period_end"].to_string()
            );

            // The card: brand, last four and expiry only.
            let card = &pm["card"];
            let shown = ui.text_of("subscription-payment-method").await;
            let expiry = format!(
                "{:02}/{:02}",
                card["exp_month"].as_i64().unwrap(),
                card["exp_year"].as_i64().unwrap() % 100
            );
            assert!(
                shown.contains(&format!("•••• {}", card["last4"].as_str().unwrap())) && shown.contains(&expiry),
                "payment method {shown:?}"
            );
            assert!(!shown.contains(pm["id"].as_str().unwrap()));

            // Upcoming charge, from create_preview.
            let total = ui
                .wait_until("the upcoming total", DEFAULT_WAIT, || async {
                    ui.attr_of("upcoming-total", "data-amount").await
                })
                .await;
            assert_eq!(total, amount.to_string(), "upcoming total");
            assert_eq!(
                ui.attr_of("upcoming-date", "data-ts").await.unwrap_or_default(),
                item["current_period_end"].to_string()
            );

            // Invoices: every one of the subscription, newest first.
            let ids = js_string(
                &ui,
                "return Array.from(document.querySelectorAll('[data-testid=subscription-invoice]')).map(r => r.dataset.invoiceId).join(',')",
            )
            .await;
            let expected: Vec<&str> = invoices.iter().map(|i| i["id"].as_str().unwrap()).collect();
            assert_eq!(ids, expected.join(","), "invoice list");

            // The PDF button and the Dashboard button hand Stripe URLs to the opener.
            let first_pdf = invoices
                .iter()
                .find_map(|i| i["invoice_pdf"].as_str())
                .expect("an invoice with a PDF");
            let first_with_pdf = invoices.iter().find(|i| i["invoice_pdf"].is_string()).unwrap();
            let pdf_button = format!(
                "[data-invoice-id=\"{}\"] [data-testid=\"invoice-pdf\"]",
                first_with_pdf["id"].as_str().unwrap()
            );
            ui.wait_for(&pdf_button, DEFAULT_WAIT).await.click().await.expect("click PDF");
            ui.click("open-customer-dashboard").await;
            let dashboard = format!(
                "https://dashboard.stripe.com/test/customers/{}",
                customer["id"].as_str().unwrap()
            );
            let log = ui
                .wait_until("both links to be opened", DEFAULT_WAIT, || async {
                    let lines = open_log_lines(&open_log).await;
                    (lines.len() >= 2).then_some(lines)
                })
                .await;
            assert_eq!(log, vec![first_pdf.to_owned(), dashboard]);
            ui.screenshot("open_a_subscription").await.expect("screenshot");

            // Escape goes back to the table, search kept.
            ui.client
                .find(Locator::Css("body"))
                .await
                .expect("body")
                .send_keys("\u{E00C}")
                .await
                .expect("Escape");
            ui.wait_for_testid("subscriptions-table", DEFAULT_WAIT).await;
            let kept = js_string(
                &ui,
                "return document.querySelector('[data-testid=subscriptions-search]').value",
            )
            .await;
            assert_eq!(kept, email, "the search survives the detail");
            ui.screenshot("open_a_subscription_back")
                .await
                .expect("screenshot");

            // A cancelled subscription states it plainly, with its end as the cycle's end.
            ui.click("subscriptions-tab-canceled").await;
            ui.client
                .find(Locator::Css("[data-testid=\"subscriptions-search\"]"))
                .await
                .expect("search")
                .clear()
                .await
                .expect("clear the search");
            // `clear` fires no input event: type one character and delete it.
            ui.type_into("subscriptions-search", " ").await;
            ui.client
                .find(Locator::Css("[data-testid=\"subscriptions-search\"]"))
                .await
                .expect("search")
                .send_keys("\u{E003}")
                .await
                .expect("Backspace");
            let cancelled = data.subscriptions.iter().filter(|s| s["status"] == "canceled").count();
            let first = ui
                .wait_until("the cancelled tab's rows", DEFAULT_WAIT, || async {
                    let n = ui.count("[data-testid=\"subscription-row\"]").await;
                    if n != cancelled {
                        return None;
                    }
                    let id = js_string(
                        &ui,
                        "return document.querySelector('[data-testid=subscription-row]').dataset.subscriptionId",
                    )
                    .await;
                    Some(id)
                })
                .await;
            // The deleted customer's row says so instead of "No name" (both languages name Stripe).
            let gone_text = js_string(
                &ui,
                &format!(
                    "return document.querySelector('[data-subscription-id=\"{gone}\"] [data-testid=subscription-customer]').textContent"
                ),
            )
            .await;
            assert!(
                gone_text.contains("Stripe") && !gone_text.contains("No name"),
                "deleted customer: {gone_text:?}"
            );
            ui.wait_for("[data-testid=\"subscription-row\"] td", DEFAULT_WAIT)
                .await
                .click()
                .await
                .expect("open the cancelled subscription");
            let raw = data
                .subscriptions
                .iter()
                .find(|s| s["id"] == first.as_str())
                .expect("the row is a simulator subscription");
            ui.wait_for_testid("subscription-state", DEFAULT_WAIT).await;
            assert_eq!(
                ui.attr_of("subscription-state", "data-state").await.as_deref(),
                Some("canceled")
            );
            assert_eq!(
                ui.attr_of("subscription-cycle-end", "data-ts").await.unwrap_or_default(),
                raw["ended_at"].to_string()
            );
            assert_eq!(ui.attr_of("subscription-next-charge", "data-ts").await.as_deref(), Some(""));
            assert!(!ui.exists("upcoming-total").await, "nothing upcoming once cancelled");
            ui.screenshot("open_a_cancelled_subscription")
                .await
                .expect("screenshot");

            // Next / Alt+↑ step through the cancelled tab without going back to it.
            assert!(cancelled >= 2, "the dataset has two cancelled subscriptions");
            let second = data
                .subscriptions
                .iter()
                .filter(|s| s["status"] == "canceled")
                .map(|s| s["id"].as_str().unwrap().to_owned())
                .find(|id| *id != first)
                .unwrap();
            let hash_has = |id: String| {
                let ui = &ui;
                async move {
                    ui.wait_until(&format!("{id} on screen"), DEFAULT_WAIT, || async {
                        js_string(ui, "return location.hash").await.ends_with(&id).then_some(())
                    })
                    .await
                }
            };
            ui.click("next-subscription").await;
            let shown = ui
                .wait_until("the next subscription", DEFAULT_WAIT, || async {
                    let hash = js_string(&ui, "return location.hash").await;
                    (!hash.ends_with(&first)).then_some(hash)
                })
                .await;
            let shown_id = shown.rsplit('/').next().unwrap().to_owned();
            assert!(
                data.subscriptions
                    .iter()
                    .any(|s| s["id"] == shown_id.as_str() && s["status"] == "canceled"),
                "the next one is in the cancelled tab too: {shown_id} (e.g. {second})"
            );
            ui.wait_until("its state", DEFAULT_WAIT, || async {
                (ui.attr_of("subscription-state", "data-state").await.as_deref() == Some("canceled"))
                    .then_some(())
            })
            .await;
            ui.client
                .find(Locator::Css("body"))
                .await
                .expect("body")
                .send_keys("\u{E00A}\u{E013}\u{E000}")
                .await
                .expect("Alt+Up");
            hash_has(first.clone()).await;

            // A past-due subscription says why the payment failed, which attempt it was and
            // that Stripe retries.
            ui.client
                .find(Locator::Css("body"))
                .await
                .expect("body")
                .send_keys("\u{E00C}")
                .await
                .expect("Escape");
            ui.wait_for_testid("subscriptions-table", DEFAULT_WAIT).await;
            ui.click("subscriptions-tab-past_due").await;
            let past_due = data.subscriptions.iter().filter(|s| s["status"] == "past_due").count();
            let id = ui
                .wait_until("the past-due tab's rows", DEFAULT_WAIT, || async {
                    (ui.count("[data-testid=\"subscription-row\"]").await == past_due).then_some(())?;
                    Some(
                        js_string(
                            &ui,
                            "return document.querySelector('[data-testid=subscription-row]').dataset.subscriptionId",
                        )
                        .await,
                    )
                })
                .await;
            ui.wait_for("[data-testid=\"subscription-row\"] td", DEFAULT_WAIT)
                .await
                .click()
                .await
                .expect("open the past-due subscription");
            let raw = data.subscriptions.iter().find(|s| s["id"] == id.as_str()).unwrap();
            let inv = data.invoices.iter().find(|i| i["id"] == raw["latest_invoice"]).unwrap();
            ui.wait_for_testid("subscription-payment-failure", DEFAULT_WAIT).await;
            let failure = ui.text_of("subscription-payment-failure").await;
            assert!(
                failure.contains(&format!(" {}.", inv["attempt_count"])) && failure.contains("Stripe"),
                "past due: {failure:?}"
            );
            let pi = data
                .payment_intents
                .iter()
                .find(|p| p["id"] == inv["payments"]["data"][0]["payment"]["payment_intent"])
                .unwrap();
            if pi["last_payment_error"]["code"] == "expired_card" {
                let pm = data
                    .payment_methods
                    .iter()
                    .find(|p| p["id"] == raw["default_payment_method"])
                    .or_else(|| {
                        // None of its own: the customer's default was charged.
                        let c = data.customers.iter().find(|c| c["id"] == raw["customer"])?;
                        let default = &c["invoice_settings"]["default_payment_method"];
                        data.payment_methods.iter().find(|p| p["id"] == *default)
                    })
                    .unwrap();
                let expiry = format!(
                    "({:02}/{:02})",
                    pm["card"]["exp_month"].as_i64().unwrap(),
                    pm["card"]["exp_year"].as_i64().unwrap() % 100
                );
                assert!(failure.contains(&expiry), "the expired card's date: {failure:?}");
            }
            ui.screenshot("open_a_past_due_subscription").await.expect("screenshot");
        })
        .await;
        sim.shutdown().await;
    });
}
