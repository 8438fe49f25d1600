//! End-to-end: one Comptoir per machine (README: One instance per machine). The real app runs;
//! the same binary started again with the same environment hands over to it and exits on its
//! own, while the first keeps running with one mail worker.
//!
//! The harness gives each app its own single-instance name (`COMPTOIR_INSTANCE_ID`, a debug-build
//! test hook), so the end-to-end tests nextest runs side by side never focus each other; the
//! second launch here reuses the first's environment, name included, as a merchant's second
//! click on the icon would.
#![cfg(target_os = "linux")]

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{app_binary, block_on, App, Launch, DEFAULT_WAIT};

/// Everything the app logged so far (its daily files in `logs/`).
fn logged(data_dir: &Path) -> String {
    let mut all = String::new();
    for entry in std::fs::read_dir(data_dir.join("logs"))
        .into_iter()
        .flatten()
    {
        if let Ok(text) = std::fs::read_to_string(entry.unwrap().path()) {
            all.push_str(&text);
        }
    }
    all
}

#[test]
fn a_second_launch_focuses_the_running_app_and_exits_without_a_second_worker() {
    block_on(async {
        let app = App::launch(Launch::new("single_instance")).await;
        let env = app.env.clone();
        let data_dir = app.data_dir().to_owned();
        app.run(|ui| async move {
            ui.wait_for_testid("mode-badge", DEFAULT_WAIT).await;
            ui.wait_until("the first app's mail worker", DEFAULT_WAIT, || async {
                logged(&data_dir)
                    .contains("mail worker started")
                    .then_some(())
            })
            .await;

            let mut second = Command::new(app_binary())
                .env_remove("COMPTOIR_STRIPE_API_BASE")
                .envs(env.iter().map(|(k, v)| (k, v)))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start the app a second time");
            let deadline = Instant::now() + DEFAULT_WAIT;
            let status = loop {
                if let Some(status) = second.try_wait().expect("the second launch's status") {
                    break status;
                }
                if Instant::now() > deadline {
                    let _ = second.kill();
                    let _ = second.wait();
                    panic!("the second launch was still running after {DEFAULT_WAIT:?}");
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            };
            assert!(status.success(), "the second launch exited with {status}");

            ui.wait_until(
                "the first app to focus its window",
                DEFAULT_WAIT,
                || async {
                    logged(&data_dir)
                        .contains("second launch: focused the running window")
                        .then_some(())
                },
            )
            .await;
            let log = logged(&data_dir);
            assert_eq!(
                log.matches("mail worker started").count(),
                1,
                "one mail worker on this data folder:\n{log}"
            );
            assert_eq!(
                log.matches("Comptoir started").count(),
                1,
                "the second launch opened no data:\n{log}"
            );
            // The first app still answers, on the same screen.
            assert!(ui.exists("mode-badge").await);
            let badge = ui.text_of("mode-badge").await;
            assert!(badge.trim().eq_ignore_ascii_case("demo"), "{badge}");
        })
        .await;
    });
}
