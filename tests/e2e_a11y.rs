//! Accessibility: axe-core (ui/node_modules/axe-core, the engine browsers' audit tools use)
//! checks every screen of the real app, on the demo store, and no serious or critical violation
//! is allowed: colour contrast, names of controls, landmarks, ARIA use.
//!
//! Run it alone with `bash scripts/test.sh ui nextest -- --test e2e_a11y`.
#![cfg(target_os = "linux")]

mod support;

use serde_json::Value;
use support::{block_on, click_row, js, press, App, Launch, Ui, DEFAULT_WAIT};

/// The axe-core build that `npm ci` installs beside the UI.
fn axe_source() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("ui/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("read {} (npm ci in ui/): {e}", path.display()))
}

/// Runs axe on the whole document and returns its serious and critical violations, each as
/// "rule: help (elements)".
async fn serious_violations(ui: &Ui, axe: &str) -> Vec<String> {
    // The script defines window.axe (WebDriver runs it as a function body, CSP does not apply).
    let loaded = js(ui, &format!("{axe}\n;return typeof window.axe;")).await;
    assert_eq!(
        loaded,
        Value::from("object"),
        "axe-core did not load in the window"
    );
    let result = ui
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.axe.run(document, { resultTypes: ['violations'] })
               .then((r) => done(r.violations.map((v) => ({
                   id: v.id, impact: v.impact, help: v.help,
                   nodes: v.nodes.map((n) => n.target.join(' ')) }))))
               .catch((e) => done({ error: String(e) }));",
            vec![],
        )
        .await
        .expect("axe.run");
    if let Some(err) = result.get("error") {
        panic!("axe.run failed: {err}");
    }
    result
        .as_array()
        .expect("violations")
        .iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .map(|v| {
            let nodes: Vec<&str> = v["nodes"]
                .as_array()
                .map(|n| n.iter().filter_map(Value::as_str).take(5).collect())
                .unwrap_or_default();
            format!(
                "{}: {} ({})",
                v["id"].as_str().unwrap_or("?"),
                v["help"].as_str().unwrap_or(""),
                nodes.join(", ")
            )
        })
        .collect()
}

async fn audit(ui: &Ui, axe: &str, screen: &str, found: &mut Vec<String>) {
    ui.screenshot(&format!("a11y-{screen}"))
        .await
        .expect("screenshot");
    for v in serious_violations(ui, axe).await {
        found.push(format!("{screen}: {v}"));
    }
}

#[test]
fn every_screen_passes_axe_without_serious_violations() {
    block_on(async {
        let axe = axe_source();
        let app = App::launch(Launch::new("every_screen_passes_axe")).await;
        app.run(|ui| async move {
            let mut found = Vec::new();

            // The orders table, then one order's detail.
            ui.wait_for("[data-testid=\"order-row\"]", DEFAULT_WAIT)
                .await;
            audit(&ui, &axe, "orders", &mut found).await;
            click_row(&ui, "[data-testid=\"order-row\"]").await;
            ui.wait_for_testid("order-number", DEFAULT_WAIT).await;
            audit(&ui, &axe, "order-detail", &mut found).await;

            // The subscriptions table, then one subscription's detail.
            ui.click("nav-subscriptions").await;
            ui.wait_for("[data-testid=\"subscription-row\"]", DEFAULT_WAIT)
                .await;
            audit(&ui, &axe, "subscriptions", &mut found).await;
            click_row(&ui, "[data-testid=\"subscription-row\"]").await;
            ui.wait_for_testid("subscription-title", DEFAULT_WAIT).await;
            audit(&ui, &axe, "subscription-detail", &mut found).await;

            // Settings, the keyboard shortcuts dialog, and connecting a Stripe account.
            ui.click("nav-settings").await;
            ui.wait_for("#settings-general", DEFAULT_WAIT).await;
            audit(&ui, &axe, "settings", &mut found).await;
            press(&ui, "?").await;
            ui.wait_for_displayed("dialog[open]", DEFAULT_WAIT).await;
            audit(&ui, &axe, "shortcuts", &mut found).await;
            press(&ui, "\u{e00c}").await; // Escape
            ui.click("connect-stripe").await;
            ui.wait_for_testid("onboarding-key", DEFAULT_WAIT).await;
            audit(&ui, &axe, "onboarding", &mut found).await;

            assert!(
                found.is_empty(),
                "serious or critical accessibility violations:\n{}",
                found.join("\n")
            );
        })
        .await;
    });
}
