//! Carriers and tracking links: the built-in carriers and their public tracking pages, the
//! merchant's custom carriers (a `{number}` template from Settings), turning a tracking number
//! into a link, guessing the carrier from a number's format, and checking any link staff paste
//! before it is saved.
//!
//! Every link this module returns has passed [`validate_tracking_url`], because a saved link
//! ends up in customer emails and in the system browser.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Longer links are refused: no carrier needs more, and browsers and mail clients start
/// truncating around here.
pub const MAX_URL_LEN: usize = 2048;

/// Real tracking numbers are at most 34 characters (USPS IMpb with routing code); a little room
/// above that, but not enough to smuggle anything into a template.
pub const MAX_NUMBER_LEN: usize = 40;

const MAX_POSTCODE_LEN: usize = 10;
const MAX_CUSTOM_ID_LEN: usize = 64;
const MAX_CUSTOM_NAME_LEN: usize = 60;

const NUMBER: &str = "{number}";
const POSTCODE: &str = "{postcode}";

/// A carrier a tracking number belongs to. `Custom` holds the id of a [`CustomCarrier`] from
/// Settings, so a saved tracking entry follows later edits of that carrier's name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Carrier {
    /// Colissimo and La Poste (same tracking page).
    Colissimo,
    Chronopost,
    MondialRelay,
    Dhl,
    Ups,
    Fedex,
    Gls,
    Dpd,
    Usps,
    RoyalMail,
    Custom(String),
}

impl Carrier {
    /// The built-in carriers, in the order the carrier picker lists them (French carriers first:
    /// most merchants ship from France).
    pub const BUILT_IN: [Carrier; 10] = [
        Carrier::Colissimo,
        Carrier::Chronopost,
        Carrier::MondialRelay,
        Carrier::Dhl,
        Carrier::Ups,
        Carrier::Fedex,
        Carrier::Gls,
        Carrier::Dpd,
        Carrier::Usps,
        Carrier::RoyalMail,
    ];

    /// The name staff and customers know the carrier by; `None` for a custom carrier, whose name
    /// lives in its [`CustomCarrier`].
    pub fn name(&self) -> Option<&'static str> {
        Some(match self {
            Carrier::Colissimo => "Colissimo",
            Carrier::Chronopost => "Chronopost",
            Carrier::MondialRelay => "Mondial Relay",
            Carrier::Dhl => "DHL",
            Carrier::Ups => "UPS",
            Carrier::Fedex => "FedEx",
            Carrier::Gls => "GLS",
            Carrier::Dpd => "DPD",
            Carrier::Usps => "USPS",
            Carrier::RoyalMail => "Royal Mail",
            Carrier::Custom(_) => return None,
        })
    }

    /// The display name for a carrier as stored with a tracking entry (`"colissimo"`), or the
    /// stored text itself when it is not a built-in carrier's key (a custom carrier's name).
    pub fn display_name(stored: &str) -> String {
        serde_json::from_value::<Carrier>(serde_json::Value::String(stored.to_owned()))
            .ok()
            .and_then(|c| c.name())
            .map_or_else(|| stored.to_owned(), str::to_owned)
    }

    /// The carrier's public tracking page, with `{number}` (and `{postcode}`) to fill in.
    /// These are the pages each carrier links from its own site; none needs an account.
    pub fn template(&self) -> Option<&'static str> {
        Some(match self {
            Carrier::Colissimo => "https://www.laposte.fr/outils/suivre-vos-envois?code={number}",
            Carrier::Chronopost => {
                "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT={number}"
            }
            // Mondial Relay's page shows nothing without the recipient's postcode.
            Carrier::MondialRelay => {
                "https://www.mondialrelay.fr/suivi-de-colis/?NumeroExpedition={number}&CodePostal={postcode}"
            }
            Carrier::Dhl => {
                "https://www.dhl.com/global-en/home/tracking.html?tracking-id={number}&submit=1"
            }
            Carrier::Ups => "https://www.ups.com/track?tracknum={number}",
            Carrier::Fedex => "https://www.fedex.com/fedextrack/?trknbr={number}",
            Carrier::Gls => "https://gls-group.com/FR/fr/suivi-colis/?match={number}",
            Carrier::Dpd => "https://trace.dpd.fr/fr/trace/{number}",
            Carrier::Usps => "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}",
            Carrier::RoyalMail => {
                "https://www.royalmail.com/track-your-item#/tracking-results/{number}"
            }
            Carrier::Custom(_) => return None,
        })
    }

    pub fn needs_postcode(&self) -> bool {
        matches!(self, Carrier::MondialRelay)
    }
}

/// A carrier the merchant adds in Settings: a name and a tracking page template containing
/// `{number}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CustomCarrier {
    /// Stable id (lowercase letters, digits, `-` and `_`) that tracking entries refer to.
    pub id: String,
    pub name: String,
    /// An `https:` link with `{number}` where the tracking number goes, for example
    /// `https://track.example.com/parcel/{number}`.
    pub template: String,
}

impl CustomCarrier {
    /// Builds a custom carrier from what staff typed in Settings (trimmed), or says what is
    /// wrong with it.
    pub fn new(id: &str, name: &str, template: &str) -> Result<Self, CarrierError> {
        let carrier = CustomCarrier {
            id: id.trim().to_owned(),
            name: name.trim().to_owned(),
            template: template.trim().to_owned(),
        };
        carrier.validate()?;
        Ok(carrier)
    }

    /// Checks a custom carrier as saved; also run before each use, because the row may predate
    /// a stricter rule.
    pub fn validate(&self) -> Result<(), CarrierError> {
        let id_ok = !self.id.is_empty()
            && self.id.len() <= MAX_CUSTOM_ID_LEN
            && self
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !id_ok {
            return Err(CarrierError::CustomId(self.id.clone()));
        }
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > MAX_CUSTOM_NAME_LEN {
            return Err(CarrierError::CustomName);
        }
        if name.chars().any(is_unsafe_char) {
            return Err(CarrierError::CustomNameCharacters);
        }
        validate_template(&self.template)
    }

    /// The tracking link for `number` on this carrier's page.
    pub fn tracking_url(&self, number: &str) -> Result<String, CarrierError> {
        self.validate()?;
        let number = normalise_number(number)?;
        fill(&self.template, &number, None)
    }
}

/// A line of the carrier picker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CarrierOption {
    pub carrier: Carrier,
    pub name: String,
    /// Whether the link needs the recipient's postcode (Mondial Relay).
    pub needs_postcode: bool,
}

/// The carriers staff can pick from: the built-in ones, then the custom ones from Settings.
pub fn options(custom: &[CustomCarrier]) -> Vec<CarrierOption> {
    let built_in = Carrier::BUILT_IN.iter().map(|c| CarrierOption {
        carrier: c.clone(),
        name: c.name().unwrap_or_default().to_owned(),
        needs_postcode: c.needs_postcode(),
    });
    let custom = custom.iter().map(|c| CarrierOption {
        carrier: Carrier::Custom(c.id.clone()),
        name: c.name.clone(),
        needs_postcode: false,
    });
    built_in.chain(custom).collect()
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CarrierError {
    #[error("Enter a tracking number")]
    EmptyNumber,
    #[error("The tracking number \u{201c}{0}\u{201d} can only contain letters and digits")]
    NumberCharacters(String),
    #[error("That tracking number is too long: at most {MAX_NUMBER_LEN} letters and digits")]
    NumberTooLong,
    #[error("{0} needs the recipient's postcode to build the tracking link")]
    PostcodeRequired(&'static str),
    #[error(
        "The postcode \u{201c}{0}\u{201d} is not valid: use up to {MAX_POSTCODE_LEN} letters and digits"
    )]
    Postcode(String),
    #[error(
        "The carrier \u{201c}{0}\u{201d} is no longer in Settings: pick another carrier or paste the link"
    )]
    UnknownCustomCarrier(String),
    #[error(
        "The carrier id \u{201c}{0}\u{201d} can only use lowercase letters, digits, - and _ (at most {MAX_CUSTOM_ID_LEN})"
    )]
    CustomId(String),
    #[error("Give the carrier a name (at most {MAX_CUSTOM_NAME_LEN} characters)")]
    CustomName,
    #[error("The carrier name contains invisible or control characters")]
    CustomNameCharacters,
    #[error("The link template must contain {{number}} where the tracking number goes")]
    TemplateMissingNumber,
    #[error(
        "The link template can only contain the {{number}} placeholder, in the path or after ?"
    )]
    TemplatePlaceholder,
    #[error("The link template must start with https://")]
    TemplateNotHttps,
    #[error("Enter a tracking link")]
    EmptyUrl,
    #[error("That link is too long ({0} characters; at most {MAX_URL_LEN})")]
    UrlTooLong(usize),
    #[error("That link contains spaces, line breaks or invisible characters")]
    UrlCharacters,
    #[error("That is not a web address: a tracking link starts with https://")]
    NotAWebAddress,
    #[error("Only web links (https:// or http://) can be saved, not \u{201c}{0}:\u{201d} links")]
    Scheme(String),
    #[error("That link has no website name after https://")]
    NoHost,
    #[error(
        "That link contains a user name or password before the website name; paste the carrier's plain link"
    )]
    Credentials,
}

impl CarrierError {
    /// The problem the window puts into words, with the value its sentence quotes.
    pub fn problem(&self) -> crate::problem::Problem {
        use crate::problem::TrackingReason as R;
        let (reason, value) = match self {
            CarrierError::EmptyNumber => (R::EmptyNumber, None),
            CarrierError::NumberCharacters(n) => (R::NumberCharacters, Some(n.clone())),
            CarrierError::NumberTooLong => (R::NumberTooLong, Some(MAX_NUMBER_LEN.to_string())),
            CarrierError::PostcodeRequired(name) => (R::PostcodeRequired, Some((*name).to_owned())),
            CarrierError::Postcode(p) => (R::Postcode, Some(p.clone())),
            CarrierError::UnknownCustomCarrier(id) => (R::UnknownCustomCarrier, Some(id.clone())),
            CarrierError::CustomId(id) => (R::CustomId, Some(id.clone())),
            CarrierError::CustomName => (R::CustomName, Some(MAX_CUSTOM_NAME_LEN.to_string())),
            CarrierError::CustomNameCharacters => (R::CustomNameCharacters, None),
            CarrierError::TemplateMissingNumber => (R::TemplateMissingNumber, None),
            CarrierError::TemplatePlaceholder => (R::TemplatePlaceholder, None),
            CarrierError::TemplateNotHttps => (R::TemplateNotHttps, None),
            CarrierError::EmptyUrl => (R::EmptyUrl, None),
            CarrierError::UrlTooLong(n) => (R::UrlTooLong, Some(n.to_string())),
            CarrierError::UrlCharacters => (R::UrlCharacters, None),
            CarrierError::NotAWebAddress => (R::NotAWebAddress, None),
            CarrierError::Scheme(s) => (R::Scheme, Some(s.clone())),
            CarrierError::NoHost => (R::NoHost, None),
            CarrierError::Credentials => (R::Credentials, None),
        };
        crate::problem::Problem::TrackingInvalid { reason, value }
    }
}

/// The tracking link for `number` with `carrier`, from its template. `custom` is the list of
/// custom carriers from Settings, where a `Carrier::Custom` id is looked up.
pub fn tracking_url(
    carrier: &Carrier,
    number: &str,
    postcode: Option<&str>,
    custom: &[CustomCarrier],
) -> Result<String, CarrierError> {
    if let Carrier::Custom(id) = carrier {
        let custom = custom
            .iter()
            .find(|c| &c.id == id)
            .ok_or_else(|| CarrierError::UnknownCustomCarrier(id.clone()))?;
        return custom.tracking_url(number);
    }
    let template = carrier.template().unwrap_or_default();
    let number = normalise_number(number)?;
    let postcode = if carrier.needs_postcode() {
        let name = carrier.name().unwrap_or_default();
        let postcode = postcode
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .ok_or(CarrierError::PostcodeRequired(name))?;
        Some(normalise_postcode(postcode)?)
    } else {
        None
    };
    fill(template, &number, postcode.as_deref())
}

/// The tracking number as carriers print it: spaces and dashes (from labels and scanners)
/// dropped, letters uppercased.
pub fn normalise_number(number: &str) -> Result<String, CarrierError> {
    let trimmed = number.trim();
    let normalised: String = trimmed
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .flat_map(char::to_uppercase)
        .collect();
    if normalised.is_empty() {
        return Err(CarrierError::EmptyNumber);
    }
    if !normalised.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(CarrierError::NumberCharacters(trimmed.to_owned()));
    }
    if normalised.len() > MAX_NUMBER_LEN {
        return Err(CarrierError::NumberTooLong);
    }
    Ok(normalised)
}

fn normalise_postcode(postcode: &str) -> Result<String, CarrierError> {
    let normalised: String = postcode
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .flat_map(char::to_uppercase)
        .collect();
    let ok = !normalised.is_empty()
        && normalised.len() <= MAX_POSTCODE_LEN
        && normalised.chars().all(|c| c.is_ascii_alphanumeric());
    if !ok {
        return Err(CarrierError::Postcode(postcode.to_owned()));
    }
    Ok(normalised)
}

fn fill(template: &str, number: &str, postcode: Option<&str>) -> Result<String, CarrierError> {
    // Values are already plain alphanumerics; encoding anyway keeps the template the only
    // source of URL syntax if those rules ever loosen.
    let mut url = template.replace(NUMBER, &percent_encode(number));
    if let Some(postcode) = postcode {
        url = url.replace(POSTCODE, &percent_encode(postcode));
    }
    validate_tracking_url(&url)
}

/// RFC 3986 unreserved characters pass; every other byte is `%XX`.
fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn validate_template(template: &str) -> Result<(), CarrierError> {
    if !template.contains(NUMBER) {
        return Err(CarrierError::TemplateMissingNumber);
    }
    // Any other brace is a placeholder we would leave unfilled (or a typo of `{number}`).
    if template.replace(NUMBER, "").contains(['{', '}']) {
        return Err(CarrierError::TemplatePlaceholder);
    }
    // Fill with a sample to check the result is a valid link, and that the number lands in
    // the path, query or fragment: a number in the host would let it pick the website.
    const SAMPLE: &str = "ZQ0SAMPLE0ZQ";
    let url = validate_tracking_url(&template.replace(NUMBER, SAMPLE))?;
    let parsed = url::Url::parse(&url).map_err(|_| CarrierError::NotAWebAddress)?;
    if parsed.scheme() != "https" {
        return Err(CarrierError::TemplateNotHttps);
    }
    let host = parsed.host_str().unwrap_or_default();
    if host.to_ascii_uppercase().contains(SAMPLE) {
        return Err(CarrierError::TemplatePlaceholder);
    }
    Ok(())
}

/// Characters that hide what a link really says: controls, line breaks, and invisible
/// formatting (zero-width and bidi overrides can make `evil.com` read as something else).
fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}')
}

/// Checks a tracking link staff pasted (or one built from a template) before it is saved:
/// `https:` or `http:` with a website name, no user name or password, no spaces or hidden
/// characters, at most [`MAX_URL_LEN`] characters. Returns the link normalised (scheme and
/// host lowercased, unsafe characters in the path percent-encoded).
pub fn validate_tracking_url(input: &str) -> Result<String, CarrierError> {
    let input = input.trim();
    if input.is_empty() {
        return Err(CarrierError::EmptyUrl);
    }
    let len = input.chars().count();
    if len > MAX_URL_LEN {
        return Err(CarrierError::UrlTooLong(len));
    }
    // Checked before parsing: the `url` crate silently drops tabs and newlines, so
    // `java\nscript:` would otherwise reach the scheme check as `javascript:` only by luck.
    if input
        .chars()
        .any(|c| c.is_whitespace() || is_unsafe_char(c))
    {
        return Err(CarrierError::UrlCharacters);
    }
    let parsed = match url::Url::parse(input) {
        Ok(parsed) => parsed,
        Err(url::ParseError::EmptyHost) => return Err(CarrierError::NoHost),
        Err(_) => return Err(CarrierError::NotAWebAddress),
    };
    match parsed.scheme() {
        "https" | "http" => {}
        other => return Err(CarrierError::Scheme(other.to_owned())),
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(CarrierError::NoHost);
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(CarrierError::Credentials);
    }
    let normalised = String::from(parsed);
    // Punycode and percent-encoding can lengthen the link.
    if normalised.len() > MAX_URL_LEN {
        return Err(CarrierError::UrlTooLong(normalised.len()));
    }
    Ok(normalised)
}

/// Carriers whose number format matches `number`, most likely first; empty when nothing
/// matches. Staff confirm the suggestion: these are format rules, not a lookup.
///
/// Limits of the heuristics:
/// - All-digit numbers overlap between carriers (12 digits are FedEx Express or GLS, 14 digits
///   DPD or Chronopost, which belong to the same group), so those return several candidates.
/// - Only UPU S10 numbers (`AA123456789FR`) have their check digit verified; the rest are
///   matched on shape alone (UPS `1Z` has a check digit too, but a wrong one is more likely a
///   typo to correct than another carrier).
/// - S10 numbers are suggested by the issuing country (`FR`, `GB`, `US`, `DE`); other
///   countries' postal numbers get no suggestion.
/// - Colissimo's domestic numbers are matched by their documented shape (a digit, a letter and
///   11 digits, such as `6A…` or `8R…`), not by a full list of product prefixes.
/// - Carriers' formats change; an unmatched number is still accepted with a picked carrier.
pub fn suggest(number: &str) -> Vec<Carrier> {
    let Ok(n) = normalise_number(number) else {
        return Vec::new();
    };
    let b = n.as_bytes();
    let digits = b.iter().all(u8::is_ascii_digit);
    let all_digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    let letters = |s: &[u8]| s.iter().all(u8::is_ascii_uppercase);

    if b.len() == 18 && n.starts_with("1Z") {
        return vec![Carrier::Ups];
    }
    // UPU S10: two letters, eight digits and a check digit, the issuing country.
    if b.len() == 13 && letters(&b[..2]) && all_digits(&b[2..11]) && letters(&b[11..]) {
        if !s10_check_digit_ok(&b[2..11]) {
            return Vec::new();
        }
        return match &n[11..] {
            // La Poste's EMS service is Chronopost; its other items are Colissimo/La Poste.
            "FR" if b[0] == b'E' => vec![Carrier::Chronopost, Carrier::Colissimo],
            "FR" => vec![Carrier::Colissimo, Carrier::Chronopost],
            "GB" => vec![Carrier::RoyalMail],
            "US" => vec![Carrier::Usps],
            // Deutsche Post items are tracked on DHL's page.
            "DE" => vec![Carrier::Dhl],
            _ => Vec::new(),
        };
    }
    // Colissimo domestic: e.g. 6A12345678901, 8R12345678901.
    if b.len() == 13
        && (b'5'..=b'9').contains(&b[0])
        && b[1].is_ascii_uppercase()
        && all_digits(&b[2..])
    {
        return vec![Carrier::Colissimo];
    }
    // DHL Parcel (Germany) and Deutsche Post parcels.
    if n.starts_with("JJD") && b.len() >= 13 && all_digits(&b[3..]) {
        return vec![Carrier::Dhl];
    }
    if !digits {
        return Vec::new();
    }
    match b.len() {
        8 => vec![Carrier::MondialRelay],
        10 => vec![Carrier::Dhl],
        11 => vec![Carrier::Gls],
        12 => vec![Carrier::Fedex, Carrier::Gls],
        14 => vec![Carrier::Dpd, Carrier::Chronopost],
        15 => vec![Carrier::Fedex],
        // FedEx Ground's SSCC numbers start with 96.
        22 if n.starts_with("96") => vec![Carrier::Fedex, Carrier::Usps],
        // USPS IMpb numbers start with 92–95; FedEx Ground Economy hands parcels to USPS under
        // the same numbers.
        20..=22 if matches!(b[0..2], [b'9', b'2'..=b'5']) => vec![Carrier::Usps, Carrier::Fedex],
        20..=22 => vec![Carrier::Usps],
        // IMpb with its routing code: 420, the 5-digit ZIP, then the 22-digit number.
        30 if n.starts_with("420") => vec![Carrier::Usps],
        _ => Vec::new(),
    }
}

/// UPU S10 check digit over the 8 serial digits, compared with the 9th.
fn s10_check_digit_ok(digits: &[u8]) -> bool {
    const WEIGHTS: [u32; 8] = [8, 6, 4, 2, 3, 5, 9, 7];
    let sum: u32 = digits[..8]
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    let check = match 11 - sum % 11 {
        10 => 0,
        11 => 5,
        c => c,
    };
    u32::from(digits[8] - b'0') == check
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_carrier_keys_show_their_names() {
        for (stored, shown) in [
            ("colissimo", "Colissimo"),
            ("mondial_relay", "Mondial Relay"),
            ("royal_mail", "Royal Mail"),
            ("Coursier Lyon", "Coursier Lyon"),
        ] {
            assert_eq!(Carrier::display_name(stored), shown);
        }
    }

    fn custom() -> Vec<CustomCarrier> {
        vec![CustomCarrier::new(
            "colis-prive",
            "Colis Privé",
            "https://www.colisprive.com/moncolis/pages/detailColis.aspx?numColis={number}",
        )
        .unwrap()]
    }

    #[test]
    fn every_carrier_builds_its_tracking_link() {
        let cases: &[(Carrier, &str, Option<&str>, &str)] = &[
            (
                Carrier::Colissimo,
                "6a 1234-5678 901",
                None,
                "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901",
            ),
            (
                Carrier::Chronopost,
                "xy123456789fr",
                None,
                "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT=XY123456789FR",
            ),
            (
                Carrier::MondialRelay,
                "12345678",
                Some(" 75011 "),
                "https://www.mondialrelay.fr/suivi-de-colis/?NumeroExpedition=12345678&CodePostal=75011",
            ),
            (
                Carrier::Dhl,
                "1234567890",
                None,
                "https://www.dhl.com/global-en/home/tracking.html?tracking-id=1234567890&submit=1",
            ),
            (
                Carrier::Ups,
                "1z999aa10123456784",
                None,
                "https://www.ups.com/track?tracknum=1Z999AA10123456784",
            ),
            (
                Carrier::Fedex,
                "123456789012",
                None,
                "https://www.fedex.com/fedextrack/?trknbr=123456789012",
            ),
            (
                Carrier::Gls,
                "12345678901",
                None,
                "https://gls-group.com/FR/fr/suivi-colis/?match=12345678901",
            ),
            (
                Carrier::Dpd,
                "01234567890123",
                None,
                "https://trace.dpd.fr/fr/trace/01234567890123",
            ),
            (
                Carrier::Usps,
                "9400 1000 0000 0000 0000 00",
                None,
                "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400100000000000000000",
            ),
            (
                Carrier::RoyalMail,
                "RR473124829GB",
                None,
                "https://www.royalmail.com/track-your-item#/tracking-results/RR473124829GB",
            ),
            (
                Carrier::Custom("colis-prive".into()),
                " 12ab34 ",
                None,
                "https://www.colisprive.com/moncolis/pages/detailColis.aspx?numColis=12AB34",
            ),
        ];
        for (carrier, number, postcode, expected) in cases {
            assert_eq!(
                tracking_url(carrier, number, *postcode, &custom()).as_deref(),
                Ok(*expected),
                "{carrier:?} {number}"
            );
        }
        // Every built-in carrier is covered above.
        for carrier in Carrier::BUILT_IN {
            assert!(cases.iter().any(|(c, ..)| *c == carrier), "{carrier:?}");
            assert!(carrier.name().is_some() && carrier.template().is_some());
        }
    }

    #[test]
    fn bad_numbers_and_postcodes_are_refused() {
        let cases: &[(Carrier, &str, Option<&str>, CarrierError)] = &[
            (Carrier::Ups, "", None, CarrierError::EmptyNumber),
            (Carrier::Ups, "  - - ", None, CarrierError::EmptyNumber),
            (
                Carrier::Ups,
                "1Z999&x=1",
                None,
                CarrierError::NumberCharacters("1Z999&x=1".into()),
            ),
            (
                Carrier::Dpd,
                "../../admin",
                None,
                CarrierError::NumberCharacters("../../admin".into()),
            ),
            (
                Carrier::Dhl,
                "12345#frag",
                None,
                CarrierError::NumberCharacters("12345#frag".into()),
            ),
            (
                Carrier::Dhl,
                "１２３４",
                None,
                CarrierError::NumberCharacters("１２３４".into()),
            ),
            (
                Carrier::Dhl,
                &"1".repeat(41),
                None,
                CarrierError::NumberTooLong,
            ),
            (
                Carrier::MondialRelay,
                "12345678",
                None,
                CarrierError::PostcodeRequired("Mondial Relay"),
            ),
            (
                Carrier::MondialRelay,
                "12345678",
                Some("  "),
                CarrierError::PostcodeRequired("Mondial Relay"),
            ),
            (
                Carrier::MondialRelay,
                "12345678",
                Some("75011&x=1"),
                CarrierError::Postcode("75011&x=1".into()),
            ),
            (
                Carrier::Custom("gone".into()),
                "123",
                None,
                CarrierError::UnknownCustomCarrier("gone".into()),
            ),
        ];
        for (carrier, number, postcode, expected) in cases {
            assert_eq!(
                tracking_url(carrier, number, *postcode, &custom()).as_ref(),
                Err(expected),
                "{carrier:?} {number:?}"
            );
        }
    }

    #[test]
    fn number_formats_suggest_carriers() {
        // (number, first suggestion)
        let first: &[(&str, Carrier)] = &[
            ("1Z999AA10123456784", Carrier::Ups),
            ("1z 999 aa1 0123 4567 84", Carrier::Ups),
            ("RR473124829GB", Carrier::RoyalMail),
            ("CP473124829FR", Carrier::Colissimo),
            ("EE473124829FR", Carrier::Chronopost),
            ("RR473124829US", Carrier::Usps),
            ("RR473124829DE", Carrier::Dhl),
            ("6A12345678901", Carrier::Colissimo),
            ("8R 1234 5678 901", Carrier::Colissimo),
            ("JJD0001234567890", Carrier::Dhl),
            ("12345678", Carrier::MondialRelay),
            ("1234567890", Carrier::Dhl),
            ("12345678901", Carrier::Gls),
            ("123456789012", Carrier::Fedex),
            ("12345678901234", Carrier::Dpd),
            ("123456789012345", Carrier::Fedex),
            ("9400100000000000000000", Carrier::Usps),
            ("9205590164917312751089", Carrier::Usps),
            ("96 1234 5678 9012 3456 7890", Carrier::Fedex),
            ("420750119205590164917312751089", Carrier::Usps),
        ];
        for (number, carrier) in first {
            let got = suggest(number);
            assert_eq!(got.first(), Some(carrier), "{number}: {got:?}");
        }

        // Ambiguous formats offer every candidate.
        let ambiguous: &[(&str, &[Carrier])] = &[
            ("123456789012", &[Carrier::Fedex, Carrier::Gls]),
            ("12345678901234", &[Carrier::Dpd, Carrier::Chronopost]),
            ("CP473124829FR", &[Carrier::Colissimo, Carrier::Chronopost]),
            ("9205590164917312751089", &[Carrier::Usps, Carrier::Fedex]),
        ];
        for (number, carriers) in ambiguous {
            let got = suggest(number);
            for carrier in *carriers {
                assert!(got.contains(carrier), "{number}: {got:?} lacks {carrier:?}");
            }
        }

        // Nothing recognisable: no guess.
        for number in [
            "",
            "hello",
            "1234",
            "RR473124828GB", // wrong S10 check digit
            "RR473124829XX",
            "1Z999",
            "12 34?56",
            "ABCDEFGHIJKL",
            "92001901755477000000000", // 23 digits
        ] {
            assert_eq!(suggest(number), Vec::<Carrier>::new(), "{number}");
        }
    }

    #[test]
    fn hostile_links_are_refused() {
        let long = format!("https://example.com/{}", "a".repeat(5000));
        let cases: &[(&str, CarrierError)] = &[
            (
                "javascript:alert(1)",
                CarrierError::Scheme("javascript".into()),
            ),
            (
                "JaVaScRiPt:alert(1)",
                CarrierError::Scheme("javascript".into()),
            ),
            (
                " javascript:alert(1) ",
                CarrierError::Scheme("javascript".into()),
            ),
            ("java\nscript:alert(1)", CarrierError::UrlCharacters),
            ("java\tscript:alert(1)", CarrierError::UrlCharacters),
            (
                "vbscript:msgbox(1)",
                CarrierError::Scheme("vbscript".into()),
            ),
            ("file:///etc/passwd", CarrierError::Scheme("file".into())),
            (
                "data:text/html,<script>alert(1)</script>",
                CarrierError::Scheme("data".into()),
            ),
            ("ftp://x", CarrierError::Scheme("ftp".into())),
            ("mailto:a@b.c", CarrierError::Scheme("mailto".into())),
            ("https://", CarrierError::NoHost),
            ("http://", CarrierError::NoHost),
            ("https://user:pw@evil.com", CarrierError::Credentials),
            ("https://user@evil.com/x", CarrierError::Credentials),
            ("https://ups.com@evil.com/", CarrierError::Credentials),
            ("//evil.com", CarrierError::NotAWebAddress),
            ("evil.com/track", CarrierError::NotAWebAddress),
            ("https://exa mple.com", CarrierError::UrlCharacters),
            ("https://example.com/a\nb", CarrierError::UrlCharacters),
            ("https://example.com/\u{0}", CarrierError::UrlCharacters),
            (
                "https://example.com/\u{202E}moc.live",
                CarrierError::UrlCharacters,
            ),
            ("https://ex\u{200B}ample.com/", CarrierError::UrlCharacters),
            ("", CarrierError::EmptyUrl),
            ("   ", CarrierError::EmptyUrl),
            (&long, CarrierError::UrlTooLong(long.len())),
        ];
        for (url, expected) in cases {
            assert_eq!(
                validate_tracking_url(url).as_ref(),
                Err(expected),
                "{url:?}"
            );
        }
    }

    #[test]
    fn web_links_are_accepted_and_normalised() {
        let cases = [
            (
                "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901",
                "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901",
            ),
            (
                "  HTTPS://WWW.UPS.COM/track?tracknum=1Z999  ",
                "https://www.ups.com/track?tracknum=1Z999",
            ),
            ("http://track.example.com", "http://track.example.com/"),
            (
                "https://www.royalmail.com/track-your-item#/tracking-results/RR473124829GB",
                "https://www.royalmail.com/track-your-item#/tracking-results/RR473124829GB",
            ),
            (
                "https://suivi.exemple.fr:8443/colis/é",
                "https://suivi.exemple.fr:8443/colis/%C3%A9",
            ),
            (
                "https://bücher.example/x",
                "https://xn--bcher-kva.example/x",
            ),
            // Pasting from a label or a chat often brings a trailing newline.
            ("https://example.com/x\n", "https://example.com/x"),
        ];
        for (input, expected) in cases {
            assert_eq!(
                validate_tracking_url(input).as_deref(),
                Ok(expected),
                "{input}"
            );
        }
    }

    #[test]
    fn custom_templates_are_checked() {
        let ok = [
            "https://track.example.com/parcel/{number}",
            "https://track.example.com/?n={number}&lang=fr",
            "https://track.example.com/#{number}",
        ];
        for template in ok {
            let carrier = CustomCarrier::new("ex", "Example", template).unwrap();
            assert_eq!(
                carrier.tracking_url("ab-12").unwrap(),
                template.replace("{number}", "AB12")
            );
        }

        let refused: &[(&str, &str, &str, CarrierError)] = &[
            (
                "ex",
                "Ex",
                "https://track.example.com/",
                CarrierError::TemplateMissingNumber,
            ),
            (
                "ex",
                "Ex",
                "https://track.example.com/{NUMBER}",
                CarrierError::TemplateMissingNumber,
            ),
            (
                "ex",
                "Ex",
                "https://track.example.com/{number}/{postcode}",
                CarrierError::TemplatePlaceholder,
            ),
            (
                "ex",
                "Ex",
                "https://{number}.example.com/",
                CarrierError::TemplatePlaceholder,
            ),
            (
                "ex",
                "Ex",
                "http://track.example.com/{number}",
                CarrierError::TemplateNotHttps,
            ),
            (
                "ex",
                "Ex",
                "javascript:alert('{number}')",
                CarrierError::Scheme("javascript".into()),
            ),
            (
                "ex",
                "Ex",
                "data:text/html,{number}",
                CarrierError::Scheme("data".into()),
            ),
            (
                "ex",
                "Ex",
                "https://u:p@evil.com/{number}",
                CarrierError::Credentials,
            ),
            (
                "ex",
                "Ex",
                "track.example.com/{number}",
                CarrierError::NotAWebAddress,
            ),
            (
                "ex",
                "Ex",
                "https://track.example.com/{number} x",
                CarrierError::UrlCharacters,
            ),
            (
                "Ex",
                "Ex",
                "https://track.example.com/{number}",
                CarrierError::CustomId("Ex".into()),
            ),
            (
                "",
                "Ex",
                "https://track.example.com/{number}",
                CarrierError::CustomId(String::new()),
            ),
            (
                "ex",
                "  ",
                "https://track.example.com/{number}",
                CarrierError::CustomName,
            ),
            (
                "ex",
                "E\u{202E}x",
                "https://track.example.com/{number}",
                CarrierError::CustomNameCharacters,
            ),
        ];
        for (id, name, template, expected) in refused {
            assert_eq!(
                CustomCarrier::new(id, name, template).as_ref(),
                Err(expected),
                "{template}"
            );
        }

        // A row saved before a rule existed is re-checked on use.
        let stale = CustomCarrier {
            id: "old".into(),
            name: "Old".into(),
            template: "javascript:{number}".into(),
        };
        assert!(tracking_url(&Carrier::Custom("old".into()), "1", None, &[stale]).is_err());
    }

    #[test]
    fn picker_lists_built_in_then_custom_carriers() {
        let options = options(&custom());
        assert_eq!(options.len(), 11);
        assert_eq!(options[2].name, "Mondial Relay");
        assert!(options[2].needs_postcode);
        assert_eq!(options[10].carrier, Carrier::Custom("colis-prive".into()));
        assert_eq!(options[10].name, "Colis Privé");
    }

    #[test]
    fn carrier_serialises_as_snake_case() {
        assert_eq!(
            serde_json::to_string(&Carrier::MondialRelay).unwrap(),
            "\"mondial_relay\""
        );
        assert_eq!(
            serde_json::to_string(&Carrier::RoyalMail).unwrap(),
            "\"royal_mail\""
        );
        assert_eq!(
            serde_json::to_string(&Carrier::Custom("ex".into())).unwrap(),
            "{\"custom\":\"ex\"}"
        );
    }
}
