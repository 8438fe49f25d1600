//! End to end: printing a packing slip from the order detail of the real app (demo store).
//!
//! No printer (nor CUPS daemon) exists on CI, so `lp` is the one stand-in: a script first on the
//! app's PATH that records its arguments and the slip it was handed, answers like CUPS's `lp`,
//! and refuses the job like a missing queue when told to. Everything else is the real app:
//! Settings validation, the command run through tauri-plugin-shell, the slip's file, the toast
//! and the order's history. The PDF slips `lp` receives are read back as a printer and a
//! scanner would (`slip_tools`: pdftotext, and zbarimg on the page rasterised).
#![cfg(target_os = "linux")]

mod slip_tools;
mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use support::{
    block_on, click_row, dismiss_toasts, keys, press, wait_for_order_rows, wait_for_status,
    wait_for_toast, App, Launch, Ui, DEFAULT_WAIT,
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
cp "$last" "$dir/job-$n.slip"
echo "request id is $printer-$n (1 file(s))"
"#;

/// A job `lp` received: its arguments and the file it was handed.
fn job(dir: &Path, n: u32) -> Option<(Vec<String>, Vec<u8>)> {
    let args = std::fs::read_to_string(dir.join(format!("job-{n}.args"))).ok()?;
    let slip = std::fs::read(dir.join(format!("job-{n}.slip"))).ok()?;
    Some((args.lines().map(str::to_owned).collect(), slip))
}

/// A text job's text.
fn text(slip: Vec<u8>) -> String {
    assert!(!slip.starts_with(b"%PDF"), "a text slip, not a PDF");
    String::from_utf8(slip).unwrap()
}

/// A PDF job, kept in a folder of its own while the test reads it.
fn pdf(slip: &[u8]) -> (tempfile::TempDir, PathBuf) {
    slip_tools::saved(slip)
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

/// Waits for `lp` to receive its `n`th job: its arguments and the file it was handed.
async fn wait_for_job(ui: &Ui, jobs: &Path, n: u32) -> (Vec<String>, Vec<u8>) {
    ui.wait_until(&format!("lp to receive job {n}"), DEFAULT_WAIT, || async {
        job(jobs, n)
    })
    .await
}

#[test]
fn print_a_packing_slip_on_the_chosen_printer() {
    block_on(async {
        let stub = LpStub::install();
        let save_dir = tempfile::tempdir().unwrap();
        let app = App::launch(
            Launch::new("print_a_packing_slip")
                .env("PATH", &stub.path())
                .env("COMPTOIR_LP_STUB_DIR", &stub.jobs().display().to_string())
                .env("COMPTOIR_SAVE_DIR", &save_dir.path().display().to_string()),
        )
        .await;
        let jobs = stub.jobs();
        let saves = save_dir.path().to_owned();
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
            labels_and_the_text_slip_are_a_station_setting(&ui, &jobs, &saves).await;
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
    assert!(args[4].ends_with(".pdf"), "a PDF slip by default: {file:?}");
    // The toast first: it fades while the PDF is read below.
    wait_for_toast(ui, "Atelier_Zebra").await;
    // The PDF slip, A4 unless set: its text reads back, and its barcode scans as the number.
    let (_dir, slip) = pdf(&slip);
    assert_eq!(
        slip_tools::info_of(&slip),
        (1, "595.28 x 841.89 pts (A4)".to_owned())
    );
    let text = slip_tools::flat(&slip_tools::text_of(&slip));
    assert!(
        text.contains("PACKING SLIP") || text.contains("BON DE PRÉPARATION"),
        "{text}"
    );
    assert!(text.contains(number), "{text}");
    assert_eq!(slip_tools::barcodes_of(&slip), [[number]]);
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
    // The toast first: it fades while the PDF is read below.
    wait_for_toast(ui, &format!("{rows} packing slips")).await;
    // One PDF, a slip per order from a page of its own, each with its barcode (the first is
    // scanned).
    let (_dir, slips) = pdf(&slips);
    let (pages, _) = slip_tools::info_of(&slips);
    assert!(pages >= rows, "{pages} pages for {rows} slips");
    let text = slip_tools::text_of(&slips);
    let heads = text.matches("PACKING SLIP").count() + text.matches("BON DE PRÉPARATION").count();
    assert_eq!(heads, rows, "one slip per order");
    let first = slip_tools::barcodes_on(&slips, Some((1, 1)));
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].len(), 1, "the first slip's barcode");
    assert!(text.contains(&first[0][0]), "{text}");
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
    let page = text(page);
    assert_eq!(&args[..2], ["-d", "Atelier_Zebra"]);
    assert!(page.contains("Atelier_Zebra"), "{page}");
    wait_for_toast(ui, "Test page sent to Atelier_Zebra").await;
    let _ = ui.screenshot("printer_settings").await;
}

/// Settings → Packing slips: the text slip for a printer that takes no PDF, and a 4 × 6 in
/// label; "Save slip PDF…" saves the label without printing.
async fn labels_and_the_text_slip_are_a_station_setting(ui: &Ui, jobs: &Path, saves: &Path) {
    ui.wait_for_testid("slip-settings", DEFAULT_WAIT).await;
    let _ = ui.screenshot("slip_settings").await;
    dismiss_toasts(ui).await;
    choose(ui, "slip-format", "text").await;
    wait_for_toast(ui, "Packing slip settings saved").await;
    let number = open_the_first_order(ui).await;
    ui.click("print-packing-slip").await;
    let (args, slip) = wait_for_job(ui, jobs, 5).await;
    assert!(args[4].ends_with(".txt"), "{args:?}");
    let slip = text(slip);
    assert!(slip.contains(&number) && slip.contains("[ ]"), "{slip}");

    ui.click("nav-settings").await;
    for (select, value) in [("slip-format", "pdf"), ("slip-layout", "label_4x6")] {
        dismiss_toasts(ui).await;
        choose(ui, select, value).await;
        wait_for_toast(ui, "Packing slip settings saved").await;
    }
    let number = open_the_first_order(ui).await;
    ui.click("print-packing-slip").await;
    let (_, slip) = wait_for_job(ui, jobs, 6).await;
    let (_dir, slip) = pdf(&slip);
    assert_eq!(slip_tools::info_of(&slip), (1, "288 x 432 pts".to_owned()));
    assert_eq!(slip_tools::barcodes_of(&slip), [[number.clone()]]);

    // Saved, not printed: no new job, and the file is the same label.
    ui.click("save-slip-pdf").await;
    let toast = wait_for_toast(ui, "Packing slip saved to").await;
    let saved = saves.join(format!("Packing slip {number}.pdf"));
    assert!(toast.contains(&saved.display().to_string()), "{toast}");
    assert_eq!(slip_tools::info_of(&saved), (1, "288 x 432 pts".to_owned()));
    assert_eq!(slip_tools::barcodes_of(&saved), [[number]]);
    assert!(job(jobs, 7).is_none(), "saving prints nothing");
    let _ = ui.screenshot("save_slip_pdf").await;
}

/// Picks `value` in the select `testid`, as a click on its option.
async fn choose(ui: &Ui, testid: &str, value: &str) {
    ui.wait_for(
        &format!("[data-testid=\"{testid}\"] option[value=\"{value}\"]"),
        DEFAULT_WAIT,
    )
    .await
    .click()
    .await
    .unwrap();
}
