//! The PDF packing slip as a printer and a scanner see it (README: Packing slips as PDF): its
//! text read back with `pdftotext` (poppler-utils), its pages measured with `pdfinfo`, and its
//! Code 128 barcode decoded by `zbarimg` (zbar-tools) from the page rasterised at 300 dpi by
//! `pdftoppm`, in each layout (A4, Letter, 4 × 6 in label). The station settings that choose
//! the slip are checked through the workspace.

mod slip_tools;
mod support;

use std::process::Command;

use slip_tools::{barcodes_of, flat, info_of, run, saved, text_of};

use comptoir_core::lang::Lang;
use comptoir_core::model::{Order, SlipFormat, SlipLayout, SlipSettings};
use comptoir_core::printing::{self, Document};
use serde_json::{json, Value};

const LAYOUTS: [SlipLayout; 3] = [SlipLayout::A4, SlipLayout::Letter, SlipLayout::Label4x6];

fn order(number: &str, name: &str, fields: Value, lines: Value) -> Order {
    serde_json::from_value(json!({
        "id": format!("cs_test_{number}"), "source": "checkout_session", "number": number,
        "created": 1_795_000_000, "livemode": false, "customer_id": null,
        "billing": {"name": "Acheteur Martin", "email": null, "phone": null, "address": null, "tax_ids": []},
        "shipping": {"name": name, "email": null, "phone": "+33 6 12 34 56 78", "tax_ids": [],
                     "address": {"line1": "12 rue de l'Église", "line2": "Bâtiment C", "postal_code": "69002",
                                 "city": "Lyon", "state": null, "country": "FR"}},
        "currency": "eur",
        "lines": lines,
        "amount_subtotal": 3150, "amount_discount": 0, "amount_shipping": 490, "amount_tax": 0,
        "amount_total": 3640, "discounts": [], "taxes": [], "shipping_rate_id": null,
        "delivery_method": "Colissimo suivi", "delivery_kind": "delivery", "invoice_id": null,
        "invoice_pdf": null, "hosted_invoice_url": null, "payment_intent_id": null,
        "locale": null, "custom_fields": fields
    }))
    .unwrap()
}

fn usual_lines() -> Value {
    json!([
        {"description": "Miel de lavande", "quantity": 2, "unit_amount": 900,
         "amount_subtotal": 1800, "amount_discount": 0, "amount_tax": 0, "amount_total": 1800},
        {"description": "Crème brûlée à l'œuf", "quantity": 1, "unit_amount": 1350,
         "amount_subtotal": 1350, "amount_discount": 0, "amount_tax": 0, "amount_total": 1350},
    ])
}

fn instructions() -> Value {
    json!([{"key": "instructionslivraison", "label": "Instructions de livraison", "kind": "text",
            "value": "Code porte 4521B, 3e étage à gauche"}])
}

fn pdf_of(job: &printing::PrintJob) -> &[u8] {
    match &job.document {
        Document::Pdf(b) => b,
        Document::Text(_) => panic!("a PDF slip, not text"),
    }
}

#[test]
fn each_layout_reads_back_as_text_and_its_barcode_as_the_order_number() {
    let o = order("CPT-0147", "Zoé Lefèvre", instructions(), usual_lines());
    for (layout, size) in [
        (SlipLayout::A4, "595.28 x 841.89 pts (A4)"),
        (SlipLayout::Letter, "612 x 792 pts (letter)"),
        (SlipLayout::Label4x6, "288 x 432 pts"),
    ] {
        let job = printing::packing_slip_pdf(&o, "Épicerie Léa", Lang::Fr, layout);
        assert_eq!(job.title, "Bon de préparation CPT-0147");
        let (_dir, pdf) = saved(pdf_of(&job));
        let (pages, page_size) = info_of(&pdf);
        assert_eq!(pages, 1, "{layout:?}");
        assert_eq!(page_size, size, "{layout:?}");
        let text = text_of(&pdf);
        let all = flat(&text);
        for expected in [
            "Épicerie Léa",
            "BON DE PRÉPARATION",
            "CPT-0147",
            "LIVRER À",
            "Zoé Lefèvre",
            "12 rue de l'Église",
            "Bâtiment C",
            "69002 Lyon",
            "Mode : Colissimo suivi",
            "Instructions de livraison",
            "Code porte 4521B, 3e étage à gauche",
            "Miel de lavande",
            "Crème brûlée à l'œuf",
            "Total",
            "36,40 €",
            "Articles : 3",
        ] {
            assert!(all.contains(expected), "{layout:?}: {expected:?} in {text}");
        }
        // The lines' prices: the line totals always, the unit price on paper.
        assert!(all.contains("18,00 €") && all.contains("13,50 €"), "{text}");
        if layout != SlipLayout::Label4x6 {
            assert!(all.contains("9,00 €"), "{text}");
        }
        assert!(!all.contains("Commande cadeau"), "not a gift: {text}");
        assert_eq!(barcodes_of(&pdf), [["CPT-0147"]], "{layout:?}");
    }
}

#[test]
fn english_slips_and_other_order_numbers_scan_too() {
    for number in ["A1B2C3D4-0007", "8F2A9", "INV 2026/12-0001"] {
        let o = order(number, "Sam O'Neil", json!([]), usual_lines());
        for layout in LAYOUTS {
            let job = printing::packing_slip_pdf(&o, "Corner Shop", Lang::En, layout);
            let (_dir, pdf) = saved(pdf_of(&job));
            let all = flat(&text_of(&pdf));
            assert!(
                all.contains("PACKING SLIP") && all.contains("SHIP TO"),
                "{all}"
            );
            assert!(all.contains(&format!("Order {number}")) || layout == SlipLayout::Label4x6);
            assert!(all.contains(number), "{all}");
            assert!(all.contains("€36.40"), "{all}");
            assert_eq!(barcodes_of(&pdf), [[number]], "{layout:?} {number}");
        }
    }
}

#[test]
fn a_gift_carries_its_message_whole_and_no_prices() {
    let message =
        "Joyeux anniversaire Maman ! Nous pensons très fort à toi en ce jour si spécial, \
                   avec tout notre amour, Léa, Hugo et les petits. Œuvre d'art à 20 € près…";
    let fields = json!([
        {"key": "messagecadeau", "label": "Message cadeau", "kind": "text", "value": message},
        {"key": "emballage", "label": "Emballage", "kind": "dropdown", "value": "Boîte cadeau"},
    ]);
    let o = order("CPT-0200", "Hugo Roux", fields, usual_lines());
    assert!(printing::is_gift(&o));
    for layout in LAYOUTS {
        let job = printing::packing_slip_pdf(&o, "Épicerie Léa", Lang::Fr, layout);
        let (_dir, pdf) = saved(pdf_of(&job));
        let text = text_of(&pdf);
        let all = flat(&text);
        assert!(
            all.contains("Commande cadeau — sans prix"),
            "{layout:?}: {text}"
        );
        assert!(
            all.contains(&flat(message)),
            "the whole message, in order: {text}"
        );
        assert!(all.contains("Emballage Boîte cadeau"), "{text}");
        assert!(
            all.contains("Miel de lavande") && all.contains("Articles : 3"),
            "{text}"
        );
        // No amount anywhere; the message's own "20 €" aside.
        let without_message = all.replace(&flat(message), "");
        for price in [
            "€", "18,00", "9,00", "13,50", "36,40", "Total", "Montant", "Prix",
        ] {
            assert!(
                !without_message.contains(price),
                "{layout:?}: {price:?} in {text}"
            );
        }
        assert_eq!(barcodes_of(&pdf), [["CPT-0200"]]);
    }
    // A gift field answered "no", or left empty, is not a gift.
    for value in [json!("Non"), json!("no"), json!(null), json!("  ")] {
        let fields = json!([{"key": "gift", "label": "Is this a gift?", "kind": "dropdown", "value": value}]);
        assert!(
            !printing::is_gift(&order("X-1", "A", fields, usual_lines())),
            "{value}"
        );
    }
    let yes = json!([{"key": "offert", "label": "Gift wrap", "kind": "dropdown", "value": "Yes"}]);
    assert!(printing::is_gift(&order("X-1", "A", yes, usual_lines())));
}

#[test]
fn hostile_customer_text_stays_text_and_inside_the_page() {
    let long_word = "Z".repeat(400);
    let name = "Ada\u{1b}[2J\r\n\u{202e}Lovelace 🎁 (x) \\ ) endstream endobj %%EOF";
    let fields = json!([
        {"key": "note", "label": "Note\u{0}\u{7}", "kind": "text",
         "value": format!("שלום مرحبا 東京 👨‍👩‍👧 {long_word}")},
        {"key": "instructions", "label": "Instructions", "kind": "text", "value": "a ".repeat(2000)},
    ]);
    let lines: Vec<Value> = (0..60)
        .map(|i| {
            json!({"description": format!("Article {i} {}", "très long ".repeat(30)), "quantity": 1,
                   "unit_amount": 100, "amount_subtotal": 100, "amount_discount": 0, "amount_tax": 0,
                   "amount_total": 100})
        })
        .collect();
    let o = order("CPT-0666", name, fields, Value::Array(lines));
    for layout in LAYOUTS {
        let job = printing::packing_slip_pdf(&o, "Shop\u{0}", Lang::Fr, layout);
        let (_dir, pdf) = saved(pdf_of(&job));
        let (pages, _) = info_of(&pdf);
        assert!(pages > 1, "sixty long lines take several pages: {layout:?}");
        let text = text_of(&pdf);
        let all = flat(&text);
        // Readable, the unencodable as "?", no control character, the PDF syntax as text.
        assert!(all.contains("Ada [2J"), "{text}");
        assert!(
            all.contains("Lovelace ? (x) \\ ) endstream endobj %%EOF"),
            "{text}"
        );
        assert!(all.contains("???? ????? ??"), "{text}");
        assert!(
            !text
                .chars()
                .any(|c| c.is_control() && !matches!(c, '\n' | '\u{c}')),
            "{text:?}"
        );
        assert!(
            all.contains("Article 59"),
            "every line, to the last: {layout:?}"
        );
        assert!(all.contains("CPT-0666 · 2/"), "pages numbered: {text}");
        assert!(all.contains("Commande CPT-0666 (suite)"), "{text}");
        // Every word within the page's width: the wrap measures with the font's metrics.
        let bbox = run(Command::new("pdftotext").arg("-bbox").arg(&pdf).arg("-"));
        let html = String::from_utf8(bbox.stdout).unwrap();
        let page_width: f32 = html
            .split("<page width=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .parse()
            .unwrap();
        for x_max in html.split("xMax=\"").skip(1) {
            let x: f32 = x_max.split('"').next().unwrap().parse().unwrap();
            assert!(
                x <= page_width - 10.0,
                "{layout:?}: a word ends at {x} of {page_width}"
            );
        }
        // The barcode is on the first page only, and still reads.
        let codes = barcodes_of(&pdf);
        assert_eq!(codes[0], ["CPT-0666"], "{layout:?}");
        assert!(codes[1..].iter().all(Vec::is_empty));
    }
}

#[test]
fn a_batch_is_one_pdf_with_each_slip_on_its_own_page() {
    let orders: Vec<Order> = ["CPT-0001", "CPT-0002", "CPT-0003"]
        .iter()
        .map(|n| order(n, "Léa", instructions(), usual_lines()))
        .collect();
    for layout in LAYOUTS {
        let job = printing::packing_slips_pdf(&orders, "Épicerie", Lang::En, layout);
        assert_eq!(job.title, "Packing slips (3)");
        let (_dir, pdf) = saved(pdf_of(&job));
        assert_eq!(info_of(&pdf).0, 3);
        assert_eq!(
            barcodes_of(&pdf),
            [["CPT-0001"], ["CPT-0002"], ["CPT-0003"]],
            "{layout:?}"
        );
    }
}

#[test]
fn an_order_number_a_barcode_cannot_carry_is_printed_without_one() {
    let o = order("CPT-Ωmega", "Léa", json!([]), usual_lines());
    let job = printing::packing_slip_pdf(&o, "Épicerie", Lang::Fr, SlipLayout::A4);
    let (_dir, pdf) = saved(pdf_of(&job));
    assert!(flat(&text_of(&pdf)).contains("CPT-?mega"));
    assert_eq!(barcodes_of(&pdf), [Vec::<String>::new()]);
}

/// The station's slip settings choose what `lp` is handed: a PDF in the layout set (A4 unless
/// set), or the text slip.
#[tokio::test]
async fn the_station_settings_choose_the_slip() {
    let shop = support::TestShop::new()
        .orders(4)
        .one_off_invoices(0)
        .subscriptions(0)
        .deleted_customers(0)
        .start()
        .await;
    let ws = shop.synced_workspace().await;
    assert_eq!(ws.slip_settings().await.unwrap(), SlipSettings::default());
    let query = comptoir_core::model::OrderQuery {
        limit: 10,
        ..Default::default()
    };
    let id = ws.list_orders(&query).await.unwrap().rows[0].id.clone();
    let job = ws.packing_slip(&id, Lang::En, true).await.unwrap();
    let (_dir, pdf) = saved(pdf_of(&job));
    assert!(info_of(&pdf).1.contains("(A4)"));

    let label = SlipSettings {
        format: SlipFormat::Pdf,
        layout: SlipLayout::Label4x6,
    };
    assert_eq!(ws.save_slip_settings(label).await.unwrap(), label);
    assert_eq!(ws.slip_settings().await.unwrap(), label);
    let job = ws.packing_slip(&id, Lang::En, true).await.unwrap();
    let (_dir, pdf) = saved(pdf_of(&job));
    assert_eq!(info_of(&pdf).1, "288 x 432 pts");
    let number = ws.order_detail(&id).await.unwrap().order.number;
    assert_eq!(barcodes_of(&pdf), [[number.clone()]]);

    let text = SlipSettings {
        format: SlipFormat::Text,
        layout: SlipLayout::Label4x6,
    };
    ws.save_slip_settings(text).await.unwrap();
    let job = ws.packing_slip(&id, Lang::En, true).await.unwrap();
    let slip = job.document.text().expect("the text slip");
    assert!(
        slip.starts_with("PACKING SLIP") && slip.contains(&number),
        "{slip}"
    );
    // "Save slip PDF…" gives the PDF whatever the format, in the layout set.
    let (order, pdf) = ws.packing_slip_pdf(&id, Lang::Fr).await.unwrap();
    assert_eq!(order.number, number);
    let (_dir, pdf) = saved(&pdf);
    assert_eq!(info_of(&pdf).1, "288 x 432 pts");
    assert_eq!(
        printing::slip_file_name(&number, Lang::Fr),
        format!("Bon de préparation {number}.pdf")
    );
}
