//! End to end: sync the Stripe simulator's shop (with HTML and script payloads in names,
//! addresses and product names), mark one order as sent the way the packing station records
//! it, then open the Sent tab, search the customer, open the order and check every section
//! against the simulator's data; the three Stripe buttons must request the right URLs (logged
//! through `COMPTOIR_OPEN_LOG`: no browser is launched), customer text must show literally
//! and nothing in it may run. Escape goes back to the list with its tab and search.
//!
//! ```sh
//! bash scripts/test.sh nextest -- --test e2e_orders
//! ```
#![cfg(target_os = "linux")]

mod support;

use std::time::Duration;

use comptoir_core::dataset::{Dataset, DatasetSpec};
use fantoccini::Locator;
use serde_json::Value;
use support::{block_on, App, Launch, Ui, DEFAULT_WAIT};

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

async fn js(ui: &Ui, script: &str) -> Value {
    support::retry("script", || ui.client.execute(script, vec![]))
        .await
        .expect("script")
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
        let key = support::test_secret_key();
        let spec = DatasetSpec {
            orders: 150,
            one_off_invoices: 3,
            subscriptions: 2,
            deleted_customers: 1,
            hostile_text: true,
            now: comptoir_core::store::now(),
            ..DatasetSpec::default()
        };
        let sim = support::start_simulator(&key, &spec).await;
        let data = sim.snapshot();
        let (mut session, invoice, items) = pick(&data);
        let order_id = session["id"].as_str().unwrap().to_owned();
        // The order asks the fields some sessions of the shop ask (a gift message, a dropdown…).
        let has_text = |s: &Value| {
            s["custom_fields"]
                .as_array()
                .is_some_and(|f| f.iter().any(|f| f["text"]["value"].is_string()))
        };
        if !has_text(&session) {
            let donor = data
                .checkout_sessions
                .iter()
                .find(|s| has_text(s))
                .expect("sessions with a filled-in text field");
            session["custom_fields"] = donor["custom_fields"].clone();
            let fields = session["custom_fields"].clone();
            sim.with_dataset(|d| {
                let s = d
                    .checkout_sessions
                    .iter_mut()
                    .find(|s| s["id"] == order_id.as_str());
                s.unwrap()["custom_fields"] = fields;
            });
        }
        let email = session["customer_details"]["email"]
            .as_str()
            .unwrap()
            .to_owned();
        let name = session["customer_details"]["name"]
            .as_str()
            .unwrap()
            .to_owned();
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
            ui.wait_for("[data-testid=\"order-row\"]", DEFAULT_WAIT).await;
            eprintln!("e2e: start to painted orders table: {:?}", launched.elapsed());
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

            // The packing station sent this order: a fulfilment row with a tracking number, as
            // the fulfilment screen will write it.
            let db = std::fs::read_dir(&data_dir)
                .unwrap()
                .filter_map(|e| e.ok().map(|e| e.path()))
                .find(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("stripe-") && n.ends_with(".sqlite"))
                })
                .expect("the account's database");
            let store = comptoir_core::store::Store::open(&db).await.unwrap();
            sqlx::query("INSERT INTO fulfilments (order_id, status, sent_at, staff, station, updated_at) VALUES (?1, 'sent', ?2, 'Camille', 'Atelier', ?2)")
                .bind(&order_id)
                .bind(comptoir_core::store::now())
                .execute(store.pool())
                .await
                .unwrap();
            sqlx::query("INSERT INTO tracking_entries (order_id, carrier, number, url, created_at) VALUES (?1, 'colissimo', '6A99887766554', 'https://www.laposte.fr/outils/suivre-vos-envois?code=6A99887766554', ?2)")
                .bind(&order_id)
                .bind(comptoir_core::store::now())
                .execute(store.pool())
                .await
                .unwrap();
            store.close().await;

            // The Sent tab holds exactly that order; searching its customer finds it.
            ui.click("nav-orders").await;
            ui.click("orders-tab-sent").await;
            let row = format!("[data-testid=\"order-row\"][data-order-id=\"{order_id}\"]");
            ui.wait_until("the Sent tab to list the order", DEFAULT_WAIT, || async {
                (ui.count(&row).await == 1).then_some(())
            })
            .await;
            ui.type_into("orders-search", &email).await;
            ui.wait_until("the search to apply", DEFAULT_WAIT, || async {
                let n = ui.count("[data-testid=\"order-row\"]").await;
                (n == 1 && ui.count(&row).await == 1).then_some(())
            })
            .await;
            // Searching a tracking number finds the order too.
            ui.type_into("orders-search", "6A998877").await;
            ui.wait_until("the tracking search", DEFAULT_WAIT, || async {
                (ui.count("[data-testid=\"order-row\"]").await == 1 && ui.count(&row).await == 1)
                    .then_some(())
            })
            .await;
            ui.type_into("orders-search", &email).await;
            ui.wait_until("the search to apply again", DEFAULT_WAIT, || async {
                (ui.count("[data-testid=\"order-row\"]").await == 1).then_some(())
            })
            .await;
            // WebKitWebDriver cannot click a <tr> itself: click its first cell.
            ui.wait_for(&format!("{row} td"), DEFAULT_WAIT)
                .await
                .click()
                .await
                .expect("click the row");

            ui.wait_for_testid("order-number", DEFAULT_WAIT).await;
            assert_eq!(ui.text_of("order-number").await, invoice["number"].as_str().unwrap());
            assert_eq!(ui.attr_of("order-status", "data-status").await.as_deref(), Some("sent"));

            // Details: the billing contact, hostile text shown as text.
            let billing = ui.text_of("order-billing").await;
            assert!(billing.contains(&name), "billing {billing:?} shows {name:?} literally");
            assert!(billing.contains(&email));
            assert!(
                ui.exists("order-shipping").await || ui.exists("order-same-as-billing").await,
                "the shipping side says something"
            );

            // Summary: the lines and every amount, as Stripe computed them.
            assert_eq!(ui.count("[data-testid=\"order-line\"]").await, items.len());
            let lines = js(
                &ui,
                "return Array.from(document.querySelectorAll('[data-testid=order-line] .product')).map(e => e.textContent)",
            )
            .await;
            let shown: Vec<&str> = lines.as_array().unwrap().iter().filter_map(Value::as_str).collect();
            let expected: Vec<&str> = items.iter().filter_map(|i| i["description"].as_str()).collect();
            assert_eq!(shown, expected, "cart lines, hostile text literal");
            let td = &session["total_details"];
            assert_eq!(amount(&ui, "order-subtotal").await, session["amount_subtotal"].as_i64().unwrap());
            assert_eq!(amount(&ui, "order-total").await, session["amount_total"].as_i64().unwrap());
            assert_eq!(amount(&ui, "order-discount").await, td["amount_discount"].as_i64().unwrap_or(0));
            assert_eq!(amount(&ui, "order-shipping-cost").await, td["amount_shipping"].as_i64().unwrap_or(0));
            assert_eq!(amount(&ui, "order-vat").await, td["amount_tax"].as_i64().unwrap_or(0));
            let method = ui.text_of("order-delivery-method").await;
            assert!(!method.trim().is_empty());
            // The VAT sits where the sums add up: added before the total when prices exclude it,
            // under the total when they include it; the subtotal says which.
            let tax = td["amount_tax"].as_i64().unwrap_or(0);
            let exclusive = session["amount_subtotal"].as_i64().unwrap() - td["amount_discount"].as_i64().unwrap_or(0)
                + td["amount_shipping"].as_i64().unwrap_or(0)
                + tax
                == session["amount_total"].as_i64().unwrap();
            let order = js(&ui, "return Array.from(document.querySelectorAll('.lines tfoot tr[data-row]')).map(e => e.dataset.row)").await;
            let order: Vec<&str> = order.as_array().unwrap().iter().filter_map(Value::as_str).collect();
            let vat_at = order.iter().position(|r| *r == "vat" || *r == "vatIncluded").unwrap();
            let total_at = order.iter().position(|r| *r == "total").unwrap();
            assert_eq!(vat_at < total_at, tax == 0 || exclusive, "{order:?}");
            let subtotal = js(&ui, "return document.querySelector('tr[data-row=subtotal] th').textContent").await;
            let subtotal = subtotal.as_str().unwrap();
            if tax != 0 {
                let says = if exclusive { ["excl. VAT", "HT"] } else { ["incl. VAT", "TTC"] };
                assert!(says.iter().any(|w| subtotal.contains(w)), "{subtotal:?}, exclusive {exclusive}");
            }

            // The fields filled in at checkout: each label, and what was typed or chosen (a
            // dropdown's option label), as text.
            let shown = js(
                &ui,
                "return Array.from(document.querySelectorAll('[data-testid=order-custom-field]')).map(e => [e.dataset.key, e.previousElementSibling.textContent.trim(), e.textContent.trim()])",
            )
            .await;
            let shown = shown.as_array().unwrap();
            let fields = session["custom_fields"].as_array().unwrap();
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

            // Nothing the customer typed became markup or ran.
            let injected = js(
                &ui,
                "return document.querySelectorAll('main img, main script').length + (window.__pwned ? 100 : 0)",
            )
            .await;
            assert_eq!(injected.as_i64(), Some(0), "no element came from customer text");
            let text = js(&ui, "return document.querySelector('main').innerText").await;
            assert!(text.as_str().unwrap().contains(HOSTILE_IMG), "the payload shows literally");

            // The three buttons hand the right Stripe URLs to the opener.
            ui.click("open-invoice-pdf").await;
            ui.click("open-invoice-dashboard").await;
            ui.click("open-refund").await;
            let log = ui
                .wait_until("the three links to be opened", DEFAULT_WAIT, || async {
                    let lines: Vec<String> = std::fs::read_to_string(&open_log)
                        .unwrap_or_default()
                        .lines()
                        .map(str::to_owned)
                        .collect();
                    (lines.len() >= 3).then_some(lines)
                })
                .await;
            let pi = id_of(&session["payment_intent"]).unwrap();
            assert_eq!(
                log,
                vec![
                    invoice["invoice_pdf"].as_str().unwrap().to_owned(),
                    format!("https://dashboard.stripe.com/test/invoices/{}", invoice["id"].as_str().unwrap()),
                    format!("https://dashboard.stripe.com/test/payments/{pi}"),
                ]
            );
            // "Save PDF…" downloads the invoice PDF from Stripe (the simulator) into the folder.
            ui.click("save-invoice-pdf").await;
            let number = invoice["number"].as_str().unwrap().to_owned();
            let saved = ui
                .wait_until("the invoice PDF to be saved", DEFAULT_WAIT, || async {
                    std::fs::read_dir(&save_dir)
                        .unwrap()
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .find(|p| p.extension().is_some_and(|x| x == "pdf"))
                })
                .await;
            let name = saved.file_name().unwrap().to_string_lossy().into_owned();
            assert!(name.ends_with(&format!(" {number}.pdf")), "saved as {name}");
            let bytes = std::fs::read(&saved).unwrap();
            assert!(bytes.starts_with(b"%PDF-"), "the saved file is a PDF");
            assert!(String::from_utf8_lossy(&bytes).contains(&number));
            ui.screenshot("open_an_order").await.expect("screenshot");

            // Escape goes back to the list: the Sent tab and the search are kept.
            ui.client
                .find(Locator::Css("body"))
                .await
                .expect("body")
                .send_keys("\u{E00C}")
                .await
                .expect("Escape");
            ui.wait_for_testid("orders-table", DEFAULT_WAIT).await;
            let kept = js(&ui, "return document.querySelector('[data-testid=orders-search]').value").await;
            assert_eq!(kept.as_str(), Some(email.as_str()), "the search survives the detail");
            assert_eq!(
                ui.attr_of("orders-tab-sent", "aria-selected").await.as_deref(),
                Some("true")
            );
            assert_eq!(ui.count(&row).await, 1);

            // At the packing station a scanner types the number and presses Enter: the order
            // opens at once, even from a tab it is not in.
            ui.click("orders-tab-to_be_sent").await;
            let number = invoice["number"].as_str().unwrap();
            ui.type_into("orders-search", &format!("{number}\u{E007}")).await;
            ui.wait_until("the scanned order to open", DEFAULT_WAIT, || async {
                (ui.exists("order-number").await && ui.text_of("order-number").await == number)
                    .then_some(())
            })
            .await;
        })
        .await;
        sim.shutdown().await;
    });
}
