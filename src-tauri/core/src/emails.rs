//! The emails Comptoir writes (README: Fulfilment, Configure email): the customer's shipping
//! email (with or without tracking links), the "Ready for pickup" email, and Settings' test
//! email. Each is one template per language in `templates/emails/`: `NAME.LANG.txt` holds the
//! subject and the plain-text part (two blocks, rendered one at a time), `NAME.LANG.html` the
//! HTML part; `summary.txt` / `summary.html` are the order summary both languages include.
//! Askama compiles them into the binary and escapes every value put into an HTML part with
//! [`Html`]: customer names, product descriptions, tracking links and the shop's name come
//! from Stripe or from staff and may hold markup. Text parts and subjects are not escaped.

use std::fmt;

use askama::Template;

use crate::lang::Lang;
use crate::model::Order;
use crate::money;

/// An email's content, ready to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The escaper of the HTML templates (askama.toml): `&`, `<`, `>`, `"` and `'` become
/// `&amp;`, `&lt;`, `&gt;`, `&quot;` and `&#39;`, safe in text and in quoted attributes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Html;

impl askama::filters::Escaper for Html {
    fn write_escaped_str<W: fmt::Write>(&self, mut dest: W, text: &str) -> fmt::Result {
        let mut done = 0;
        for (at, c) in text.char_indices() {
            let entity = match c {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => continue,
            };
            dest.write_str(&text[done..at])?;
            dest.write_str(entity)?;
            done = at + 1;
        }
        dest.write_str(&text[done..])
    }
}

/// The customer's name as an email greets them: billing, else shipping; `None` when blank.
pub(crate) fn customer_name(order: &Order) -> Option<&str> {
    order
        .billing
        .name
        .as_deref()
        .or(order.shipping.as_ref().and_then(|s| s.name.as_deref()))
        .map(str::trim)
        .filter(|n| !n.is_empty())
}

/// The language of an order's emails: the customer's at checkout, English when unknown.
pub fn lang_of(order: &Order) -> Lang {
    Lang::from_optional_tag(order.locale.as_deref())
}

/// One line of the order summary, its amount written out ("12,50 EUR").
struct Line<'a> {
    quantity: i64,
    description: &'a str,
    amount: String,
}

fn lines(order: &Order, lang: Lang) -> Vec<Line<'_>> {
    order
        .lines
        .iter()
        .map(|l| Line {
            quantity: l.quantity,
            description: &l.description,
            amount: money::with_code(l.amount_total, &order.currency, lang),
        })
        .collect()
}

/// What the shipping email says.
struct Shipped<'a> {
    name: Option<&'a str>,
    number: &'a str,
    /// The parcels' tracking links; none for a letter or a hand delivery.
    urls: &'a [&'a str],
    lines: Vec<Line<'a>>,
    total: String,
    shop: &'a str,
}

/// What the "Ready for pickup" email says.
struct Pickup<'a> {
    name: Option<&'a str>,
    number: &'a str,
    lines: Vec<Line<'a>>,
    total: String,
    shop: &'a str,
}

/// What the test email says.
struct Test<'a> {
    shop: &'a str,
    host: &'a str,
}

/// One part of one email in one language: its template, given the email's values as `e`.
macro_rules! part {
    ($name:ident: $data:ident = $path:literal $(, block = $block:literal)?) => {
        #[derive(Template)]
        #[template(path = $path $(, block = $block)?)]
        struct $name<'a> {
            e: &'a $data<'a>,
        }
    };
}

part!(ShippedFrSubject: Shipped = "emails/shipped.fr.txt", block = "subject");
part!(ShippedFrText: Shipped = "emails/shipped.fr.txt", block = "text");
part!(ShippedFrHtml: Shipped = "emails/shipped.fr.html");
part!(ShippedEnSubject: Shipped = "emails/shipped.en.txt", block = "subject");
part!(ShippedEnText: Shipped = "emails/shipped.en.txt", block = "text");
part!(ShippedEnHtml: Shipped = "emails/shipped.en.html");
part!(PickupFrSubject: Pickup = "emails/pickup.fr.txt", block = "subject");
part!(PickupFrText: Pickup = "emails/pickup.fr.txt", block = "text");
part!(PickupFrHtml: Pickup = "emails/pickup.fr.html");
part!(PickupEnSubject: Pickup = "emails/pickup.en.txt", block = "subject");
part!(PickupEnText: Pickup = "emails/pickup.en.txt", block = "text");
part!(PickupEnHtml: Pickup = "emails/pickup.en.html");
part!(TestEnSubject: Test = "emails/test.en.txt", block = "subject");
part!(TestEnText: Test = "emails/test.en.txt", block = "text");
part!(TestEnHtml: Test = "emails/test.en.html");

/// One part as text. Askama fails only when a value's `Display` does, and strings and integers
/// never do.
fn part(template: &impl Template) -> String {
    template
        .render()
        .expect("email templates render only strings and numbers")
}

fn render(subject: impl Template, text: impl Template, html: impl Template) -> Rendered {
    Rendered {
        subject: part(&subject),
        text: part(&text),
        html: part(&html),
    }
}

/// The shipping confirmation in the customer's language, with the parcels' tracking links
/// (none: no "Track your parcel" part), the order summary and the shop's name.
pub fn shipped(order: &Order, urls: &[&str], shop: &str) -> Rendered {
    let lang = lang_of(order);
    let e = Shipped {
        name: customer_name(order),
        number: &order.number,
        urls,
        lines: lines(order, lang),
        total: money::with_code(order.amount_total, &order.currency, lang),
        shop,
    };
    match lang {
        Lang::Fr => render(
            ShippedFrSubject { e: &e },
            ShippedFrText { e: &e },
            ShippedFrHtml { e: &e },
        ),
        Lang::En => render(
            ShippedEnSubject { e: &e },
            ShippedEnText { e: &e },
            ShippedEnHtml { e: &e },
        ),
    }
}

/// The "Ready for pickup" email in the customer's language.
pub fn ready_for_pickup(order: &Order, shop: &str) -> Rendered {
    let lang = lang_of(order);
    let e = Pickup {
        name: customer_name(order),
        number: &order.number,
        lines: lines(order, lang),
        total: money::with_code(order.amount_total, &order.currency, lang),
        shop,
    };
    match lang {
        Lang::Fr => render(
            PickupFrSubject { e: &e },
            PickupFrText { e: &e },
            PickupFrHtml { e: &e },
        ),
        Lang::En => render(
            PickupEnSubject { e: &e },
            PickupEnText { e: &e },
            PickupEnHtml { e: &e },
        ),
    }
}

/// Settings' test email to the merchant: `shop` can send through `host`.
pub fn test(shop: &str, host: &str) -> Rendered {
    let e = Test { shop, host };
    render(
        TestEnSubject { e: &e },
        TestEnText { e: &e },
        TestEnHtml { e: &e },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An order of two lines, in `locale`, for Léa Roux.
    fn order(locale: Option<&str>) -> Order {
        serde_json::from_value(serde_json::json!({
            "id": "cs_1", "source": "checkout_session", "number": "CPT-0147", "created": 0,
            "livemode": false, "customer_id": null,
            "billing": {"name": "Léa Roux", "email": "lea@example.com", "phone": null, "address": null, "tax_ids": []},
            "shipping": null, "currency": "eur",
            "lines": [
                {"description": "Miel de lavande", "quantity": 2, "unit_amount": 900,
                 "amount_subtotal": 1800, "amount_discount": 0, "amount_tax": 0, "amount_total": 1800},
                {"description": "Savon", "quantity": 1, "unit_amount": 450,
                 "amount_subtotal": 450, "amount_discount": 0, "amount_tax": 0, "amount_total": 450}
            ],
            "amount_subtotal": 2250, "amount_discount": 0, "amount_shipping": 490, "amount_tax": 0,
            "amount_total": 2740, "discounts": [], "taxes": [], "shipping_rate_id": null,
            "delivery_method": "Colissimo", "delivery_kind": "delivery", "invoice_id": null,
            "invoice_pdf": null, "hosted_invoice_url": null, "payment_intent_id": null,
            "locale": locale, "custom_fields": []
        }))
        .unwrap()
    }

    #[test]
    fn the_shipping_email_reads_the_same_as_before_the_templates() {
        let o = order(Some("fr-FR"));
        let urls = ["https://a.example/1", "https://b.example/2?x=1&y=2"];
        let r = shipped(&o, &urls, "Épicerie Léa");
        assert_eq!(r.subject, "Votre commande CPT-0147 est en route");
        assert_eq!(
            r.text,
            "Bonjour Léa Roux,\n\nVotre commande CPT-0147 a été expédiée.\n\n\
             Suivre votre colis :\n  https://a.example/1\n  https://b.example/2?x=1&y=2\n\n\
             \x20 2 × Miel de lavande  18,00 EUR\n  1 × Savon  4,50 EUR\n  Total: 27,40 EUR\n\n\
             Épicerie Léa\n"
        );
        assert_eq!(
            r.html,
            "<!doctype html>\n<html>\n<body>\n<p>Bonjour Léa Roux,</p>\n\
             <p>Votre commande CPT-0147 a été expédiée.</p>\n<p>Suivre votre colis :</p>\n<ul>\n\
             <li><a href=\"https://a.example/1\">https://a.example/1</a></li>\n\
             <li><a href=\"https://b.example/2?x=1&amp;y=2\">https://b.example/2?x=1&amp;y=2</a></li>\n\
             </ul>\n<table cellpadding=\"4\">\n\
             <tr><td>2 × Miel de lavande</td><td align=\"right\">18,00 EUR</td></tr>\n\
             <tr><td>1 × Savon</td><td align=\"right\">4,50 EUR</td></tr>\n\
             <tr><td><strong>Total</strong></td><td align=\"right\"><strong>27,40 EUR</strong></td></tr>\n\
             </table>\n<p>Épicerie Léa</p>\n</body>\n</html>"
        );

        // A letter: no tracking part. English for a customer without a checkout locale.
        let mut o = order(None);
        o.billing.name = None;
        let r = shipped(&o, &[], "Épicerie Léa");
        assert_eq!(r.subject, "Your order CPT-0147 is on its way");
        assert_eq!(
            r.text,
            "Hello,\n\nYour order CPT-0147 has been shipped.\n\n\
             \x20 2 × Miel de lavande  18.00 EUR\n  1 × Savon  4.50 EUR\n  Total: 27.40 EUR\n\n\
             Épicerie Léa\n"
        );
        assert!(
            !r.html.contains("<ul>") && !r.html.contains("Track"),
            "{}",
            r.html
        );
        assert!(r.html.contains("<p>Hello,</p>"), "{}", r.html);
    }

    #[test]
    fn the_pickup_and_test_emails_read_the_same_as_before_the_templates() {
        let r = ready_for_pickup(&order(Some("en-GB")), "Épicerie Léa");
        assert_eq!(r.subject, "Your order CPT-0147 is ready for pickup");
        assert_eq!(
            r.text,
            "Hello Léa Roux,\n\nYour order CPT-0147 is waiting for you in store.\n\n\
             \x20 2 × Miel de lavande  18.00 EUR\n  1 × Savon  4.50 EUR\n  Total: 27.40 EUR\n\n\
             Épicerie Léa\n"
        );
        assert!(
            r.html
                .contains("<p>Your order CPT-0147 is waiting for you in store.</p>\n<table"),
            "{}",
            r.html
        );
        let r = ready_for_pickup(&order(Some("fr")), "Épicerie Léa");
        assert_eq!(
            r.subject,
            "Votre commande CPT-0147 est prête à être retirée"
        );
        assert!(
            r.text.starts_with(
                "Bonjour Léa Roux,\n\nVotre commande CPT-0147 vous attend en boutique.\n\n"
            ),
            "{}",
            r.text
        );

        let r = test("Épicerie Léa", "smtp.example.com");
        assert_eq!(r.subject, "Comptoir test email \u{2014} Épicerie Léa");
        assert_eq!(
            r.text,
            "This test email from Comptoir shows that Épicerie Léa can send emails through \
             smtp.example.com.\n"
        );
        assert_eq!(
            r.html,
            "<!doctype html>\n<html>\n<body>\n<p>This test email from Comptoir shows that \
             <strong>Épicerie Léa</strong> can send emails through smtp.example.com.</p>\n\
             </body>\n</html>"
        );
    }

    const HOSTILE: &str = r#"<script>alert("x")</script> & 'Zoé' <img src=x onerror=alert(1)>"#;
    const ESCAPED: &str = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Zoé&#39; \
                           &lt;img src=x onerror=alert(1)&gt;";

    fn assert_no_markup_from_customers(what: &str, html: &str) {
        for raw in [
            "<script",
            "<img",
            "onerror=alert(1)>",
            "'Zoé'",
            "\"x\"",
            "& ",
        ] {
            assert!(!html.contains(raw), "{what}: {raw} in {html}");
        }
    }

    #[test]
    fn hostile_customer_text_is_escaped_in_the_html_part_of_every_email_in_both_languages() {
        for locale in ["fr-FR", "en-GB"] {
            let mut o = order(Some(locale));
            o.billing.name = Some(HOSTILE.into());
            o.lines[0].description = HOSTILE.into();
            o.custom_fields = serde_json::from_value(serde_json::json!([
                {"key": "gift", "label": HOSTILE, "kind": "text", "value": HOSTILE}
            ]))
            .unwrap();
            let url = "https://track.example/p?a=1&b=\"><script>alert(1)</script>";
            for (what, r) in [
                ("shipped", shipped(&o, &[url], HOSTILE)),
                ("shipped without tracking", shipped(&o, &[], HOSTILE)),
                ("ready for pickup", ready_for_pickup(&o, HOSTILE)),
            ] {
                let what = format!("{what} ({locale})");
                assert_no_markup_from_customers(&what, &r.html);
                // The greeting, the line and the shop's name, each shown as text.
                assert_eq!(r.html.matches(ESCAPED).count(), 3, "{what}: {}", r.html);
                let hello = if locale == "fr-FR" {
                    "Bonjour"
                } else {
                    "Hello"
                };
                assert!(
                    r.html.contains(&format!("<p>{hello} {ESCAPED},</p>")),
                    "{what}: {}",
                    r.html
                );
                assert!(
                    r.html.contains(&format!("<td>2 × {ESCAPED}</td>")),
                    "{what}: {}",
                    r.html
                );
                // The plain-text part is not HTML: the text as typed.
                assert!(
                    r.text.contains(&format!("{hello} {HOSTILE},")),
                    "{what}: {}",
                    r.text
                );
            }
            let r = shipped(&o, &[url], "Shop");
            let escaped_url =
                "https://track.example/p?a=1&amp;b=&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;";
            assert!(
                r.html.contains(&format!(
                    "<li><a href=\"{escaped_url}\">{escaped_url}</a></li>"
                )),
                "{}",
                r.html
            );
        }
        let r = test(HOSTILE, "smtp.example.com\"><script>");
        assert_no_markup_from_customers("test email", &r.html);
        assert!(
            r.html.contains(&format!("<strong>{ESCAPED}</strong>")),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("smtp.example.com&quot;&gt;&lt;script&gt;."),
            "{}",
            r.html
        );
    }
}
