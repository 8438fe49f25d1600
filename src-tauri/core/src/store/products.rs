//! `products` and `product_codes`: the account's products (name, picture, metadata) and the
//! codes linked to them in Settings, for packing mode (README: Packing mode).

use serde_json::Value;
use sqlx::{Row, SqliteConnection, SqliteExecutor};

use super::Result;
use crate::model::{LinkedCode, Timestamp};

/// A product as stored: id, name, picture, metadata (an object of strings).
#[derive(Debug, Clone)]
pub struct StoredProduct {
    pub id: String,
    pub name: Option<String>,
    pub image: Option<String>,
    pub metadata: Value,
}

/// Writes a product as the mapping made it (`stripe::mapping::product_to_store`) with its raw
/// JSON.
pub async fn upsert(conn: &mut SqliteConnection, p: &StoredProduct, raw: &Value) -> Result<()> {
    sqlx::query(
        "INSERT INTO products (id, name, image, metadata, raw) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, image = excluded.image,
            metadata = excluded.metadata, raw = excluded.raw",
    )
    .bind(&p.id)
    .bind(&p.name)
    .bind(&p.image)
    .bind(p.metadata.to_string())
    .bind(raw.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

fn product_of(r: &sqlx::sqlite::SqliteRow) -> StoredProduct {
    StoredProduct {
        id: r.get(0),
        name: r.get(1),
        image: r.get(2),
        metadata: serde_json::from_str(&r.get::<String, _>(3))
            .unwrap_or_else(|_| Value::Object(Default::default())),
    }
}

/// Every product, by name.
pub async fn list<'e>(db: impl SqliteExecutor<'e>) -> Result<Vec<StoredProduct>> {
    let rows = sqlx::query(
        "SELECT id, name, image, metadata FROM products ORDER BY name COLLATE NOCASE, id",
    )
    .fetch_all(db)
    .await?;
    Ok(rows.iter().map(product_of).collect())
}

/// The products of these ids (those the store has).
pub async fn get_many(conn: &mut SqliteConnection, ids: &[String]) -> Result<Vec<StoredProduct>> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let row = sqlx::query("SELECT id, name, image, metadata FROM products WHERE id = ?1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        if let Some(r) = row {
            out.push(product_of(&r));
        }
    }
    Ok(out)
}

/// The codes linked in Settings, newest first, with their product's name.
pub async fn linked_codes<'e>(db: impl SqliteExecutor<'e>) -> Result<Vec<LinkedCode>> {
    let rows = sqlx::query(
        "SELECT c.code, c.product_id, p.name, c.created_at FROM product_codes c
         LEFT JOIN products p ON p.id = c.product_id ORDER BY c.created_at DESC, c.code",
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .iter()
        .map(|r| LinkedCode {
            code: r.get(0),
            product_id: r.get(1),
            product_name: r.get(2),
            created_at: r.get(3),
        })
        .collect())
}

/// The codes linked to one product.
pub async fn codes_of<'e>(db: impl SqliteExecutor<'e>, product_id: &str) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT code FROM product_codes WHERE product_id = ?1 ORDER BY created_at, code",
    )
    .bind(product_id)
    .fetch_all(db)
    .await?)
}

/// The product a code is linked to, if any (case-insensitive).
pub async fn product_of_code<'e>(
    db: impl SqliteExecutor<'e>,
    code: &str,
) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT product_id FROM product_codes WHERE code = ?1")
            .bind(code)
            .fetch_optional(db)
            .await?,
    )
}

pub async fn link(
    conn: &mut SqliteConnection,
    code: &str,
    product_id: &str,
    at: Timestamp,
) -> Result<()> {
    sqlx::query("INSERT INTO product_codes (code, product_id, created_at) VALUES (?1, ?2, ?3)")
        .bind(code)
        .bind(product_id)
        .bind(at)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn unlink<'e>(db: impl SqliteExecutor<'e>, code: &str) -> Result<()> {
    sqlx::query("DELETE FROM product_codes WHERE code = ?1")
        .bind(code)
        .execute(db)
        .await?;
    Ok(())
}

/// Whether one of these products is shippable: Stripe's `shippable` flag on the product (README:
/// Subscription boxes).
pub async fn any_shippable(conn: &mut SqliteConnection, ids: &[String]) -> Result<bool> {
    for id in ids {
        let shippable: Option<Option<bool>> = sqlx::query_scalar(
            "SELECT json_extract(raw, '$.shippable') = 1 FROM products WHERE id = ?1",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        if shippable.flatten() == Some(true) {
            return Ok(true);
        }
    }
    Ok(false)
}
