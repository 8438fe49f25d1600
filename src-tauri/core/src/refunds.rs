//! Refunds made in the app (B17): full, or partial by amount or by cart line, through Stripe's
//! Refunds API under an idempotency key the window keeps for the whole dialog, so a retried
//! click never refunds twice. The order's payment state is read back from Stripe at once and
//! the refund is recorded in the order's history. A key that may not write refunds keeps the
//! "Refund via Stripe" Dashboard link, and the error names the permission it lacks.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::fulfilment::{self, Actor};
use crate::lang::Lang;
use crate::model::{Order, PaymentState, Timestamp};
use crate::money;
use crate::problem::{Problem, RefundRefusal};
use crate::store::{self, Store, StoreError};
use crate::stripe::{StripeClient, StripeError};
use crate::sync::{self, SyncError};

/// Why the merchant refunds, as Stripe records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RefundReason {
    RequestedByCustomer,
    Duplicate,
    Fraudulent,
}

impl RefundReason {
    fn as_str(self) -> &'static str {
        match self {
            RefundReason::RequestedByCustomer => "requested_by_customer",
            RefundReason::Duplicate => "duplicate",
            RefundReason::Fraudulent => "fraudulent",
        }
    }
}

/// Units of one cart line to refund (`line` is its place in the order, from 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RefundLine {
    pub line: u32,
    pub quantity: u32,
}

/// What to refund: everything left (`amount` and `lines` empty), an amount, or cart lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RefundRequest {
    pub order_id: String,
    /// Minor units of the order's currency.
    #[ts(type = "number | null")]
    pub amount: Option<i64>,
    #[serde(default)]
    pub lines: Vec<RefundLine>,
    pub reason: Option<RefundReason>,
    /// Made by the window when the refund dialog opens and kept for every click of it.
    pub idempotency_key: String,
}

/// A refund Stripe accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RefundDone {
    pub refund_id: String,
    #[ts(type = "number")]
    pub amount: i64,
    pub currency: String,
    /// succeeded, pending (some methods take days), failed…
    pub status: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RefundError {
    /// Refused before anything was sent to Stripe, for the reason the problem gives.
    #[error("refused: {0:?}")]
    Refused(Problem),
    #[error(transparent)]
    Stripe(#[from] StripeError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("The demo store has no Stripe account to refund from")]
    Demo,
    #[error(
        "Comptoir is offline from Stripe: connect it to refund, or refund in the Stripe Dashboard"
    )]
    NoClient,
}

impl From<SyncError> for RefundError {
    fn from(e: SyncError) -> Self {
        match e {
            SyncError::Stripe(s) => RefundError::Stripe(s),
            SyncError::Store(s) => RefundError::Store(s),
        }
    }
}

impl From<sqlx::Error> for RefundError {
    fn from(e: sqlx::Error) -> Self {
        RefundError::Store(StoreError::from(e))
    }
}

pub type Result<T, E = RefundError> = std::result::Result<T, E>;

fn refused(reason: RefundRefusal) -> RefundError {
    RefundError::Refused(Problem::RefundInvalid { reason })
}

/// What may still be refunded on an order: what was paid, less what was refunded already.
pub fn refundable(order: &Order) -> i64 {
    let paid = if order.payment.amount > 0 {
        order.payment.amount
    } else {
        order.amount_total
    };
    (paid - order.payment.amount_refunded).max(0)
}

/// The amount a request refunds, checked against the order: cart lines at what each unit was
/// paid (after discount, with its tax), or an amount, or everything left.
pub fn amount_of(order: &Order, req: &RefundRequest) -> Result<i64> {
    let left = refundable(order);
    let amount = if !req.lines.is_empty() {
        let mut sum = 0i64;
        for l in &req.lines {
            let line = order
                .lines
                .get(l.line as usize)
                .ok_or(refused(RefundRefusal::UnknownLine))?;
            let qty = i64::from(l.quantity);
            if qty > line.quantity {
                return Err(RefundError::Refused(Problem::RefundTooManyUnits {
                    line: line.description.clone(),
                    on_order: u32::try_from(line.quantity).unwrap_or(u32::MAX),
                    asked: l.quantity,
                }));
            }
            if line.quantity > 0 {
                // Whole units: the last unit takes the rounding, so refunding every unit of a
                // line gives back exactly its total.
                let unit = line.amount_total / line.quantity;
                let rest = line.amount_total - unit * line.quantity;
                sum += unit * qty + if qty == line.quantity { rest } else { 0 };
            }
        }
        sum
    } else {
        req.amount.unwrap_or(left)
    };
    if amount <= 0 {
        return Err(refused(RefundRefusal::NoAmount));
    }
    if amount > left {
        return Err(RefundError::Refused(Problem::RefundTooMuch {
            amount: left,
            currency: order.currency.clone(),
        }));
    }
    Ok(amount)
}

fn check_key(key: &str) -> Result<()> {
    let ok = (16..=64).contains(&key.len())
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(refused(RefundRefusal::Malformed))
    }
}

/// Refunds an order through Stripe, then reads its payment back and records the refund.
pub async fn refund(
    store: &Store,
    client: &StripeClient,
    req: &RefundRequest,
    actor: &Actor,
    now: Timestamp,
) -> Result<RefundDone> {
    check_key(&req.idempotency_key)?;
    let order = store::orders::get(store.pool(), &req.order_id).await?;
    let Some(pi) = order.payment_intent_id.clone() else {
        return Err(refused(RefundRefusal::NoPayment));
    };
    if matches!(
        order.payment.state,
        PaymentState::Processing | PaymentState::Failed | PaymentState::NoPaymentRequired
    ) {
        return Err(refused(RefundRefusal::NotPaid));
    }
    let amount = amount_of(&order, req)?;
    let amount_text = amount.to_string();
    let mut form: Vec<(&str, &str)> = vec![
        ("payment_intent", &pi),
        ("amount", &amount_text),
        ("metadata[comptoir_order]", &order.number),
    ];
    if let Some(r) = req.reason {
        form.push(("reason", r.as_str()));
    }
    let refund = client
        .post_form("/refunds", &form, &req.idempotency_key)
        .await?;
    let refund_id = refund
        .get("id")
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_owned();
    let done = RefundDone {
        amount: refund
            .get("amount")
            .and_then(|v| v.as_i64())
            .unwrap_or(amount),
        currency: refund
            .get("currency")
            .and_then(|v| v.as_str())
            .unwrap_or(&order.currency)
            .to_owned(),
        status: refund
            .get("status")
            .and_then(|v| v.as_str())
            .unwrap_or("pending")
            .to_owned(),
        refund_id,
    };
    // The state shown at once: the payment as Stripe has it now. Should that read fail, the
    // refund still stands and the next sync brings it.
    let fresh = sync::fetch_payment_intent(client, &pi).await;
    let mut tx = store.write().await?;
    if let Ok(pi_now) = &fresh {
        sync::write_payment(&mut tx, pi_now).await?;
    }
    let at = refund
        .get("created")
        .and_then(|v| v.as_i64())
        .unwrap_or(now);
    store::payments::note_refund(&mut *tx, &pi, at).await?;
    sync::refresh_payment(&mut tx, &pi).await?;
    let lines = req
        .lines
        .iter()
        .filter_map(|l| {
            order
                .lines
                .get(l.line as usize)
                .map(|line| format!("{} \u{d7}{}", line.description, l.quantity))
        })
        .collect::<Vec<_>>()
        .join(", ");
    let detail = format!(
        "{} ({}){}; {}",
        money::with_code(done.amount, &done.currency, Lang::En),
        done.status,
        if lines.is_empty() {
            String::new()
        } else {
            format!(": {lines}")
        },
        done.refund_id
    );
    fulfilment::audit(&mut tx, &order.id, now, "refunded", actor, Some(&detail))
        .await
        .map_err(|e| match e {
            fulfilment::FulfilmentError::Store(s) => RefundError::Store(s),
            other => {
                tracing::error!("the refund could not be recorded in the history: {other}");
                RefundError::Refused(Problem::Internal)
            }
        })?;
    tx.commit().await?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{OrderLine, OrderPayment};

    fn order() -> Order {
        let line = |description: &str, quantity, amount_total| OrderLine {
            description: description.into(),
            quantity,
            unit_amount: None,
            amount_subtotal: amount_total,
            amount_discount: 0,
            amount_tax: 0,
            amount_total,
            product_id: None,
        };
        let mut o: Order = serde_json::from_value(serde_json::json!({
            "id": "cs_1", "source": "checkout_session", "number": "CPT-0001", "created": 0,
            "livemode": false, "customer_id": null,
            "billing": {"name": null, "email": null, "phone": null, "address": null, "tax_ids": []},
            "shipping": null, "currency": "eur", "lines": [], "amount_subtotal": 4590,
            "amount_discount": 0, "amount_shipping": 490, "amount_tax": 0, "amount_total": 4590,
            "discounts": [], "taxes": [], "shipping_rate_id": null, "delivery_method": null,
            "delivery_kind": "delivery", "invoice_id": null, "invoice_pdf": null,
            "hosted_invoice_url": null, "payment_intent_id": "pi_1", "locale": null
        }))
        .unwrap();
        o.lines = vec![line("Thé vert", 3, 2000), line("Miel", 1, 2100)];
        o.payment = OrderPayment {
            amount: 4590,
            ..OrderPayment::default()
        };
        o
    }

    fn req(amount: Option<i64>, lines: Vec<RefundLine>) -> RefundRequest {
        RefundRequest {
            order_id: "cs_1".into(),
            amount,
            lines,
            reason: None,
            idempotency_key: "k".repeat(20),
        }
    }

    #[test]
    fn amounts_by_line_by_amount_and_in_full() {
        let o = order();
        assert_eq!(amount_of(&o, &req(None, vec![])).unwrap(), 4590, "in full");
        assert_eq!(amount_of(&o, &req(Some(1200), vec![])).unwrap(), 1200);
        let one = RefundLine {
            line: 0,
            quantity: 1,
        };
        assert_eq!(
            amount_of(&o, &req(None, vec![one])).unwrap(),
            666,
            "one of three units"
        );
        let all = RefundLine {
            line: 0,
            quantity: 3,
        };
        assert_eq!(
            amount_of(&o, &req(None, vec![all])).unwrap(),
            2000,
            "every unit gives the line's total back, rounding included"
        );
    }

    /// The problem of a refusal, for the window to word.
    fn problem(e: RefundError) -> Problem {
        match e {
            RefundError::Refused(p) => p,
            other => panic!("not a refusal: {other:?}"),
        }
    }

    #[test]
    fn refusals_say_why() {
        let mut o = order();
        o.payment.amount_refunded = 4000;
        let too_much = amount_of(&o, &req(Some(1000), vec![])).unwrap_err();
        assert_eq!(
            problem(too_much),
            Problem::RefundTooMuch {
                amount: 590,
                currency: "eur".into()
            }
        );
        let units = amount_of(
            &order(),
            &req(
                None,
                vec![RefundLine {
                    line: 1,
                    quantity: 2,
                }],
            ),
        )
        .unwrap_err();
        assert_eq!(
            problem(units),
            Problem::RefundTooManyUnits {
                line: "Miel".into(),
                on_order: 1,
                asked: 2
            }
        );
        let unknown = RefundLine {
            line: 9,
            quantity: 1,
        };
        assert_eq!(
            problem(amount_of(&order(), &req(None, vec![unknown])).unwrap_err()),
            Problem::RefundInvalid {
                reason: RefundRefusal::UnknownLine
            }
        );
        assert_eq!(
            problem(amount_of(&order(), &req(Some(0), vec![])).unwrap_err()),
            Problem::RefundInvalid {
                reason: RefundRefusal::NoAmount
            }
        );
        assert_eq!(
            problem(check_key("short").unwrap_err()),
            Problem::RefundInvalid {
                reason: RefundRefusal::Malformed
            }
        );
        assert!(check_key("comptoir-0123456789abcdef").is_ok());
        assert!(check_key(&"a".repeat(30).replace('a', "é")).is_err());
    }
}
