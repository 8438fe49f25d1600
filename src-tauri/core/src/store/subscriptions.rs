//! `subscriptions`: cached subscriptions with their plan, cycle and payment method.

use serde_json::Value;
use sqlx::{AssertSqlSafe, Row, SqliteConnection, SqliteExecutor};

use super::{not_found, Result};
use crate::model::{
    Subscription, SubscriptionCounts, SubscriptionFilter, SubscriptionPage, SubscriptionQuery,
    SubscriptionRow, SubscriptionSort,
};

/// Writes a subscription with its next charge (computed by the caller with
/// `subscriptions::next_charge`, the rule's one definition; the table sorts by it).
pub async fn upsert(
    conn: &mut SqliteConnection,
    s: &Subscription,
    next_charge: Option<i64>,
    raw: &Value,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO subscriptions (id, customer_id, status, product_name, currency, amount, interval,
            interval_count, start_date, current_period_end, cancel_at, cancel_at_period_end,
            ended_at, created, detail, raw, next_charge, next_charge_known)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, 1)
         ON CONFLICT(id) DO UPDATE SET customer_id = excluded.customer_id, status = excluded.status,
            product_name = excluded.product_name, currency = excluded.currency,
            amount = excluded.amount, interval = excluded.interval,
            interval_count = excluded.interval_count, start_date = excluded.start_date,
            current_period_end = excluded.current_period_end, cancel_at = excluded.cancel_at,
            cancel_at_period_end = excluded.cancel_at_period_end, ended_at = excluded.ended_at,
            created = excluded.created, detail = excluded.detail, raw = excluded.raw,
            next_charge = excluded.next_charge, next_charge_known = 1",
    )
    .bind(&s.id)
    .bind(&s.customer_id)
    .bind(&s.status)
    .bind(&s.product_name)
    .bind(&s.currency)
    .bind(s.amount)
    .bind(&s.interval)
    .bind(s.interval_count)
    .bind(s.start_date)
    .bind(s.current_period_end)
    .bind(s.cancel_at)
    .bind(s.cancel_at_period_end)
    .bind(s.ended_at)
    .bind(s.created)
    .bind(serde_json::to_string(s)?)
    .bind(raw.to_string())
    .bind(next_charge)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get<'e>(db: impl SqliteExecutor<'e>, id: &str) -> Result<Subscription> {
    let detail: String = sqlx::query_scalar("SELECT detail FROM subscriptions WHERE id = ?1")
        .bind(id)
        .fetch_one(db)
        .await
        .map_err(not_found(format!("subscription {id}")))?;
    Ok(serde_json::from_str(&detail)?)
}

/// Subscriptions written before their next charge was stored (it is then computed once).
pub async fn without_next_charge<'e>(db: impl SqliteExecutor<'e>) -> Result<Vec<Subscription>> {
    let rows: Vec<String> =
        sqlx::query_scalar("SELECT detail FROM subscriptions WHERE next_charge_known = 0")
            .fetch_all(db)
            .await?;
    rows.iter().map(|d| Ok(serde_json::from_str(d)?)).collect()
}

pub async fn set_next_charge(
    conn: &mut SqliteConnection,
    id: &str,
    next_charge: Option<i64>,
) -> Result<()> {
    sqlx::query("UPDATE subscriptions SET next_charge = ?1, next_charge_known = 1 WHERE id = ?2")
        .bind(next_charge)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// SQL conditions for each status tab, over the typed columns of `subscriptions s`.
fn filter_sql(f: SubscriptionFilter) -> &'static str {
    match f {
        SubscriptionFilter::Active => {
            "s.status = 'active' AND NOT s.cancel_at_period_end AND s.cancel_at IS NULL"
        }
        SubscriptionFilter::Trialing => {
            "s.status = 'trialing' AND NOT s.cancel_at_period_end AND s.cancel_at IS NULL"
        }
        SubscriptionFilter::PastDue => "s.status IN ('past_due', 'unpaid')",
        SubscriptionFilter::Cancelling => {
            "s.status IN ('active', 'trialing') AND (s.cancel_at_period_end OR s.cancel_at IS NOT NULL)"
        }
        SubscriptionFilter::Canceled => "s.status IN ('canceled', 'incomplete_expired')",
        SubscriptionFilter::Incomplete => "s.status = 'incomplete'",
    }
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
fn like_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

pub async fn list(conn: &mut SqliteConnection, q: &SubscriptionQuery) -> Result<SubscriptionPage> {
    let search = super::search_text(q.search.as_deref())?.map(|s| like_pattern(&s));
    let mut filter = String::from("1");
    if let Some(f) = q.status {
        filter = format!("({})", filter_sql(f));
    }
    if search.is_some() {
        // `?S` becomes the search parameter's number in each query below.
        filter.push_str(
            " AND (c.name LIKE ?S ESCAPE '\\' OR c.email LIKE ?S ESCAPE '\\'
                   OR s.product_name LIKE ?S ESCAPE '\\')",
        );
    }
    let order = match q.sort {
        None => "s.created DESC, s.id DESC".to_owned(),
        Some(SubscriptionSort::NextChargeAsc) => {
            "s.next_charge IS NULL, s.next_charge ASC, s.id ASC".to_owned()
        }
        Some(SubscriptionSort::NextChargeDesc) => {
            "s.next_charge IS NULL, s.next_charge DESC, s.id DESC".to_owned()
        }
    };
    let from = "FROM subscriptions s LEFT JOIN customers c ON c.id = s.customer_id";
    let list_sql = format!(
        "SELECT s.detail, c.name, c.email, COALESCE(c.deleted, 0), s.next_charge {from} WHERE {} ORDER BY {order} LIMIT ?1 OFFSET ?2",
        filter.replace("?S", "?3")
    );
    // Built from the constant fragments above only; every value is bound.
    let mut list = sqlx::query(AssertSqlSafe(list_sql))
        .bind(q.limit.clamp(1, 500))
        .bind(q.offset.max(0));
    if let Some(p) = &search {
        list = list.bind(p);
    }
    let rows = list.fetch_all(&mut *conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let s: Subscription = serde_json::from_str(&r.get::<String, _>(0))?;
        out.push(SubscriptionRow {
            next_charge: r.get(4),
            customer_name: r.get(1),
            customer_email: r.get(2),
            customer_deleted: r.get(3),
            id: s.id,
            product_name: s.product_name,
            currency: s.currency,
            amount: s.amount,
            interval: s.interval,
            interval_count: s.interval_count,
            cancelling: matches!(s.status.as_str(), "active" | "trialing")
                && (s.cancel_at_period_end || s.cancel_at.is_some()),
            status: s.status,
            cancel_at_period_end: s.cancel_at_period_end,
            start_date: s.start_date,
        });
    }
    let count_sql = format!(
        "SELECT COUNT(*) {from} WHERE {}",
        filter.replace("?S", "?1")
    );
    let mut count = sqlx::query_scalar::<_, i64>(AssertSqlSafe(count_sql));
    if let Some(p) = &search {
        count = count.bind(p);
    }
    let total = count.fetch_one(&mut *conn).await?;
    let counts = status_counts(&mut *conn).await?;
    Ok(SubscriptionPage {
        rows: out,
        total,
        counts,
    })
}

/// How many subscriptions each status tab holds.
pub async fn status_counts(conn: &mut SqliteConnection) -> Result<SubscriptionCounts> {
    use SubscriptionFilter as F;
    let parts = [
        F::Active,
        F::Trialing,
        F::PastDue,
        F::Cancelling,
        F::Canceled,
        F::Incomplete,
    ]
    .map(|f| format!("COALESCE(SUM({}), 0)", filter_sql(f)))
    .join(", ");
    let r = sqlx::query(AssertSqlSafe(format!(
        "SELECT COUNT(*), {parts} FROM subscriptions s"
    )))
    .fetch_one(&mut *conn)
    .await?;
    Ok(SubscriptionCounts {
        all: r.get(0),
        active: r.get(1),
        trialing: r.get(2),
        past_due: r.get(3),
        cancelling: r.get(4),
        canceled: r.get(5),
        incomplete: r.get(6),
    })
}

pub async fn count<'e>(db: impl SqliteExecutor<'e>) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM subscriptions")
        .fetch_one(db)
        .await?)
}

pub async fn ids<'e>(db: impl SqliteExecutor<'e>) -> Result<Vec<String>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM subscriptions ORDER BY id")
            .fetch_all(db)
            .await?,
    )
}
