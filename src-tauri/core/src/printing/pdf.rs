//! The packing slip as a PDF (README: Packing slips as PDF): A4, Letter or a 4 × 6 in thermal
//! label, with a Code 128 barcode of the order number that the packing station's scan field
//! opens. Written with pdf-writer in the base-14 Helvetica (not embedded; [`super::winansi`]),
//! so every word is real, extractable text.
//!
//! One document holds one or more slips; each slip starts on a page of its own and runs onto
//! as many pages as it needs (a long gift message, a large order), each page after the first
//! headed with the order number, and numbered when there are several.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use super::winansi::{self, Face};
use super::{address_lines, clean, date, is_gift};
use crate::lang::Lang;
use crate::model::{DeliveryKind, Order, SlipLayout};
use crate::money;

/// Longest order number the barcode carries: a Stripe invoice number is far shorter.
const BARCODE_MAX_CHARS: usize = 40;
/// The quiet zone Code 128 needs on each side, in modules.
const QUIET_MODULES: f32 = 10.0;

/// The Code 128 modules (1 = bar, 0 = space) of `data` in character set B, or `None` when it
/// cannot be one: empty, too long, or not printable ASCII (set B's characters).
pub fn code128(data: &str) -> Option<Vec<u8>> {
    if data.is_empty()
        || data.len() > BARCODE_MAX_CHARS
        || !data.bytes().all(|b| (b' '..=b'~').contains(&b))
    {
        return None;
    }
    barcoders::sym::code128::Code128::new(format!("\u{0181}{data}"))
        .ok()
        .map(|c| c.encode())
}

/// A layout's paper and type sizes, in points.
#[derive(Debug, Clone, Copy)]
struct Geometry {
    width: f32,
    height: f32,
    margin: f32,
    /// The body text size.
    body: f32,
    /// The shop name's size.
    title: f32,
    /// A 4 × 6 label: one column, the barcode across the top.
    label: bool,
    /// The widest a barcode module may be, and its height.
    module: f32,
    bar_height: f32,
}

fn geometry(layout: SlipLayout) -> Geometry {
    match layout {
        SlipLayout::A4 | SlipLayout::Letter => {
            let (width, height) = if layout == SlipLayout::A4 {
                (595.28, 841.89)
            } else {
                (612.0, 792.0)
            };
            Geometry {
                width,
                height,
                margin: 48.0,
                body: 10.0,
                title: 17.0,
                label: false,
                module: 1.5,
                bar_height: 46.0,
            }
        }
        SlipLayout::Label4x6 => Geometry {
            width: 288.0,
            height: 432.0,
            margin: 14.0,
            body: 8.5,
            title: 12.0,
            label: true,
            // Four dots of a 203 dpi thermal head: bars print at whole dots.
            module: 4.0 * 72.0 / 203.0,
            bar_height: 50.0,
        },
    }
}

const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

fn font(face: Face) -> Name<'static> {
    match face {
        Face::Regular => REGULAR,
        Face::Bold => BOLD,
    }
}

/// Lays slips out page by page.
struct Writer {
    g: Geometry,
    pages: Vec<Content>,
    /// The top of the room left on the current page.
    y: f32,
    /// Heads every page of the current slip after its first.
    continued: Vec<u8>,
}

impl Writer {
    fn new(g: Geometry) -> Self {
        Writer {
            g,
            pages: Vec::new(),
            y: 0.0,
            continued: Vec::new(),
        }
    }

    fn left(&self) -> f32 {
        self.g.margin
    }

    fn right(&self) -> f32 {
        self.g.width - self.g.margin
    }

    fn page(&mut self) -> &mut Content {
        self.pages.last_mut().expect("a slip starts a page")
    }

    /// The room kept at the bottom of each page for its number.
    fn bottom(&self) -> f32 {
        self.g.margin + self.g.body * 1.6
    }

    fn new_page(&mut self) {
        self.pages.push(Content::new());
        self.y = self.g.height - self.g.margin;
        if !self.continued.is_empty() {
            let head = self.continued.clone();
            let size = self.g.body;
            self.line(Face::Bold, size, self.left(), &head);
            self.gap(size * 0.6);
        }
    }

    /// Starts a new page unless `h` points are left on this one.
    fn room(&mut self, h: f32) {
        if self.y - h < self.bottom() {
            self.new_page();
        }
    }

    fn gap(&mut self, h: f32) {
        self.y -= h;
    }

    fn text_at(&mut self, x: f32, baseline: f32, face: Face, size: f32, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let c = self.page();
        c.begin_text();
        c.set_font(font(face), size);
        c.next_line(x, baseline);
        c.show(Str(bytes));
        c.end_text();
    }

    /// One line of text at `x`, on a new page if this one is full.
    fn line(&mut self, face: Face, size: f32, x: f32, bytes: &[u8]) {
        let leading = size * 1.3;
        self.room(leading);
        let baseline = self.y - size;
        self.text_at(x, baseline, face, size, bytes);
        self.y -= leading;
    }

    /// Text wrapped between `x` and the right margin.
    fn paragraph(&mut self, face: Face, size: f32, x: f32, text: &str) {
        let max = self.right() - x;
        for l in winansi::wrap(&winansi::encode(text), face, size, max) {
            self.line(face, size, x, &l);
        }
    }

    fn rule(&mut self) {
        self.room(8.0);
        self.gap(4.0);
        let (l, r, y) = (self.left(), self.right(), self.y);
        let c = self.page();
        c.set_line_width(0.6);
        c.move_to(l, y);
        c.line_to(r, y);
        c.stroke();
        self.gap(6.0);
    }

    /// The barcode of `modules` with its left quiet zone at `x` and its top at `top`; each
    /// module `m` points wide.
    fn barcode(&mut self, modules: &[u8], x: f32, top: f32, m: f32, height: f32) {
        let c = self.page();
        c.set_fill_gray(0.0);
        let mut i = 0;
        while i < modules.len() {
            if modules[i] == 1 {
                let start = i;
                while i < modules.len() && modules[i] == 1 {
                    i += 1;
                }
                let bx = x + (QUIET_MODULES + start as f32) * m;
                c.rect(bx, top - height, (i - start) as f32 * m, height);
            } else {
                i += 1;
            }
        }
        c.fill_nonzero();
    }

    /// A square to tick, its top at the current line's cap height.
    fn tick_box(&mut self, x: f32, baseline: f32, size: f32) {
        let side = size * 0.85;
        let c = self.page();
        c.set_line_width(0.8);
        c.rect(x, baseline - size * 0.1, side, side);
        c.stroke();
    }
}

/// The barcode's module width and total width (quiet zones included) within `max` points.
fn barcode_size(modules: &[u8], g: &Geometry, max: f32) -> (f32, f32) {
    let count = modules.len() as f32 + 2.0 * QUIET_MODULES;
    let m = g.module.min(max / count);
    (m, m * count)
}

struct Words {
    lang: Lang,
}

impl Words {
    fn tr(&self, fr: &'static str, en: &'static str) -> &'static str {
        self.lang.pick(fr, en)
    }
}

/// Writes one order's slip, from a new page.
fn slip(w: &mut Writer, order: &Order, shop: &str, lang: Lang) {
    let t = Words { lang };
    let g = w.g;
    let number = clean(&order.number, 40);
    w.continued = Vec::new();
    w.new_page();
    let first_page = w.pages.len() - 1;
    let (left, right) = (w.left(), w.right());
    let body = g.body;
    let small = body * 0.85;
    let modules = code128(&order.number);

    // The head: the shop, what this is, the order and its date; the barcode beside it (paper)
    // or under it (label).
    let title = format!(
        "{} \u{b7} {}",
        t.tr("BON DE PRÉPARATION", "PACKING SLIP"),
        date(order.created)
    );
    if g.label {
        let shop = winansi::fit(
            &winansi::encode(&clean(shop, 60)),
            Face::Bold,
            g.title,
            right - left,
        );
        w.line(Face::Bold, g.title, left, &shop);
        w.line(Face::Regular, small, left, &winansi::encode(&title));
        w.gap(4.0);
        if let Some(modules) = &modules {
            let (m, total) = barcode_size(modules, &g, right - left);
            let x = left + (right - left - total) / 2.0;
            let top = w.y;
            w.barcode(modules, x, top, m, g.bar_height);
            w.gap(g.bar_height + 2.0);
        }
        let num = winansi::encode(&number);
        let size = g.title;
        let x = left + (right - left - winansi::width(&num, Face::Bold, size)) / 2.0;
        w.line(Face::Bold, size, x.max(left), &num);
    } else {
        let top = w.y;
        let mut column = right - left;
        if let Some(modules) = &modules {
            let (m, total) = barcode_size(modules, &g, (right - left) * 0.45);
            let x = right - total;
            w.barcode(modules, x, top, m, g.bar_height);
            let num = winansi::encode(&number);
            let nx = x + (total - winansi::width(&num, Face::Regular, body)) / 2.0;
            w.text_at(
                nx,
                top - g.bar_height - body - 2.0,
                Face::Regular,
                body,
                &num,
            );
            column -= total + 16.0;
        }
        let shop = winansi::fit(
            &winansi::encode(&clean(shop, 60)),
            Face::Bold,
            g.title,
            column,
        );
        w.line(Face::Bold, g.title, left, &shop);
        w.line(Face::Regular, small, left, &winansi::encode(&title));
        w.gap(4.0);
        let head = winansi::fit(
            &winansi::encode(&format!("{} {number}", t.tr("Commande", "Order"))),
            Face::Bold,
            body * 1.3,
            column,
        );
        w.line(Face::Bold, body * 1.3, left, &head);
        if modules.is_some() {
            w.y = w.y.min(top - g.bar_height - body * 1.6);
        }
    }
    w.continued = winansi::encode(&format!(
        "{} {number} {}",
        t.tr("Commande", "Order"),
        t.tr("(suite)", "(continued)")
    ));
    w.rule();

    // Where it goes.
    let pickup = order.delivery_kind == DeliveryKind::Pickup;
    let (heading, contact) = if pickup {
        (t.tr("RETRAIT PAR", "PICKUP BY"), &order.billing)
    } else {
        (
            t.tr("LIVRER À", "SHIP TO"),
            order.shipping.as_ref().unwrap_or(&order.billing),
        )
    };
    w.line(Face::Bold, small, left, &winansi::encode(heading));
    for (i, l) in address_lines(contact).iter().enumerate() {
        let face = if i == 0 && contact.name.is_some() {
            Face::Bold
        } else {
            Face::Regular
        };
        let size = if i == 0 { body * 1.15 } else { body };
        w.paragraph(face, size, left, l);
    }
    w.gap(4.0);
    let method = order
        .delivery_method
        .as_deref()
        .map(|m| clean(m, 60))
        .unwrap_or_else(|| {
            t.tr(
                if pickup { "Retrait" } else { "Livraison" },
                if pickup { "Pickup" } else { "Delivery" },
            )
            .to_owned()
        });
    w.paragraph(
        Face::Regular,
        body,
        left,
        &format!("{} {method}", t.tr("Mode :", "Method:")),
    );

    // A gift carries no prices: said once, plainly, for the packer.
    let gift = is_gift(order);
    if gift {
        w.gap(4.0);
        w.room(body * 2.2);
        let text = winansi::encode(t.tr(
            "Commande cadeau \u{2014} sans prix",
            "Gift order \u{2014} no prices",
        ));
        let h = body * 1.9;
        let top = w.y;
        let c = w.page();
        c.set_line_width(1.2);
        c.rect(left, top - h, right - left, h);
        c.stroke();
        w.text_at(left + 6.0, top - h + body * 0.6, Face::Bold, body, &text);
        w.gap(h + 2.0);
    }

    // The fields the customer filled in at checkout, each whole (a gift message goes on a card).
    if !order.custom_fields.is_empty() {
        w.gap(4.0);
        for f in &order.custom_fields {
            w.paragraph(Face::Bold, small, left, &clean(&f.label, 60));
            let value = f
                .value
                .as_deref()
                .map(|v| clean(v, 500))
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| "\u{2014}".to_owned());
            w.paragraph(Face::Regular, body, left + 8.0, &value);
            w.gap(2.0);
        }
    }
    w.rule();

    // The checklist, with prices unless it is a gift.
    let prices = !gift;
    let amount_w = if g.label { 52.0 } else { 72.0 };
    let unit_x = right - amount_w; // right edge of the unit price column
    let box_w = body + 4.0;
    let qty_right = left + box_w + body * 2.4;
    let desc_x = qty_right + 8.0;
    let desc_right = if !prices {
        right
    } else if g.label {
        right - amount_w - 4.0
    } else {
        unit_x - amount_w - 4.0
    };
    let money = |v: i64| winansi::encode(&money::format(v, &order.currency, lang));
    {
        w.room(small * 1.3);
        let baseline = w.y - small;
        let qty = winansi::encode(t.tr("Qté", "Qty"));
        w.text_at(
            qty_right - winansi::width(&qty, Face::Bold, small),
            baseline,
            Face::Bold,
            small,
            &qty,
        );
        w.text_at(
            desc_x,
            baseline,
            Face::Bold,
            small,
            &winansi::encode(t.tr("Article", "Item")),
        );
        if prices {
            if !g.label {
                let unit = winansi::encode(t.tr("Prix unit.", "Unit price"));
                w.text_at(
                    unit_x - winansi::width(&unit, Face::Bold, small),
                    baseline,
                    Face::Bold,
                    small,
                    &unit,
                );
            }
            let amount = winansi::encode(t.tr("Montant", "Amount"));
            w.text_at(
                right - winansi::width(&amount, Face::Bold, small),
                baseline,
                Face::Bold,
                small,
                &amount,
            );
        }
        w.gap(small * 1.3 + 2.0);
    }
    for l in &order.lines {
        let desc = winansi::wrap(
            &winansi::encode(&clean(&l.description, 250)),
            Face::Regular,
            body,
            desc_right - desc_x,
        );
        let leading = body * 1.3;
        w.room(leading * desc.len().clamp(1, 3) as f32 + 3.0);
        let baseline = w.y - body;
        w.tick_box(left, baseline, body);
        let qty = winansi::encode(&l.quantity.to_string());
        w.text_at(
            qty_right - winansi::width(&qty, Face::Bold, body),
            baseline,
            Face::Bold,
            body,
            &qty,
        );
        if prices {
            if !g.label {
                if let Some(unit) = l.unit_amount {
                    let unit = money(unit);
                    w.text_at(
                        unit_x - winansi::width(&unit, Face::Regular, body),
                        baseline,
                        Face::Regular,
                        body,
                        &unit,
                    );
                }
            }
            let amount = money(l.amount_subtotal);
            w.text_at(
                right - winansi::width(&amount, Face::Regular, body),
                baseline,
                Face::Regular,
                body,
                &amount,
            );
        }
        if desc.is_empty() {
            w.gap(leading);
        }
        for d in &desc {
            w.line(Face::Regular, body, desc_x, d);
        }
        w.gap(3.0);
    }
    w.rule();

    let items = winansi::encode(&format!(
        "{} {}",
        t.tr("Articles :", "Items:"),
        order.item_count()
    ));
    if prices {
        totals(w, order, lang, &t, &items);
    } else {
        w.line(Face::Bold, body, left, &items);
    }
    // Paper has room for the packer's and the checker's names; a label does not.
    if !g.label {
        w.gap(body);
        let sign = winansi::encode(t.tr(
            "Préparé par : ______________    Vérifié par : ______________",
            "Packed by: ______________    Checked by: ______________",
        ));
        let sign = winansi::fit(&sign, Face::Regular, body, right - left);
        w.line(Face::Regular, body, left, &sign);
    }

    // Page numbers, when the slip took more than one.
    let count = w.pages.len() - first_page;
    if count > 1 {
        for (i, p) in (first_page..w.pages.len()).enumerate() {
            let text = winansi::encode(&format!("{number} \u{b7} {}/{count}", i + 1));
            let x = right - winansi::width(&text, Face::Regular, small);
            let c = &mut w.pages[p];
            c.begin_text();
            c.set_font(REGULAR, small);
            c.next_line(x, g.margin);
            c.show(Str(&text));
            c.end_text();
        }
    }
}

/// The order's amounts under the lines, as the order detail reads them: when the amounts add up
/// without VAT, the VAT lines before the total; otherwise the total "incl. VAT".
/// The item count goes on the left of the first row.
fn totals(w: &mut Writer, order: &Order, lang: Lang, t: &Words, items: &[u8]) {
    let g = w.g;
    let body = g.body;
    let right = w.right();
    let label_right = right - if g.label { 60.0 } else { 90.0 };
    let money = |v: i64| money::format(v, &order.currency, lang);
    let mut rows: Vec<(String, String, Face)> = Vec::new();
    let excl = order.amount_tax > 0
        && order.amount_subtotal - order.amount_discount + order.amount_shipping + order.amount_tax
            == order.amount_total;
    rows.push((
        t.tr("Sous-total", "Subtotal").to_owned(),
        money(order.amount_subtotal),
        Face::Regular,
    ));
    if order.amount_discount != 0 {
        rows.push((
            t.tr("Remise", "Discount").to_owned(),
            money(-order.amount_discount.abs()),
            Face::Regular,
        ));
    }
    if order.amount_shipping != 0 {
        rows.push((
            t.tr("Livraison", "Shipping").to_owned(),
            money(order.amount_shipping),
            Face::Regular,
        ));
    }
    if excl {
        if order.taxes.is_empty() {
            rows.push((
                t.tr("TVA", "VAT").to_owned(),
                money(order.amount_tax),
                Face::Regular,
            ));
        }
        for tax in &order.taxes {
            rows.push((clean(&tax.label, 40), money(tax.amount), Face::Regular));
        }
    }
    rows.push((
        t.tr("Total", "Total").to_owned(),
        money(order.amount_total),
        Face::Bold,
    ));
    if !excl && order.amount_tax > 0 {
        rows.push((
            t.tr("dont TVA", "incl. VAT").to_owned(),
            money(order.amount_tax),
            Face::Regular,
        ));
    }
    for (i, (label, amount, face)) in rows.into_iter().enumerate() {
        let leading = body * 1.35;
        w.room(leading);
        let baseline = w.y - body;
        if i == 0 {
            let left = w.left();
            w.text_at(left, baseline, Face::Bold, body, items);
        }
        let label = winansi::encode(&label);
        let amount = winansi::encode(&amount);
        w.text_at(
            label_right - winansi::width(&label, face, body),
            baseline,
            face,
            body,
            &label,
        );
        w.text_at(
            right - winansi::width(&amount, face, body),
            baseline,
            face,
            body,
            &amount,
        );
        w.gap(leading);
    }
    w.gap(body * 0.6);
}

/// The PDF of the slips of `orders`, each from a page of its own, in `layout`.
pub fn render(
    orders: &[Order],
    shop: &str,
    lang: Lang,
    layout: SlipLayout,
    title: &str,
) -> Vec<u8> {
    let g = geometry(layout);
    let mut w = Writer::new(g);
    for o in orders {
        slip(&mut w, o, shop, lang);
    }
    if w.pages.is_empty() {
        w.new_page();
    }

    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let ids: Vec<(Ref, Ref)> = (0..w.pages.len() as i32)
        .map(|i| (Ref::new(6 + 2 * i), Ref::new(7 + 2 * i)))
        .collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(ids.iter().map(|(page, _)| *page))
        .count(ids.len() as i32);
    for ((page_id, content_id), content) in ids.iter().zip(w.pages) {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, g.width, g.height));
        page.parent(tree);
        page.contents(*content_id);
        page.resources()
            .fonts()
            .pair(REGULAR, regular)
            .pair(BOLD, bold);
        page.finish();
        pdf.stream(*content_id, &content.finish());
    }
    for (id, face) in [(regular, Face::Regular), (bold, Face::Bold)] {
        pdf.type1_font(id)
            .base_font(Name(face.base_font()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    pdf.document_info(info)
        .title(TextStr(&clean(title, 120)))
        .creator(TextStr("Comptoir"));
    pdf.finish()
}
