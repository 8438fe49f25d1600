//! Payment state against the Stripe simulator over real HTTP, into a real SQLite file: after a
//! full sync every order's payment (processing SEPA debits, bounced ones, partial and full
//! refunds, disputes) is what the simulator's own objects imply, held orders wait outside the
//! work queue, payment events move them, and a fresh full sync rebuilds the very same state.
//! Refunds made in the app go through Stripe once per idempotency key and show at once.

mod support;

use std::collections::HashMap;

use comptoir_core::dataset::Dataset;
use comptoir_core::fulfilment::Actor;
use comptoir_core::model::{Order, OrderQuery, OrderQueue, PaymentState};
use comptoir_core::problem::Problem;
use comptoir_core::refunds::{self, RefundLine, RefundReason, RefundRequest};
use comptoir_core::store::{self, Store};
use serde_json::Value;
use support::{temp_store, TestShop};

/// The shop of these tests: `orders` orders and three subscriptions, dated today.
fn shop_of(orders: usize) -> TestShop {
    TestShop::new().orders(orders).subscriptions(3)
}

fn by_id(objects: &[Value]) -> HashMap<&str, &Value> {
    objects
        .iter()
        .filter_map(|o| Some((o["id"].as_str()?, o)))
        .collect()
}

/// What a session's payment is, read straight off the simulator's objects (not through the
/// app's mapping): Checkout's status, the PaymentIntent, its charge's refunds, its disputes.
fn expected_state(d: &Dataset, session: &Value) -> PaymentState {
    let pis = by_id(&d.payment_intents);
    let charges = by_id(&d.charges);
    let pi = session["payment_intent"]
        .as_str()
        .and_then(|id| pis.get(id));
    let charge = pi
        .and_then(|p| p["latest_charge"].as_str())
        .and_then(|id| charges.get(id));
    let disputed = d.disputes.iter().any(|x| {
        Some(&x["payment_intent"]) == pi.map(|p| &p["id"])
            && !matches!(x["status"].as_str(), Some("won" | "warning_closed"))
    });
    let refunded = charge.map_or(0, |c| c["amount_refunded"].as_i64().unwrap());
    let captured = charge.map_or(0, |c| c["amount_captured"].as_i64().unwrap());
    if disputed {
        PaymentState::Disputed
    } else if refunded > 0 && refunded >= captured {
        PaymentState::Refunded
    } else if refunded > 0 {
        PaymentState::PartiallyRefunded
    } else if session["payment_status"] == "no_payment_required" {
        PaymentState::NoPaymentRequired
    } else if session["payment_status"] == "paid" {
        PaymentState::Paid
    } else if pi.is_some_and(|p| p["status"] == "requires_payment_method") {
        PaymentState::Failed
    } else {
        PaymentState::Processing
    }
}

async fn order(store: &Store, id: &str) -> Order {
    store::orders::get(store.pool(), id).await.unwrap()
}

async fn queue_of(store: &Store, id: &str) -> OrderQueue {
    let q: String = sqlx::query_scalar("SELECT queue FROM orders WHERE id = ?1")
        .bind(id)
        .fetch_one(store.pool())
        .await
        .unwrap();
    OrderQueue::parse(&q).unwrap()
}

/// Every session order's payment, as the store holds it.
async fn payments(store: &Store) -> Vec<(String, String)> {
    sqlx::query_as("SELECT id, json_extract(detail, '$.payment') FROM orders ORDER BY id")
        .fetch_all(store.pool())
        .await
        .unwrap()
}

fn sessions_in(d: &Dataset, state: PaymentState) -> Vec<Value> {
    d.checkout_sessions
        .iter()
        .filter(|s| s["mode"] == "payment" && s["status"] == "complete")
        .filter(|s| expected_state(d, s) == state)
        .cloned()
        .collect()
}

#[tokio::test]
async fn a_full_sync_gives_every_order_its_payment_and_holds_the_unpaid_back() {
    let shop = shop_of(200).start().await;
    let store = shop.synced_store().await;
    let sim = &shop.sim;
    let d = sim.snapshot();

    let mut seen: HashMap<PaymentState, usize> = HashMap::new();
    for s in d
        .checkout_sessions
        .iter()
        .filter(|s| s["mode"] == "payment" && s["status"] == "complete")
    {
        let id = s["id"].as_str().unwrap();
        let want = expected_state(&d, s);
        let o = order(&store, id).await;
        assert_eq!(o.payment.state, want, "{id}");
        *seen.entry(want).or_default() += 1;
        // Held orders wait outside the work queue; the others sit where their delivery starts.
        let queue = queue_of(&store, id).await;
        match want {
            PaymentState::Processing => assert_eq!(queue, OrderQueue::AwaitingPayment, "{id}"),
            PaymentState::Failed | PaymentState::Refunded | PaymentState::Disputed => {
                assert_eq!(queue, OrderQueue::OnHold, "{id}")
            }
            _ => assert!(
                matches!(queue, OrderQueue::ToBeSent | OrderQueue::ToBePickedUp),
                "{id}: {queue:?}"
            ),
        }
    }
    for state in [
        PaymentState::Paid,
        PaymentState::Processing,
        PaymentState::Failed,
        PaymentState::PartiallyRefunded,
        PaymentState::Refunded,
        PaymentState::Disputed,
    ] {
        assert!(
            seen.get(&state).copied().unwrap_or(0) > 0,
            "the data has {state:?}: {seen:?}"
        );
    }

    // What the merchant reads: the refund's amount and date, the dispute's deadline, the
    // method and failure of a bounced debit.
    let refund = &d.refunds[0];
    let pi = refund["payment_intent"].as_str().unwrap();
    let session = d
        .checkout_sessions
        .iter()
        .find(|s| s["payment_intent"] == pi)
        .unwrap();
    let p = order(&store, session["id"].as_str().unwrap()).await.payment;
    assert_eq!(p.amount_refunded, refund["amount"].as_i64().unwrap());
    assert_eq!(p.refunded_at, refund["created"].as_i64());
    let dispute = &d.disputes[0];
    let session = d
        .checkout_sessions
        .iter()
        .find(|s| s["payment_intent"] == dispute["payment_intent"])
        .unwrap();
    let p = order(&store, session["id"].as_str().unwrap()).await.payment;
    let summary = p.dispute.expect("the dispute is on the order");
    assert_eq!(summary.status, "needs_response");
    assert_eq!(
        summary.due_by,
        dispute["evidence_details"]["due_by"].as_i64()
    );
    let failed = &sessions_in(&d, PaymentState::Failed)[0];
    let p = order(&store, failed["id"].as_str().unwrap()).await.payment;
    assert_eq!(p.method.as_deref(), Some("sepa_debit"));
    assert!(
        p.failure
            .as_deref()
            .is_some_and(|f| f.contains("insufficient funds")),
        "{p:?}"
    );

    // The tabs count them apart, and every order sits in exactly one tab.
    let mut conn = store.pool().acquire().await.unwrap();
    let c = store::orders::counts(&mut conn).await.unwrap();
    assert_eq!(
        c.awaiting_payment as usize,
        seen[&PaymentState::Processing],
        "{c:?}"
    );
    let page = store::orders::list(
        &mut conn,
        &OrderQuery {
            status: Some(OrderQueue::OnHold),
            limit: 500,
            offset: 0,
            search: None,
            sort: None,
        },
    )
    .await
    .unwrap();
    assert!(page
        .rows
        .iter()
        .all(|r| r.payment_state.hold() == Some(OrderQueue::OnHold)));
    assert_eq!(
        c.to_be_sent + c.sent + c.to_be_picked_up + c.picked_up + c.awaiting_payment + c.on_hold,
        c.orders
    );
}

#[tokio::test]
async fn payment_events_move_orders_and_a_full_sync_rebuilds_the_same_state() {
    let shop = shop_of(200).start().await;
    let store = shop.synced_store().await;
    let sim = &shop.sim;
    let d = sim.snapshot();
    let processing = sessions_in(&d, PaymentState::Processing);
    assert!(processing.len() >= 2, "two debits still processing");
    let (succeeds, bounces) = (&processing[0], &processing[1]);
    let paid = sessions_in(&d, PaymentState::Paid);
    let (refunded, disputed) = (&paid[0], &paid[1]);
    let id = |s: &Value| s["id"].as_str().unwrap().to_owned();
    let pi = |s: &Value| s["payment_intent"].as_str().unwrap().to_owned();
    assert_eq!(
        queue_of(&store, &id(succeeds)).await,
        OrderQueue::AwaitingPayment
    );
    let now = sim.now();

    // The debit goes through; another bounces; a refund in two steps; a dispute.
    sim.with_dataset(|ds| {
        assert!(ds.settle_payment(&id(succeeds), true, now + 10));
        assert!(ds.settle_payment(&id(bounces), false, now + 11));
        let total = ds
            .payment_intents
            .iter()
            .find(|p| p["id"] == pi(refunded).as_str())
            .unwrap()["amount"]
            .as_i64()
            .unwrap();
        ds.refund(&pi(refunded), 1200.min(total - 1), now + 12)
            .expect("a partial refund");
        ds.dispute(&pi(disputed), now + 13).expect("a dispute");
    });
    let report = shop.sync(&store).await;
    assert!(!report.full, "the events feed brings them: {report:?}");

    let o = order(&store, &id(succeeds)).await;
    assert_eq!(o.payment.state, PaymentState::Paid);
    assert!(
        matches!(
            queue_of(&store, &id(succeeds)).await,
            OrderQueue::ToBeSent | OrderQueue::ToBePickedUp
        ),
        "a payment that succeeded moves its order to the work queue"
    );
    let o = order(&store, &id(bounces)).await;
    assert_eq!(o.payment.state, PaymentState::Failed);
    assert_eq!(queue_of(&store, &id(bounces)).await, OrderQueue::OnHold);
    assert!(o.payment.failure.is_some(), "it says why");
    let o = order(&store, &id(refunded)).await;
    assert_eq!(o.payment.state, PaymentState::PartiallyRefunded);
    assert_eq!(o.payment.refunded_at, Some(now + 12));
    assert!(
        matches!(
            queue_of(&store, &id(refunded)).await,
            OrderQueue::ToBeSent | OrderQueue::ToBePickedUp
        ),
        "a partial refund does not stop the parcel"
    );
    let o = order(&store, &id(disputed)).await;
    assert_eq!(o.payment.state, PaymentState::Disputed);
    assert_eq!(queue_of(&store, &id(disputed)).await, OrderQueue::OnHold);

    // The rest of the refund: refunded in full, held back.
    sim.with_dataset(|ds| {
        ds.refund(&pi(refunded), i64::MAX, now + 20)
            .expect("the rest")
    });
    shop.sync(&store).await;
    let o = order(&store, &id(refunded)).await;
    assert_eq!(o.payment.state, PaymentState::Refunded);
    assert_eq!(o.payment.amount_refunded, o.payment.amount);
    assert_eq!(o.payment.refunded_at, Some(now + 20));
    assert_eq!(queue_of(&store, &id(refunded)).await, OrderQueue::OnHold);

    // A new station (a fresh store) reads the same state from a full sync.
    let (_dir2, fresh) = temp_store().await;
    assert!(shop.sync(&fresh).await.full);
    assert_eq!(payments(&fresh).await, payments(&store).await);
}

/// A paid one-off invoice (no Checkout Session) is an order of its own: its VAT lines carry
/// the rate's name ("TVA 20 %", not "Tax"), and its payment is known, so the refund link and
/// the payment state work for it as for a Checkout order.
#[tokio::test]
async fn a_one_off_invoice_order_names_its_vat_and_knows_its_payment() {
    let shop = shop_of(60).start().await;
    let sim = &shop.sim;
    // One one-off invoice was partly refunded before the shop installed Comptoir.
    let refunded_invoice = sim.with_dataset(|ds| {
        let from_sessions: std::collections::HashSet<String> = ds
            .checkout_sessions
            .iter()
            .filter_map(|s| s["invoice"].as_str().map(str::to_owned))
            .collect();
        let inv = ds
            .invoices
            .iter()
            .find(|i| {
                i["status"] == "paid"
                    && i["parent"].is_null()
                    && !from_sessions.contains(i["id"].as_str().unwrap())
            })
            .unwrap()
            .clone();
        let pi = inv["payments"]["data"][0]["payment"]["payment_intent"]
            .as_str()
            .unwrap()
            .to_owned();
        let at = ds.now - 3600;
        ds.refund(&pi, 300, at).unwrap();
        (inv["id"].as_str().unwrap().to_owned(), at)
    });
    let store = shop.synced_store().await;
    let stats = sim.stats();
    assert_eq!(
        stats.requests_by_path.get("/v1/payment_intents/{id}"),
        None,
        "no PaymentIntent is read one by one: {stats:?}"
    );
    let o = order(&store, &refunded_invoice.0).await;
    assert_eq!(o.payment.state, PaymentState::PartiallyRefunded);
    assert_eq!(o.payment.amount_refunded, 300);
    assert_eq!(o.payment.refunded_at, Some(refunded_invoice.1));
    let d = sim.snapshot();
    let from_sessions: std::collections::HashSet<&str> = d
        .checkout_sessions
        .iter()
        .filter_map(|s| s["invoice"].as_str())
        .collect();
    let rates = by_id(&d.tax_rates);
    let one_off: Vec<&Value> = d
        .invoices
        .iter()
        .filter(|i| {
            i["status"] == "paid"
                && i["parent"].is_null()
                && !from_sessions.contains(i["id"].as_str().unwrap())
        })
        .collect();
    assert!(!one_off.is_empty(), "the data has one-off invoices");
    let mut named = 0;
    for inv in one_off {
        let id = inv["id"].as_str().unwrap();
        let o = order(&store, id).await;
        let pi = inv["payments"]["data"][0]["payment"]["payment_intent"]
            .as_str()
            .expect("a paid invoice lists its payment");
        assert_eq!(o.payment_intent_id.as_deref(), Some(pi), "{id}");
        if id == refunded_invoice.0 {
            continue;
        }
        assert_eq!(o.payment.state, PaymentState::Paid, "{id}");
        assert_eq!(o.payment.amount, inv["total"].as_i64().unwrap(), "{id}");
        let want: Vec<String> = inv["total_taxes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let rate = rates[t["tax_rate_details"]["tax_rate"].as_str().unwrap()];
                rate["display_name"].as_str().unwrap().to_owned()
            })
            .collect();
        let got: Vec<String> = o.taxes.iter().map(|t| t.label.clone()).collect();
        assert_eq!(got, want, "{id}");
        named += got.len();
    }
    assert!(named > 0, "some one-off invoice has VAT");
}

fn refund_request(order_id: &str, amount: Option<i64>, key: &str) -> RefundRequest {
    RefundRequest {
        order_id: order_id.to_owned(),
        amount,
        lines: Vec::new(),
        reason: Some(RefundReason::RequestedByCustomer),
        idempotency_key: key.to_owned(),
    }
}

fn camille() -> Actor {
    Actor {
        staff: "Camille".into(),
        station: "Atelier".into(),
    }
}

/// A refund made in the app: its answer lost on the way (the connection dropped after Stripe
/// acted), the merchant clicks again, and the same Idempotency-Key makes it one refund. The
/// order shows it at once, its history says so; refunds by line and of the rest follow.
#[tokio::test]
async fn an_in_app_refund_is_made_once_despite_a_retried_click_and_shows_at_once() {
    let shop = shop_of(80).start().await;
    let store = shop.synced_store().await;
    let sim = &shop.sim;
    let d = sim.snapshot();
    let paid = &sessions_in(&d, PaymentState::Paid)[0];
    let id = paid["id"].as_str().unwrap();
    let pi = paid["payment_intent"].as_str().unwrap();
    let c = shop.client();
    let total = order(&store, id).await.payment.amount;
    assert!(total > 1200);

    let key = "comptoir-refund-0000000000000001";
    sim.lose_next_answer("/v1/refunds");
    let first = refunds::refund(
        &store,
        &c,
        &refund_request(id, Some(1200), key),
        &camille(),
        100,
    )
    .await
    .unwrap_err();
    assert!(first.to_string().contains("500"), "{first}");
    let done = refunds::refund(
        &store,
        &c,
        &refund_request(id, Some(1200), key),
        &camille(),
        101,
    )
    .await
    .unwrap();
    assert_eq!((done.amount, done.status.as_str()), (1200, "succeeded"));
    let stats = sim.stats();
    assert_eq!(
        stats.refund_posts,
        vec![Some(key.to_owned()), Some(key.to_owned())],
        "both clicks carried the one key"
    );
    let made: Vec<Value> = sim
        .snapshot()
        .refunds
        .into_iter()
        .filter(|r| r["payment_intent"] == pi)
        .collect();
    assert_eq!(made.len(), 1, "Stripe refunded once: {made:?}");
    assert_eq!(made[0]["amount"], 1200);
    assert_eq!(
        made[0]["metadata"]["comptoir_order"],
        order(&store, id).await.number.as_str()
    );

    // At once, without a sync: partly refunded, with the amount; the history says who.
    let o = order(&store, id).await;
    assert_eq!(o.payment.state, PaymentState::PartiallyRefunded);
    assert_eq!(o.payment.amount_refunded, 1200);
    assert!(o.payment.refunded_at.is_some());
    let history = comptoir_core::fulfilment::history(store.pool(), id)
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].action, "refunded");
    assert_eq!(history[0].staff.as_deref(), Some("Camille"));
    assert!(
        history[0]
            .detail
            .as_deref()
            .is_some_and(|d| d.contains(&done.refund_id)),
        "{history:?}"
    );

    // More than is left is refused before anything is sent.
    let posts = sim.stats().refund_posts.len();
    let err = refunds::refund(
        &store,
        &c,
        &refund_request(id, Some(total), "comptoir-refund-0000000000000002"),
        &camille(),
        102,
    )
    .await
    .unwrap_err();
    // The window says how much is left, in the order's currency.
    let refunds::RefundError::Refused(Problem::RefundTooMuch { amount, currency }) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*amount, total - 1200, "{err:?}");
    assert_eq!(currency, &order(&store, id).await.currency);
    assert_eq!(sim.stats().refund_posts.len(), posts, "nothing was sent");

    // The rest, in full: refunded, and held back from the work queue.
    refunds::refund(
        &store,
        &c,
        &refund_request(id, None, "comptoir-refund-0000000000000003"),
        &camille(),
        103,
    )
    .await
    .unwrap();
    let o = order(&store, id).await;
    assert_eq!(o.payment.state, PaymentState::Refunded);
    assert_eq!(o.payment.amount_refunded, total);
    assert_eq!(queue_of(&store, id).await, OrderQueue::OnHold);
}

#[tokio::test]
async fn a_refund_by_line_gives_back_what_the_units_cost() {
    let shop = shop_of(80).start().await;
    let store = shop.synced_store().await;
    let sim = &shop.sim;
    let d = sim.snapshot();
    let paid = sessions_in(&d, PaymentState::Paid);
    // An order with a line of several units.
    let (id, line) = {
        let mut found = None;
        for s in &paid {
            let o = order(&store, s["id"].as_str().unwrap()).await;
            if let Some(i) = o.lines.iter().position(|l| l.quantity >= 2) {
                found = Some((o.id.clone(), i));
                break;
            }
        }
        found.expect("an order with a line of several units")
    };
    let o = order(&store, &id).await;
    let l = &o.lines[line];
    let req = RefundRequest {
        order_id: id.clone(),
        amount: None,
        lines: vec![RefundLine {
            line: line as u32,
            quantity: 1,
        }],
        reason: None,
        idempotency_key: "comptoir-refund-line-00000000001".into(),
    };
    let done = refunds::refund(&store, &shop.client(), &req, &camille(), 100)
        .await
        .unwrap();
    assert_eq!(
        done.amount,
        l.amount_total / l.quantity,
        "one unit, as paid"
    );
    let history = comptoir_core::fulfilment::history(store.pool(), &id)
        .await
        .unwrap();
    assert!(
        history[0]
            .detail
            .as_deref()
            .is_some_and(|d| d.contains(&format!("{} \u{d7}1", l.description))),
        "{history:?}"
    );
}

/// A key that may not write refunds: nothing is refunded, nothing changes, and the merchant is
/// told which permission would allow it (the Dashboard link stays for meanwhile).
#[tokio::test]
async fn a_key_without_the_refund_permission_says_which_one_and_changes_nothing() {
    let shop = shop_of(40).start().await;
    let sim = &shop.sim;
    sim.forbid("POST /v1/refunds", "rak_refund_write");
    let ws = shop.synced_workspace().await;
    let mut s = ws.settings().await.unwrap();
    s.staff_name = "Camille".into();
    ws.save_settings(&s).await.unwrap();
    let d = sim.snapshot();
    let id = sessions_in(&d, PaymentState::Paid)[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let err = ws
        .refund_order(&refund_request(
            &id,
            Some(100),
            "comptoir-refund-forbidden-00001",
        ))
        .await
        .unwrap_err();
    assert_eq!(
        err.problem(),
        comptoir_core::problem::Problem::RefundNotPermitted {
            permission: Some("rak_refund_write".into())
        },
        "{err:?}"
    );
    let sent = serde_json::to_string(&err.problem()).unwrap();
    assert!(!sent.contains(&shop.key()[..12]), "no key in the problem");
    let detail = ws.order_detail(&id).await.unwrap();
    assert_eq!(detail.order.payment.state, PaymentState::Paid);
    assert!(detail.history.is_empty());
    assert!(
        detail.payment_dashboard.url.is_some(),
        "the Dashboard link stays"
    );
    assert!(sim.snapshot().refunds.len() == d.refunds.len());
}

/// An object the app cannot read (here a session without its currency) is skipped with its id
/// logged, counted in the sync's report, and fetched again by every later sync until it reads.
#[tokio::test]
async fn an_unreadable_object_is_counted_and_read_again_by_the_next_sync() {
    let shop = shop_of(30).start().await;
    let sim = &shop.sim;
    let d = sim.snapshot();
    let broken = sessions_in(&d, PaymentState::Paid)[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let currency = sim.with_dataset(|ds| {
        let s = ds
            .checkout_sessions
            .iter_mut()
            .find(|s| s["id"] == broken.as_str())
            .unwrap();
        std::mem::replace(&mut s["currency"], Value::Null)
    });
    let store = shop.open_store().await;
    let report = shop.sync(&store).await;
    assert_eq!(report.skipped, 1, "{report:?}");
    assert!(store::orders::get(store.pool(), &broken).await.is_err());
    // Still unreadable: still counted, nothing else changes.
    let again = shop.sync(&store).await;
    assert!(!again.full);
    assert_eq!(again.skipped, 1);

    // Stripe's object reads now: the next sync fetches it by id, with no event about it.
    sim.with_dataset(|ds| {
        let s = ds
            .checkout_sessions
            .iter_mut()
            .find(|s| s["id"] == broken.as_str())
            .unwrap();
        s["currency"] = currency.clone();
    });
    let fixed = shop.sync(&store).await;
    assert_eq!(fixed.skipped, 0, "{fixed:?}");
    assert_eq!(
        order(&store, &broken).await.currency,
        currency.as_str().unwrap()
    );
}
