//! The steps the end-to-end tests are told in: what a merchant does in the app or sees on
//! screen, one function each, waiting as long as the app may take (`DEFAULT_WAIT`) and failing
//! with what was awaited.

use std::path::{Path, PathBuf};
use std::time::Duration;

use comptoir_core::secrets::{Keychain, SecretKind, SecretStore as _};
use comptoir_core::store::{settings, Store};
use serde_json::Value;

use super::{retry, unique, Launch, Ui, DEFAULT_WAIT};

/// Keys as WebDriver sends them.
pub mod keys {
    pub const ENTER: &str = "\u{E007}";
    pub const ESCAPE: &str = "\u{E00C}";
    pub const BACKSPACE: &str = "\u{E003}";
    /// Alt+↑ (and both released).
    pub const ALT_UP: &str = "\u{E00A}\u{E013}\u{E000}";
    /// Ctrl+P (and Ctrl released).
    pub const CTRL_P: &str = "\u{E009}p\u{E000}";
}

// ---------------------------------------------------------------------------------------------
// The app's data and keychain

/// A data folder and a keychain service of their own, kept across launches of the app so that a
/// restart finds the account and its data again. The key is taken out of the keychain when the
/// profile is dropped, also when the test fails.
pub struct Profile {
    data: tempfile::TempDir,
    service: String,
}

impl Profile {
    pub fn new(name: &str) -> Self {
        Profile {
            data: tempfile::Builder::new()
                .prefix(&format!("comptoir-e2e-{name}-"))
                .tempdir()
                .unwrap(),
            service: unique(&format!("comptoir-e2e-{name}")),
        }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.data.path().to_owned()
    }

    /// How to start the app on this profile's data folder and keychain service.
    pub fn launch(&self, name: &str) -> Launch {
        Launch::new(name)
            .env("COMPTOIR_DATA_DIR", &self.data.path().display().to_string())
            .env("COMPTOIR_KEYCHAIN_SERVICE", &self.service)
    }
}

impl Drop for Profile {
    fn drop(&mut self) {
        let _ = Keychain::new(&self.service).delete(SecretKind::StripeKey);
    }
}

/// The connected account's database in a data folder (`stripe-<account>-<mode>.sqlite`).
pub fn account_db(dir: &Path) -> PathBuf {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("stripe-") && n.ends_with(".sqlite"))
        })
        .expect("the account's database")
}

/// The connected account's store in a data folder, opened beside the running app.
pub async fn open_account_store(dir: &Path) -> Store {
    Store::open(&account_db(dir)).await.unwrap()
}

/// Who works at this station, as Settings would save it.
pub async fn set_staff(store: &Store, staff: &str, station: &str) {
    settings::set_value(store.pool(), "staff_name", staff)
        .await
        .unwrap();
    settings::set_value(store.pool(), "station_name", station)
        .await
        .unwrap();
}

/// The links the app handed to the system opener, oldest first (`COMPTOIR_OPEN_LOG`: no browser
/// is launched).
pub fn opened_links(open_log: &Path) -> Vec<String> {
    std::fs::read_to_string(open_log)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Waits until the app has handed `n` links to the opener, and returns them all.
pub async fn wait_for_opened_links(ui: &Ui, open_log: &Path, n: usize) -> Vec<String> {
    ui.wait_until(&format!("{n} links to be opened"), DEFAULT_WAIT, || async {
        let lines = opened_links(open_log);
        (lines.len() >= n).then_some(lines)
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// The window

/// Runs a script in the window and returns what it returns.
pub async fn js(ui: &Ui, script: &str) -> Value {
    retry("script", || ui.client.execute(script, vec![]))
        .await
        .expect("script")
}

/// Runs a script in the window and returns the string it returns ("" for anything else).
pub async fn js_string(ui: &Ui, script: &str) -> String {
    js(ui, script).await.as_str().unwrap_or_default().to_owned()
}

/// Presses `keys` (see [`keys`]) wherever the focus is.
pub async fn press(ui: &Ui, keys: &str) {
    retry("keys", || async {
        ui.client
            .find(fantoccini::Locator::Css("body"))
            .await?
            .send_keys(keys)
            .await
    })
    .await
    .unwrap_or_else(|e| panic!("pressing {keys:?}: {e}"));
}

/// Clicks a table row: WebKitWebDriver cannot click a `<tr>` itself, so its first cell.
pub async fn click_row(ui: &Ui, row: &str) {
    ui.wait_for(&format!("{row} td"), DEFAULT_WAIT)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("click the row {row}: {e}"));
}

/// Waits for the element with `data-testid=testid` to be displayed (a dialog opening, say).
pub async fn wait_for_displayed_testid(ui: &Ui, testid: &str) {
    ui.wait_for_displayed(&format!("[data-testid=\"{testid}\"]"), DEFAULT_WAIT)
        .await;
}

/// Every toast on screen, one a line.
pub async fn toasts(ui: &Ui) -> String {
    js_string(
        ui,
        "return Array.from(document.querySelectorAll('[data-testid=toast]')).map(t => t.textContent).join('\\n')",
    )
    .await
}

/// Waits for a toast whose text contains `needle`, and returns the text of all of them.
pub async fn wait_for_toast(ui: &Ui, needle: &str) -> String {
    ui.wait_until(
        &format!("a toast saying {needle:?}"),
        DEFAULT_WAIT,
        || async {
            let text = toasts(ui).await;
            text.contains(needle).then_some(text)
        },
    )
    .await
}

/// Closes every toast, as a merchant would, so that they cover nothing below.
pub async fn dismiss_toasts(ui: &Ui) {
    js(
        ui,
        "document.querySelectorAll('[data-testid=toast] button.close').forEach(b => b.click()); return null",
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// Onboarding

/// Pastes `key` into onboarding and submits it.
pub async fn connect_stripe(ui: &Ui, key: &str) {
    ui.click("connect-stripe").await;
    ui.type_into("onboarding-key", key).await;
    ui.click("onboarding-submit").await;
}

/// Waits for the first sync to finish: its progress bar gone and a last-synced time shown.
/// Fails at once on an onboarding error.
pub async fn wait_for_first_sync(ui: &Ui) {
    ui.wait_until(
        "the first sync to finish",
        Duration::from_secs(120),
        || async {
            if ui.exists("onboarding-error").await {
                panic!("onboarding error: {}", ui.text_of("onboarding-error").await);
            }
            (!ui.exists("sync-progress").await && ui.exists("last-synced").await).then_some(())
        },
    )
    .await;
}

/// Connects the shop with `key` and waits for its first sync.
pub async fn connect_and_sync(ui: &Ui, key: &str) {
    connect_stripe(ui, key).await;
    wait_for_first_sync(ui).await;
}

// ---------------------------------------------------------------------------------------------
// Orders

/// The CSS selector of an order's row in the orders table.
pub fn order_row(id: &str) -> String {
    format!("[data-testid=\"order-row\"][data-order-id=\"{id}\"]")
}

/// Waits for the orders table to show rows (the demo store's at start-up).
pub async fn wait_for_order_rows(ui: &Ui) {
    ui.wait_for("[data-testid=\"order-row\"]", DEFAULT_WAIT)
        .await;
}

/// Waits for the order detail to show the order numbered `number`.
pub async fn wait_for_order(ui: &Ui, number: &str) {
    ui.wait_until(
        &format!("order {number} on screen"),
        DEFAULT_WAIT,
        || async {
            (ui.exists("order-number").await && ui.text_of("order-number").await == number)
                .then_some(())
        },
    )
    .await;
}

/// Opens an order from the All tab by searching its number.
pub async fn open_order(ui: &Ui, id: &str, number: &str) {
    ui.click("nav-orders").await;
    ui.click("orders-tab-all").await;
    ui.type_into("orders-search", number).await;
    let row = order_row(id);
    ui.wait_until("the search to find the order", DEFAULT_WAIT, || async {
        (ui.count(&row).await == 1).then_some(())
    })
    .await;
    click_row(ui, &row).await;
    wait_for_order(ui, number).await;
}

/// Waits for the order on screen to be in `status` (`sent`, `picked_up`…).
pub async fn wait_for_status(ui: &Ui, status: &str) {
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

/// The actions of the order's history on screen, oldest first.
pub async fn history_actions(ui: &Ui) -> Value {
    js(
        ui,
        "return [...document.querySelectorAll('[data-testid=history-entry]')].map(e => e.dataset.action)",
    )
    .await
}
