//! Stripe Dashboard links for an object, in test or live mode, and the allow-list of links the
//! app will hand to the system browser.

use crate::model::StripeMode;

const DASHBOARD: &str = "https://dashboard.stripe.com/";

fn link(mode: StripeMode, kind: &str, id: &str) -> Option<String> {
    // Ids are Stripe's own (`in_…`); refuse anything that could bend the URL.
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let test = if mode == StripeMode::Test {
        "test/"
    } else {
        ""
    };
    Some(format!("{DASHBOARD}{test}{kind}/{id}"))
}

pub fn invoice(mode: StripeMode, id: &str) -> Option<String> {
    link(mode, "invoices", id)
}

pub fn payment(mode: StripeMode, payment_intent_id: &str) -> Option<String> {
    link(mode, "payments", payment_intent_id)
}

pub fn customer(mode: StripeMode, id: &str) -> Option<String> {
    link(mode, "customers", id)
}

pub fn subscription(mode: StripeMode, id: &str) -> Option<String> {
    link(mode, "subscriptions", id)
}

/// The only hosts the app opens in the browser: the Dashboard, and Stripe's invoice, payment
/// and file pages (where `invoice_pdf` and `hosted_invoice_url` point).
pub const EXTERNAL_HOSTS: &[&str] = &[
    "dashboard.stripe.com",
    "pay.stripe.com",
    "invoice.stripe.com",
    "files.stripe.com",
];

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LinkError {
    #[error("That link is not a valid web address")]
    Malformed,
    #[error("Only https links open from Comptoir")]
    NotHttps,
    #[error("Comptoir only opens links to Stripe (dashboard.stripe.com and Stripe's invoice pages), not {0}")]
    Host(String),
}

impl LinkError {
    /// The problem the window puts into words: the host it names, when it is a web address.
    pub fn problem(&self) -> crate::problem::Problem {
        crate::problem::Problem::LinkRefused {
            host: match self {
                LinkError::Host(host) => Some(host.clone()),
                LinkError::Malformed | LinkError::NotHttps => None,
            },
        }
    }
}

/// Checks a link before it goes to the system browser: `https:` on one of Stripe's hosts, with
/// no credentials and the default port. Returns the normalised URL.
pub fn external(url: &str) -> Result<String, LinkError> {
    let parsed = reqwest::Url::parse(url.trim()).map_err(|_| LinkError::Malformed)?;
    if parsed.scheme() != "https" {
        return Err(LinkError::NotHttps);
    }
    let host = parsed.host_str().unwrap_or_default();
    let allowed = EXTERNAL_HOSTS.contains(&host)
        && parsed.port().is_none()
        && parsed.username().is_empty()
        && parsed.password().is_none();
    if !allowed {
        return Err(LinkError::Host(host.to_owned()));
    }
    Ok(parsed.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_mode_links_carry_test_segment() {
        assert_eq!(
            invoice(StripeMode::Test, "in_1Pgc6tB7WZ01zgkWu9fdqL6I").as_deref(),
            Some("https://dashboard.stripe.com/test/invoices/in_1Pgc6tB7WZ01zgkWu9fdqL6I")
        );
        assert_eq!(
            payment(StripeMode::Live, "pi_123").as_deref(),
            Some("https://dashboard.stripe.com/payments/pi_123")
        );
        assert_eq!(
            customer(StripeMode::Test, "cus_QXg1o8vcGmoR32").as_deref(),
            Some("https://dashboard.stripe.com/test/customers/cus_QXg1o8vcGmoR32")
        );
        assert_eq!(
            subscription(StripeMode::Live, "sub_1").as_deref(),
            Some("https://dashboard.stripe.com/subscriptions/sub_1")
        );
    }

    #[test]
    fn odd_ids_give_no_link() {
        assert_eq!(invoice(StripeMode::Test, "../settings"), None);
        assert_eq!(invoice(StripeMode::Test, "in_1?x=y"), None);
        assert_eq!(invoice(StripeMode::Test, ""), None);
    }

    #[test]
    fn only_https_stripe_links_open() {
        let ok = [
            "https://dashboard.stripe.com/test/customers/cus_QXg1o8vcGmoR32",
            "https://pay.stripe.com/invoice/acct_1/test_abc/pdf?s=ap",
            "https://invoice.stripe.com/i/acct_1/test_abc",
            "https://files.stripe.com/links/MDB8YWNjdF8x",
            "HTTPS://Dashboard.Stripe.com/customers/cus_1",
        ];
        for url in ok {
            assert!(external(url).is_ok(), "{url} should open");
        }
        let refused = [
            ("javascript:alert(1)", LinkError::NotHttps),
            ("file:///etc/passwd", LinkError::NotHttps),
            (
                "http://dashboard.stripe.com/customers/cus_1",
                LinkError::NotHttps,
            ),
            (
                "data:text/html,<script>alert(1)</script>",
                LinkError::NotHttps,
            ),
            ("https://evil.com/", LinkError::Host("evil.com".into())),
            (
                "https://dashboard.stripe.com.evil.com/x",
                LinkError::Host("dashboard.stripe.com.evil.com".into()),
            ),
            (
                "https://evil.com@dashboard.stripe.com/x",
                LinkError::Host("dashboard.stripe.com".into()),
            ),
            (
                "https://dashboard.stripe.com:8443/x",
                LinkError::Host("dashboard.stripe.com".into()),
            ),
            ("https://stripe.com/", LinkError::Host("stripe.com".into())),
            ("dashboard.stripe.com/customers", LinkError::Malformed),
            ("", LinkError::Malformed),
        ];
        for (url, err) in refused {
            assert_eq!(external(url), Err(err), "{url} must not open");
        }
        assert_eq!(
            external("HTTPS://Dashboard.Stripe.com/customers/cus_1").unwrap(),
            "https://dashboard.stripe.com/customers/cus_1"
        );
    }
}
