//! A subscription's next charge has one definition (`subscriptions::next_charge`): the store
//! keeps what it computed, sorts by it, and a store written before it was kept gets it filled in
//! once.

use comptoir_core::dataset::Dataset;
use comptoir_core::model::{SubscriptionQuery, SubscriptionSort};
use comptoir_core::store::{self, Store};
use comptoir_core::subscriptions::{fill_next_charges, next_charge};

async fn demo_store(dir: &std::path::Path) -> Store {
    let store = Store::open(&dir.join("shop.sqlite")).await.unwrap();
    let data = Dataset::demo(1_780_000_000);
    comptoir_core::sync::import_dataset(&store, &data)
        .await
        .unwrap();
    store
}

async fn every_row(store: &Store, sort: SubscriptionSort) -> Vec<(String, Option<i64>)> {
    let mut conn = store.pool().acquire().await.unwrap();
    let page = store::subscriptions::list(
        &mut conn,
        &SubscriptionQuery {
            limit: 500,
            offset: 0,
            status: None,
            search: None,
            sort: Some(sort),
        },
    )
    .await
    .unwrap();
    page.rows
        .into_iter()
        .map(|r| (r.id, r.next_charge))
        .collect()
}

async fn rule(store: &Store, id: &str) -> Option<i64> {
    next_charge(&store::subscriptions::get(store.pool(), id).await.unwrap())
}

#[tokio::test]
async fn the_table_shows_and_sorts_by_the_rules_next_charge() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path()).await;
    let rows = every_row(&store, SubscriptionSort::NextChargeAsc).await;
    assert!(rows.len() > 5, "the demo has subscriptions");
    assert!(rows.iter().any(|r| r.1.is_some()) && rows.iter().any(|r| r.1.is_none()));
    for (id, shown) in &rows {
        assert_eq!(*shown, rule(&store, id).await, "{id}");
    }
    let dated: Vec<i64> = rows.iter().filter_map(|r| r.1).collect();
    assert!(dated.windows(2).all(|w| w[0] <= w[1]), "soonest first");
    let first_none = rows.iter().position(|r| r.1.is_none()).unwrap();
    assert!(
        rows[first_none..].iter().all(|r| r.1.is_none()),
        "none last"
    );
    let desc = every_row(&store, SubscriptionSort::NextChargeDesc).await;
    let dated_desc: Vec<i64> = desc.iter().filter_map(|r| r.1).collect();
    assert!(dated_desc.windows(2).all(|w| w[0] >= w[1]), "latest first");
}

#[tokio::test]
async fn a_store_from_before_gets_its_next_charges_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path()).await;
    let expected = every_row(&store, SubscriptionSort::NextChargeAsc).await;
    // As an earlier version left it: no next charge stored.
    sqlx::query("UPDATE subscriptions SET next_charge = NULL, next_charge_known = 0")
        .execute(store.pool())
        .await
        .unwrap();
    let blank = every_row(&store, SubscriptionSort::NextChargeAsc).await;
    assert!(blank.iter().all(|r| r.1.is_none()));

    let filled = fill_next_charges(&store).await.unwrap();
    assert_eq!(filled, expected.len());
    assert_eq!(
        every_row(&store, SubscriptionSort::NextChargeAsc).await,
        expected
    );
    assert_eq!(fill_next_charges(&store).await.unwrap(), 0, "once");
}
