//! Packing slips from orders mapped from the fixture-derived demo data.

use comptoir_core::dataset::Dataset;
use comptoir_core::lang::Lang;
use comptoir_core::model::DeliveryKind;
use comptoir_core::money;
use comptoir_core::printing::{packing_slip, packing_slips};
use comptoir_core::stripe::mapping;

#[test]
fn a_slip_lists_what_to_pack_and_where_it_goes_without_prices() {
    let data = Dataset::demo(1_790_000_000);
    let no_name = |_: &str| None;
    let pickup_rate = |id: &str, name: Option<&str>| {
        name.is_some_and(|n| n.to_lowercase().contains("retrait")) || id.contains("pickup")
    };
    let mut seen = (false, false, false);
    let mut all = Vec::new();
    for s in data
        .checkout_sessions
        .iter()
        .filter(|s| Dataset::is_order(s))
    {
        let items = &data.session_line_items[s["id"].as_str().unwrap()];
        let Some(mut order) =
            mapping::order_from_session(s, items, &no_name, &pickup_rate).unwrap()
        else {
            continue;
        };
        // Customer text with a printer escape sequence and a line break.
        order.billing.name = Some("Zoé\u{1b}[2J\r\nMartin".into());
        let job = packing_slip(&order, "Épicerie Léa", Lang::En);
        let text = job.document.text().unwrap();
        assert!(job.title.ends_with(&order.number), "{}", job.title);
        assert!(
            text.starts_with("PACKING SLIP \u{2014} Épicerie Léa\n"),
            "{text}"
        );
        assert!(text.contains(&format!("Order {}", order.number)));
        for l in &order.lines {
            assert!(
                text.contains(&format!("[ ] {:>3} \u{d7} {}", l.quantity, l.description)),
                "{text}"
            );
        }
        assert!(text.contains(&format!("Items: {}", order.item_count())));
        // The checkout fields, each with its label, before the checklist.
        let checklist = text.find("[ ]").unwrap_or(text.len());
        for f in &order.custom_fields {
            seen.2 = true;
            let at = text.find(&format!("\n{}:", f.label)).expect(text);
            assert!(at < checklist, "{text}");
            let first_word = f.value.as_deref().and_then(|v| v.split_whitespace().next());
            assert!(
                first_word.is_none_or(|w| text[at..checklist].contains(w)),
                "{text}"
            );
        }
        assert!(!text.contains('\u{1b}') && !text.contains('\r'), "{text:?}");
        for total in [
            money::with_code(order.amount_total, &order.currency, Lang::En),
            money::format(order.amount_total, &order.currency, Lang::En),
        ] {
            assert!(!text.contains(&total), "no prices on a slip: {text}");
        }
        match order.delivery_kind {
            DeliveryKind::Pickup => {
                seen.0 = true;
                assert!(text.contains("Pickup by:\n  Zoé [2J Martin\n"), "{text}");
            }
            _ => {
                let to = order.shipping.as_ref().unwrap_or(&order.billing);
                if let Some(city) = to.address.as_ref().and_then(|a| a.city.as_deref()) {
                    seen.1 = true;
                    assert!(text.contains("Ship to:\n"), "{text}");
                    assert!(text.contains(city), "{text}");
                }
            }
        }
        all.push(order.clone());
        let fr = packing_slip(&order, "Épicerie Léa", Lang::Fr);
        assert!(fr
            .document
            .text()
            .unwrap()
            .starts_with("BON DE PRÉPARATION"));
        assert!(fr.title.starts_with("Bon de préparation "));
    }
    assert!(seen.1, "a delivery was checked");
    assert!(seen.2, "an order with checkout fields was checked");

    // The day's packing: one job, one slip per page, in the list's order.
    let batch = packing_slips(&all, "Épicerie Léa", Lang::En);
    assert_eq!(batch.title, format!("Packing slips ({})", all.len()));
    let pages: Vec<&str> = batch.document.text().unwrap().split('\u{c}').collect();
    assert_eq!(pages.len(), all.len());
    for (page, order) in pages.iter().zip(&all) {
        assert_eq!(
            *page,
            packing_slip(order, "Épicerie Léa", Lang::En)
                .document
                .text()
                .unwrap()
        );
    }
}

/// Running `lp`: a stand-in script plays the print system (no CUPS on CI). It is handed to
/// `run_lp` as the program, as `lp` would be found first on the app's `PATH`. (GNU `stat`.)
#[cfg(target_os = "linux")]
mod lp {
    use std::os::unix::fs::PermissionsExt;
    use std::path::{Path, PathBuf};
    use std::time::{Duration, Instant};

    use comptoir_core::printing::{run_lp, write_slip, Document, LpCommand, PrintError, PrintJob};

    const TEXT: &str = "PACKING SLIP\nShip to:\n  Zoé Martin\n  12 rue des Lilas\n";

    fn job() -> PrintJob {
        PrintJob {
            title: "Packing slip CPT-0042".into(),
            document: Document::Text(TEXT.into()),
            printer: Some("Brother".into()),
        }
    }

    #[test]
    fn a_pdf_slip_is_written_as_it_is_under_a_pdf_name() {
        let root = tempfile::tempdir().unwrap();
        let bytes = b"%PDF-1.7\n\xe9\x80 binary\n%%EOF".to_vec();
        let pdf = PrintJob {
            document: Document::Pdf(bytes.clone()),
            ..job()
        };
        let slip = write_slip(&pdf, Some(root.path())).unwrap();
        assert_eq!(slip.path().file_name().unwrap(), "slip.pdf");
        assert_eq!(std::fs::read(slip.path()).unwrap(), bytes);
        assert_eq!(mode(slip.path()), 0o600);
        let text = write_slip(&job(), Some(root.path())).unwrap();
        assert_eq!(text.path().file_name().unwrap(), "slip.txt");
    }

    /// Writes an executable `lp` script into `dir`.
    fn fake_lp(dir: &Path, body: &str) -> PathBuf {
        let path = dir.join("lp");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    fn command(program: &Path, slips: &Path, timeout: Duration) -> LpCommand {
        LpCommand {
            program: program.into(),
            timeout,
            slips_dir: Some(slips.to_owned()),
        }
    }

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_slip_is_a_new_file_only_its_user_reads_in_a_folder_of_its_own() {
        let root = tempfile::tempdir().unwrap();
        let slips = root.path().join("slips");
        let a = write_slip(&job(), Some(&slips)).unwrap();
        let b = write_slip(&job(), Some(&slips)).unwrap();
        assert_ne!(a.dir(), b.dir(), "each slip has its own folder");
        assert_eq!(mode(a.dir()), 0o700, "folder");
        assert_eq!(mode(a.path()), 0o600, "file");
        assert!(a.path().starts_with(&slips));
        assert_eq!(std::fs::read_to_string(a.path()).unwrap(), TEXT);
        let dir = a.dir().to_owned();
        drop(a);
        assert!(!dir.exists(), "removed with the slip");
        assert!(b.path().exists());
    }

    #[tokio::test]
    async fn lp_gets_the_private_slip_and_its_answer_comes_back() {
        let root = tempfile::tempdir().unwrap();
        let seen = root.path().join("seen");
        std::fs::create_dir(&seen).unwrap();
        // What lp saw: its arguments, the file's and folder's modes, the text.
        let lp = fake_lp(
            root.path(),
            &format!(
                r#"for f; do :; done
echo "$@" > {seen}/args
stat -c %a "$f" > {seen}/file_mode
stat -c %a "$(dirname "$f")" > {seen}/dir_mode
echo "$f" > {seen}/path
cat "$f" > {seen}/text
echo
echo "request id is Brother-12 (1 file(s))""#,
                seen = seen.display()
            ),
        );
        let answer = run_lp(
            &job(),
            &command(&lp, &root.path().join("slips"), Duration::from_secs(20)),
        )
        .await
        .unwrap();
        assert_eq!(answer, "request id is Brother-12 (1 file(s))");
        let read = |name: &str| std::fs::read_to_string(seen.join(name)).unwrap();
        assert!(
            read("args").starts_with("-d Brother -t Packing slip CPT-0042 /"),
            "{}",
            read("args")
        );
        assert_eq!(read("file_mode").trim(), "600");
        assert_eq!(read("dir_mode").trim(), "700");
        assert_eq!(read("text"), TEXT);
        let path = PathBuf::from(read("path").trim());
        assert!(!path.exists(), "the slip is gone once lp has queued it");
        assert!(!path.parent().unwrap().exists());
    }

    #[tokio::test]
    async fn lp_that_hangs_is_stopped_and_the_slip_reported_as_not_printed() {
        let root = tempfile::tempdir().unwrap();
        let pid_file = root.path().join("pid");
        // Records its pid, then becomes a long sleep (exec: the same process).
        let lp = fake_lp(
            root.path(),
            &format!("echo $$ > {}\nexec sleep 600", pid_file.display()),
        );
        let slips = root.path().join("slips");
        let started = Instant::now();
        let e = run_lp(&job(), &command(&lp, &slips, Duration::from_millis(800)))
            .await
            .unwrap_err();
        assert_eq!(e, PrintError::TimedOut(1));
        let message = e.to_string();
        assert!(
            message.contains("did not answer within 1 s") && message.contains("not printed"),
            "{message}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "stopped long before the stand-in's sleep ends"
        );
        let pid = std::fs::read_to_string(&pid_file).unwrap();
        assert!(
            !Path::new(&format!("/proc/{}", pid.trim())).exists(),
            "the stopped lp (pid {}) is killed and reaped",
            pid.trim()
        );
        assert_eq!(
            std::fs::read_dir(&slips).unwrap().count(),
            0,
            "no slip left behind"
        );
    }

    #[tokio::test]
    async fn a_refusal_says_what_lp_said() {
        let root = tempfile::tempdir().unwrap();
        let lp = fake_lp(
            root.path(),
            "echo 'lp: The printer or class does not exist.' >&2\nexit 1",
        );
        let e = run_lp(
            &job(),
            &command(&lp, &root.path().join("slips"), Duration::from_secs(20)),
        )
        .await
        .unwrap_err();
        assert_eq!(
            e,
            PrintError::Refused("lp: The printer or class does not exist.".into())
        );
        let silent = fake_lp(root.path(), "exit 3");
        let e = run_lp(
            &job(),
            &command(&silent, &root.path().join("slips"), Duration::from_secs(20)),
        )
        .await
        .unwrap_err();
        assert!(e.to_string().contains("lp exit code 3"), "{e}");
    }

    #[tokio::test]
    async fn without_lp_the_app_says_there_is_no_print_system() {
        let root = tempfile::tempdir().unwrap();
        let e = run_lp(
            &job(),
            &command(
                &root.path().join("no-such-lp"),
                &root.path().join("slips"),
                Duration::from_secs(20),
            ),
        )
        .await
        .unwrap_err();
        assert_eq!(e, PrintError::NoPrintSystem);
        assert!(e.to_string().contains("CUPS"), "{e}");
    }
}
