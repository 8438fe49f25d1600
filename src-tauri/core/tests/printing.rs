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
        let text = &job.text;
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
        assert!(fr.text.starts_with("BON DE PRÉPARATION"));
        assert!(fr.title.starts_with("Bon de préparation "));
    }
    assert!(seen.1, "a delivery was checked");
    assert!(seen.2, "an order with checkout fields was checked");

    // The day's packing: one job, one slip per page, in the list's order.
    let batch = packing_slips(&all, "Épicerie Léa", Lang::En);
    assert_eq!(batch.title, format!("Packing slips ({})", all.len()));
    let pages: Vec<&str> = batch.text.split('\u{c}').collect();
    assert_eq!(pages.len(), all.len());
    for (page, order) in pages.iter().zip(&all) {
        assert_eq!(*page, packing_slip(order, "Épicerie Léa", Lang::En).text);
    }
}
