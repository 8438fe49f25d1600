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

use std::path::Path;

use comptoir_core::dataset::Dataset;
use fantoccini::Locator;
use serde_json::Value;
use support::{
    block_on, click_row, connect_and_sync, dismiss_toasts, js_string, keys, press, toasts,
    wait_for_opened_links, App, Launch, TestShop, Ui, DEFAULT_WAIT,
};

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

/// The subscription the test opens, as the simulator serves it.
struct Chosen {
    sub: Value,
    customer: Value,
    /// Its card.
    pm: Value,
    /// Its invoices, newest first.
    invoices: Vec<Value>,
}

impl Chosen {
    fn id(&self) -> &str {
        self.sub["id"].as_str().unwrap()
    }

    fn items(&self) -> &[Value] {
        self.sub["items"]["data"].as_array().unwrap()
    }

    /// What one charge comes to: every item's price times its quantity.
    fn amount(&self) -> i64 {
        self.items()
            .iter()
            .map(|it| {
                it["price"]["unit_amount"].as_i64().unwrap() * it["quantity"].as_i64().unwrap()
            })
            .sum()
    }

    /// Every item's product, with its quantity above one: "A + B ×2".
    fn plan(&self, data: &Dataset) -> String {
        self.items()
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
            .join(" + ")
    }
}

/// A deleted customer's (cancelled) subscription.
fn a_deleted_customers_subscription(data: &Dataset) -> String {
    data.subscriptions
        .iter()
        .find(|s| {
            data.customers
                .iter()
                .any(|c| c["id"] == s["customer"] && c["deleted"] == true)
        })
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .expect("a deleted customer's subscription")
}

/// The id of the first subscription row on screen.
async fn first_row_id(ui: &Ui) -> String {
    js_string(
        ui,
        "return document.querySelector('[data-testid=subscription-row]').dataset.subscriptionId",
    )
    .await
}

#[test]
fn open_a_subscription_and_check_it_against_the_simulator() {
    block_on(async {
        let sim = TestShop::new()
            .orders(10)
            .one_off_invoices(2)
            .subscriptions(30)
            .deleted_customers(1)
            .simulator()
            .await;
        let key = sim.api_key();
        let data = sim.snapshot();
        let (sub, customer, pm, invoices) = pick(&data);
        let chosen = Chosen {
            sub,
            customer,
            pm,
            invoices,
        };
        let plan = chosen.plan(&data);
        assert!(
            plan.contains(" + "),
            "a subscription of several items: {plan}"
        );
        // A deleted customer's (cancelled) subscription, said to be deleted in the table.
        let gone = a_deleted_customers_subscription(&data);
        let log_dir = tempfile::tempdir().unwrap();
        let open_log = log_dir.path().join("opened.txt");

        let app = App::launch(
            Launch::new("open_a_subscription")
                .stripe_api_base(&sim.base_url())
                .env("COMPTOIR_OPEN_LOG", &open_log.display().to_string()),
        )
        .await;
        app.run(move |ui| async move {
            connect_and_sync(&ui, &key).await;
            ui.click("nav-subscriptions").await;
            export_the_table_to_csv(&ui, &data).await;
            let email = chosen.customer["email"].as_str().unwrap();
            search_the_customer_and_open_the_subscription(&ui, &data, email, chosen.id()).await;
            the_title_names_customer_plan_and_duration(&ui, &chosen, &plan).await;
            the_cycle_runs_from_start_to_next_charge(&ui, &chosen).await;
            the_card_shows_brand_last_four_and_expiry_only(&ui, &chosen.pm).await;
            the_upcoming_charge_is_the_next_one(&ui, &chosen).await;
            the_invoices_are_every_one_newest_first(&ui, &chosen.invoices).await;
            the_pdf_and_dashboard_buttons_open_stripes_urls(&ui, &open_log, &chosen).await;
            ui.screenshot("open_a_subscription")
                .await
                .expect("screenshot");
            escape_goes_back_to_the_table_with_its_search(&ui, email).await;
            let first = a_cancelled_subscription_states_it_plainly(&ui, &data, &gone).await;
            next_and_alt_up_step_through_the_cancelled_tab(&ui, &data, &first).await;
            a_past_due_subscription_says_why_and_that_stripe_retries(&ui, &data).await;
        })
        .await;
        sim.shutdown().await;
    });
}

/// Export: the whole table to CSV, at the path the toast names. The toast is then dismissed.
async fn export_the_table_to_csv(ui: &Ui, data: &Dataset) {
    ui.wait_for("[data-testid=\"subscription-row\"]", DEFAULT_WAIT)
        .await;
    ui.click("export-subscriptions-csv").await;
    let toast = ui
        .wait_until("the export's toast", DEFAULT_WAIT, || async {
            toasts(ui)
                .await
                .lines()
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
    dismiss_toasts(ui).await;
}

/// The search narrows the table to this customer's subscriptions; one of them opens.
async fn search_the_customer_and_open_the_subscription(
    ui: &Ui,
    data: &Dataset,
    email: &str,
    sub_id: &str,
) {
    ui.type_into("subscriptions-search", email).await;
    let row = format!("[data-testid=\"subscription-row\"][data-subscription-id=\"{sub_id}\"]");
    ui.wait_until("the search to apply", DEFAULT_WAIT, || async {
        let all = ui.count("[data-testid=\"subscription-row\"]").await;
        let mine = ui.count(&row).await;
        (mine == 1 && all < data.subscriptions.len()).then_some(())
    })
    .await;
    click_row(ui, &row).await;
}

/// Title: customer, plan, amount and cycle, duration.
async fn the_title_names_customer_plan_and_duration(ui: &Ui, chosen: &Chosen, plan: &str) {
    ui.wait_for_testid("subscription-title", DEFAULT_WAIT).await;
    let title = ui.text_of("subscription-title").await;
    assert!(
        title.contains(chosen.customer["name"].as_str().unwrap()),
        "title {title:?}"
    );
    assert!(
        title.contains(plan),
        "title {title:?} names the plan {plan}"
    );
    let duration = ui.text_of("subscription-duration").await;
    assert!(
        matches!(duration.trim(), "until cancelled" | "jusqu’à résiliation"),
        "an open-ended subscription: {duration:?}"
    );
}

async fn ts(ui: &Ui, testid: &str) -> String {
    ui.attr_of(testid, "data-ts").await.unwrap_or_default()
}

/// Cycle: start, no end, next charge from the item's period.
async fn the_cycle_runs_from_start_to_next_charge(ui: &Ui, chosen: &Chosen) {
    let item = &chosen.items()[0];
    assert_eq!(
        ts(ui, "subscription-cycle-start").await,
        chosen.sub["start_date"].to_string()
    );
    assert_eq!(ts(ui, "subscription-cycle-end").await, "");
    assert_eq!(
        ts(ui, "subscription-next-charge").await,
        item["current_period_end"].to_string()
    );
}

/// The card: brand, last four and expiry only.
async fn the_card_shows_brand_last_four_and_expiry_only(ui: &Ui, pm: &Value) {
    let card = &pm["card"];
    let shown = ui.text_of("subscription-payment-method").await;
    let expiry = format!(
        "{:02}/{:02}",
        card["exp_month"].as_i64().unwrap(),
        card["exp_year"].as_i64().unwrap() % 100
    );
    assert!(
        shown.contains(&format!("•••• {}", card["last4"].as_str().unwrap()))
            && shown.contains(&expiry),
        "payment method {shown:?}"
    );
    assert!(!shown.contains(pm["id"].as_str().unwrap()));
}

/// Upcoming charge, from create_preview.
async fn the_upcoming_charge_is_the_next_one(ui: &Ui, chosen: &Chosen) {
    let total = ui
        .wait_until("the upcoming total", DEFAULT_WAIT, || async {
            ui.attr_of("upcoming-total", "data-amount").await
        })
        .await;
    assert_eq!(total, chosen.amount().to_string(), "upcoming total");
    assert_eq!(
        ui.attr_of("upcoming-date", "data-ts")
            .await
            .unwrap_or_default(),
        chosen.items()[0]["current_period_end"].to_string()
    );
}

/// Invoices: every one of the subscription, newest first.
async fn the_invoices_are_every_one_newest_first(ui: &Ui, invoices: &[Value]) {
    let ids = js_string(
        ui,
        "return Array.from(document.querySelectorAll('[data-testid=subscription-invoice]')).map(r => r.dataset.invoiceId).join(',')",
    )
    .await;
    let expected: Vec<&str> = invoices.iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids, expected.join(","), "invoice list");
}

/// The PDF button and the Dashboard button hand Stripe URLs to the opener. This app has no
/// `COMPTOIR_STRIPE_FILES_BASE`: its offline PDF cache tries Stripe's real file host, which a
/// test machine cannot reach, so no PDF is cached; the API answers, so the station is online
/// and the PDF icon opens Stripe's link as before (a failing file host never reads as
/// "offline"). The cached case is `e2e_orders::invoice_pdfs_open_from_the_cache_offline`.
async fn the_pdf_and_dashboard_buttons_open_stripes_urls(
    ui: &Ui,
    open_log: &Path,
    chosen: &Chosen,
) {
    let invoices = &chosen.invoices;
    let first_pdf = invoices
        .iter()
        .find_map(|i| i["invoice_pdf"].as_str())
        .expect("an invoice with a PDF");
    let first_with_pdf = invoices
        .iter()
        .find(|i| i["invoice_pdf"].is_string())
        .unwrap();
    let pdf_button = format!(
        "[data-invoice-id=\"{}\"] [data-testid=\"invoice-pdf\"]",
        first_with_pdf["id"].as_str().unwrap()
    );
    ui.wait_for(&pdf_button, DEFAULT_WAIT)
        .await
        .click()
        .await
        .expect("click PDF");
    ui.click("open-customer-dashboard").await;
    let dashboard = format!(
        "https://dashboard.stripe.com/test/customers/{}",
        chosen.customer["id"].as_str().unwrap()
    );
    let log = wait_for_opened_links(ui, open_log, 2).await;
    assert_eq!(log, vec![first_pdf.to_owned(), dashboard]);
}

/// Escape goes back to the table, search kept.
async fn escape_goes_back_to_the_table_with_its_search(ui: &Ui, email: &str) {
    press(ui, keys::ESCAPE).await;
    ui.wait_for_testid("subscriptions-table", DEFAULT_WAIT)
        .await;
    let kept = js_string(
        ui,
        "return document.querySelector('[data-testid=subscriptions-search]').value",
    )
    .await;
    assert_eq!(kept, email, "the search survives the detail");
    ui.screenshot("open_a_subscription_back")
        .await
        .expect("screenshot");
}

/// Empties the search. `clear` fires no input event: type one character and delete it.
async fn clear_the_search(ui: &Ui) {
    let search = Locator::Css("[data-testid=\"subscriptions-search\"]");
    ui.client
        .find(search)
        .await
        .expect("search")
        .clear()
        .await
        .expect("clear the search");
    ui.type_into("subscriptions-search", " ").await;
    ui.client
        .find(search)
        .await
        .expect("search")
        .send_keys(keys::BACKSPACE)
        .await
        .expect("Backspace");
}

/// A cancelled subscription states it plainly, with its end as the cycle's end; the deleted
/// customer's row says so instead of "No name". Returns the subscription opened (the tab's
/// first).
async fn a_cancelled_subscription_states_it_plainly(ui: &Ui, data: &Dataset, gone: &str) -> String {
    ui.click("subscriptions-tab-canceled").await;
    clear_the_search(ui).await;
    let cancelled = data
        .subscriptions
        .iter()
        .filter(|s| s["status"] == "canceled")
        .count();
    let first = ui
        .wait_until("the cancelled tab's rows", DEFAULT_WAIT, || async {
            let n = ui.count("[data-testid=\"subscription-row\"]").await;
            if n != cancelled {
                return None;
            }
            Some(first_row_id(ui).await)
        })
        .await;
    // Both languages name Stripe.
    let gone_text = js_string(
        ui,
        &format!(
            "return document.querySelector('[data-subscription-id=\"{gone}\"] [data-testid=subscription-customer]').textContent"
        ),
    )
    .await;
    assert!(
        gone_text.contains("Stripe") && !gone_text.contains("No name"),
        "deleted customer: {gone_text:?}"
    );
    click_row(ui, "[data-testid=\"subscription-row\"]").await;
    let raw = data
        .subscriptions
        .iter()
        .find(|s| s["id"] == first.as_str())
        .expect("the row is a simulator subscription");
    ui.wait_for_testid("subscription-state", DEFAULT_WAIT).await;
    assert_eq!(
        ui.attr_of("subscription-state", "data-state")
            .await
            .as_deref(),
        Some("canceled")
    );
    assert_eq!(
        ts(ui, "subscription-cycle-end").await,
        raw["ended_at"].to_string()
    );
    assert_eq!(
        ui.attr_of("subscription-next-charge", "data-ts")
            .await
            .as_deref(),
        Some("")
    );
    assert!(
        !ui.exists("upcoming-total").await,
        "nothing upcoming once cancelled"
    );
    ui.screenshot("open_a_cancelled_subscription")
        .await
        .expect("screenshot");
    assert!(
        cancelled >= 2,
        "the dataset has two cancelled subscriptions"
    );
    first
}

/// Next / Alt+↑ step through the cancelled tab without going back to it.
async fn next_and_alt_up_step_through_the_cancelled_tab(ui: &Ui, data: &Dataset, first: &str) {
    let second = data
        .subscriptions
        .iter()
        .filter(|s| s["status"] == "canceled")
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .find(|id| *id != first)
        .unwrap();
    ui.click("next-subscription").await;
    let shown = ui
        .wait_until("the next subscription", DEFAULT_WAIT, || async {
            let hash = js_string(ui, "return location.hash").await;
            (!hash.ends_with(first)).then_some(hash)
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
        (ui.attr_of("subscription-state", "data-state")
            .await
            .as_deref()
            == Some("canceled"))
        .then_some(())
    })
    .await;
    press(ui, keys::ALT_UP).await;
    ui.wait_until(&format!("{first} on screen"), DEFAULT_WAIT, || async {
        js_string(ui, "return location.hash")
            .await
            .ends_with(first)
            .then_some(())
    })
    .await;
}

/// A past-due subscription says why the payment failed, which attempt it was and that Stripe
/// retries (and an expired card's date).
async fn a_past_due_subscription_says_why_and_that_stripe_retries(ui: &Ui, data: &Dataset) {
    press(ui, keys::ESCAPE).await;
    ui.wait_for_testid("subscriptions-table", DEFAULT_WAIT)
        .await;
    ui.click("subscriptions-tab-past_due").await;
    let past_due = data
        .subscriptions
        .iter()
        .filter(|s| s["status"] == "past_due")
        .count();
    let id = ui
        .wait_until("the past-due tab's rows", DEFAULT_WAIT, || async {
            (ui.count("[data-testid=\"subscription-row\"]").await == past_due).then_some(())?;
            Some(first_row_id(ui).await)
        })
        .await;
    click_row(ui, "[data-testid=\"subscription-row\"]").await;
    let raw = data
        .subscriptions
        .iter()
        .find(|s| s["id"] == id.as_str())
        .unwrap();
    let inv = data
        .invoices
        .iter()
        .find(|i| i["id"] == raw["latest_invoice"])
        .unwrap();
    ui.wait_for_testid("subscription-payment-failure", DEFAULT_WAIT)
        .await;
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
        assert!(
            failure.contains(&expiry),
            "the expired card's date: {failure:?}"
        );
    }
    ui.screenshot("open_a_past_due_subscription")
        .await
        .expect("screenshot");
}
