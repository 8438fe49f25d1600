//! End-to-end: Comptoir starting on data it cannot open. The real app, with a damaged database
//! in its data folder, opens a window that says what went wrong, shows the error and where the
//! damaged file was kept aside, and opens the data folder on request (through
//! `COMPTOIR_OPEN_LOG`: no file manager is launched).
#![cfg(target_os = "linux")]

mod support;

use std::path::Path;

use support::{block_on, App, Launch, DEFAULT_WAIT};

#[test]
fn a_damaged_database_opens_a_window_with_the_error_and_the_file_kept_aside() {
    block_on(async {
        // The data folder, prepared before the app starts: its demo store is not a database.
        let data = tempfile::Builder::new()
            .prefix("comptoir-e2e-damaged-")
            .tempdir()
            .expect("temp data dir");
        let garbage: Vec<u8> = (0..16_384u32).map(|i| (i * 31 + 7) as u8).collect();
        std::fs::write(data.path().join("demo.sqlite"), &garbage).unwrap();
        let logs = tempfile::tempdir().unwrap();
        let open_log = logs.path().join("opened.log");
        let data_dir = data.path().display().to_string();

        let app = App::launch(
            Launch::new("startup_failure_damaged_database")
                .env("COMPTOIR_DATA_DIR", &data_dir)
                .env("COMPTOIR_OPEN_LOG", &open_log.display().to_string()),
        )
        .await;
        app.run(|ui| async move {
            let screen = ui.wait_for_testid("startup-failure", DEFAULT_WAIT).await;
            assert_eq!(
                screen.attr("data-kind").await.unwrap().as_deref(),
                Some("corrupt")
            );
            let error = ui.text_of("startup-error").await;
            assert!(error.contains("file is not a database"), "{error}");
            let kept = ui.text_of("startup-file").await;
            assert!(
                kept.starts_with(&format!("{data_dir}/demo.sqlite.unreadable-")),
                "{kept}"
            );
            assert_eq!(
                std::fs::read(Path::new(kept.trim())).unwrap(),
                garbage,
                "the file shown is the damaged one, unchanged"
            );
            assert!(!Path::new(&data_dir).join("demo.sqlite").exists());
            assert_eq!(ui.text_of("startup-data-dir").await.trim(), data_dir);
            assert!(ui.exists("startup-restart").await);
            // The app's shell is not there: nothing behind it could work.
            assert!(!ui.exists("mode-badge").await);
            ui.screenshot("startup_failure_damaged_database")
                .await
                .expect("screenshot");

            ui.click("startup-open-folder").await;
            let opened = ui
                .wait_until("the data folder to be opened", DEFAULT_WAIT, || async {
                    std::fs::read_to_string(&open_log)
                        .ok()
                        .filter(|s| !s.is_empty())
                })
                .await;
            assert_eq!(opened.trim(), data_dir);
        })
        .await;
        drop(data);
    });
}
