//! Settings → About Comptoir: the version the station runs, as the window shows it (README:
//! Install). One alone: `bash scripts/test.sh ui nextest -- --test e2e_about`.
#![cfg(target_os = "linux")]

mod support;

use support::{block_on, wait_for_opened_links, App, Launch, DEFAULT_WAIT};

#[test]
fn settings_shows_the_version_this_station_runs() {
    block_on(async {
        let scratch = tempfile::tempdir().expect("temp dir");
        let open_log = scratch.path().join("opened.txt");
        let app = App::launch(
            Launch::new("settings_about").env("COMPTOIR_OPEN_LOG", &open_log.display().to_string()),
        )
        .await;
        let logs = app.data_dir().join("logs");
        app.run(move |ui| async move {
            ui.click("nav-settings").await;
            let shown = ui.wait_for_testid("about-version", DEFAULT_WAIT).await;
            let version = support::retry("data-version", || shown.attr("data-version"))
                .await
                .expect("data-version");
            assert_eq!(
                version.as_deref(),
                Some(env!("CARGO_PKG_VERSION")),
                "the version the window read from the app"
            );
            let text = ui.text_of("about-version").await;
            assert!(
                text.contains(env!("CARGO_PKG_VERSION")),
                "the merchant reads the version: {text:?}"
            );
            let heading = support::js_string(
                &ui,
                "return document.getElementById('settings-about').textContent.trim()",
            )
            .await;
            assert!(
                ["About Comptoir", "À propos de Comptoir"].contains(&heading.as_str()),
                "the section's heading: {heading:?}"
            );
            // Scrolled to the section, as a merchant reaches it at the end of Settings (a
            // fraction of a pixel over the edge is rounding, not a hidden section).
            let in_view =
                "const s = document.querySelector('section[aria-labelledby=settings-about]'); \
                 s.scrollIntoView({ block: 'end' }); \
                 const r = s.getBoundingClientRect(); \
                 return r.bottom <= window.innerHeight + 1 && r.top >= 0";
            ui.wait_until("the About section in view", DEFAULT_WAIT, || async {
                (support::js(&ui, in_view).await == serde_json::Value::Bool(true)).then_some(())
            })
            .await;
            ui.screenshot("settings_about").await.expect("screenshot");

            // Open log folder: the data folder's logs/, where today's log already is.
            ui.click("about-open-logs").await;
            let opened = wait_for_opened_links(&ui, &open_log, 1).await;
            assert_eq!(opened, vec![logs.display().to_string()]);
            let today_has_a_log = std::fs::read_dir(&logs)
                .expect("the logs folder")
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("comptoir."));
            assert!(today_has_a_log, "the folder opened holds the app's log");
            assert!(!ui.exists("about-open-logs-error").await, "no error shown");
        })
        .await;
    });
}
