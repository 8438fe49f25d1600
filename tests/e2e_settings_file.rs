//! End-to-end: Settings → Export settings / Import settings and the refresh interval, in the
//! real app (README: Settings export and import, Background sync). The save and open dialogs
//! are replaced by the debug-only `COMPTOIR_SAVE_DIR` and `COMPTOIR_OPEN_FILE`.
#![cfg(target_os = "linux")]

mod support;

use serde_json::{json, Value};
use support::{block_on, js, wait_for_toast, App, Launch, Ui, DEFAULT_WAIT};

async fn field_value(ui: &Ui, testid: &str) -> String {
    js(
        ui,
        &format!("return document.querySelector('[data-testid={testid}]')?.value ?? ''"),
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

async fn wait_for_field(ui: &Ui, testid: &str, expected: &str) {
    ui.wait_until(
        &format!("{testid} to read {expected}"),
        DEFAULT_WAIT,
        || async { (field_value(ui, testid).await == expected).then_some(()) },
    )
    .await;
}

#[test]
fn settings_go_out_as_a_file_and_come_back_checked() {
    block_on(async {
        let files = tempfile::tempdir().unwrap();
        let save_dir = files.path().join("saved");
        std::fs::create_dir_all(&save_dir).unwrap();
        let open_file = files.path().join("to-import.json");
        let app = App::launch(
            Launch::new("settings_file")
                .env("COMPTOIR_SAVE_DIR", &save_dir.display().to_string())
                .env("COMPTOIR_OPEN_FILE", &open_file.display().to_string()),
        )
        .await;
        app.run(|ui| async move {
            ui.click("nav-settings").await;
            // The refresh interval is checked: out of range is refused in words.
            ui.type_into("settings-sync-interval", "90").await;
            ui.click("settings-save").await;
            wait_for_toast(&ui, "choose between 5 and 60 seconds").await;
            ui.type_into("settings-sync-interval", "30").await;
            ui.type_into("settings-station", "Poste Sud").await;
            ui.click("settings-save").await;
            wait_for_toast(&ui, "Settings saved").await;

            ui.click("settings-export").await;
            let exported = ui
                .wait_until("the exported file", DEFAULT_WAIT, || async {
                    let entry = std::fs::read_dir(&save_dir).ok()?.flatten().next()?;
                    let text = std::fs::read_to_string(entry.path()).ok()?;
                    serde_json::from_str::<Value>(&text).ok()
                })
                .await;
            assert_eq!(exported["format"], "comptoir-station-settings");
            assert_eq!(exported["station"]["station_name"], "Poste Sud");
            assert_eq!(exported["station"]["sync_interval_secs"], 30);
            wait_for_toast(&ui, "Settings exported to").await;

            // Another station's file: its names and interval come in, and the screen says so.
            let mut other = exported.clone();
            other["station"]["station_name"] = json!("Poste Nord");
            other["station"]["sync_interval_secs"] = json!(45);
            std::fs::write(&open_file, serde_json::to_vec(&other).unwrap()).unwrap();
            ui.click("settings-import").await;
            let said = ui
                .wait_until("the import's report", DEFAULT_WAIT, || async {
                    ui.exists("settings-import-result").await.then_some(())?;
                    Some(ui.text_of("settings-import-result").await)
                })
                .await;
            assert!(said.contains("station name"), "{said}");
            assert!(said.contains("refresh interval"), "{said}");
            wait_for_field(&ui, "settings-station", "Poste Nord").await;
            wait_for_field(&ui, "settings-sync-interval", "45").await;

            // A file with a password is refused whole: nothing changes, and the screen says why.
            let mut hostile = other.clone();
            hostile["station"]["station_name"] = json!("Poste Pirate");
            hostile["smtp"] = json!({
                "host": "smtp.example.com", "port": 587, "security": "starttls",
                "username": "a@example.com", "from_name": "A", "from_address": "a@example.com",
                "reply_to": null, "password": "hunter2"
            });
            std::fs::write(&open_file, serde_json::to_vec(&hostile).unwrap()).unwrap();
            ui.click("settings-import").await;
            ui.wait_for_testid("settings-import-error", DEFAULT_WAIT)
                .await;
            let error = ui.text_of("settings-import-error").await;
            assert!(error.contains("never imports secrets"), "{error}");
            assert!(error.contains("Nothing was changed"), "{error}");
            ui.click("nav-orders").await;
            ui.click("nav-settings").await;
            wait_for_field(&ui, "settings-station", "Poste Nord").await;
        })
        .await;
    });
}
