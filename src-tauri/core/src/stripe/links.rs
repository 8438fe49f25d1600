//! Stripe Dashboard links for an object, in test or live mode.

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
}
