//! `orders` and `order_lines`: orders built from Checkout Sessions and one-off invoices. The
//! fulfilment status shown with them comes from `fulfilments` (local and authoritative) or,
//! for an order nobody touched, from its delivery kind; triggers keep it in `orders.status`.
//! `orders_search` (FTS5) indexes each order's names, email, number, products (with the fields
//! filled in at checkout) and tracking; its docid sorts like the order's date and carries its
//! queue (see `reindex` and the view `orders_docid`).

use serde_json::Value;
use sqlx::{Row, SqliteConnection, SqliteExecutor};

use super::{not_found, Result};
use crate::model::{
    Counts, CustomField, DeliveryKind, FulfilmentStatus, Order, OrderCounts, OrderPage,
    OrderPayment, OrderQuery, OrderQueue, OrderRow, OrderSort, OrderSource, PaymentState,
};

/// Writes an order. Returns whether it adds an order to the store: false when it was skipped
/// (an invoice that a Checkout Session's order already covers: the session carries the cart and
/// the shipping) and when a session's order took the place of its invoice's order, so that a
/// sync counts each order once whichever of the two arrived first.
pub async fn upsert(conn: &mut SqliteConnection, o: &Order, raw: &Value) -> Result<bool> {
    if o.source == OrderSource::Invoice {
        let covered: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM orders WHERE invoice_id = ?1 AND source = 'checkout_session'",
        )
        .bind(&o.id)
        .fetch_one(&mut *conn)
        .await?;
        if covered > 0 {
            return Ok(false);
        }
    }
    let detail = serde_json::to_string(o)?;
    sqlx::query(
        "INSERT INTO orders (id, source, number, created, livemode, customer_id, customer_name,
            customer_email, currency, amount_subtotal, amount_discount, amount_shipping, amount_tax,
            amount_total, item_count, has_shipping_address, shipping_rate_id, delivery_method,
            delivery_kind, invoice_id, payment_intent_id, detail, raw, payment_state, payment_hold)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
            ?19, ?20, ?21, ?22, ?23, ?24, ?25)
         ON CONFLICT(id) DO UPDATE SET source = excluded.source, number = excluded.number,
            created = excluded.created, livemode = excluded.livemode,
            customer_id = excluded.customer_id, customer_name = excluded.customer_name,
            customer_email = excluded.customer_email, currency = excluded.currency,
            amount_subtotal = excluded.amount_subtotal, amount_discount = excluded.amount_discount,
            amount_shipping = excluded.amount_shipping, amount_tax = excluded.amount_tax,
            amount_total = excluded.amount_total, item_count = excluded.item_count,
            has_shipping_address = excluded.has_shipping_address,
            shipping_rate_id = excluded.shipping_rate_id, delivery_method = excluded.delivery_method,
            delivery_kind = excluded.delivery_kind, invoice_id = excluded.invoice_id,
            payment_intent_id = excluded.payment_intent_id, detail = excluded.detail, raw = excluded.raw,
            payment_state = excluded.payment_state, payment_hold = excluded.payment_hold",
    )
    .bind(&o.id)
    .bind(o.source.as_str())
    .bind(&o.number)
    .bind(o.created)
    .bind(o.livemode)
    .bind(&o.customer_id)
    .bind(o.billing.name.as_ref().or(o.shipping.as_ref().and_then(|s| s.name.as_ref())))
    .bind(&o.billing.email)
    .bind(&o.currency)
    .bind(o.amount_subtotal)
    .bind(o.amount_discount)
    .bind(o.amount_shipping)
    .bind(o.amount_tax)
    .bind(o.amount_total)
    .bind(o.item_count())
    .bind(o.shipping.is_some())
    .bind(&o.shipping_rate_id)
    .bind(&o.delivery_method)
    .bind(o.delivery_kind.as_str())
    .bind(&o.invoice_id)
    .bind(&o.payment_intent_id)
    .bind(detail)
    .bind(raw.to_string())
    .bind(o.payment.state.as_str())
    .bind(o.payment.state.hold().map(OrderQueue::as_str))
    .execute(&mut *conn)
    .await?;

    sqlx::query("DELETE FROM order_lines WHERE order_id = ?1")
        .bind(&o.id)
        .execute(&mut *conn)
        .await?;
    for (i, l) in o.lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO order_lines (order_id, position, description, quantity, unit_amount,
               amount_subtotal, amount_discount, amount_tax, amount_total)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )
        .bind(&o.id)
        .bind(i as i64)
        .bind(&l.description)
        .bind(l.quantity)
        .bind(l.unit_amount)
        .bind(l.amount_subtotal)
        .bind(l.amount_discount)
        .bind(l.amount_tax)
        .bind(l.amount_total)
        .execute(&mut *conn)
        .await?;
    }
    let replaced = match (&o.source, &o.invoice_id) {
        (OrderSource::CheckoutSession, Some(inv)) => {
            take_over_invoice_order(conn, &o.id, inv).await?
        }
        _ => false,
    };
    reindex(conn, &o.id).await?;
    Ok(!replaced)
}

/// The invoice of a Checkout Session may have been cached as an order of its own before its
/// session arrived (the full sync pages both lists concurrently), and staff may have acted on
/// it meanwhile. The session's order (already written) replaces it and inherits everything
/// local: its fulfilment, tracking entries, history and emails, moved before the invoice's
/// order is deleted so no foreign key is broken and nothing is lost. Returns whether an
/// invoice order was replaced.
async fn take_over_invoice_order(
    conn: &mut SqliteConnection,
    session_order: &str,
    invoice_id: &str,
) -> Result<bool> {
    let exists: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE id = ?1 AND source = 'invoice'")
            .bind(invoice_id)
            .fetch_one(&mut *conn)
            .await?;
    if exists == 0 {
        return Ok(false);
    }
    // The session's own fulfilment, if it somehow has one, wins; the invoice's is then dropped.
    for sql in [
        "UPDATE OR IGNORE fulfilments SET order_id = ?1 WHERE order_id = ?2",
        "DELETE FROM fulfilments WHERE order_id = ?2",
        "UPDATE tracking_entries SET order_id = ?1 WHERE order_id = ?2",
        "UPDATE audit_log SET order_id = ?1 WHERE order_id = ?2",
        "UPDATE outbox SET order_id = ?1 WHERE order_id = ?2",
        "DELETE FROM orders WHERE id = ?2 AND source = 'invoice'",
    ] {
        sqlx::query(sql)
            .bind(session_order)
            .bind(invoice_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(true)
}

/// Refreshes the invoice fields of the session order that an invoice belongs to.
pub async fn apply_invoice(
    conn: &mut SqliteConnection,
    invoice_id: &str,
    number: Option<&str>,
    invoice_pdf: Option<&str>,
    hosted_invoice_url: Option<&str>,
) -> Result<()> {
    let rows = sqlx::query(
        "SELECT id, detail FROM orders WHERE invoice_id = ?1 AND source = 'checkout_session'",
    )
    .bind(invoice_id)
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let id: String = r.get(0);
        let mut order: Order = serde_json::from_str(&r.get::<String, _>(1))?;
        if let Some(n) = number {
            order.number = n.to_owned();
        }
        order.invoice_pdf = invoice_pdf.map(str::to_owned).or(order.invoice_pdf);
        order.hosted_invoice_url = hosted_invoice_url
            .map(str::to_owned)
            .or(order.hosted_invoice_url);
        sqlx::query("UPDATE orders SET number = ?1, detail = ?2 WHERE id = ?3")
            .bind(&order.number)
            .bind(serde_json::to_string(&order)?)
            .bind(&id)
            .execute(&mut *conn)
            .await?;
        reindex(conn, &id).await?;
    }
    Ok(())
}

/// The orders a PaymentIntent paid (a session's order, or an invoice's).
pub async fn ids_with_payment<'e>(
    db: impl SqliteExecutor<'e>,
    payment_intent_id: &str,
) -> Result<Vec<String>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM orders WHERE payment_intent_id = ?1 ORDER BY id")
            .bind(payment_intent_id)
            .fetch_all(db)
            .await?,
    )
}

/// Writes an order's payment state: its detail, its badge and, for an order not yet out, the
/// payment hold that moves it between the work queue and Awaiting payment or On hold.
pub async fn set_payment(
    conn: &mut SqliteConnection,
    id: &str,
    payment: &OrderPayment,
) -> Result<()> {
    let mut order = get(&mut *conn, id).await?;
    if &order.payment == payment {
        return Ok(());
    }
    order.payment = payment.clone();
    sqlx::query(
        "UPDATE orders SET detail = ?1, payment_state = ?2, payment_hold = ?3 WHERE id = ?4",
    )
    .bind(serde_json::to_string(&order)?)
    .bind(payment.state.as_str())
    .bind(payment.state.hold().map(OrderQueue::as_str))
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Recomputes the delivery kind of the orders using a shipping rate after the merchant changed
/// whether it is a pickup.
pub async fn set_rate_pickup(
    conn: &mut SqliteConnection,
    shipping_rate_id: &str,
    is_pickup: bool,
) -> Result<()> {
    let rows = sqlx::query(
        "SELECT id, detail, has_shipping_address FROM orders WHERE shipping_rate_id = ?1",
    )
    .bind(shipping_rate_id)
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let id: String = r.get(0);
        let mut order: Order = serde_json::from_str(&r.get::<String, _>(1))?;
        let kind = crate::model::delivery_kind(Some(is_pickup), r.get::<bool, _>(2));
        order.delivery_kind = kind;
        sqlx::query("UPDATE orders SET delivery_kind = ?1, detail = ?2 WHERE id = ?3")
            .bind(kind.as_str())
            .bind(serde_json::to_string(&order)?)
            .bind(&id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The settings key noting that orders cached before the fields filled in at checkout were kept
/// have been given theirs.
pub const CUSTOM_FIELDS_BACKFILLED: &str = "custom_fields_backfilled";

/// Gives the session orders cached before the fields filled in at checkout were kept (their
/// detail has no `custom_fields`) the fields of their stored session, and their search rows the
/// values, once per store: an order placed before the update and not yet packed shows its gift
/// message without waiting for a full sync. Returns how many orders were updated.
/// `parse` reads them from the stored session (`stripe::mapping::custom_fields`).
pub async fn backfill_custom_fields(
    conn: &mut SqliteConnection,
    parse: fn(&Value) -> Vec<CustomField>,
) -> Result<usize> {
    if super::settings::get_value(&mut *conn, CUSTOM_FIELDS_BACKFILLED)
        .await?
        .is_some()
    {
        return Ok(0);
    }
    let rows = sqlx::query(
        "SELECT id, detail, json_extract(raw, '$.custom_fields') FROM orders
         WHERE source = 'checkout_session' AND json_type(detail, '$.custom_fields') IS NULL
           AND json_array_length(raw, '$.custom_fields') > 0",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut updated = 0;
    for r in &rows {
        let id: String = r.get(0);
        let mut order: Order = serde_json::from_str(&r.get::<String, _>(1))?;
        let fields: Value = serde_json::from_str(&r.get::<String, _>(2))?;
        order.custom_fields = parse(&serde_json::json!({ "custom_fields": fields }));
        sqlx::query("UPDATE orders SET detail = ?1 WHERE id = ?2")
            .bind(serde_json::to_string(&order)?)
            .bind(&id)
            .execute(&mut *conn)
            .await?;
        reindex(conn, &id).await?;
        updated += 1;
    }
    super::settings::set_value(&mut *conn, CUSTOM_FIELDS_BACKFILLED, "1").await?;
    Ok(updated)
}

pub async fn get<'e>(db: impl SqliteExecutor<'e>, id: &str) -> Result<Order> {
    let detail: String = sqlx::query_scalar("SELECT detail FROM orders WHERE id = ?1")
        .bind(id)
        .fetch_one(db)
        .await
        .map_err(not_found(format!("order {id}")))?;
    Ok(serde_json::from_str(&detail)?)
}

fn row_from(r: &sqlx::sqlite::SqliteRow) -> OrderRow {
    OrderRow {
        id: r.get("id"),
        number: r.get("number"),
        created: r.get("created"),
        customer_name: r.get("customer_name"),
        customer_email: r.get("customer_email"),
        item_count: r.get("item_count"),
        currency: r.get("currency"),
        amount_total: r.get("amount_total"),
        delivery_method: r.get("delivery_method"),
        delivery_kind: DeliveryKind::parse(&r.get::<String, _>("delivery_kind")),
        status: FulfilmentStatus::parse(&r.get::<String, _>("status"))
            .unwrap_or(FulfilmentStatus::ToBeSent),
        queue: r
            .get::<Option<String>, _>("queue")
            .as_deref()
            .and_then(OrderQueue::parse)
            .unwrap_or(OrderQueue::ToBeSent),
        payment_state: PaymentState::parse(&r.get::<String, _>("payment_state")),
    }
}

/// Turns what the merchant typed into an FTS5 query: each word becomes a quoted prefix term
/// (`"jen"*`), so quotes, operators (`AND`, `NEAR`, `-`, `:`, `*`, parentheses) and column
/// filters are plain text and never a syntax error. Words with no letter or digit are dropped,
/// as the tokenizer would drop them. `None` when nothing searchable is left.
pub fn fts_query(input: &str) -> Option<String> {
    let terms: Vec<String> = input
        // A control character (a NUL) would end FTS5's quoted string early: it separates words.
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .take(16)
        .map(|w| format!("\"{}\"*", w.replace('"', "\"\"")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// What a query's search selects: all orders, the matching ones, or none (the merchant typed
/// only punctuation).
enum Search {
    All,
    Match(String),
    Nothing,
}

fn search_of(q: &OrderQuery) -> Result<Search> {
    Ok(match super::search_text(q.search.as_deref())? {
        None => Search::All,
        Some(text) => match fts_query(&text) {
            Some(m) => Search::Match(m),
            None => Search::Nothing,
        },
    })
}

const ROW_COLUMNS: &str = "o.id, o.number, o.created, o.customer_name, o.customer_email,
    o.item_count, o.currency, o.amount_total, o.delivery_method, o.delivery_kind, o.status,
    o.queue, o.payment_state";

/// The rowid ("docid") of an order's row in `orders_search` sorts like (created, rowid) and its
/// three low bits hold the order's queue (its tab), so that a search counts its matches by tab
/// and pages them by date without reading any stored row. Its one definition is the view
/// `orders_docid` (migration `search_docid`); each order keeps the docid of its index row in
/// `orders.search_docid`, which the triggers and [`reindex`] maintain.
/// The order's rowid in a docid of `orders_search`.
const ORDER_ROWID: &str = "((rowid & 2147483647) >> 3)";

/// The queue bits of a docid (see the view `orders_docid`).
fn queue_bits(q: OrderQueue) -> i64 {
    match q {
        OrderQueue::ToBeSent => 0,
        OrderQueue::Sent => 1,
        OrderQueue::ToBePickedUp => 2,
        OrderQueue::PickedUp => 3,
        OrderQueue::AwaitingPayment => 4,
        OrderQueue::OnHold => 5,
    }
}

/// A sort by total over a search walks the `orders_amount` index, keeping the orders that match,
/// when that is cheaper than sorting every match. Measured on 100,000 orders, the walk costs
/// some 0.3 µs per match (the set of matches it checks against) and 0.04 µs per index entry,
/// about `(offset + limit) × orders / matches` of them; sorting costs some 0.8 µs per match (its
/// stored total read): the walk wins below about 12 entries per match, 8 leaves a margin. A
/// broad search's first page by total: 6 ms walking, 11 ms sorting.
fn walk_total_index(matches: i64, orders: i64, offset: i64, limit: i64) -> bool {
    matches > 0 && (offset + limit).saturating_mul(orders) / matches < matches.saturating_mul(8)
}

/// One page of orders, newest first unless sorted otherwise, optionally of one status and
/// matching a search, with the tab counts under the same search.
pub async fn list(conn: &mut SqliteConnection, q: &OrderQuery) -> Result<OrderPage> {
    let limit = q.limit.clamp(1, 500);
    let offset = q.offset.max(0);
    let search = search_of(q)?;
    let counts = search_counts(conn, &search).await?;
    let total = match q.status {
        None => counts.all,
        Some(OrderQueue::ToBeSent) => counts.to_be_sent,
        Some(OrderQueue::Sent) => counts.sent,
        Some(OrderQueue::ToBePickedUp) => counts.to_be_picked_up,
        Some(OrderQueue::PickedUp) => counts.picked_up,
        Some(OrderQueue::AwaitingPayment) => counts.awaiting_payment,
        Some(OrderQueue::OnHold) => counts.on_hold,
    };
    let sort = q.sort.unwrap_or(OrderSort::DateDesc);
    let dir = match sort {
        OrderSort::DateDesc | OrderSort::TotalDesc => "DESC",
        OrderSort::DateAsc | OrderSort::TotalAsc => "ASC",
    };
    let by_date = matches!(sort, OrderSort::DateDesc | OrderSort::DateAsc);
    let rows = match &search {
        Search::Nothing => Vec::new(),
        Search::All => {
            let status = if q.status.is_some() {
                "AND queue = ?"
            } else {
                ""
            };
            let key = if by_date { "created" } else { "amount_total" };
            let sql = format!(
                "SELECT {ROW_COLUMNS} FROM orders o WHERE 1 {status}
                 ORDER BY o.{key} {dir}, o.id {dir} LIMIT ? OFFSET ?"
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            if let Some(st) = q.status {
                query = query.bind(st.as_str());
            }
            query.bind(limit).bind(offset).fetch_all(&mut *conn).await?
        }
        // Nothing left past the last match: skip the walk.
        Search::Match(_) if offset >= total => Vec::new(),
        Search::Match(m) => {
            // Ties fall to the order's rowid, as they always have under a search.
            let status = if q.status.is_some() {
                "AND (rowid & 7) = ?"
            } else {
                ""
            };
            let sql = if by_date {
                // The docid sorts like the date: FTS5 walks the matches in that order and stops
                // after the page; only the page's rows are read from `orders`.
                format!(
                    "SELECT {ROW_COLUMNS} FROM (
                        SELECT rowid AS d FROM orders_search
                        WHERE orders_search MATCH ? {status}
                        ORDER BY rowid {dir} LIMIT ? OFFSET ?
                     ) s JOIN orders o ON o.rowid = (s.d & 2147483647) >> 3
                     ORDER BY s.d {dir}"
                )
            } else if walk_total_index(total, order_count(conn).await?, offset, limit) {
                // Many matches: walk the totals in order, keeping the matching orders.
                format!(
                    "SELECT {ROW_COLUMNS} FROM (
                        SELECT rowid AS r, amount_total AS k FROM orders INDEXED BY orders_amount
                        WHERE rowid IN (
                            SELECT {ORDER_ROWID} FROM orders_search
                            WHERE orders_search MATCH ? {status})
                        ORDER BY amount_total {dir}, rowid {dir} LIMIT ? OFFSET ?
                     ) s JOIN orders o ON o.rowid = s.r
                     ORDER BY s.k {dir}, s.r {dir}"
                )
            } else {
                // Few matches: sort them by the total the search index holds.
                format!(
                    "SELECT {ROW_COLUMNS} FROM (
                        SELECT {ORDER_ROWID} AS r, amount_total AS k FROM orders_search
                        WHERE orders_search MATCH ? {status}
                        ORDER BY amount_total {dir}, r {dir} LIMIT ? OFFSET ?
                     ) s JOIN orders o ON o.rowid = s.r
                     ORDER BY s.k {dir}, s.r {dir}"
                )
            };
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(m.clone());
            if let Some(st) = q.status {
                query = query.bind(queue_bits(st));
            }
            query.bind(limit).bind(offset).fetch_all(&mut *conn).await?
        }
    };
    Ok(OrderPage {
        rows: rows.iter().map(row_from).collect(),
        total,
        counts,
    })
}

/// How many orders the store holds (kept by triggers, see `order_queue_counts`).
async fn order_count(conn: &mut SqliteConnection) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COALESCE(SUM(n), 0) FROM order_queue_counts")
            .fetch_one(&mut *conn)
            .await?,
    )
}

async fn search_counts(conn: &mut SqliteConnection, search: &Search) -> Result<OrderCounts> {
    let rows = match search {
        Search::Nothing => return Ok(OrderCounts::default()),
        Search::All => {
            // Kept by triggers (see the payment_state migration).
            sqlx::query("SELECT queue, n FROM order_queue_counts")
                .fetch_all(&mut *conn)
                .await?
        }
        Search::Match(m) => {
            // The queue is in each match's docid: one walk over the matches, no row read.
            let r = sqlx::query(
                "SELECT COUNT(*),
                    COUNT(*) FILTER (WHERE (rowid & 7) = 0),
                    COUNT(*) FILTER (WHERE (rowid & 7) = 1),
                    COUNT(*) FILTER (WHERE (rowid & 7) = 2),
                    COUNT(*) FILTER (WHERE (rowid & 7) = 3),
                    COUNT(*) FILTER (WHERE (rowid & 7) = 4),
                    COUNT(*) FILTER (WHERE (rowid & 7) = 5)
                 FROM orders_search WHERE orders_search MATCH ?",
            )
            .bind(m.clone())
            .fetch_one(&mut *conn)
            .await?;
            return Ok(OrderCounts {
                all: r.get(0),
                to_be_sent: r.get(1),
                sent: r.get(2),
                to_be_picked_up: r.get(3),
                picked_up: r.get(4),
                awaiting_payment: r.get(5),
                on_hold: r.get(6),
            });
        }
    };
    let mut c = OrderCounts::default();
    for r in rows {
        let n: i64 = r.get(1);
        c.all += n;
        match r
            .get::<Option<String>, _>(0)
            .as_deref()
            .and_then(OrderQueue::parse)
        {
            Some(OrderQueue::ToBeSent) => c.to_be_sent += n,
            Some(OrderQueue::Sent) => c.sent += n,
            Some(OrderQueue::ToBePickedUp) => c.to_be_picked_up += n,
            Some(OrderQueue::PickedUp) => c.picked_up += n,
            Some(OrderQueue::AwaitingPayment) => c.awaiting_payment += n,
            Some(OrderQueue::OnHold) => c.on_hold += n,
            None => {}
        }
    }
    Ok(c)
}

/// Order counts by status, and the subscription count, for the navigation and tabs.
pub async fn counts(conn: &mut SqliteConnection) -> Result<Counts> {
    let c = search_counts(conn, &Search::All).await?;
    Ok(Counts {
        orders: c.all,
        subscriptions: sqlx::query_scalar("SELECT COUNT(*) FROM subscriptions")
            .fetch_one(&mut *conn)
            .await?,
        to_be_sent: c.to_be_sent,
        sent: c.sent,
        to_be_picked_up: c.to_be_picked_up,
        picked_up: c.picked_up,
        awaiting_payment: c.awaiting_payment,
        on_hold: c.on_hold,
    })
}

/// The columns of an order's row of the search index, from the order `o`, its lines and its
/// tracking entries, after its docid. The values of the fields filled in at checkout (a gift
/// message, delivery instructions) ride in `products` after the product names: they are found
/// like them without another FTS column, and the tracking triggers never rewrite `products`.
const SEARCH_ROW: &str = "o.customer_name, o.customer_email, o.number,
    (SELECT group_concat(v, ' ') FROM (
        SELECT l.description AS v FROM order_lines l WHERE l.order_id = o.id
        UNION ALL
        SELECT json_extract(f.value, '$.value') FROM json_each(o.detail, '$.custom_fields') f)),
    (SELECT group_concat(COALESCE(t.number, '') || ' ' || COALESCE(t.carrier, ''), ' ')
       FROM tracking_entries t WHERE t.order_id = o.id),
    o.amount_total";

/// Rewrites an order's row of the search index from the order, its lines and its tracking
/// entries.
pub async fn reindex(conn: &mut SqliteConnection, id: &str) -> Result<()> {
    sqlx::query(
        "DELETE FROM orders_search WHERE rowid = (SELECT search_docid FROM orders WHERE id = ?1)",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO orders_search (rowid, name, email, number, products, tracking, amount_total)
         SELECT d.docid, {SEARCH_ROW} FROM orders o JOIN orders_docid d ON d.order_rowid = o.rowid
         WHERE o.id = ?1"
    )))
    .bind(id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE orders SET search_docid = (SELECT docid FROM orders_docid WHERE id = ?1)
         WHERE id = ?1",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Rebuilds the whole search index from the orders, after writing many of them in SQL.
pub async fn reindex_all(conn: &mut SqliteConnection) -> Result<()> {
    sqlx::query("DELETE FROM orders_search")
        .execute(&mut *conn)
        .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO orders_search (rowid, name, email, number, products, tracking, amount_total)
         SELECT d.docid, {SEARCH_ROW} FROM orders o JOIN orders_docid d ON d.order_rowid = o.rowid"
    )))
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE orders SET search_docid =
            (SELECT d.docid FROM orders_docid d WHERE d.order_rowid = orders.rowid)",
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query("INSERT INTO orders_search (orders_search) VALUES ('optimize')")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Orders nobody has acted on, older than the newest `keep_delivery` deliveries and
/// `keep_pickup` pickups, leaving out those a payment holds back: id, delivery kind, created.
/// (The demo store marks these as shipped or collected.)
pub async fn older_than_newest(
    conn: &mut SqliteConnection,
    keep_delivery: i64,
    keep_pickup: i64,
) -> Result<Vec<(String, DeliveryKind, i64)>> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT id, delivery_kind, created FROM (
            SELECT id, delivery_kind, created,
                   ROW_NUMBER() OVER (PARTITION BY delivery_kind ORDER BY created DESC, id DESC) AS rank
            FROM orders WHERE payment_hold IS NULL)
         WHERE rank > CASE delivery_kind WHEN 'pickup' THEN ?2 ELSE ?1 END",
    )
    .bind(keep_delivery)
    .bind(keep_pickup)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, kind, created)| {
            let kind = if kind == "pickup" {
                DeliveryKind::Pickup
            } else {
                DeliveryKind::Delivery
            };
            (id, kind, created)
        })
        .collect())
}

/// The status an order shows (its fulfilment's, else where its delivery kind starts).
pub async fn status<'e>(db: impl SqliteExecutor<'e>, id: &str) -> Result<FulfilmentStatus> {
    let s: Option<String> = sqlx::query_scalar("SELECT status FROM orders WHERE id = ?1")
        .bind(id)
        .fetch_one(db)
        .await
        .map_err(not_found(format!("order {id}")))?;
    Ok(s.as_deref()
        .and_then(FulfilmentStatus::parse)
        .unwrap_or(FulfilmentStatus::ToBeSent))
}

pub async fn count<'e>(db: impl SqliteExecutor<'e>) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM orders")
        .fetch_one(db)
        .await?)
}

/// Every order id, for comparing the store with Stripe's data in tests.
pub async fn ids<'e>(db: impl SqliteExecutor<'e>) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT id FROM orders ORDER BY id")
        .fetch_all(db)
        .await?)
}

/// The Checkout orders an invoice belongs to (`invoice_creation`), whose shared fulfilment
/// state lives on that invoice (README: Stations).
pub async fn ids_with_invoice<'e>(
    db: impl SqliteExecutor<'e>,
    invoice_id: &str,
) -> Result<Vec<String>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM orders WHERE invoice_id = ?1 OR id = ?1 ORDER BY id")
            .bind(invoice_id)
            .fetch_all(db)
            .await?,
    )
}

/// Orders since `since` whose shared state can only live on their Checkout Session (no
/// invoice, no payment): no event announces a change there, so the sync reads them again.
pub async fn session_only_since<'e>(
    db: impl SqliteExecutor<'e>,
    since: i64,
) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM orders WHERE source = 'checkout_session' AND invoice_id IS NULL
            AND payment_intent_id IS NULL AND created >= ?1
         ORDER BY created DESC LIMIT 50",
    )
    .bind(since)
    .fetch_all(db)
    .await?)
}

/// Removes the orders of subscription cycles that nobody has acted on: no fulfilment, no history,
/// no email (subscription shipments were turned off, README: Subscription boxes). An order a
/// station already packed, shipped or printed stays. Returns how many went.
pub async fn remove_untouched_box_orders(conn: &mut SqliteConnection) -> Result<u64> {
    Ok(sqlx::query(
        "DELETE FROM orders WHERE source = 'invoice'
           AND invoice_id IN (SELECT id FROM invoices WHERE subscription_id IS NOT NULL)
           AND id NOT IN (SELECT order_id FROM fulfilments)
           AND id NOT IN (SELECT order_id FROM audit_log)
           AND id NOT IN (SELECT order_id FROM outbox WHERE order_id IS NOT NULL)
           AND id NOT IN (SELECT order_id FROM tracking_entries)",
    )
    .execute(conn)
    .await?
    .rows_affected())
}

/// How many orders are subscription cycles (README: Subscription boxes).
pub async fn count_box_orders<'e>(db: impl sqlx::SqliteExecutor<'e>) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM orders WHERE source = 'invoice'
           AND invoice_id IN (SELECT id FROM invoices WHERE subscription_id IS NOT NULL)",
    )
    .fetch_one(db)
    .await?)
}

/// The orders that ship the paid cycles of a subscription (README: Subscription boxes).
pub async fn shipments_of_subscription<'e>(
    db: impl sqlx::SqliteExecutor<'e>,
    subscription_id: &str,
) -> Result<Vec<crate::model::CycleShipment>> {
    let rows = sqlx::query(
        "SELECT invoice_id, id, number, status FROM orders
         WHERE invoice_id IN (SELECT id FROM invoices WHERE subscription_id = ?1)",
    )
    .bind(subscription_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .iter()
        .map(|r| crate::model::CycleShipment {
            invoice_id: r.get(0),
            order_id: r.get(1),
            number: r.get(2),
            status: FulfilmentStatus::parse(&r.get::<String, _>(3))
                .unwrap_or(FulfilmentStatus::ToBeSent),
        })
        .collect())
}
