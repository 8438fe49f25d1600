//! Settings → About Comptoir: the version the station runs, as the window shows it (README:
//! Install). One alone: `bash scripts/test.sh ui nextest -- --test e2e_about`.
#![cfg(target_os = "linux")]

mod support;

use support::{block_on, App, Launch, DEFAULT_WAIT};

#[test]
fn settings_shows_the_version_this_station_runs() {
    block_on(async {
        let app = App::launch(Launch::new("settings_about")).await;
        app.run(|ui| async move {
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
            // Scrolled to the section, as a merchant reaches it at the end of Settings.
            let in_view =
                "const s = document.querySelector('section[aria-labelledby=settings-about]'); \
                 s.scrollIntoView({ block: 'end' }); \
                 const r = s.getBoundingClientRect(); \
                 return r.bottom <= window.innerHeight && r.top >= 0";
            ui.wait_until("the About section in view", DEFAULT_WAIT, || async {
                (support::js(&ui, in_view).await == serde_json::Value::Bool(true)).then_some(())
            })
            .await;
            ui.screenshot("settings_about").await.expect("screenshot");
        })
        .await;
    });
}
