//! `shipping_rates` and `pickup_rates`: the account's shipping rates, and which of them the
//! merchant treats as a pickup (else guessed from the name).

use std::collections::HashMap;

use serde_json::Value;
use sqlx::{Row, SqliteConnection, SqliteExecutor};

use super::Result;
use crate::model::{looks_like_pickup, ShippingRate};

/// Stores a shipping rate (`r`, mapped from its Stripe object `raw` by the caller).
pub async fn upsert(conn: &mut SqliteConnection, r: &ShippingRate, raw: &Value) -> Result<()> {
    sqlx::query(
        "INSERT INTO shipping_rates (id, display_name, amount, currency, active, raw)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(id) DO UPDATE SET display_name = excluded.display_name, amount = excluded.amount,
            currency = excluded.currency, active = excluded.active, raw = excluded.raw",
    )
    .bind(&r.id)
    .bind(&r.display_name)
    .bind(r.amount)
    .bind(&r.currency)
    .bind(r.active)
    .bind(raw.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether the store knows this shipping rate.
pub async fn exists<'e>(db: impl SqliteExecutor<'e>, id: &str) -> Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM shipping_rates WHERE id = ?1")
        .bind(id)
        .fetch_one(db)
        .await?;
    Ok(n > 0)
}

/// The rates, active first, by name; each with the merchant's pickup choice, or the guess from
/// its name when there is none.
pub async fn list<'e>(db: impl SqliteExecutor<'e>) -> Result<Vec<ShippingRate>> {
    let rows = sqlx::query(
        "SELECT r.id, r.display_name, r.amount, r.currency, r.active, p.is_pickup
         FROM shipping_rates r
         LEFT JOIN pickup_rates p ON p.shipping_rate_id = r.id
         ORDER BY r.active DESC, r.display_name",
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let display_name: String = r.get(1);
            let choice: Option<bool> = r.get(5);
            ShippingRate {
                id: r.get(0),
                is_pickup: choice.unwrap_or_else(|| looks_like_pickup(&display_name)),
                pickup_set_by_merchant: choice.is_some(),
                display_name,
                amount: r.get(2),
                currency: r.get(3),
                active: r.get(4),
            }
        })
        .collect())
}

/// Records the merchant's choice and re-sorts the affected orders into delivery or pickup.
pub async fn set_pickup(conn: &mut SqliteConnection, id: &str, is_pickup: bool) -> Result<()> {
    sqlx::query(
        "INSERT INTO pickup_rates (shipping_rate_id, is_pickup) VALUES (?1, ?2)
         ON CONFLICT(shipping_rate_id) DO UPDATE SET is_pickup = excluded.is_pickup",
    )
    .bind(id)
    .bind(is_pickup)
    .execute(&mut *conn)
    .await?;
    super::orders::set_rate_pickup(conn, id, is_pickup).await
}

/// What the sync needs to map orders: each known rate's name and whether it is a pickup.
#[derive(Debug, Clone, Default)]
pub struct RateBook {
    pub names: HashMap<String, String>,
    pub choices: HashMap<String, bool>,
}

impl RateBook {
    pub fn name(&self, id: &str) -> Option<String> {
        self.names.get(id).cloned()
    }

    pub fn is_pickup(&self, id: &str, display_name: Option<&str>) -> bool {
        if let Some(choice) = self.choices.get(id) {
            return *choice;
        }
        display_name
            .map(str::to_owned)
            .or_else(|| self.name(id))
            .is_some_and(|n| looks_like_pickup(&n))
    }
}

pub async fn rate_book(conn: &mut SqliteConnection) -> Result<RateBook> {
    let mut book = RateBook::default();
    for r in sqlx::query("SELECT id, display_name FROM shipping_rates")
        .fetch_all(&mut *conn)
        .await?
    {
        book.names.insert(r.get(0), r.get(1));
    }
    for r in sqlx::query("SELECT shipping_rate_id, is_pickup FROM pickup_rates")
        .fetch_all(&mut *conn)
        .await?
    {
        book.choices.insert(r.get(0), r.get(1));
    }
    Ok(book)
}
