//! Packing slips for the packing station, printed through the system's print queue (CUPS `lp`,
//! on Linux and macOS). This module writes the slip and the `lp` arguments; the app runs `lp`
//! through tauri-plugin-shell, the only program it ever runs, from Rust (the web UI has no
//! shell permission at all).
//!
//! A slip carries what the packer needs and nothing the customer's parcel should not show: the
//! order number, the ship-to address (or "pickup"), the delivery method, the fields the customer
//! filled in at checkout (a gift message to copy onto a card, delivery instructions, a gift wrap)
//! and a checklist of the cart lines with their quantities. No prices.

use std::path::Path;

use crate::lang::Lang;
use crate::model::{Contact, DeliveryKind, Order, Timestamp};

/// One slip, ready for `lp`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintJob {
    /// The job's name in the print queue.
    pub title: String,
    /// The slip, UTF-8 plain text.
    pub text: String,
    /// The CUPS queue; `None` prints on the system's default printer.
    pub printer: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PrintError {
    #[error(
        "\u{201c}{0}\u{201d} is not a printer name: use the queue name your system shows (letters, digits, - _ . @), or leave it empty for the default printer"
    )]
    BadPrinterName(String),
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
        title: format!(
            "{} {}",
            tr("Bon de préparation", "Packing slip"),
            clean(&order.number, 40)
        ),
        text: out,
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
        text,
        printer: printer.map(str::to_owned),
    }
}

/// Most slips printed in one go: a day's packing, not a whole history by mistake.
pub const MAX_BATCH: usize = 200;

/// The slips of several orders as one print job, one slip per page (form feeds between them).
pub fn packing_slips(orders: &[Order], shop: &str, lang: Lang) -> PrintJob {
    let text = orders
        .iter()
        .map(|o| packing_slip(o, shop, lang).text)
        .collect::<Vec<_>>()
        .join("\u{c}");
    let title = match lang {
        Lang::Fr => format!("Bons de préparation ({})", orders.len()),
        Lang::En => format!("Packing slips ({})", orders.len()),
    };
    PrintJob {
        title,
        text,
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
            text: String::new(),
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
        assert!(page.text.starts_with("COMPTOIR \u{2014} TEST PAGE\n"));
        assert!(
            page.text.contains("Printer: zebra\nStation: Atelier\n"),
            "{}",
            page.text
        );
        assert!(
            page.text.contains("At: 2026-11-18 11:06 UTC"),
            "{}",
            page.text
        );
        assert!(page
            .text
            .lines()
            .any(|l| l.len() == 60 && l.starts_with("1234")));
        let fr = test_page(None, "", Lang::Fr, 0);
        assert!(
            fr.text.contains("Imprimante : imprimante par défaut"),
            "{}",
            fr.text
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
        let text = packing_slip(&order, "Épicerie Léa", Lang::Fr).text;
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
        let en = packing_slip(&order, "Épicerie Léa", Lang::En).text;
        let wrap_at = en.find("Emballage: Boîte cadeau\n").expect(&en);
        assert!(
            wrap_at < en.find("[ ]   2 \u{d7} Miel de lavande").unwrap(),
            "{en}"
        );
        // An order without fields prints as before: the method, then the rule.
        let plain = packing_slip(&order_with_fields(serde_json::json!([])), "x", Lang::En).text;
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
