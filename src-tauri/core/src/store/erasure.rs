//! A customer deleted in Stripe leaves no personal data in the store (README: Architecture,
//! Privacy). The sync calls [`erase_deleted_customers`] in the transaction that records a
//! deletion (`customer.deleted`, or a customer a full sync no longer finds) and again after
//! every later write, so an order Stripe sends again in full is wiped again at once.
//!
//! What goes, for every row tied to the customer (`customer_id`, or the payments and disputes
//! of its orders): names, email addresses, phone numbers, postal addresses (billing and
//! shipping), tax ids, what the customer typed in checkout fields, in the typed columns, in the
//! mapped `detail` JSON and in the raw Stripe JSON; the customer's own record (a stub that says
//! it was deleted); the orders' search rows (rebuilt without them); the cached upcoming invoices
//! of its subscriptions; and the recipient and bodies of its orders' emails (unsent ones are
//! cancelled). What an order legally keeps stays: its number, invoice number, amounts, taxes,
//! dates, lines, payment state and the local fulfilment history. Stripe metadata, which the
//! merchant writes, is kept.

use serde_json::{Map, Value};
use sqlx::SqliteConnection;

use super::Result;
use crate::model::{Contact, Order};

/// The mark an erased raw object carries, so the pass skips it until a sync writes it again.
const ERASED: &str = "comptoir_erased";

/// Keys whose value is personal wherever they appear in a Stripe object: the checkout
/// session's customer and shipping details, a PaymentIntent's or charge's shipping and billing
/// details, an invoice's copy of the customer, a dispute's evidence.
const PERSONAL_KEYS: &[&str] = &[
    "address",
    "billing_details",
    "business_name",
    "customer_address",
    "customer_details",
    "customer_email",
    "customer_name",
    "customer_phone",
    "customer_shipping",
    "customer_tax_ids",
    "email",
    "evidence",
    "individual_name",
    "phone",
    "receipt_email",
    "shipping",
    "shipping_details",
    "tax_ids",
];

/// Nulls every personal value of a raw Stripe object (see [`PERSONAL_KEYS`]), the values typed
/// in checkout fields (their labels stay), and an expanded customer (left as a deleted stub),
/// then marks it erased. The shape stays, so the app still reads the object.
pub fn scrub_raw(v: &mut Value) {
    scrub(v);
    if let Value::Object(map) = v {
        map.insert(ERASED.to_owned(), Value::Bool(true));
    }
}

fn scrub(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if map.get("object").and_then(Value::as_str) == Some("customer") {
                *map = deleted_customer(map.get("id").cloned());
                return;
            }
            for (key, value) in map.iter_mut() {
                if PERSONAL_KEYS.contains(&key.as_str()) {
                    *value = Value::Null;
                } else if key == "custom_fields" {
                    scrub_custom_fields(value);
                } else {
                    scrub(value);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(scrub),
        _ => {}
    }
}

/// `[{key, label, type, text: {value}, …}]`: every `value` goes, the rest stays.
fn scrub_custom_fields(v: &mut Value) {
    let Value::Array(fields) = v else {
        *v = Value::Null;
        return;
    };
    for field in fields {
        let Value::Object(map) = field else { continue };
        for kind in ["text", "numeric", "dropdown"] {
            if let Some(Value::Object(inner)) = map.get_mut(kind) {
                if inner.contains_key("value") {
                    inner.insert("value".into(), Value::Null);
                }
            }
        }
    }
}

fn deleted_customer(id: Option<Value>) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("id".into(), id.unwrap_or(Value::Null));
    m.insert("object".into(), Value::String("customer".into()));
    m.insert("deleted".into(), Value::Bool(true));
    m.insert(ERASED.into(), Value::Bool(true));
    m
}

/// The mapped order without its customer: no billing or shipping contact, the checkout fields'
/// labels without what was typed. Everything else (number, amounts, lines…) stays.
pub fn scrub_order(o: &mut Order) {
    o.billing = Contact::default();
    o.shipping = None;
    for f in &mut o.custom_fields {
        f.value = None;
    }
}

/// The SQL set of deleted customers' ids.
const DELETED: &str = "(SELECT id FROM customers WHERE deleted = 1)";

/// Erases what the store still holds of every customer deleted in Stripe (see the module
/// comment). Only rows not erased yet (or written again since) are touched; returns how many
/// orders were erased.
pub async fn erase_deleted_customers(conn: &mut SqliteConnection, now: i64) -> Result<u64> {
    // The customers' own records.
    let customers: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM customers
         WHERE deleted = 1 AND json_extract(raw, '$.comptoir_erased') IS NOT 1",
    )
    .fetch_all(&mut *conn)
    .await?;
    for id in &customers {
        let stub = Value::Object(deleted_customer(Some(Value::String(id.clone()))));
        sqlx::query(
            "UPDATE customers SET name = NULL, email = NULL, phone = NULL,
                preferred_locale = NULL, raw = ?2 WHERE id = ?1",
        )
        .bind(id)
        .bind(stub.to_string())
        .execute(&mut *conn)
        .await?;
    }

    // Their orders: columns, detail, raw, search row, emails.
    let orders: Vec<(String, String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id, detail, raw FROM orders
         WHERE customer_id IN {DELETED} AND json_extract(raw, '$.comptoir_erased') IS NOT 1"
    )))
    .fetch_all(&mut *conn)
    .await?;
    for (id, detail, raw) in &orders {
        let mut order: Order = serde_json::from_str(detail)?;
        scrub_order(&mut order);
        let mut raw: Value = serde_json::from_str(raw)?;
        scrub_raw(&mut raw);
        sqlx::query(
            "UPDATE orders SET customer_name = NULL, customer_email = NULL, detail = ?2, raw = ?3
             WHERE id = ?1",
        )
        .bind(id)
        .bind(serde_json::to_string(&order)?)
        .bind(raw.to_string())
        .execute(&mut *conn)
        .await?;
        super::orders::reindex(&mut *conn, id).await?;
        // An email not sent yet is not sent to a customer who is gone; the others keep their
        // state and dates, not who they went to, what they said or what the server replied.
        sqlx::query(
            "UPDATE outbox SET state = 'cancelled', cancelled_at = ?2, claimed_at = NULL
             WHERE order_id = ?1 AND state IN ('pending', 'failed')",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "UPDATE outbox SET cancelled_at = COALESCE(cancelled_at, ?2)
             WHERE order_id = ?1 AND state = 'sending'",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            // The server's reply in the last failure may quote the recipient's address.
            "UPDATE outbox SET recipient = '', text_body = '', html_body = '',
                               last_error = NULL, last_problem = NULL
             WHERE order_id = ?1",
        )
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }

    // The raw JSON of their invoices, subscriptions, and of their orders' payments and disputes.
    let tables = [
        ("invoices", "id", format!("customer_id IN {DELETED}")),
        ("subscriptions", "id", format!("customer_id IN {DELETED}")),
        (
            "payments",
            "payment_intent_id",
            format!(
                "payment_intent_id IN (SELECT payment_intent_id FROM orders
                                       WHERE customer_id IN {DELETED})
                 OR json_extract(raw, '$.customer') IN {DELETED}"
            ),
        ),
        (
            "disputes",
            "id",
            format!(
                "payment_intent_id IN (SELECT payment_intent_id FROM orders
                                       WHERE customer_id IN {DELETED})"
            ),
        ),
    ];
    for (table, key, whose) in &tables {
        let rows: Vec<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {key}, raw FROM {table}
             WHERE ({whose}) AND json_extract(raw, '$.comptoir_erased') IS NOT 1"
        )))
        .fetch_all(&mut *conn)
        .await?;
        for (id, raw) in rows {
            let mut raw: Value = serde_json::from_str(&raw)?;
            scrub_raw(&mut raw);
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE {table} SET raw = ?2 WHERE {key} = ?1"
            )))
            .bind(id)
            .bind(raw.to_string())
            .execute(&mut *conn)
            .await?;
        }
    }
    if !orders.is_empty() {
        // Merge the search index, so the erased words leave its segments too (a deletion only
        // marks them until the next merge).
        sqlx::query("INSERT INTO orders_search (orders_search) VALUES ('optimize')")
            .execute(&mut *conn)
            .await?;
    }
    // A preview of the next charge is a cache: gone, not scrubbed.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM upcoming_invoices WHERE subscription_id IN (
            SELECT id FROM subscriptions WHERE customer_id IN {DELETED})"
    )))
    .execute(&mut *conn)
    .await?;
    Ok(orders.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_raw_session_loses_who_and_keeps_what() {
        let mut session = json!({
            "id": "cs_test_1",
            "object": "checkout.session",
            "amount_total": 4590,
            "customer": {"id": "cus_1", "object": "customer", "name": "Zoë", "email": "z@example.com"},
            "customer_details": {"name": "Zoë", "email": "z@example.com", "address": {"line1": "1 rue A"}},
            "collected_information": {"shipping_details": {"name": "Zoë"}, "individual_name": "Zoë"},
            "custom_fields": [{"key": "gift", "label": {"custom": "Message"}, "type": "text",
                               "text": {"value": "Bon anniversaire Zoë"}}],
            "line_items": {"data": [{"description": "Café 250 g", "amount_total": 1290}]},
            "payment_intent": {"id": "pi_1", "receipt_email": "z@example.com",
                "latest_charge": {"billing_details": {"name": "Zoë", "phone": "+33 6"}}},
            "metadata": {"ref": "A-12"}
        });
        scrub_raw(&mut session);
        let text = session.to_string();
        for gone in ["Zoë", "z@example.com", "1 rue A", "+33 6"] {
            assert!(!text.contains(gone), "{gone} in {text}");
        }
        for kept in [
            "cs_test_1",
            "4590",
            "Café 250 g",
            "1290",
            "Message",
            "A-12",
            "cus_1",
        ] {
            assert!(text.contains(kept), "{kept} missing from {text}");
        }
        assert_eq!(session["comptoir_erased"], true);
        assert_eq!(session["customer"]["deleted"], true);
        assert_eq!(session["custom_fields"][0]["text"]["value"], Value::Null);
    }
}
