//! CSV export of the orders table's current view: UTF-8 with a byte-order mark so spreadsheet
//! apps read accents right, one header row, RFC 4180 quoting, and customer text that starts
//! like a formula (`=`, `+`, `-`, `@`) prefixed with `'` so a spreadsheet never evaluates it.

use crate::model::{FulfilmentStatus, OrderRow};

pub const BOM: &str = "\u{feff}";

const HEADER: [&str; 10] = [
    "Order", "Date", "Customer", "Email", "Items", "Total", "Currency", "Delivery", "Status", "Id",
];

/// Decimal places of a currency's minor unit, as Stripe counts them.
pub fn exponent(currency: &str) -> u32 {
    const ZERO: &[&str] = &[
        "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
        "xaf", "xof", "xpf",
    ];
    const THREE: &[&str] = &["bhd", "jod", "kwd", "omr", "tnd"];
    let c = currency.to_ascii_lowercase();
    if ZERO.contains(&c.as_str()) {
        0
    } else if THREE.contains(&c.as_str()) {
        3
    } else {
        2
    }
}

/// An amount in minor units as a plain decimal ("1234.50", "-0.05", "1500" for yen).
pub fn decimal(amount: i64, currency: &str) -> String {
    let e = exponent(currency);
    if e == 0 {
        return amount.to_string();
    }
    let unit = 10i64.pow(e);
    let sign = if amount < 0 { "-" } else { "" };
    let abs = amount.unsigned_abs();
    format!(
        "{sign}{}.{:0width$}",
        abs / unit as u64,
        abs % unit as u64,
        width = e as usize
    )
}

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
    let cols: Vec<String> = HEADER.iter().map(|h| field(h)).collect();
    format!("{BOM}{}\r\n", cols.join(","))
}

/// One order as a CSV line.
pub fn line(r: &OrderRow) -> String {
    let cols = [
        field(&r.number),
        iso(r.created),
        field(r.customer_name.as_deref().unwrap_or("")),
        field(r.customer_email.as_deref().unwrap_or("")),
        r.item_count.to_string(),
        decimal(r.amount_total, &r.currency),
        r.currency.to_ascii_uppercase(),
        field(
            r.delivery_method
                .as_deref()
                .unwrap_or(r.delivery_kind.as_str()),
        ),
        status(r.status).to_owned(),
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
    fn amounts_follow_the_currency() {
        assert_eq!(decimal(123_450, "eur"), "1234.50");
        assert_eq!(decimal(-5, "EUR"), "-0.05");
        assert_eq!(decimal(1500, "jpy"), "1500");
        assert_eq!(decimal(1_234, "kwd"), "1.234");
        assert_eq!(decimal(0, "usd"), "0.00");
    }

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
    }
}
