//! CSV exports of the orders and subscriptions tables' current view.

use std::path::Path;

use futures::future::BoxFuture;
use sqlx::SqliteConnection;

use super::{Result, Workspace, WorkspaceError};
use crate::model::{OrderQuery, SubscriptionQuery};
use crate::store::{self, StoreError};

impl Workspace {
    /// Writes every order of the query's view (its tab, search and sort; its page ignored) to
    /// `path` as CSV (UTF-8 with a byte-order mark). Written to a temporary file first, so a
    /// failed export never leaves half a file. Returns how many orders were written.
    pub async fn export_orders_csv(&self, q: &OrderQuery, path: &Path) -> Result<i64> {
        let cur = self.current().await;
        let mut conn = cur.store.pool().acquire().await.map_err(StoreError::from)?;
        let q = q.clone();
        let rows = every_page(&mut conn, move |conn, offset| {
            let page = OrderQuery {
                limit: PAGE,
                offset,
                ..q.clone()
            };
            Box::pin(async move { Ok(store::orders::list(conn, &page).await?.rows) })
        })
        .await?;
        let mut out = crate::csv::header();
        for r in &rows {
            out.push_str(&crate::csv::line(r));
        }
        write_export(path, &out)?;
        Ok(rows.len() as i64)
    }

    /// Exports the subscriptions table's current view (filter, search, sort) as CSV, with each
    /// customer's shipping address (else billing): the list a subscription box is packed from.
    /// Returns the number of subscriptions written.
    pub async fn export_subscriptions_csv(
        &self,
        q: &SubscriptionQuery,
        path: &Path,
    ) -> Result<i64> {
        let cur = self.current().await;
        let mut conn = cur.store.pool().acquire().await.map_err(StoreError::from)?;
        let q = q.clone();
        let rows = every_page(&mut conn, move |conn, offset| {
            let page = SubscriptionQuery {
                limit: PAGE,
                offset,
                ..q.clone()
            };
            Box::pin(async move { Ok(store::subscriptions::list(conn, &page).await?.rows) })
        })
        .await?;
        let mut out = crate::csv::subscriptions_header();
        for r in &rows {
            let sub = store::subscriptions::get(&mut *conn, &r.id).await?;
            let customer = super::customer_of(&mut conn, sub.customer_id.as_deref()).await?;
            out.push_str(&crate::csv::subscription_line(r, customer.as_ref()));
        }
        write_export(path, &out)?;
        Ok(rows.len() as i64)
    }
}

/// The store's largest page.
const PAGE: i64 = 500;

/// Every row of a view, read a page at a time (`fetch` reads the page at an offset).
async fn every_page<R>(
    conn: &mut SqliteConnection,
    mut fetch: impl for<'c> FnMut(&'c mut SqliteConnection, i64) -> BoxFuture<'c, Result<Vec<R>>>,
) -> Result<Vec<R>> {
    let mut all = Vec::new();
    loop {
        let rows = fetch(&mut *conn, all.len() as i64).await?;
        let last = (rows.len() as i64) < PAGE;
        all.extend(rows);
        if last {
            return Ok(all);
        }
    }
}

/// Writes an export through a temporary file renamed into place, so a half-written file never
/// carries the export's name.
fn write_export(path: &Path, text: &str) -> Result<()> {
    let tmp = path.with_extension("csv.part");
    std::fs::write(&tmp, text.as_bytes())
        .and_then(|_| std::fs::rename(&tmp, path))
        .map_err(|source| WorkspaceError::Io {
            path: path.to_owned(),
            source,
        })
}
