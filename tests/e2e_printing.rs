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
use std::path::{Path, PathBuf};

use support::{
    block_on, click_row, keys, press, wait_for_order_rows, wait_for_status, wait_for_toast, App,
    Launch, Ui, DEFAULT_WAIT,
};

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

fn job(dir: &Path, n: u32) -> Option<(Vec<String>, String)> {
    let args = std::fs::read_to_string(dir.join(format!("job-{n}.args"))).ok()?;
    let slip = std::fs::read_to_string(dir.join(format!("job-{n}.txt"))).ok()?;
    Some((args.lines().map(str::to_owned).collect(), slip))
}

/// The `lp` stand-in, first on the app's PATH, and the folder where it records its jobs.
struct LpStub {
    dir: tempfile::TempDir,
}

impl LpStub {
    fn install() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        let lp = bin.join("lp");
        std::fs::write(&lp, LP_STUB).unwrap();
        std::fs::set_permissions(&lp, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::create_dir(dir.path().join("jobs")).unwrap();
        LpStub { dir }
    }

    /// The app's PATH: the stub's folder, then the test's PATH.
    fn path(&self) -> String {
        format!(
            "{}:{}",
            self.dir.path().join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        )
    }

    fn jobs(&self) -> PathBuf {
        self.dir.path().join("jobs")
    }
}

/// Waits for `lp` to receive its `n`th job: its arguments and the text it was handed.
async fn wait_for_job(ui: &Ui, jobs: &Path, n: u32) -> (Vec<String>, String) {
    ui.wait_until(&format!("lp to receive job {n}"), DEFAULT_WAIT, || async {
        job(jobs, n)
    })
    .await
}

#[test]
fn print_a_packing_slip_on_the_chosen_printer() {
    block_on(async {
        let stub = LpStub::install();
        let app = App::launch(
            Launch::new("print_a_packing_slip")
                .env("PATH", &stub.path())
                .env("COMPTOIR_LP_STUB_DIR", &stub.jobs().display().to_string()),
        )
        .await;
        let jobs = stub.jobs();
        app.run(move |ui| async move {
            wait_for_order_rows(&ui).await;
            choose_the_printer(&ui).await;
            let number = open_the_first_order(&ui).await;
            print_its_packing_slip(&ui, &jobs, &number).await;
            a_missing_queue_is_told_in_lps_words(&ui, &jobs).await;
            ctrl_p_prints_the_slip_rather_than_the_screen(&ui, &jobs, &number).await;
            print_the_days_slips_in_one_job(&ui, &jobs).await;
            send_a_letter_without_tracking_or_email(&ui).await;
            print_a_test_page(&ui, &jobs).await;
        })
        .await;
    });
}

/// Settings: a name that could pass for an option of lp is refused, a queue name kept.
async fn choose_the_printer(ui: &Ui) {
    ui.click("nav-settings").await;
    ui.type_into("settings-printer", "-o raw").await;
    ui.click("settings-save").await;
    wait_for_toast(ui, "not a printer name").await;
    ui.type_into("settings-printer", "Atelier_Zebra").await;
    ui.click("settings-save").await;
    wait_for_toast(ui, "Settings saved").await;
}

/// Opens the All tab's first order, and returns its number.
async fn open_the_first_order(ui: &Ui) -> String {
    ui.click("nav-orders").await;
    ui.click("orders-tab-all").await;
    click_row(ui, "[data-testid=\"order-row\"]").await;
    ui.wait_for_testid("order-number", DEFAULT_WAIT).await;
    ui.text_of("order-number").await
}

/// The order's detail: Print packing slip.
async fn print_its_packing_slip(ui: &Ui, jobs: &Path, number: &str) {
    ui.click("print-packing-slip").await;
    let (args, slip) = wait_for_job(ui, jobs, 1).await;
    assert_eq!(args.len(), 5, "{args:?}");
    assert_eq!(&args[..2], ["-d", "Atelier_Zebra"]);
    assert_eq!(args[2], "-t");
    assert!(args[3].ends_with(number), "job title {:?}", args[3]);
    let file = Path::new(&args[4]);
    assert!(file.is_absolute(), "{file:?}");
    assert!(slip.contains(number), "{slip}");
    assert!(slip.contains("[ ]"), "a checklist of the items: {slip}");
    wait_for_toast(ui, "Atelier_Zebra").await;
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
}

/// The queue is gone: lp's own words reach the merchant, and nothing is recorded.
async fn a_missing_queue_is_told_in_lps_words(ui: &Ui, jobs: &Path) {
    std::fs::write(jobs.join("offline"), "").unwrap();
    ui.click("print-packing-slip").await;
    wait_for_toast(ui, "does not exist").await;
    let printed = ui
        .count("[data-testid=\"history-entry\"][data-action=\"slip_printed\"]")
        .await;
    assert_eq!(printed, 1, "a failed print is not in the history");
}

/// Back online, Ctrl+P prints the slip rather than the screen.
async fn ctrl_p_prints_the_slip_rather_than_the_screen(ui: &Ui, jobs: &Path, number: &str) {
    std::fs::remove_file(jobs.join("offline")).unwrap();
    press(ui, keys::CTRL_P).await;
    let (args, _) = wait_for_job(ui, jobs, 2).await;
    assert!(args[3].ends_with(number));
}

/// The day's packing: every slip of the To be sent tab in one job, one per page.
async fn print_the_days_slips_in_one_job(ui: &Ui, jobs: &Path) {
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
    let (args, slips) = wait_for_job(ui, jobs, 3).await;
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
    wait_for_toast(ui, &format!("{rows} packing slips")).await;
}

/// A letter, from the To be sent tab: sent without tracking, the customer not emailed.
async fn send_a_letter_without_tracking_or_email(ui: &Ui) {
    click_row(ui, "[data-testid=\"order-row\"]").await;
    ui.click("ship-untracked").await;
    ui.click("untracked-notify").await;
    ui.click("untracked-confirm").await;
    wait_for_status(ui, "sent").await;
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
}

/// Settings: a test page on the printer as typed, before relying on it.
async fn print_a_test_page(ui: &Ui, jobs: &Path) {
    ui.click("nav-settings").await;
    ui.click("print-test-page").await;
    let (args, page) = wait_for_job(ui, jobs, 4).await;
    assert_eq!(&args[..2], ["-d", "Atelier_Zebra"]);
    assert!(page.contains("Atelier_Zebra"), "{page}");
    wait_for_toast(ui, "Test page sent to Atelier_Zebra").await;
    let _ = ui.screenshot("printer_settings").await;
}
