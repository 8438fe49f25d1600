//! The payment rule: from Checkout's `payment_status`, the PaymentIntent and its charge, and the
//! dispute, where an order's payment stands, and so whether it may go out. One place for the
//! rule: the sync and the store call it, the UI shows its result.

use crate::model::{DisputeSummary, OrderPayment, PaymentFacts, PaymentState};
use crate::problem::Unsettled;

/// Dispute statuses that no longer hold the order: the merchant won, or an inquiry closed.
fn dispute_settled(status: &str) -> bool {
    matches!(status, "won" | "warning_closed" | "prevented")
}

/// An order's payment. `checkout_status` is the session's `payment_status` (`None` for an order
/// from a paid invoice), `facts` its PaymentIntent when known, `dispute` the newest dispute on
/// it, `order_total` the order's total (what a full refund gives back when Stripe has not said
/// what was received).
pub fn order_payment(
    checkout_status: Option<&str>,
    facts: Option<&PaymentFacts>,
    dispute: Option<DisputeSummary>,
    order_total: i64,
) -> OrderPayment {
    use PaymentState as S;
    let pi_status = facts.and_then(|f| f.status.as_deref());
    let refunded = facts.map(|f| f.amount_refunded).unwrap_or(0);
    let received = facts
        .map(|f| f.amount_received)
        .filter(|a| *a > 0)
        .unwrap_or(order_total);
    let state = if dispute
        .as_ref()
        .is_some_and(|d| !dispute_settled(&d.status))
    {
        S::Disputed
    } else if refunded > 0 {
        if refunded >= received {
            S::Refunded
        } else {
            S::PartiallyRefunded
        }
    } else {
        match (checkout_status, pi_status) {
            (_, Some("succeeded")) => S::Paid,
            (Some("no_payment_required"), _) => S::NoPaymentRequired,
            (Some("paid"), _) => S::Paid,
            // A completed session still unpaid: an asynchronous method that failed, or one
            // that is still on its way (processing, or a bank transfer awaiting its funds).
            (Some("unpaid"), Some("requires_payment_method" | "canceled")) => S::Failed,
            (Some("unpaid"), _) => S::Processing,
            // A paid invoice's order, or a session without Checkout's word.
            (_, Some("processing")) => S::Processing,
            _ => S::Paid,
        }
    };
    OrderPayment {
        state,
        checkout_status: checkout_status.map(str::to_owned),
        method: facts.and_then(|f| f.method.clone()),
        amount: if state == S::NoPaymentRequired {
            0
        } else {
            received
        },
        amount_refunded: refunded,
        refunded_at: facts.and_then(|f| f.refunded_at).filter(|_| refunded > 0),
        failure: facts
            .and_then(|f| f.failure.clone())
            .filter(|_| state == S::Failed),
        dispute,
    }
}

/// Why an order may not go out, as the window words it (`Problem::PaymentNotSettled`); `None`
/// when it may. Shipping, printing a slip for or handing over such an order needs a
/// confirmation.
pub fn unsettled(p: &OrderPayment) -> Option<Unsettled> {
    match p.state {
        PaymentState::Processing => Some(Unsettled::Processing {
            method: p.method.clone(),
        }),
        PaymentState::Failed => Some(Unsettled::Failed {
            failure: p.failure.clone(),
        }),
        PaymentState::Refunded => Some(Unsettled::Refunded),
        PaymentState::Disputed => Some(match &p.dispute {
            Some(d) if d.status == "lost" => Unsettled::DisputeLost,
            _ => Unsettled::Disputed,
        }),
        PaymentState::Paid | PaymentState::NoPaymentRequired | PaymentState::PartiallyRefunded => {
            None
        }
    }
}

/// [`unsettled`] in plain English, for the history and the log; `None` when the order may go out.
pub fn unsettled_reason(p: &OrderPayment) -> Option<String> {
    unsettled(p).map(|u| u.to_string())
}

/// The English of the history and the log ("the payment is still processing (card)").
impl std::fmt::Display for Unsettled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unsettled::Processing { method: Some(m) } => {
                write!(f, "the payment is still processing ({})", method_name(m))
            }
            Unsettled::Processing { method: None } => {
                f.write_str("the payment is still processing")
            }
            Unsettled::Failed { failure: Some(why) } => write!(f, "the payment failed: {why}"),
            Unsettled::Failed { failure: None } => f.write_str("the payment failed"),
            Unsettled::Refunded => f.write_str("the order was refunded in full"),
            Unsettled::Disputed => f.write_str("the payment is disputed"),
            Unsettled::DisputeLost => f.write_str("the payment's dispute was lost"),
        }
    }
}

/// Compares the English wording (the history's), as callers that read it as text do.
impl PartialEq<str> for Unsettled {
    fn eq(&self, other: &str) -> bool {
        self.to_string().as_str() == other
    }
}

/// A payment method type as a merchant names it.
pub fn method_name(kind: &str) -> String {
    match kind {
        "card" => "card".into(),
        "sepa_debit" => "SEPA Direct Debit".into(),
        "customer_balance" => "bank transfer".into(),
        "us_bank_account" => "ACH Direct Debit".into(),
        "bacs_debit" => "Bacs Direct Debit".into(),
        "ideal" => "iDEAL".into(),
        "sofort" => "Sofort".into(),
        "boleto" => "Boleto".into(),
        "paypal" => "PayPal".into(),
        other => other.replace('_', " "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(status: &str, received: i64, refunded: i64) -> PaymentFacts {
        PaymentFacts {
            payment_intent_id: "pi_1".into(),
            status: Some(status.into()),
            method: Some("sepa_debit".into()),
            amount: 4590,
            amount_received: received,
            charge_id: Some("ch_1".into()),
            amount_refunded: refunded,
            refunded_at: (refunded > 0).then_some(1_800_000_000),
            failure: Some("The account has insufficient funds.".into()),
        }
    }

    fn dispute(status: &str) -> DisputeSummary {
        DisputeSummary {
            id: "dp_1".into(),
            status: status.into(),
            reason: Some("fraudulent".into()),
            amount: 4590,
            due_by: Some(1_800_000_000),
        }
    }

    /// A name, Checkout's status, the PaymentIntent, the dispute, and the state expected.
    type Case = (
        &'static str,
        Option<&'static str>,
        Option<PaymentFacts>,
        Option<DisputeSummary>,
        PaymentState,
    );

    #[test]
    fn the_rule_table() {
        use PaymentState as S;
        let cases: Vec<Case> = vec![
            (
                "card paid",
                Some("paid"),
                Some(facts("succeeded", 4590, 0)),
                None,
                S::Paid,
            ),
            (
                "free",
                Some("no_payment_required"),
                None,
                None,
                S::NoPaymentRequired,
            ),
            (
                "SEPA processing",
                Some("unpaid"),
                Some(facts("processing", 0, 0)),
                None,
                S::Processing,
            ),
            (
                "transfer awaiting funds",
                Some("unpaid"),
                Some(facts("requires_action", 0, 0)),
                None,
                S::Processing,
            ),
            (
                "unpaid, no PaymentIntent known",
                Some("unpaid"),
                None,
                None,
                S::Processing,
            ),
            (
                "SEPA failed",
                Some("unpaid"),
                Some(facts("requires_payment_method", 0, 0)),
                None,
                S::Failed,
            ),
            (
                "async succeeded before the session says so",
                Some("unpaid"),
                Some(facts("succeeded", 4590, 0)),
                None,
                S::Paid,
            ),
            (
                "partial refund",
                Some("paid"),
                Some(facts("succeeded", 4590, 1200)),
                None,
                S::PartiallyRefunded,
            ),
            (
                "full refund",
                Some("paid"),
                Some(facts("succeeded", 4590, 4590)),
                None,
                S::Refunded,
            ),
            (
                "open dispute",
                Some("paid"),
                Some(facts("succeeded", 4590, 0)),
                Some(dispute("needs_response")),
                S::Disputed,
            ),
            (
                "lost dispute",
                Some("paid"),
                Some(facts("succeeded", 4590, 0)),
                Some(dispute("lost")),
                S::Disputed,
            ),
            (
                "won dispute",
                Some("paid"),
                Some(facts("succeeded", 4590, 0)),
                Some(dispute("won")),
                S::Paid,
            ),
            ("paid invoice", None, None, None, S::Paid),
            (
                "invoice refunded",
                None,
                Some(facts("succeeded", 4590, 4590)),
                None,
                S::Refunded,
            ),
        ];
        for (name, checkout, f, d, want) in cases {
            let p = order_payment(checkout, f.as_ref(), d, 4590);
            assert_eq!(p.state, want, "{name}");
            let held = want.hold().is_some();
            assert_eq!(
                unsettled_reason(&p).is_some(),
                held,
                "{name}: a hold has a reason"
            );
        }
    }

    #[test]
    fn what_the_merchant_reads() {
        let p = order_payment(Some("unpaid"), Some(&facts("processing", 0, 0)), None, 4590);
        // The window gets the method's type and words it; the history keeps the English.
        assert_eq!(
            unsettled(&p),
            Some(Unsettled::Processing {
                method: Some("sepa_debit".into())
            })
        );
        assert_eq!(
            unsettled_reason(&p).as_deref(),
            Some("the payment is still processing (SEPA Direct Debit)")
        );
        let p = order_payment(
            Some("unpaid"),
            Some(&facts("requires_payment_method", 0, 0)),
            None,
            4590,
        );
        assert_eq!(
            unsettled(&p),
            Some(Unsettled::Failed {
                failure: Some("The account has insufficient funds.".into())
            })
        );
        assert_eq!(
            unsettled_reason(&p).as_deref(),
            Some("the payment failed: The account has insufficient funds.")
        );
        let p = order_payment(
            Some("paid"),
            Some(&facts("succeeded", 4590, 1200)),
            None,
            4590,
        );
        assert_eq!((p.amount, p.amount_refunded), (4590, 1200));
        assert_eq!(p.refunded_at, Some(1_800_000_000));
        assert_eq!(
            p.failure, None,
            "a failure message only on a failed payment"
        );
    }
}
