//! Money, formatted in one place (README: Architecture). Amounts are integer minor units of
//! their currency, as Stripe sends them (cents, or yen for JPY). This module owns:
//!
//! - the currency table: how many decimals Stripe's minor unit has ([`exponent`]);
//! - the plain decimal the CSV exports write ([`decimal`]: "1234.50");
//! - the amount with its currency code the emails and messages use ([`with_code`]:
//!   "12,50 EUR");
//! - the amount as the UI shows it ([`format`]: "1 234,50 €", "€1,234.50"), built from the same
//!   CLDR patterns and symbols as the UI's `Intl.NumberFormat(locale, {style: 'currency'})` in
//!   ui/src/lib/format.ts. A test writes what this gives for the currencies in [`COVERED`] to
//!   ui/src/lib/money.expected.json and a Vitest test checks the UI gives the same.

use crate::lang::Lang;

/// Stripe's zero-decimal currencies: an amount of 1500 is ¥1,500.
const ZERO_DECIMAL: &[&str] = &[
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
    "xaf", "xof", "xpf",
];

/// Stripe's three-decimal currencies: an amount of 1234 is 1.234 KWD.
const THREE_DECIMAL: &[&str] = &["bhd", "jod", "kwd", "omr", "tnd"];

/// Two-decimal currencies in Stripe whose amounts the UI's `Intl` shows whole (CLDR's cash
/// digits): the UI must still divide Stripe's amounts by 100. Listed so the fixture checks it.
#[cfg(test)]
const WHOLE_IN_INTL: &[&str] = &[
    "all", "cop", "idr", "iqd", "irr", "lak", "lbp", "mmk", "sos", "yer",
];

/// Currencies Stripe keeps in hundredths ("an ISK amount of 100 represents 1 króna") while CLDR
/// shows them whole: "ISK 500", and the hundredths only when there are some ("HUF 10.45").
const WHOLE_IN_CLDR: &[&str] = &["huf", "isk"];

/// The currencies whose UI formatting is checked against this module, in both languages: the
/// ones the demo store and the Stripe simulator sell in (EUR, USD, GBP, JPY), and one of each
/// other kind the formatting has (a symbol per locale, the ISO code as symbol, zero and three
/// decimals, Stripe's hundredths of a currency CLDR shows whole).
pub const COVERED: &[&str] = &[
    "eur", "usd", "gbp", "jpy", "cad", "chf", "krw", "kwd", "isk", "huf",
];

/// Decimal places of a currency's minor unit, as Stripe counts them (any case: "EUR", "eur").
pub fn exponent(currency: &str) -> u32 {
    let c = currency.to_ascii_lowercase();
    if ZERO_DECIMAL.contains(&c.as_str()) {
        0
    } else if THREE_DECIMAL.contains(&c.as_str()) {
        3
    } else {
        2
    }
}

/// The whole units and the minor units' digits of an amount's absolute value, e.g. (1234,
/// "50") for 123450 cents and (1500, "") for 1500 yen.
fn split(minor: i64, exp: u32) -> (u64, String) {
    let abs = minor.unsigned_abs();
    if exp == 0 {
        return (abs, String::new());
    }
    let unit = 10u64.pow(exp);
    (
        abs / unit,
        format!("{:0width$}", abs % unit, width = exp as usize),
    )
}

fn sign(minor: i64) -> &'static str {
    if minor < 0 {
        "-"
    } else {
        ""
    }
}

/// An amount in minor units as a plain decimal, for spreadsheets: "1234.50", "-0.05", "1500"
/// for yen.
pub fn decimal(minor: i64, currency: &str) -> String {
    let (whole, frac) = split(minor, exponent(currency));
    if frac.is_empty() {
        format!("{}{whole}", sign(minor))
    } else {
        format!("{}{whole}.{frac}", sign(minor))
    }
}

/// An amount in minor units with its currency code: "12,50 EUR" in French, "12.50 EUR" in
/// English, "1250 JPY". The customer emails' summary and the refund messages use it.
pub fn with_code(minor: i64, currency: &str, lang: Lang) -> String {
    let (whole, frac) = split(minor, exponent(currency));
    let code = currency.to_ascii_uppercase();
    if frac.is_empty() {
        return format!("{}{whole} {code}", sign(minor));
    }
    let sep = lang.pick(',', '.');
    format!("{}{whole}{sep}{frac} {code}", sign(minor))
}

/// The currency's symbol in the UI's locale for `lang` (CLDR 48's fr and en-GB data). Every
/// currency not listed here is shown by its ISO code, as CLDR does for most currencies.
fn symbol(code: &str, lang: Lang) -> &str {
    let (fr, en) = match code {
        "EUR" => ("€", "€"),
        "USD" => ("$US", "US$"),
        "GBP" => ("£GB", "£"),
        "JPY" => ("JPY", "JP¥"),
        "CAD" => ("$CA", "CA$"),
        "KRW" => ("₩", "₩"),
        _ => return code,
    };
    lang.pick(fr, en)
}

/// `whole` with its thousands grouped by `sep`: "1,234,567".
fn grouped(whole: u64, sep: &str) -> String {
    let digits = whole.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * sep.len());
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(d);
    }
    out
}

/// No-break space (U+00A0): between the number and the currency in French, and after a symbol
/// made of letters in English ("CHF 12.50").
const NBSP: &str = "\u{a0}";
/// Narrow no-break space (U+202F): French groups thousands with it ("1 234,50 €").
const NNBSP: &str = "\u{202f}";

/// An amount in minor units as the UI shows it (`money()` in ui/src/lib/format.ts, for the
/// locale [`Lang::locale`] names): "1 234,50 €" and "-€1,234.50", "$US"/"US$", "JP¥1,500",
/// "CHF 12.50". CLDR's patterns: `#,##0.00 ¤` in French (narrow no-break spaces between
/// thousands, a no-break space before the symbol), `¤#,##0.00` in English (a no-break space
/// after a symbol that ends in a letter), the minus sign first in both.
pub fn format(minor: i64, currency: &str, lang: Lang) -> String {
    let lower = currency.to_ascii_lowercase();
    let code = currency.to_ascii_uppercase();
    let (whole, mut frac) = split(minor, exponent(&lower));
    // Hundredths CLDR does not show are shown only when the amount has some.
    if WHOLE_IN_CLDR.contains(&lower.as_str()) && frac.bytes().all(|b| b == b'0') {
        frac.clear();
    }
    let symbol = symbol(&code, lang);
    let minus = sign(minor);
    match lang {
        Lang::Fr => {
            let number = grouped(whole, NNBSP);
            let number = if frac.is_empty() {
                number
            } else {
                format!("{number},{frac}")
            };
            format!("{minus}{number}{NBSP}{symbol}")
        }
        Lang::En => {
            let number = grouped(whole, ",");
            let number = if frac.is_empty() {
                number
            } else {
                format!("{number}.{frac}")
            };
            let space = if symbol.ends_with(char::is_alphabetic) {
                NBSP
            } else {
                ""
            };
            format!("{minus}{symbol}{space}{number}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponents_follow_stripe() {
        assert_eq!(exponent("eur"), 2);
        assert_eq!(exponent("JPY"), 0);
        assert_eq!(exponent("krw"), 0);
        assert_eq!(exponent("kwd"), 3);
        assert_eq!(exponent("isk"), 2);
        assert_eq!(exponent("huf"), 2);
    }

    #[test]
    fn csv_decimals_are_plain() {
        assert_eq!(decimal(123_450, "eur"), "1234.50");
        assert_eq!(decimal(-5, "EUR"), "-0.05");
        assert_eq!(decimal(1500, "jpy"), "1500");
        assert_eq!(decimal(-1500, "jpy"), "-1500");
        assert_eq!(decimal(1_234, "kwd"), "1.234");
        assert_eq!(decimal(0, "usd"), "0.00");
    }

    #[test]
    fn emails_write_the_code() {
        assert_eq!(with_code(1250, "eur", Lang::Fr), "12,50 EUR");
        assert_eq!(with_code(1250, "usd", Lang::En), "12.50 USD");
        assert_eq!(with_code(1250, "jpy", Lang::En), "1250 JPY");
        assert_eq!(with_code(1250, "kwd", Lang::En), "1.250 KWD");
        assert_eq!(with_code(-5, "eur", Lang::En), "-0.05 EUR");
        assert_eq!(with_code(123_456_789, "eur", Lang::Fr), "1234567,89 EUR");
    }

    #[test]
    fn amounts_read_as_in_the_ui() {
        let fr = |m, c| format(m, c, Lang::Fr);
        let en = |m, c| format(m, c, Lang::En);
        assert_eq!(fr(1500, "eur"), "15,00\u{a0}€");
        assert_eq!(en(1500, "eur"), "€15.00");
        assert_eq!(fr(123_456_789, "eur"), "1\u{202f}234\u{202f}567,89\u{a0}€");
        assert_eq!(en(123_456_789, "EUR"), "€1,234,567.89");
        assert_eq!(fr(-2550, "eur"), "-25,50\u{a0}€");
        assert_eq!(en(-2550, "eur"), "-€25.50");
        assert_eq!(en(0, "eur"), "€0.00");
        assert_eq!(en(1, "gbp"), "£0.01");
        assert_eq!(fr(999, "gbp"), "9,99\u{a0}£GB");
        assert_eq!(en(1500, "usd"), "US$15.00");
        assert_eq!(fr(1500, "usd"), "15,00\u{a0}$US");
        assert_eq!(en(1500, "jpy"), "JP¥1,500");
        assert_eq!(fr(-1500, "jpy"), "-1\u{202f}500\u{a0}JPY");
        assert_eq!(en(12_340, "kwd"), "KWD\u{a0}12.340");
        assert_eq!(en(1250, "chf"), "CHF\u{a0}12.50");
        assert_eq!(en(50_000, "isk"), "ISK\u{a0}500");
        assert_eq!(en(1045, "huf"), "HUF\u{a0}10.45");
        assert_eq!(fr(150_000, "huf"), "1\u{202f}500\u{a0}HUF");
    }

    /// The amounts the fixture formats in every covered currency: zero, one minor unit, odd
    /// minor units, round and large amounts, negatives (refunds, discounts).
    const AMOUNTS: &[i64] = &[
        0,
        1,
        5,
        99,
        100,
        101,
        1050,
        99_999,
        123_456,
        100_000_000,
        123_456_789_012,
        -1,
        -2550,
        -123_456_789,
    ];

    fn json(v: impl serde::Serialize) -> String {
        serde_json::to_string(&v).expect("JSON")
    }

    /// What ui/src/lib/money.expected.json holds: for each covered currency and both
    /// languages' UI locales, what [`format`] gives for [`AMOUNTS`]; and Stripe's exponent of
    /// every currency the table names. One case a line, so a change reads well in a diff.
    fn fixture() -> String {
        let mut out = String::from("{\n");
        out.push_str(
            "  \"generated_by\": \"src-tauri/core/src/money.rs (test export_bindings_money_fixture): \
             do not edit, run cargo test --workspace --features custom-protocol --lib export_bindings\",\n",
        );
        let mut currencies: Vec<&str> = ZERO_DECIMAL
            .iter()
            .chain(THREE_DECIMAL)
            .chain(WHOLE_IN_INTL)
            .chain(COVERED)
            .copied()
            .collect();
        currencies.sort_unstable();
        currencies.dedup();
        let exponents: Vec<String> = currencies
            .iter()
            .map(|c| format!("{}: {}", json(c), exponent(c)))
            .collect();
        out.push_str(&format!(
            "  \"exponents\": {{ {} }},\n",
            exponents.join(", ")
        ));
        out.push_str("  \"cases\": [\n");
        let mut cases = Vec::new();
        for currency in COVERED {
            for lang in [Lang::Fr, Lang::En] {
                for &amount in AMOUNTS {
                    cases.push(format!(
                        "    {{ \"currency\": {}, \"locale\": {}, \"amount\": {amount}, \"formatted\": {} }}",
                        json(currency),
                        json(lang.locale()),
                        json(format(amount, currency, lang))
                    ));
                }
            }
        }
        out.push_str(&cases.join(",\n"));
        out.push_str("\n  ]\n}\n");
        out
    }

    /// Writes the fixture the UI's test compares `money()` with. Named like ts-rs's export
    /// tests so the same command regenerates it with the TypeScript bindings, and
    /// scripts/test.sh's bindings section fails when the committed file differs.
    #[test]
    fn export_bindings_money_fixture() {
        let text = fixture();
        let parsed: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        let cases = parsed["cases"].as_array().expect("cases");
        assert_eq!(cases.len(), COVERED.len() * 2 * AMOUNTS.len());
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../ui/src/lib/money.expected.json");
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}
