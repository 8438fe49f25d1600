//! CSV export of the orders and subscriptions tables' current views: UTF-8 with a byte-order
//! mark so spreadsheet apps read accents right, one header row, RFC 4180 quoting, and customer
//! text that starts like a formula (`=`, `+`, `-`, `@`) prefixed with `'` so a spreadsheet
//! never evaluates it.

use crate::model::{Contact, Customer, FulfilmentStatus, OrderRow, PaymentState, SubscriptionRow};
use crate::money;

pub const BOM: &str = "\u{feff}";

const HEADER: [&str; 11] = [
    "Order", "Date", "Customer", "Email", "Items", "Total", "Currency", "Delivery", "Status",
    "Payment", "Id",
];

/// One CSV field: quoted when it holds a separator, a quote or a line break; defused when it
/// starts like a formula.
pub fn field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

fn status(s: FulfilmentStatus) -> &'static str {
    match s {
        FulfilmentStatus::ToBeSent => "To be sent",
        FulfilmentStatus::Sent => "Sent",
        FulfilmentStatus::ToBePickedUp => "To be picked up",
        FulfilmentStatus::PickedUp => "Picked up",
    }
}

/// The payment column: where the order's payment stands, so a spreadsheet can filter on it.
fn payment(s: PaymentState) -> &'static str {
    match s {
        PaymentState::Paid => "Paid",
        PaymentState::NoPaymentRequired => "No payment required",
        PaymentState::Processing => "Payment processing",
        PaymentState::Failed => "Payment failed",
        PaymentState::PartiallyRefunded => "Partly refunded",
        PaymentState::Refunded => "Refunded",
        PaymentState::Disputed => "Disputed",
    }
}

fn iso(ts: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// The header line, with the byte-order mark.
pub fn header() -> String {
    header_of(&HEADER)
}

fn header_of(names: &[&str]) -> String {
    let cols: Vec<String> = names.iter().map(|h| field(h)).collect();
    format!("{BOM}{}\r\n", cols.join(","))
}

const SUBSCRIPTION_HEADER: [&str; 19] = [
    "Customer",
    "Email",
    "Plan",
    "Amount",
    "Currency",
    "Every",
    "Interval",
    "Status",
    "Started",
    "Next charge",
    "Ship to",
    "Address line 1",
    "Address line 2",
    "Postcode",
    "City",
    "State",
    "Country",
    "Phone",
    "Id",
];

/// The subscriptions export's header line, with the byte-order mark.
pub fn subscriptions_header() -> String {
    header_of(&SUBSCRIPTION_HEADER)
}

/// One subscription as a CSV line, with where its box goes: the customer's shipping details,
/// else their billing address (subscription boxes are packed from this list).
pub fn subscription_line(r: &SubscriptionRow, customer: Option<&Customer>) -> String {
    let billing = customer.map(|c| Contact {
        name: c.name.clone(),
        email: c.email.clone(),
        phone: c.phone.clone(),
        address: c.address.clone(),
        tax_ids: Vec::new(),
    });
    let to = customer
        .and_then(|c| c.shipping.clone())
        .filter(|s| s.address.is_some())
        .or(billing);
    let address = to
        .as_ref()
        .and_then(|c| c.address.clone())
        .unwrap_or_default();
    let text = |v: Option<&str>| field(v.unwrap_or(""));
    let status = if r.cancelling && r.status != "canceled" {
        "cancelling"
    } else {
        r.status.as_str()
    };
    let cols = [
        text(r.customer_name.as_deref()),
        text(r.customer_email.as_deref()),
        text(r.product_name.as_deref()),
        money::decimal(r.amount, &r.currency),
        r.currency.to_ascii_uppercase(),
        r.interval_count.to_string(),
        field(&r.interval),
        field(status),
        iso(r.start_date),
        r.next_charge.map(iso).unwrap_or_default(),
        text(to.as_ref().and_then(|c| c.name.as_deref())),
        text(address.line1.as_deref()),
        text(address.line2.as_deref()),
        text(address.postal_code.as_deref()),
        text(address.city.as_deref()),
        text(address.state.as_deref()),
        text(address.country.as_deref()),
        text(
            to.as_ref()
                .and_then(|c| c.phone.as_deref())
                .or(customer.and_then(|c| c.phone.as_deref())),
        ),
        field(&r.id),
    ];
    format!("{}\r\n", cols.join(","))
}

/// The subscriptions export's file name: `comptoir-subscriptions-2026-11-25-132700.csv` (UTC).
pub fn subscriptions_file_name(now: i64) -> String {
    file_name(now).replacen("comptoir-orders-", "comptoir-subscriptions-", 1)
}

/// One order as a CSV line.
pub fn line(r: &OrderRow) -> String {
    let cols = [
        field(&r.number),
        iso(r.created),
        field(r.customer_name.as_deref().unwrap_or("")),
        field(r.customer_email.as_deref().unwrap_or("")),
        r.item_count.to_string(),
        money::decimal(r.amount_total, &r.currency),
        r.currency.to_ascii_uppercase(),
        field(
            r.delivery_method
                .as_deref()
                .unwrap_or(r.delivery_kind.as_str()),
        ),
        status(r.status).to_owned(),
        payment(r.payment_state).to_owned(),
        field(&r.id),
    ];
    format!("{}\r\n", cols.join(","))
}

/// The export's file name for a moment: `comptoir-orders-2026-11-25-1327.csv` (UTC).
pub fn file_name(now: i64) -> String {
    let t =
        time::OffsetDateTime::from_unix_timestamp(now).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "comptoir-orders-{:04}-{:02}-{:02}-{:02}{:02}{:02}.csv",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_defused() {
        assert_eq!(field("Zoé"), "Zoé");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(
            field("<img src=x onerror=alert(1)>"),
            "<img src=x onerror=alert(1)>"
        );
        assert!(header().starts_with('\u{feff}'));
        assert_eq!(
            file_name(1_795_000_000),
            "comptoir-orders-2026-11-18-110640.csv"
        );
        assert_eq!(
            subscriptions_file_name(1_795_000_000),
            "comptoir-subscriptions-2026-11-18-110640.csv"
        );
    }

    fn sub_row() -> SubscriptionRow {
        SubscriptionRow {
            id: "sub_1".into(),
            customer_name: Some("=Zoé, \"la\" Martin".into()),
            customer_email: Some("zoe@example.com".into()),
            customer_deleted: false,
            product_name: Some("Box vins, 3 bouteilles".into()),
            currency: "eur".into(),
            amount: 2900,
            interval: "month".into(),
            interval_count: 3,
            status: "active".into(),
            cancel_at_period_end: true,
            cancelling: true,
            start_date: 1_795_000_000,
            next_charge: None,
        }
    }

    fn address(city: &str) -> crate::model::Address {
        crate::model::Address {
            line1: Some("1 rue des Lilas".into()),
            postal_code: Some("75011".into()),
            city: Some(city.into()),
            country: Some("FR".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_subscription_line_says_where_the_box_goes() {
        let mut customer = Customer {
            id: "cus_1".into(),
            name: Some("Zoé Martin".into()),
            phone: Some("+33 6 00 00 00 00".into()),
            address: Some(address("Paris")),
            deleted: false,
            email: None,
            shipping: None,
            preferred_locale: None,
            created: 0,
            default_payment_method: None,
        };
        let cols = |line: String| -> Vec<String> {
            assert!(line.ends_with("\r\n"));
            line.trim_end().split(',').map(str::to_owned).collect()
        };
        // No shipping details: the billing address; the name (and the phone's leading +,
        // which a spreadsheet would compute) defused, and quoted where needed.
        let line = subscription_line(&sub_row(), Some(&customer));
        assert!(line.starts_with("\"'=Zoé, \"\"la\"\" Martin\","), "{line}");
        assert!(line.contains(",29.00,EUR,3,month,cancelling,2026-11-18T11:06:40Z,,Zoé Martin,1 rue des Lilas,,75011,Paris,,FR,'+33 6 00 00 00 00,sub_1\r\n"), "{line}");
        // Shipping details win over billing.
        customer.shipping = Some(Contact {
            name: Some("Bureau Zoé".into()),
            address: Some(address("Lyon")),
            ..Default::default()
        });
        let line = subscription_line(&sub_row(), Some(&customer));
        assert!(
            line.contains(",Bureau Zoé,1 rue des Lilas,,75011,Lyon,"),
            "{line}"
        );
        // A deleted customer: the columns stay, empty.
        let line = subscription_line(&sub_row(), None);
        assert_eq!(
            cols(line).len(),
            SUBSCRIPTION_HEADER.len() + 2,
            "two commas inside quotes"
        );
        assert!(subscriptions_header().starts_with('\u{feff}'));
    }
}
