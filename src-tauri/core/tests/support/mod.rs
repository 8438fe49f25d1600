//! What the core crate's integration tests share: a store on a real SQLite file in a folder of
//! its own, filled from a dataset as a sync would, and the orders table's queries against it.
#![allow(dead_code)] // each test binary uses part of the support

use std::path::{Path, PathBuf};

use comptoir_core::dataset::Dataset;
use comptoir_core::model::{FulfilmentStatus, OrderPage, OrderQuery};
use comptoir_core::store::{self, Store};
use comptoir_core::sync::import_dataset;
use sqlx::SqliteConnection;

/// The store's file in its folder.
pub fn store_path(dir: &Path) -> PathBuf {
    dir.join("comptoir.sqlite")
}

/// A new, empty store in a folder of its own (removed with the folder).
pub async fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&store_path(dir.path())).await.unwrap();
    (dir, store)
}

/// A new store holding `data`, imported as a sync would write it.
pub async fn filled_store(data: &Dataset) -> (tempfile::TempDir, Store) {
    let (dir, store) = temp_store().await;
    import_dataset(&store, data).await.unwrap();
    (dir, store)
}

/// One page of the orders table.
pub async fn list(store: &Store, q: OrderQuery) -> OrderPage {
    let mut conn = store.pool().acquire().await.unwrap();
    store::orders::list(&mut conn, &q).await.unwrap()
}

/// The first 500 orders of a tab (every tab with `None`), matching `search` if given.
pub fn query(status: Option<FulfilmentStatus>, search: Option<&str>) -> OrderQuery {
    OrderQuery {
        status: status.map(Into::into),
        limit: 500,
        offset: 0,
        search: search.map(str::to_owned),
        sort: None,
    }
}

/// Marks an order sent, as the packing station records it (no staff, no tracking).
pub async fn mark_sent(conn: &mut SqliteConnection, id: &str) {
    sqlx::query(
        "INSERT INTO fulfilments (order_id, status, sent_at, updated_at) VALUES (?1, 'sent', 1, 1)",
    )
    .bind(id)
    .execute(&mut *conn)
    .await
    .unwrap();
}

/// Records a Colissimo tracking number for an order.
pub async fn add_tracking(conn: &mut SqliteConnection, id: &str, number: &str) {
    sqlx::query(
        "INSERT INTO tracking_entries (order_id, carrier, number, url, created_at)
         VALUES (?1, 'colissimo', ?2, 'https://www.laposte.fr/x', 1)",
    )
    .bind(id)
    .bind(number)
    .execute(&mut *conn)
    .await
    .unwrap();
}

/// Takes an order's fulfilment back (it returns to its first tab).
pub async fn take_back(conn: &mut SqliteConnection, id: &str) {
    sqlx::query("DELETE FROM fulfilments WHERE order_id = ?1")
        .bind(id)
        .execute(&mut *conn)
        .await
        .unwrap();
}
