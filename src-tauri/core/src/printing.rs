//! Packing slips for the packing station, printed through the system's print queue (CUPS `lp`,
//! on Linux and macOS). This module writes the slip and the `lp` arguments; the app runs `lp`
//! through tauri-plugin-shell, the only program it ever runs, from Rust (the web UI has no
//! shell permission at all).
//!
//! A slip carries what the packer needs: the order number, the ship-to address (or "pickup"),
//! the delivery method, the fields the customer filled in at checkout (a gift message to copy
//! onto a card, delivery instructions, a gift wrap) and a checklist of the cart lines with their
//! quantities. The PDF slip (`pdf.rs`, the default) adds the order number's Code 128 barcode and
//! the prices, except on a gift ([`is_gift`]); the text slip has no prices.

use std::path::Path;

use crate::lang::Lang;
use crate::model::{Contact, DeliveryKind, Order, SlipLayout, Timestamp};

mod lp;
pub mod pdf;
pub mod winansi;
pub use lp::{run_lp, run_lp_with, write_slip, LpCommand, SlipFile, LP_TIMEOUT};

/// What a print job hands to `lp`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Document {
    /// UTF-8 plain text (the text slip, the test page).
    Text(String),
    /// A PDF (`application/pdf`, which CUPS takes as it is).
    Pdf(Vec<u8>),
}

impl Document {
    pub fn bytes(&self) -> &[u8] {
        match self {
            Document::Text(t) => t.as_bytes(),
            Document::Pdf(b) => b,
        }
    }

    /// The text, for a text document.
    pub fn text(&self) -> Option<&str> {
        match self {
            Document::Text(t) => Some(t),
            Document::Pdf(_) => None,
        }
    }

    /// The name of the file `lp` is handed (its extension tells CUPS the type as well).
    pub fn file_name(&self) -> &'static str {
        match self {
            Document::Text(_) => "slip.txt",
            Document::Pdf(_) => "slip.pdf",
        }
    }
}

/// One slip, ready for `lp`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintJob {
    /// The job's name in the print queue.
    pub title: String,
    /// The slip.
    pub document: Document,
    /// The CUPS queue; `None` prints on the system's default printer.
    pub printer: Option<String>,
}

/// Whether an order is a gift, so its PDF slip shows no prices (README: Packing slips as PDF):
/// one of its checkout fields is named for a gift (its key or label says "gift", "cadeau" or
/// "offrir") and was filled in with something other than a no ("no", "non", "none", "aucun",
/// "false", "0", "-").
pub fn is_gift(order: &Order) -> bool {
    order.custom_fields.iter().any(|f| {
        let name = format!("{} {}", f.key, f.label).to_lowercase();
        let named = ["gift", "cadeau", "offrir"]
            .iter()
            .any(|w| name.contains(w));
        let answered = f.value.as_deref().is_some_and(|v| {
            let v = v.trim().to_lowercase();
            !v.is_empty()
                && ![
                    "no", "non", "none", "aucun", "aucune", "false", "0", "-", "n", "nope",
                ]
                .contains(&v.as_str())
        });
        named && answered
    })
}

/// The job title of one order's slip.
fn slip_title(order: &Order, lang: Lang) -> String {
    format!(
        "{} {}",
        lang.pick("Bon de préparation", "Packing slip"),
        clean(&order.number, 40)
    )
}

/// The title of several orders' slips in one job.
fn slips_title(count: usize, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("Bons de préparation ({count})"),
        Lang::En => format!("Packing slips ({count})"),
    }
}

/// The file name "Save slip PDF…" offers: `Bon de préparation CPT-0042.pdf` in French,
/// `Packing slip CPT-0042.pdf` otherwise. Characters no file system accepts become "-".
pub fn slip_file_name(number: &str, lang: Lang) -> String {
    let number: String = clean(number, 40)
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '-'
            } else {
                c
            }
        })
        .collect();
    let word = lang.pick("Bon de préparation", "Packing slip");
    match number.trim() {
        "" => format!("{word}.pdf"),
        n => format!("{word} {n}.pdf"),
    }
}

/// Writes `bytes` to `dest` through a new file beside it renamed into place, so a cut-short
/// write never leaves half a PDF under the chosen name.
pub fn save_file(dest: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let folder = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".comptoir-slip-")
        .suffix(".partial")
        .tempfile_in(folder)?;
    std::io::Write::write_all(&mut tmp, bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(dest).map_err(|e| e.error)?;
    Ok(())
}

/// The PDF slip of an order in `layout` (README: Packing slips as PDF).
pub fn packing_slip_pdf(order: &Order, shop: &str, lang: Lang, layout: SlipLayout) -> PrintJob {
    let title = slip_title(order, lang);
    PrintJob {
        document: Document::Pdf(pdf::render(
            std::slice::from_ref(order),
            shop,
            lang,
            layout,
            &title,
        )),
        title,
        printer: None,
    }
}

/// The PDF slips of several orders as one job, each from a page of its own.
pub fn packing_slips_pdf(orders: &[Order], shop: &str, lang: Lang, layout: SlipLayout) -> PrintJob {
    let title = slips_title(orders.len(), lang);
    PrintJob {
        document: Document::Pdf(pdf::render(orders, shop, lang, layout, &title)),
        title,
        printer: None,
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PrintError {
    #[error(
        "\u{201c}{0}\u{201d} is not a printer name: use the queue name your system shows (letters, digits, - _ . @), or leave it empty for the default printer"
    )]
    BadPrinterName(String),
    #[error("No print system on this computer: direct printing uses CUPS (the lp command), which macOS and Linux provide")]
    NoPrintSystem,
    #[error("The print system could not be started: {0}")]
    CannotStart(String),
    #[error("The slip could not be prepared for printing: {0}")]
    Slip(String),
    #[error("The print system did not answer within {0} s and was stopped, so the slip was not printed. Check the printer in the system's settings, then print again")]
    TimedOut(u64),
    /// What `lp` said when it refused the job.
    #[error("{0}")]
    Refused(String),
}

impl PrintError {
    /// The problem the window puts into words.
    pub fn problem(&self) -> crate::problem::Problem {
        use crate::problem::Problem;
        match self {
            PrintError::BadPrinterName(name) => Problem::PrinterName { name: name.clone() },
            PrintError::NoPrintSystem => Problem::NoPrintSystem,
            PrintError::TimedOut(seconds) => Problem::PrintTimedOut {
                seconds: u32::try_from(*seconds).unwrap_or(u32::MAX),
            },
            PrintError::CannotStart(detail)
            | PrintError::Slip(detail)
            | PrintError::Refused(detail) => Problem::PrintFailed {
                detail: detail.clone(),
            },
        }
    }
}

/// Checks a printer (CUPS queue) name from Settings. Empty means the default printer. Names
/// are the queue names CUPS allows, and never start with `-`, so one can never be read as an
/// option of `lp`.
pub fn validate_printer(name: &str) -> Result<Option<String>, PrintError> {
    let name = name.trim();
    if name.is_empty() {
        return Ok(None);
    }
    let ok = name.len() <= 127
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'));
    if ok {
        Ok(Some(name.to_owned()))
    } else {
        Err(PrintError::BadPrinterName(clean(name, 40)))
    }
}

/// The arguments of `lp` that print `file` (the slip, written by the caller under an absolute
/// path, so it can never look like an option) for `job`.
pub fn lp_args(job: &PrintJob, file: &Path) -> Vec<String> {
    let mut args = Vec::new();
    if let Some(p) = &job.printer {
        args.push("-d".to_owned());
        args.push(p.clone());
    }
    args.push("-t".to_owned());
    args.push(job.title.clone());
    args.push(file.display().to_string());
    args
}

/// Customer text on paper: control characters (which a raw printer may take as commands) and
/// line breaks become spaces, and long values are cut.
fn clean(text: &str, max: usize) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let flat = flat.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > max {
        let cut: String = flat.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}\u{2026}")
    } else {
        flat
    }
}

/// Customer text too long for one line of the slip, cleaned like [`clean`] and cut at spaces
/// into lines of at most `width` characters (a word longer than that is cut where it must).
fn wrap(text: &str, width: usize, max: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in clean(text, max).split(' ').filter(|w| !w.is_empty()) {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > width {
            if !cur.is_empty() {
                lines.push(std::mem::take(&mut cur));
            }
            lines.push(word.drain(..width).collect());
        }
        let word: String = word.into_iter().collect();
        if word.is_empty() {
            continue;
        }
        if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(&word);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

fn date(ts: Timestamp) -> String {
    time::OffsetDateTime::from_unix_timestamp(ts)
        .map(|t| format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day()))
        .unwrap_or_default()
}

fn address_lines(c: &Contact) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(n) = c.name.as_deref() {
        lines.push(clean(n, 60));
    }
    if let Some(a) = &c.address {
        for l in [&a.line1, &a.line2].into_iter().flatten() {
            lines.push(clean(l, 60));
        }
        let city = [a.postal_code.as_deref(), a.city.as_deref()]
            .into_iter()
            .flatten()
            .map(|s| clean(s, 40))
            .collect::<Vec<_>>()
            .join(" ");
        if !city.is_empty() {
            lines.push(city);
        }
        for l in [&a.state, &a.country].into_iter().flatten() {
            lines.push(clean(l, 40));
        }
    }
    if let Some(p) = c.phone.as_deref() {
        lines.push(clean(p, 30));
    }
    lines.retain(|l| !l.is_empty());
    lines
}

/// The slip of an order, in French or English (the merchant's language).
pub fn packing_slip(order: &Order, shop: &str, lang: Lang) -> PrintJob {
    let tr = |fr: &'static str, en: &'static str| lang.pick(fr, en);
    let rule = "-".repeat(60);
    let mut out = String::new();
    out.push_str(&format!(
        "{} \u{2014} {}\n",
        tr("BON DE PRÉPARATION", "PACKING SLIP"),
        clean(shop, 40)
    ));
    out.push_str(&format!(
        "{} {}    {}\n{rule}\n",
        tr("Commande", "Order"),
        clean(&order.number, 40),
        date(order.created)
    ));
    let pickup = order.delivery_kind == DeliveryKind::Pickup;
    let (heading, contact) = if pickup {
        (tr("Retrait par :", "Pickup by:"), &order.billing)
    } else {
        (
            tr("Livrer à :", "Ship to:"),
            order.shipping.as_ref().unwrap_or(&order.billing),
        )
    };
    out.push_str(heading);
    out.push('\n');
    for l in address_lines(contact) {
        out.push_str(&format!("  {l}\n"));
    }
    let method = order
        .delivery_method
        .as_deref()
        .map(|m| clean(m, 50))
        .unwrap_or_else(|| {
            tr(
                if pickup { "Retrait" } else { "Livraison" },
                if pickup { "Pickup" } else { "Delivery" },
            )
            .to_owned()
        });
    out.push_str(&format!("{} {method}\n", tr("Mode :", "Method:")));
    // Each field whole, on as many lines as it takes: a gift message is copied onto a card.
    for f in &order.custom_fields {
        let head = format!("{}{}", clean(&f.label, 40), tr(" :", ":"));
        let value = f
            .value
            .as_deref()
            .map(|v| wrap(v, 58, 300))
            .unwrap_or_default();
        match value.split_first() {
            Some((first, rest)) if head.chars().count() + 1 + first.chars().count() <= 60 => {
                out.push_str(&format!("{head} {first}\n"));
                for l in rest {
                    out.push_str(&format!("  {l}\n"));
                }
            }
            Some(_) => {
                out.push_str(&format!("{head}\n"));
                for l in &value {
                    out.push_str(&format!("  {l}\n"));
                }
            }
            None => out.push_str(&format!("{head} \u{2014}\n")),
        }
    }
    out.push_str(&format!("{rule}\n"));
    for l in &order.lines {
        out.push_str(&format!(
            "[ ] {:>3} \u{d7} {}\n",
            l.quantity,
            clean(&l.description, 50)
        ));
    }
    out.push_str(&format!(
        "{rule}\n{} {}\n\n{}\n",
        tr("Articles :", "Items:"),
        order.item_count(),
        tr(
            "Préparé par : ____________    Vérifié par : ____________",
            "Packed by: ____________    Checked by: ____________"
        )
    ));
    PrintJob {
        title: slip_title(order, lang),
        document: Document::Text(out),
        printer: None,
    }
}

/// A test page for Settings: proves the queue prints, and how wide a line the paper takes.
pub fn test_page(printer: Option<&str>, station: &str, lang: Lang, now: Timestamp) -> PrintJob {
    let tr = |fr: &'static str, en: &'static str| lang.pick(fr, en);
    let rule = "-".repeat(60);
    let when = time::OffsetDateTime::from_unix_timestamp(now)
        .map(|t| format!("{} {:02}:{:02} UTC", date(now), t.hour(), t.minute()))
        .unwrap_or_default();
    let text = format!(
        "{}\n{rule}\n{} {}\n{} {}\n{} {when}\n{rule}\n{}\n123456789012345678901234567890123456789012345678901234567890\n",
        tr("COMPTOIR \u{2014} PAGE DE TEST", "COMPTOIR \u{2014} TEST PAGE"),
        tr("Imprimante :", "Printer:"),
        printer.unwrap_or(tr("imprimante par défaut", "default printer")),
        tr("Poste :", "Station:"),
        clean(station, 60),
        tr("Le :", "At:"),
        tr(
            "Les bons de préparation tiennent sur 60 caractères :",
            "Packing slips use 60 characters a line:"
        ),
    );
    PrintJob {
        title: tr("Comptoir page de test", "Comptoir test page").to_owned(),
        document: Document::Text(text),
        printer: printer.map(str::to_owned),
    }
}

/// Most slips printed in one go: a day's packing, not a whole history by mistake.
pub const MAX_BATCH: usize = 200;

/// The slips of several orders as one print job, one slip per page (form feeds between them).
pub fn packing_slips(orders: &[Order], shop: &str, lang: Lang) -> PrintJob {
    let text = orders
        .iter()
        .map(|o| packing_slip(o, shop, lang).document)
        .filter_map(|d| match d {
            Document::Text(t) => Some(t),
            Document::Pdf(_) => None,
        })
        .collect::<Vec<_>>()
        .join("\u{c}");
    PrintJob {
        title: slips_title(orders.len(), lang),
        document: Document::Text(text),
        printer: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printer_names_are_cups_queue_names_or_nothing() {
        for (input, expected) in [
            ("", Ok(None)),
            ("   ", Ok(None)),
            ("Brother_QL-820NWB", Ok(Some("Brother_QL-820NWB"))),
            (" atelier.zebra@cups ", Ok(Some("atelier.zebra@cups"))),
        ] {
            assert_eq!(
                validate_printer(input),
                expected.map(|o| o.map(str::to_owned)),
                "{input:?}"
            );
        }
        for bad in [
            "-o raw",
            "--help",
            "my printer",
            "a/b",
            "x;rm -rf /",
            "\u{1b}[2J",
            "é",
            &"p".repeat(128),
        ] {
            assert!(
                matches!(validate_printer(bad), Err(PrintError::BadPrinterName(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn lp_gets_the_queue_the_title_and_the_file() {
        let job = PrintJob {
            title: "Packing slip CPT-0147".into(),
            document: Document::Text(String::new()),
            printer: Some("zebra".into()),
        };
        assert_eq!(
            lp_args(&job, Path::new("/tmp/slip.txt")),
            [
                "-d",
                "zebra",
                "-t",
                "Packing slip CPT-0147",
                "/tmp/slip.txt"
            ]
        );
        let default = PrintJob {
            printer: None,
            ..job
        };
        assert_eq!(
            lp_args(&default, Path::new("/tmp/slip.txt")),
            ["-t", "Packing slip CPT-0147", "/tmp/slip.txt"]
        );
    }

    #[test]
    fn a_test_page_names_the_printer_and_shows_the_line_width() {
        let page = test_page(Some("zebra"), "Atelier\u{1b}", Lang::En, 1_795_000_000);
        assert_eq!(page.printer.as_deref(), Some("zebra"));
        assert!(page
            .document
            .text()
            .unwrap()
            .starts_with("COMPTOIR \u{2014} TEST PAGE\n"));
        assert!(
            page.document
                .text()
                .unwrap()
                .contains("Printer: zebra\nStation: Atelier\n"),
            "{}",
            page.document.text().unwrap()
        );
        assert!(
            page.document
                .text()
                .unwrap()
                .contains("At: 2026-11-18 11:06 UTC"),
            "{}",
            page.document.text().unwrap()
        );
        assert!(page
            .document
            .text()
            .unwrap()
            .lines()
            .any(|l| l.len() == 60 && l.starts_with("1234")));
        let fr = test_page(None, "", Lang::Fr, 0);
        assert!(
            fr.document
                .text()
                .unwrap()
                .contains("Imprimante : imprimante par défaut"),
            "{}",
            fr.document.text().unwrap()
        );
        assert_eq!(fr.printer, None);
    }

    fn order_with_fields(fields: serde_json::Value) -> Order {
        serde_json::from_value(serde_json::json!({
            "id": "cs_1", "source": "checkout_session", "number": "CPT-0147", "created": 0,
            "livemode": false, "customer_id": null,
            "billing": {"name": "Léa Roux", "email": null, "phone": null, "address": null, "tax_ids": []},
            "shipping": null, "currency": "eur",
            "lines": [{"description": "Miel de lavande", "quantity": 2, "unit_amount": 900,
                       "amount_subtotal": 1800, "amount_discount": 0, "amount_tax": 0, "amount_total": 1800}],
            "amount_subtotal": 1800, "amount_discount": 0, "amount_shipping": 0, "amount_tax": 0,
            "amount_total": 1800, "discounts": [], "taxes": [], "shipping_rate_id": null,
            "delivery_method": "Colissimo", "delivery_kind": "delivery", "invoice_id": null,
            "invoice_pdf": null, "hosted_invoice_url": null, "payment_intent_id": null,
            "locale": null, "custom_fields": fields
        }))
        .unwrap()
    }

    #[test]
    fn a_slip_carries_the_fields_filled_in_at_checkout_whole_and_as_plain_text() {
        let long =
            "Joyeux anniversaire Maman ! Nous pensons très fort à toi en ce jour si spécial, \
                    avec tout notre amour, Léa, Hugo et les petits\u{1b}[2J\r\nXYZ";
        let order = order_with_fields(serde_json::json!([
            {"key": "gift", "label": "Message cadeau", "kind": "text", "value": long},
            {"key": "wrap", "label": "Emballage", "kind": "dropdown", "value": "Boîte cadeau"},
            {"key": "door", "label": "Instructions de livraison", "kind": "text", "value": null},
            {"key": "floor", "label": "Étage", "kind": "numeric", "value": "3"},
        ]));
        let text = packing_slip(&order, "Épicerie Léa", Lang::Fr)
            .document
            .text()
            .unwrap()
            .to_owned();
        assert!(
            text.contains("Mode : Colissimo\nMessage cadeau :\n  Joyeux anniversaire"),
            "{text}"
        );
        assert!(text.contains("\nEmballage : Boîte cadeau\n"), "{text}");
        assert!(
            text.contains("\nInstructions de livraison : \u{2014}\n"),
            "{text}"
        );
        assert!(text.contains("\nÉtage : 3\n"), "{text}");
        // The whole message, in order, over several lines of the slip's width, without the
        // printer escape or the line break the customer typed.
        let start = text.find("Message cadeau :\n").unwrap();
        let body: Vec<&str> = text[start..]
            .lines()
            .skip(1)
            .take_while(|l| l.starts_with("  "))
            .collect();
        assert!(body.len() >= 2, "{text}");
        assert!(body.iter().all(|l| l.chars().count() <= 60), "{text}");
        let joined = body.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ");
        assert_eq!(joined, clean(long, 300));
        assert!(joined.ends_with("les petits [2J XYZ"), "{joined}");
        assert!(!text.contains('\u{1b}') && !text.contains('\r'), "{text:?}");
        // The fields come before the checklist, in English too.
        let en = packing_slip(&order, "Épicerie Léa", Lang::En)
            .document
            .text()
            .unwrap()
            .to_owned();
        let wrap_at = en.find("Emballage: Boîte cadeau\n").expect(&en);
        assert!(
            wrap_at < en.find("[ ]   2 \u{d7} Miel de lavande").unwrap(),
            "{en}"
        );
        // An order without fields prints as before: the method, then the rule.
        let plain = packing_slip(&order_with_fields(serde_json::json!([])), "x", Lang::En)
            .document
            .text()
            .unwrap()
            .to_owned();
        assert!(plain.contains("Method: Colissimo\n----"), "{plain}");
    }

    #[test]
    fn customer_text_loses_control_characters_and_stays_short() {
        assert_eq!(clean("Zoé\u{1b}[2J\r\nMartin", 60), "Zoé [2J Martin");
        assert_eq!(
            clean(&"a".repeat(80), 10),
            format!("{}\u{2026}", "a".repeat(9))
        );
    }
}
