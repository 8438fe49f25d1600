//! End to end: sync the Stripe simulator's shop (with HTML and script payloads in names,
//! addresses and product names), mark one order as sent the way the packing station records
//! it, then open the Sent tab, search the customer, open the order and check every section
//! against the simulator's data; the three Stripe buttons must request the right URLs (logged
//! through `COMPTOIR_OPEN_LOG`: no browser is launched), customer text must show literally
//! and nothing in it may run. Escape goes back to the list with its tab and search. "Customer
//! invoice" opens the PDF the offline cache downloaded after the sync, as a local file.
//!
//! Offline (the simulator stopped after a sync): an order's and a subscription's invoice PDFs
//! open as local files, and an order whose PDF was not downloaded says so plainly.
//!
//! ```sh
//! bash scripts/test.sh nextest -- --test e2e_orders
//! ```
#![cfg(target_os = "linux")]

mod support;

use std::path::Path;

use comptoir_core::dataset::Dataset;
use comptoir_stripe_sim::SimHandle;
use serde_json::Value;
use support::{
    account_db, block_on, click_row, connect_and_sync, dismiss_toasts, js, keys,
    open_account_store, open_order, opened_links, order_row, press, wait_for_opened_links,
    wait_for_order, wait_for_order_rows, wait_for_toast, App, Launch, TestShop, Ui, DEFAULT_WAIT,
};

const HOSTILE_IMG: &str = "<img src=x onerror=alert(1)>";
const HOSTILE_SCRIPT: &str = "<script>alert(1)</script>";

fn id_of(v: &Value) -> Option<&str> {
    v.as_str().or_else(|| v["id"].as_str())
}

/// A completed payment session with an invoice (with a PDF), a payment, a hostile customer
/// name and, if possible, a hostile product.
fn pick(data: &Dataset) -> (Value, Value, Vec<Value>) {
    let mut best: Option<(i32, Value, Value, Vec<Value>)> = None;
    for s in &data.checkout_sessions {
        if s["mode"] != "payment" || s["status"] != "complete" {
            continue;
        }
        let Some(inv) = id_of(&s["invoice"])
            .and_then(|id| data.invoices.iter().find(|i| i["id"] == id))
            .filter(|i| i["invoice_pdf"].is_string() && i["number"].is_string())
        else {
            continue;
        };
        // A delivery, since it goes to the Sent tab.
        if id_of(&s["payment_intent"]).is_none()
            || s["collected_information"]["shipping_details"].is_null()
            || id_of(&s["shipping_cost"]["shipping_rate"]).is_none()
        {
            continue;
        }
        let rate_name = id_of(&s["shipping_cost"]["shipping_rate"])
            .and_then(|r| data.shipping_rates.iter().find(|x| x["id"] == r))
            .and_then(|r| r["display_name"].as_str())
            .unwrap_or_default()
            .to_lowercase();
        if ["retrait", "pickup", "collect"]
            .iter()
            .any(|w| rate_name.contains(w))
        {
            continue;
        }
        let name = s["customer_details"]["name"].as_str().unwrap_or_default();
        if !name.contains(HOSTILE_IMG) || s["customer_details"]["email"].as_str().is_none() {
            continue;
        }
        let id = s["id"].as_str().unwrap();
        let items = data.session_line_items.get(id).cloned().unwrap_or_default();
        let hostile_product = items.iter().any(|i| {
            i["description"]
                .as_str()
                .is_some_and(|d| d.contains(HOSTILE_SCRIPT))
        });
        let score = i32::from(hostile_product) * 2 + i32::from(items.len() > 1);
        if best.as_ref().is_none_or(|b| score > b.0) {
            best = Some((score, s.clone(), inv.clone(), items));
        }
    }
    let (_, s, inv, items) = best.expect("a hostile-named session with an invoice and a payment");
    (s, inv, items)
}

/// The order the test opens: its session, its invoice and its cart's lines, as the simulator
/// serves them.
struct Chosen {
    session: Value,
    invoice: Value,
    items: Vec<Value>,
}

impl Chosen {
    fn id(&self) -> &str {
        self.session["id"].as_str().unwrap()
    }
    fn email(&self) -> &str {
        self.session["customer_details"]["email"].as_str().unwrap()
    }
    fn name(&self) -> &str {
        self.session["customer_details"]["name"].as_str().unwrap()
    }
    fn number(&self) -> &str {
        self.invoice["number"].as_str().unwrap()
    }
}

/// The order asks the fields some sessions of the shop ask (a gift message, a dropdown…): when
/// it has no filled-in text field, it gets another session's fields, at the simulator too.
fn with_checkout_fields(sim: &SimHandle, data: &Dataset, session: &mut Value) {
    let has_text = |s: &Value| {
        s["custom_fields"]
            .as_array()
            .is_some_and(|f| f.iter().any(|f| f["text"]["value"].is_string()))
    };
    if has_text(session) {
        return;
    }
    let donor = data
        .checkout_sessions
        .iter()
        .find(|s| has_text(s))
        .expect("sessions with a filled-in text field");
    session["custom_fields"] = donor["custom_fields"].clone();
    let fields = session["custom_fields"].clone();
    let order_id = session["id"].clone();
    sim.with_dataset(|d| {
        let s = d.checkout_sessions.iter_mut().find(|s| s["id"] == order_id);
        s.unwrap()["custom_fields"] = fields;
    });
}

async fn amount(ui: &Ui, testid: &str) -> i64 {
    ui.attr_of(testid, "data-amount")
        .await
        .unwrap_or_default()
        .parse()
        .unwrap_or(i64::MIN)
}

#[test]
fn open_an_order_and_check_it_against_the_simulator() {
    block_on(async {
        let sim = TestShop::new()
            .orders(150)
            .one_off_invoices(3)
            .subscriptions(2)
            .deleted_customers(1)
            .hostile_text()
            .simulator()
            .await;
        let key = sim.api_key();
        let data = sim.snapshot();
        let (mut session, invoice, items) = pick(&data);
        with_checkout_fields(&sim, &data, &mut session);
        let order = Chosen {
            session,
            invoice,
            items,
        };
        let log_dir = tempfile::tempdir().unwrap();
        let open_log = log_dir.path().join("opened.txt");
        let save_dir = log_dir.path().join("saved");
        std::fs::create_dir(&save_dir).unwrap();

        let launched = std::time::Instant::now();
        let app = App::launch(
            Launch::new("open_an_order")
                .stripe_api_base(&sim.base_url())
                .env("COMPTOIR_OPEN_LOG", &open_log.display().to_string())
                // "Save PDF…" skips its dialog and fetches the PDF from the simulator.
                .env("COMPTOIR_SAVE_DIR", &save_dir.display().to_string())
                .env("COMPTOIR_STRIPE_FILES_BASE", &sim.base_url()),
        )
        .await;
        let data_dir = app.data_dir().to_owned();
        app.run(move |ui| async move {
            // The demo store's table, painted: the start-up figure of the benchmark note
            // (from launching the app and its WebDriver to the first rows on screen).
            wait_for_order_rows(&ui).await;
            eprintln!(
                "e2e: start to painted orders table: {:?}",
                launched.elapsed()
            );
            connect_and_sync(&ui, &key).await;
            the_packing_station_sent_it(&data_dir, order.id()).await;
            the_sent_tab_and_searches_find_it(&ui, &order).await;
            click_row(&ui, &order_row(order.id())).await;

            ui.wait_for_testid("order-number", DEFAULT_WAIT).await;
            assert_eq!(ui.text_of("order-number").await, order.number());
            assert_eq!(
                ui.attr_of("order-status", "data-status").await.as_deref(),
                Some("sent")
            );
            the_details_show_the_billing_contact_literally(&ui, &order).await;
            the_summary_shows_stripes_lines_and_amounts(&ui, &order).await;
            the_checkout_fields_show_as_text(&ui, &order).await;
            nothing_the_customer_typed_became_markup_or_ran(&ui).await;
            the_three_buttons_open_the_pdf_and_stripes_urls(&ui, &open_log, &data_dir, &order)
                .await;
            save_pdf_downloads_the_invoice(&ui, &save_dir, order.number()).await;
            ui.screenshot("open_an_order").await.expect("screenshot");
            escape_goes_back_to_the_list_as_it_was(&ui, &order).await;
            a_scanned_number_opens_its_order_from_any_tab(&ui, order.number()).await;
        })
        .await;
        sim.shutdown().await;
    });
}

/// The packing station sent the order: a fulfilment row with a tracking number, as the
/// fulfilment screen writes it.
async fn the_packing_station_sent_it(data_dir: &Path, order_id: &str) {
    let store = open_account_store(data_dir).await;
    sqlx::query("INSERT INTO fulfilments (order_id, status, sent_at, staff, station, updated_at) VALUES (?1, 'sent', ?2, 'Camille', 'Atelier', ?2)")
        .bind(order_id)
        .bind(comptoir_core::store::now())
        .execute(store.pool())
        .await
        .unwrap();
    sqlx::query("INSERT INTO tracking_entries (order_id, carrier, number, url, created_at) VALUES (?1, 'colissimo', '6A99887766554', 'https://www.laposte.fr/outils/suivre-vos-envois?code=6A99887766554', ?2)")
        .bind(order_id)
        .bind(comptoir_core::store::now())
        .execute(store.pool())
        .await
        .unwrap();
    store.close().await;
}

/// The Sent tab holds exactly that order; searching its customer, or its tracking number,
/// finds it. Ends searching its customer.
async fn the_sent_tab_and_searches_find_it(ui: &Ui, order: &Chosen) {
    ui.click("nav-orders").await;
    ui.click("orders-tab-sent").await;
    let row = order_row(order.id());
    ui.wait_until("the Sent tab to list the order", DEFAULT_WAIT, || async {
        (ui.count(&row).await == 1).then_some(())
    })
    .await;
    ui.type_into("orders-search", order.email()).await;
    ui.wait_until("the search to apply", DEFAULT_WAIT, || async {
        let n = ui.count("[data-testid=\"order-row\"]").await;
        (n == 1 && ui.count(&row).await == 1).then_some(())
    })
    .await;
    ui.type_into("orders-search", "6A998877").await;
    ui.wait_until("the tracking search", DEFAULT_WAIT, || async {
        (ui.count("[data-testid=\"order-row\"]").await == 1 && ui.count(&row).await == 1)
            .then_some(())
    })
    .await;
    ui.type_into("orders-search", order.email()).await;
    ui.wait_until("the search to apply again", DEFAULT_WAIT, || async {
        (ui.count("[data-testid=\"order-row\"]").await == 1).then_some(())
    })
    .await;
}

/// Details: the billing contact, hostile text shown as text.
async fn the_details_show_the_billing_contact_literally(ui: &Ui, order: &Chosen) {
    let (name, email) = (order.name(), order.email());
    let billing = ui.text_of("order-billing").await;
    assert!(
        billing.contains(name),
        "billing {billing:?} shows {name:?} literally"
    );
    assert!(billing.contains(email));
    assert!(
        ui.exists("order-shipping").await || ui.exists("order-same-as-billing").await,
        "the shipping side says something"
    );
}

/// Summary: the lines and every amount, as Stripe computed them. The VAT sits where the sums
/// add up: added before the total when prices exclude it, under the total when they include
/// it; the subtotal says which.
async fn the_summary_shows_stripes_lines_and_amounts(ui: &Ui, order: &Chosen) {
    let (session, items) = (&order.session, &order.items);
    assert_eq!(ui.count("[data-testid=\"order-line\"]").await, items.len());
    let lines = js(
        ui,
        "return Array.from(document.querySelectorAll('[data-testid=order-line] .product')).map(e => e.textContent)",
    )
    .await;
    let shown: Vec<&str> = lines
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let expected: Vec<&str> = items
        .iter()
        .filter_map(|i| i["description"].as_str())
        .collect();
    assert_eq!(shown, expected, "cart lines, hostile text literal");
    let td = &session["total_details"];
    assert_eq!(
        amount(ui, "order-subtotal").await,
        session["amount_subtotal"].as_i64().unwrap()
    );
    assert_eq!(
        amount(ui, "order-total").await,
        session["amount_total"].as_i64().unwrap()
    );
    assert_eq!(
        amount(ui, "order-discount").await,
        td["amount_discount"].as_i64().unwrap_or(0)
    );
    assert_eq!(
        amount(ui, "order-shipping-cost").await,
        td["amount_shipping"].as_i64().unwrap_or(0)
    );
    assert_eq!(
        amount(ui, "order-vat").await,
        td["amount_tax"].as_i64().unwrap_or(0)
    );
    let method = ui.text_of("order-delivery-method").await;
    assert!(!method.trim().is_empty());
    let tax = td["amount_tax"].as_i64().unwrap_or(0);
    let exclusive = session["amount_subtotal"].as_i64().unwrap()
        - td["amount_discount"].as_i64().unwrap_or(0)
        + td["amount_shipping"].as_i64().unwrap_or(0)
        + tax
        == session["amount_total"].as_i64().unwrap();
    let order = js(
        ui,
        "return Array.from(document.querySelectorAll('.lines tfoot tr[data-row]')).map(e => e.dataset.row)",
    )
    .await;
    let order: Vec<&str> = order
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let vat_at = order
        .iter()
        .position(|r| *r == "vat" || *r == "vatIncluded")
        .unwrap();
    let total_at = order.iter().position(|r| *r == "total").unwrap();
    assert_eq!(vat_at < total_at, tax == 0 || exclusive, "{order:?}");
    let subtotal = js(
        ui,
        "return document.querySelector('tr[data-row=subtotal] th').textContent",
    )
    .await;
    let subtotal = subtotal.as_str().unwrap();
    if tax != 0 {
        let says = if exclusive {
            ["excl. VAT", "HT"]
        } else {
            ["incl. VAT", "TTC"]
        };
        assert!(
            says.iter().any(|w| subtotal.contains(w)),
            "{subtotal:?}, exclusive {exclusive}"
        );
    }
}

/// The fields filled in at checkout: each label, and what was typed or chosen (a dropdown's
/// option label), as text.
async fn the_checkout_fields_show_as_text(ui: &Ui, order: &Chosen) {
    let shown = js(
        ui,
        "return Array.from(document.querySelectorAll('[data-testid=order-custom-field]')).map(e => [e.dataset.key, e.previousElementSibling.textContent.trim(), e.textContent.trim()])",
    )
    .await;
    let shown = shown.as_array().unwrap();
    let fields = order.session["custom_fields"].as_array().unwrap();
    assert_eq!(shown.len(), fields.len(), "{shown:?}");
    for (row, f) in shown.iter().zip(fields) {
        assert_eq!(row[0], f["key"]);
        assert_eq!(row[1], f["label"]["custom"]);
        let value = match f["type"].as_str().unwrap() {
            "dropdown" => f["dropdown"]["options"]
                .as_array()
                .unwrap()
                .iter()
                .find(|o| o["value"] == f["dropdown"]["value"])
                .map(|o| o["label"].clone()),
            kind => Some(f[kind]["value"].clone()).filter(|v| v.is_string()),
        };
        if let Some(value) = value {
            assert_eq!(row[2], value, "field {}", f["key"]);
        }
    }
}

async fn nothing_the_customer_typed_became_markup_or_ran(ui: &Ui) {
    let injected = js(
        ui,
        "return document.querySelectorAll('main img, main script').length + (window.__pwned ? 100 : 0)",
    )
    .await;
    assert_eq!(
        injected.as_i64(),
        Some(0),
        "no element came from customer text"
    );
    let text = js(ui, "return document.querySelector('main').innerText").await;
    assert!(
        text.as_str().unwrap().contains(HOSTILE_IMG),
        "the payload shows literally"
    );
}

/// The offline PDF cache's folder of the connected account (README: Offline invoice PDFs).
fn pdf_cache_dir(data_dir: &Path) -> std::path::PathBuf {
    let stem = account_db(data_dir)
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    data_dir.join("pdf-cache").join(stem)
}

/// Waits for the background download of this invoice's PDF (its file written and recorded in
/// the store), and returns its file.
async fn wait_for_cached_pdf(ui: &Ui, data_dir: &Path, invoice_id: &str) -> std::path::PathBuf {
    let file = pdf_cache_dir(data_dir).join(format!("{invoice_id}.pdf"));
    let store = open_account_store(data_dir).await;
    ui.wait_until(
        &format!("the PDF of {invoice_id} to be downloaded"),
        std::time::Duration::from_secs(90),
        || async {
            let state: Option<String> =
                sqlx::query_scalar("SELECT state FROM pdf_cache WHERE invoice_id = ?1")
                    .bind(invoice_id)
                    .fetch_optional(store.pool())
                    .await
                    .unwrap();
            (state.as_deref() == Some("cached") && file.is_file()).then_some(())
        },
    )
    .await;
    store.close().await;
    file
}

/// "Customer invoice" opens the PDF the cache downloaded after the sync, as a local file; the
/// invoice Dashboard and refund buttons hand the right Stripe URLs to the opener.
async fn the_three_buttons_open_the_pdf_and_stripes_urls(
    ui: &Ui,
    open_log: &Path,
    data_dir: &Path,
    order: &Chosen,
) {
    let invoice = &order.invoice;
    let file = wait_for_cached_pdf(ui, data_dir, invoice["id"].as_str().unwrap()).await;
    ui.click("open-invoice-pdf").await;
    ui.click("open-invoice-dashboard").await;
    ui.click("open-refund").await;
    let log = wait_for_opened_links(ui, open_log, 3).await;
    let pi = id_of(&order.session["payment_intent"]).unwrap();
    let store = open_account_store(data_dir).await;
    let known: Option<(String, String, String)> =
        sqlx::query_as("SELECT state, url, version FROM pdf_cache WHERE invoice_id = ?1")
            .bind(invoice["id"].as_str().unwrap())
            .fetch_optional(store.pool())
            .await
            .unwrap();
    type InvoiceNow = (Option<String>, Option<String>, i64, i64, i64);
    let now: Option<InvoiceNow> = sqlx::query_as(
        "SELECT number, status, total, amount_paid, amount_due FROM invoices WHERE id = ?1",
    )
    .bind(invoice["id"].as_str().unwrap())
    .fetch_optional(store.pool())
    .await
    .unwrap();
    store.close().await;
    assert_eq!(
        log[0],
        file.display().to_string(),
        "the cache knew {known:?}; the invoice is now {now:?}"
    );
    assert_eq!(
        log,
        vec![
            file.display().to_string(),
            format!(
                "https://dashboard.stripe.com/test/invoices/{}",
                invoice["id"].as_str().unwrap()
            ),
            format!("https://dashboard.stripe.com/test/payments/{pi}"),
        ]
    );
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(String::from_utf8_lossy(&bytes).contains(order.number()));
}

/// "Save PDF…" downloads the invoice PDF from Stripe (the simulator) into the folder.
async fn save_pdf_downloads_the_invoice(ui: &Ui, save_dir: &Path, number: &str) {
    ui.click("save-invoice-pdf").await;
    let saved = ui
        .wait_until("the invoice PDF to be saved", DEFAULT_WAIT, || async {
            std::fs::read_dir(save_dir)
                .unwrap()
                .filter_map(|e| e.ok().map(|e| e.path()))
                .find(|p| p.extension().is_some_and(|x| x == "pdf"))
        })
        .await;
    let name = saved.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.ends_with(&format!(" {number}.pdf")), "saved as {name}");
    let bytes = std::fs::read(&saved).unwrap();
    assert!(bytes.starts_with(b"%PDF-"), "the saved file is a PDF");
    assert!(String::from_utf8_lossy(&bytes).contains(number));
}

/// Escape goes back to the list: the Sent tab and the search are kept.
async fn escape_goes_back_to_the_list_as_it_was(ui: &Ui, order: &Chosen) {
    press(ui, keys::ESCAPE).await;
    ui.wait_for_testid("orders-table", DEFAULT_WAIT).await;
    let kept = js(
        ui,
        "return document.querySelector('[data-testid=orders-search]').value",
    )
    .await;
    assert_eq!(
        kept.as_str(),
        Some(order.email()),
        "the search survives the detail"
    );
    assert_eq!(
        ui.attr_of("orders-tab-sent", "aria-selected")
            .await
            .as_deref(),
        Some("true")
    );
    assert_eq!(ui.count(&order_row(order.id())).await, 1);
}

/// At the packing station a scanner types the number and presses Enter: the order opens at
/// once, even from a tab it is not in.
async fn a_scanned_number_opens_its_order_from_any_tab(ui: &Ui, number: &str) {
    ui.click("orders-tab-to_be_sent").await;
    ui.type_into("orders-search", &format!("{number}{}", keys::ENTER))
        .await;
    wait_for_order(ui, number).await;
}

/// The orders with an invoice PDF, oldest first: (session id, invoice id, invoice number).
fn orders_with_pdf(data: &Dataset) -> Vec<(String, String, String)> {
    let mut out: Vec<(i64, String, String, String)> = data
        .checkout_sessions
        .iter()
        .filter(|s| s["mode"] == "payment" && s["status"] == "complete")
        .filter_map(|s| {
            let inv_id = id_of(&s["invoice"])?;
            let inv = data.invoices.iter().find(|i| i["id"] == inv_id)?;
            let number = inv["number"].as_str()?;
            inv["invoice_pdf"].as_str()?;
            Some((
                s["created"].as_i64()?,
                s["id"].as_str()?.to_owned(),
                inv_id.to_owned(),
                number.to_owned(),
            ))
        })
        .collect();
    out.sort();
    out.into_iter().map(|(_, s, i, n)| (s, i, n)).collect()
}

/// The newest subscription invoice with a PDF: (invoice id, subscription id, customer email).
fn a_subscription_invoice(data: &Dataset) -> (String, String, String) {
    let mut found: Vec<(i64, String, String, String)> = data
        .invoices
        .iter()
        .filter(|i| i["invoice_pdf"].is_string())
        .filter_map(|i| {
            let sub = i
                .pointer("/parent/subscription_details/subscription")
                .and_then(Value::as_str)?;
            let cus = data
                .customers
                .iter()
                .find(|c| c["id"] == i["customer"] && c["deleted"] != true)?;
            Some((
                i["created"].as_i64()?,
                i["id"].as_str()?.to_owned(),
                sub.to_owned(),
                cus["email"].as_str()?.to_owned(),
            ))
        })
        .collect();
    found.sort();
    let (_, inv, sub, email) = found.pop().expect("a subscription invoice with a PDF");
    (inv, sub, email)
}

#[test]
fn invoice_pdfs_open_from_the_cache_offline() {
    block_on(async {
        let sim = TestShop::new()
            .orders(24)
            .one_off_invoices(2)
            .subscriptions(4)
            .deleted_customers(0)
            .simulator()
            .await;
        let key = sim.api_key();
        let data = sim.snapshot();
        let orders = orders_with_pdf(&data);
        assert!(orders.len() >= 2, "orders with an invoice PDF");
        let (newest, oldest) = (orders.last().unwrap().clone(), orders[0].clone());
        let (sub_invoice, sub_id, email) = a_subscription_invoice(&data);
        let log_dir = tempfile::tempdir().unwrap();
        let open_log = log_dir.path().join("opened.txt");
        let app = App::launch(
            Launch::new("pdfs_offline")
                .stripe_api_base(&sim.base_url())
                .env("COMPTOIR_OPEN_LOG", &open_log.display().to_string())
                .env("COMPTOIR_STRIPE_FILES_BASE", &sim.base_url()),
        )
        .await;
        let data_dir = app.data_dir().to_owned();
        app.run(move |ui| async move {
            connect_and_sync(&ui, &key).await;
            // The background download after the sync: newest first, the oldest order's last.
            let order_file = wait_for_cached_pdf(&ui, &data_dir, &newest.1).await;
            let sub_file = wait_for_cached_pdf(&ui, &data_dir, &sub_invoice).await;
            let oldest_file = wait_for_cached_pdf(&ui, &data_dir, &oldest.1).await;
            // The oldest order's PDF as if it had not been downloaded yet.
            let store = open_account_store(&data_dir).await;
            sqlx::query("DELETE FROM pdf_cache WHERE invoice_id = ?1")
                .bind(&oldest.1)
                .execute(store.pool())
                .await
                .unwrap();
            store.close().await;
            std::fs::remove_file(&oldest_file).unwrap();

            // Stripe is gone; the background sync notices within its interval.
            sim.shutdown().await;
            ui.wait_for(
                "[data-testid=last-synced][data-offline=true]",
                std::time::Duration::from_secs(60),
            )
            .await;

            open_order(&ui, &newest.0, &newest.2).await;
            ui.click("open-invoice-pdf").await;
            let log = wait_for_opened_links(&ui, &open_log, 1).await;
            assert_eq!(log, vec![order_file.display().to_string()], "a local file");

            ui.click("nav-subscriptions").await;
            ui.type_into("subscriptions-search", &email).await;
            let row =
                format!("[data-testid=\"subscription-row\"][data-subscription-id=\"{sub_id}\"]");
            ui.wait_for(&row, DEFAULT_WAIT).await;
            click_row(&ui, &row).await;
            let pdf_button =
                format!("[data-invoice-id=\"{sub_invoice}\"] [data-testid=\"invoice-pdf\"]");
            ui.wait_for(&pdf_button, DEFAULT_WAIT)
                .await
                .click()
                .await
                .expect("click the invoice's PDF icon");
            let log = wait_for_opened_links(&ui, &open_log, 2).await;
            assert_eq!(log[1], sub_file.display().to_string(), "a local file");

            // The order whose PDF was not downloaded: the plain sentence, nothing opened.
            open_order(&ui, &oldest.0, &oldest.2).await;
            dismiss_toasts(&ui).await;
            ui.click("open-invoice-pdf").await;
            wait_for_toast(
                &ui,
                "Not downloaded yet; it will be when you are back online",
            )
            .await;
            ui.screenshot("pdfs_offline").await.expect("screenshot");
            assert_eq!(opened_links(&open_log).len(), 2, "nothing else opened");
            assert!(!oldest_file.exists());

            // Settings → Offline invoice PDFs: what is kept, and Clear (offline too).
            ui.click("nav-settings").await;
            let kept = ui
                .wait_until("the cache's use", DEFAULT_WAIT, || async {
                    let files = ui.attr_of("pdf-cache-use", "data-files").await?;
                    files.parse::<usize>().ok().filter(|n| *n > 0)
                })
                .await;
            let on_disk = std::fs::read_dir(order_file.parent().unwrap())
                .unwrap()
                .count();
            assert_eq!(kept, on_disk, "the files Settings counts are those on disk");
            let text = ui.text_of("pdf-cache-use").await;
            assert!(text.contains(&format!("{kept} PDFs kept")), "{text}");
            ui.screenshot("pdf_cache_settings")
                .await
                .expect("screenshot");
            ui.click("pdf-cache-clear").await;
            ui.click("pdf-cache-clear-dialog-confirm").await;
            ui.wait_until("the cache to be cleared", DEFAULT_WAIT, || async {
                (ui.attr_of("pdf-cache-use", "data-files").await.as_deref() == Some("0"))
                    .then_some(())
            })
            .await;
            assert!(!order_file.exists() && !sub_file.exists());
            assert!(account_db(&data_dir).exists(), "only the PDFs go");
        })
        .await;
    });
}
