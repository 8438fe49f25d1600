//! End to end: printing a packing slip from the order detail of the real app (demo store).
//!
//! No printer (nor CUPS daemon) exists on CI, so `lp` is the one stand-in: a script first on the
//! app's PATH that records its arguments and the slip it was handed, answers like CUPS's `lp`,
//! and refuses the job like a missing queue when told to. Everything else is the real app:
//! Settings validation, the command run through tauri-plugin-shell, the slip's file, the toast
//! and the order's history.
#![cfg(target_os = "linux")]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use serde_json::Value;
use support::{block_on, App, Launch, Ui, DEFAULT_WAIT};

const LP_STUB: &str = r#"#!/bin/sh
# Stand-in for CUPS lp: records each job's arguments and file, answers as lp does.
dir="$COMPTOIR_LP_STUB_DIR"
if [ -e "$dir/offline" ]; then
    echo "lp: The printer or class does not exist." >&2
    exit 1
fi
n=$(( $(cat "$dir/count" 2>/dev/null || echo 0) + 1 ))
echo "$n" > "$dir/count"
printer=Default
prev=
for a in "$@"; do
    printf '%s\n' "$a" >> "$dir/job-$n.args"
    [ "$prev" = "-d" ] && printer="$a"
    prev="$a"
    last="$a"
done
cp "$last" "$dir/job-$n.txt"
echo "request id is $printer-$n (1 file(s))"
"#;

async fn js(ui: &Ui, script: &str) -> Value {
    support::retry("script", || ui.client.execute(script, vec![]))
        .await
        .expect("script")
}

/// Waits for a toast whose text contains `needle`, and returns its text.
async fn toast_with(ui: &Ui, needle: &str) -> String {
    let script = "return Array.from(document.querySelectorAll('[data-testid=toast]')).map(t => t.textContent).join('\\n')";
    ui.wait_until(
        &format!("a toast saying {needle:?}"),
        DEFAULT_WAIT,
        || async {
            let text = js(ui, script).await.as_str().unwrap_or_default().to_owned();
            text.contains(needle).then_some(text)
        },
    )
    .await
}

fn job(dir: &Path, n: u32) -> Option<(Vec<String>, String)> {
    let args = std::fs::read_to_string(dir.join(format!("job-{n}.args"))).ok()?;
    let slip = std::fs::read_to_string(dir.join(format!("job-{n}.txt"))).ok()?;
    Some((args.lines().map(str::to_owned).collect(), slip))
}

#[test]
fn print_a_packing_slip_on_the_chosen_printer() {
    block_on(async {
        let stub = tempfile::tempdir().unwrap();
        let bin = stub.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        let lp = bin.join("lp");
        std::fs::write(&lp, LP_STUB).unwrap();
        std::fs::set_permissions(&lp, std::fs::Permissions::from_mode(0o755)).unwrap();
        let jobs = stub.path().join("jobs");
        std::fs::create_dir(&jobs).unwrap();
        let path = format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );

        let app = App::launch(
            Launch::new("print_a_packing_slip")
                .env("PATH", &path)
                .env("COMPTOIR_LP_STUB_DIR", &jobs.display().to_string()),
        )
        .await;
        let jobs_dir = jobs.clone();
        app.run(move |ui| async move {
            let jobs = jobs_dir;
            ui.wait_for("[data-testid=\"order-row\"]", DEFAULT_WAIT)
                .await;

            // Settings: a name that could pass for an option of lp is refused, a queue name kept.
            ui.click("nav-settings").await;
            ui.type_into("settings-printer", "-o raw").await;
            ui.click("settings-save").await;
            toast_with(&ui, "not a printer name").await;
            ui.type_into("settings-printer", "Atelier_Zebra").await;
            ui.click("settings-save").await;
            toast_with(&ui, "Settings saved").await;

            // An order's detail: Print packing slip.
            ui.click("nav-orders").await;
            ui.click("orders-tab-all").await;
            ui.wait_for("[data-testid=\"order-row\"] td", DEFAULT_WAIT)
                .await
                .click()
                .await
                .expect("open the first order");
            ui.wait_for_testid("order-number", DEFAULT_WAIT).await;
            let number = ui.text_of("order-number").await;
            ui.click("print-packing-slip").await;
            let (args, slip) = ui
                .wait_until("lp to receive the slip", DEFAULT_WAIT, || async {
                    job(&jobs, 1)
                })
                .await;
            assert_eq!(args.len(), 5, "{args:?}");
            assert_eq!(&args[..2], ["-d", "Atelier_Zebra"]);
            assert_eq!(args[2], "-t");
            assert!(args[3].ends_with(&number), "job title {:?}", args[3]);
            let file = Path::new(&args[4]);
            assert!(file.is_absolute(), "{file:?}");
            assert!(slip.contains(&number), "{slip}");
            assert!(slip.contains("[ ]"), "a checklist of the items: {slip}");
            toast_with(&ui, "Atelier_Zebra").await;
            ui.wait_for(
                "[data-testid=\"history-entry\"][data-action=\"slip_printed\"]",
                DEFAULT_WAIT,
            )
            .await;
            assert!(
                !file.exists(),
                "the slip (a customer's address) is not left on disk"
            );
            let _ = ui.screenshot("print_a_packing_slip").await;

            // The queue is gone: lp's own words reach the merchant, and nothing is recorded.
            std::fs::write(jobs.join("offline"), "").unwrap();
            ui.click("print-packing-slip").await;
            toast_with(&ui, "does not exist").await;
            let printed = ui
                .count("[data-testid=\"history-entry\"][data-action=\"slip_printed\"]")
                .await;
            assert_eq!(printed, 1, "a failed print is not in the history");

            // Back online, Ctrl+P prints the slip rather than the screen.
            std::fs::remove_file(jobs.join("offline")).unwrap();
            support::retry("Ctrl+P", || async {
                ui.client
                    .find(fantoccini::Locator::Css("body"))
                    .await?
                    .send_keys("\u{E009}p\u{E000}")
                    .await
            })
            .await
            .expect("Ctrl+P");
            let (args, _) = ui
                .wait_until("the second job", DEFAULT_WAIT, || async { job(&jobs, 2) })
                .await;
            assert!(args[3].ends_with(&number));

            // The day's packing: every slip of the To be sent tab in one job, one per page.
            ui.click("order-back").await;
            ui.click("orders-tab-to_be_sent").await;
            let rows = ui
                .wait_until("the To be sent rows", DEFAULT_WAIT, || async {
                    let n = ui
                        .count("[data-testid=\"order-row\"][data-status=\"to_be_sent\"]")
                        .await;
                    let all = ui.count("[data-testid=\"order-row\"]").await;
                    (n > 1 && n == all).then_some(n)
                })
                .await;
            ui.click("print-slips").await;
            ui.click("print-slips-dialog-confirm").await;
            let (args, slips) = ui
                .wait_until("the batch job", DEFAULT_WAIT, || async { job(&jobs, 3) })
                .await;
            assert_eq!(&args[..2], ["-d", "Atelier_Zebra"]);
            assert!(
                args[3].contains(&format!("({rows})")),
                "job title {:?}",
                args[3]
            );
            let pages: Vec<&str> = slips.split('\u{c}').collect();
            assert_eq!(pages.len(), rows, "one slip per order, one per page");
            assert!(pages
                .iter()
                .all(|p| p.starts_with("PACKING SLIP") || p.starts_with("BON DE PRÉPARATION")));
            toast_with(&ui, &format!("{rows} packing slips")).await;

            // A letter: sent without tracking, the customer not emailed.
            ui.wait_for("[data-testid=\"order-row\"] td", DEFAULT_WAIT)
                .await
                .click()
                .await
                .expect("open a To be sent order");
            ui.click("ship-untracked").await;
            ui.click("untracked-notify").await;
            ui.click("untracked-confirm").await;
            ui.wait_until("the order to be Sent", DEFAULT_WAIT, || async {
                (ui.attr_of("order-status", "data-status").await.as_deref() == Some("sent"))
                    .then_some(())
            })
            .await;
            assert!(
                ui.exists("no-tracking").await,
                "says there is no tracking link"
            );
            assert!(!ui.exists("view-tracking-link").await);
            let shipped = ui
                .count("[data-testid=\"history-entry\"][data-action=\"shipped\"]")
                .await;
            assert_eq!(shipped, 1);
            let history = ui.text_of("order-history").await;
            assert!(history.contains("no tracking; no email"), "{history}");
            let _ = ui.screenshot("sent_without_tracking").await;

            // Settings: a test page on the printer as typed, before relying on it.
            ui.click("nav-settings").await;
            ui.click("print-test-page").await;
            let (args, page) = ui
                .wait_until("the test page", DEFAULT_WAIT, || async { job(&jobs, 4) })
                .await;
            assert_eq!(&args[..2], ["-d", "Atelier_Zebra"]);
            assert!(page.contains("Atelier_Zebra"), "{page}");
            toast_with(&ui, "Test page sent to Atelier_Zebra").await;
            let _ = ui.screenshot("printer_settings").await;
        })
        .await;
    });
}
