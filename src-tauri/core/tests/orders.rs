//! The orders table's queries on a real SQLite file filled from fixture-derived data: list,
//! tab filters, counts, FTS5 search (prefixes, accents, tracking numbers, hostile input) and
//! sorting, plus the order detail's links and fulfilment section.

mod support;

use std::collections::HashMap;
use std::sync::Arc;

use comptoir_core::dataset::{Dataset, DatasetSpec};
use comptoir_core::lang::Lang;
use comptoir_core::model::{
    CustomField, DeliveryKind, FulfilmentStatus, LinkUnavailable, Order, OrderPage, OrderQuery,
    OrderQueue, OrderSort, StripeMode, SubscriptionQuery,
};
use comptoir_core::problem::Problem;
use comptoir_core::secrets::MemoryStore;
use comptoir_core::store::{self, Store, StoreError};
use comptoir_core::sync::{import_dataset, SyncOptions};
use comptoir_core::workspace::{order_detail_of, Workspace, WorkspaceConfig, WorkspaceError};
use support::{add_tracking, filled_store, list, mark_sent, query, store_path, take_back};

/// A store holding the dataset `spec` generates.
async fn filled(spec: DatasetSpec) -> (tempfile::TempDir, Store) {
    filled_store(&Dataset::generate(&spec)).await
}

/// The demo store, as the app opens it without a Stripe key (and no Stripe to reach).
async fn demo_workspace() -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open(WorkspaceConfig {
        data_dir: dir.path().to_owned(),
        api_base: "http://127.0.0.1:9/".into(),
        secrets: Arc::new(MemoryStore::new()),
        sync_options: SyncOptions::default(),
    })
    .await
    .unwrap();
    (dir, ws)
}

async fn all_orders(store: &Store) -> Vec<Order> {
    let ids = store::orders::ids(store.pool()).await.unwrap();
    let mut out = Vec::new();
    for id in ids {
        out.push(store::orders::get(store.pool(), &id).await.unwrap());
    }
    out
}

#[tokio::test]
async fn tabs_counts_and_pages_agree() {
    let (_dir, store) = filled(DatasetSpec::default()).await;
    let mut conn = store.pool().acquire().await.unwrap();
    // Mark three deliveries sent and one pickup picked up, as the packing station would.
    let to_send = list(&store, query(Some(FulfilmentStatus::ToBeSent), None)).await;
    let to_pick = list(&store, query(Some(FulfilmentStatus::ToBePickedUp), None)).await;
    for r in to_send.rows.iter().take(3) {
        mark_sent(&mut conn, &r.id).await;
    }
    sqlx::query("INSERT INTO fulfilments (order_id, status, picked_up_at, updated_at) VALUES (?1, 'picked_up', 1, 1)")
        .bind(&to_pick.rows[0].id)
        .execute(&mut *conn)
        .await
        .unwrap();

    let all = list(&store, query(None, None)).await;
    let c = &all.counts;
    assert_eq!(c.sent, 3);
    assert_eq!(c.picked_up, 1);
    assert_eq!(c.to_be_sent, to_send.total - 3);
    assert_eq!(c.to_be_picked_up, to_pick.total - 1);
    assert_eq!(
        c.all,
        c.to_be_sent + c.sent + c.to_be_picked_up + c.picked_up + c.awaiting_payment + c.on_hold
    );
    assert_eq!(all.total, c.all);
    let global = store::orders::counts(&mut conn).await.unwrap();
    assert_eq!(global.orders, c.all);
    assert_eq!(global.sent, 3);

    for (status, n) in [
        (FulfilmentStatus::ToBeSent, c.to_be_sent),
        (FulfilmentStatus::Sent, c.sent),
        (FulfilmentStatus::ToBePickedUp, c.to_be_picked_up),
        (FulfilmentStatus::PickedUp, c.picked_up),
    ] {
        let page = list(&store, query(Some(status), None)).await;
        assert_eq!(page.total, n, "{status:?}");
        assert_eq!(page.rows.len() as i64, n.min(500));
        assert!(page.rows.iter().all(|r| r.status == status));
    }
    // Orders whose payment holds them back wait in their own tabs, out of the work queue.
    for (queue, n) in [
        (OrderQueue::AwaitingPayment, c.awaiting_payment),
        (OrderQueue::OnHold, c.on_hold),
    ] {
        assert!(n > 0, "{queue:?}: the dataset has such orders");
        let page = list(
            &store,
            OrderQuery {
                status: Some(queue),
                ..query(None, None)
            },
        )
        .await;
        assert_eq!(page.total, n, "{queue:?}");
        assert!(page
            .rows
            .iter()
            .all(|r| r.queue == queue && r.payment_state.hold() == Some(queue)));
    }

    // Taking the fulfilment back puts the order back in its first tab.
    take_back(&mut conn, &to_pick.rows[0].id).await;
    let after = list(&store, query(None, None)).await.counts;
    // The trigger-kept counts agree with a count of the rows.
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT queue, COUNT(*) FROM orders GROUP BY queue ORDER BY queue")
            .fetch_all(&mut *conn)
            .await
            .unwrap();
    let kept: Vec<(String, i64)> =
        sqlx::query_as("SELECT queue, n FROM order_queue_counts WHERE n > 0 ORDER BY queue")
            .fetch_all(&mut *conn)
            .await
            .unwrap();
    assert_eq!(rows, kept);
    assert_eq!(after.picked_up, 0);
    assert_eq!(after.to_be_picked_up, to_pick.total);
}

#[tokio::test]
async fn sorting_by_date_and_total() {
    let (_dir, store) = filled(DatasetSpec::default()).await;
    for (sort, key) in [
        (OrderSort::DateDesc, "created desc"),
        (OrderSort::DateAsc, "created asc"),
        (OrderSort::TotalDesc, "total desc"),
        (OrderSort::TotalAsc, "total asc"),
    ] {
        let page = list(
            &store,
            OrderQuery {
                sort: Some(sort),
                ..query(None, None)
            },
        )
        .await;
        assert!(page.rows.len() > 100);
        for w in page.rows.windows(2) {
            let ok = match sort {
                OrderSort::DateDesc => w[0].created >= w[1].created,
                OrderSort::DateAsc => w[0].created <= w[1].created,
                OrderSort::TotalDesc => w[0].amount_total >= w[1].amount_total,
                OrderSort::TotalAsc => w[0].amount_total <= w[1].amount_total,
            };
            assert!(ok, "{key}");
        }
    }
    // A search sorts its matches the same way.
    for sort in [OrderSort::TotalDesc, OrderSort::DateAsc] {
        let page = list(
            &store,
            OrderQuery {
                sort: Some(sort),
                ..query(None, Some("g"))
            },
        )
        .await;
        assert!(page.rows.len() > 10, "{sort:?}");
        for w in page.rows.windows(2) {
            match sort {
                OrderSort::TotalDesc => assert!(w[0].amount_total >= w[1].amount_total),
                _ => assert!(w[0].created <= w[1].created),
            }
        }
    }
    // Pages are disjoint under a sort.
    let first = list(
        &store,
        OrderQuery {
            sort: Some(OrderSort::TotalAsc),
            limit: 20,
            ..query(None, None)
        },
    )
    .await;
    let second = list(
        &store,
        OrderQuery {
            sort: Some(OrderSort::TotalAsc),
            limit: 20,
            offset: 20,
            ..query(None, None)
        },
    )
    .await;
    assert!(first
        .rows
        .iter()
        .all(|a| second.rows.iter().all(|b| a.id != b.id)));
}

#[tokio::test]
async fn search_finds_names_emails_numbers_products_and_tracking() {
    let (_dir, store) = filled(DatasetSpec::default()).await;
    let orders = all_orders(&store).await;
    let with_email = orders
        .iter()
        .find(|o| o.billing.email.is_some() && o.billing.name.is_some())
        .unwrap();

    // Email, whole and as a prefix.
    let email = with_email.billing.email.clone().unwrap();
    let page = list(&store, query(None, Some(&email))).await;
    assert!(page.rows.iter().any(|r| r.id == with_email.id), "{email}");
    assert!(page
        .rows
        .iter()
        .all(|r| r.customer_email.as_deref() == Some(email.as_str()) || r.customer_name.is_some()));
    let prefix: String = email.chars().take(4).collect();
    let page = list(&store, query(None, Some(&prefix))).await;
    assert!(page.rows.iter().any(|r| r.id == with_email.id), "{prefix}");

    // The name, its words in any order, lower case and without accents.
    let name = with_email.billing.name.clone().unwrap();
    let folded: String = name
        .split_whitespace()
        .rev()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
        .replace(['é', 'è', 'ê'], "e")
        .replace('ï', "i")
        .replace('ç', "c");
    let page = list(&store, query(None, Some(&folded))).await;
    assert!(page.rows.iter().any(|r| r.id == with_email.id), "{folded}");

    // The order number.
    let page = list(&store, query(None, Some(&with_email.number))).await;
    assert!(page.rows.iter().any(|r| r.id == with_email.id));
    assert!(page.total <= 3, "a number is nearly unique");

    // A product name finds exactly the orders that have it.
    let product = with_email.lines[0].description.clone();
    let word = product
        .split_whitespace()
        .max_by_key(|w| w.chars().count())
        .unwrap()
        .to_owned();
    let expected = orders
        .iter()
        .filter(|o| {
            let hay = format!(
                "{} {} {} {}",
                o.billing.name.clone().unwrap_or_default(),
                o.billing.email.clone().unwrap_or_default(),
                o.number,
                o.lines
                    .iter()
                    .map(|l| l.description.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            )
            .to_lowercase();
            hay.contains(&word.to_lowercase())
        })
        .count() as i64;
    let page = list(&store, query(None, Some(&word))).await;
    assert!(page.rows.iter().any(|r| r.id == with_email.id), "{word}");
    assert!(
        page.total >= 1 && page.total <= expected.max(1) + 5,
        "{word}: {} vs {expected}",
        page.total
    );

    // A tracking number, recorded after the sync, is found at once; the counts follow the search.
    let mut conn = store.pool().acquire().await.unwrap();
    mark_sent(&mut conn, &with_email.id).await;
    add_tracking(&mut conn, &with_email.id, "6A12345678901").await;
    let page = list(
        &store,
        query(Some(FulfilmentStatus::Sent), Some("6A1234567")),
    )
    .await;
    assert_eq!(page.total, 1);
    assert_eq!(page.rows[0].id, with_email.id);
    assert_eq!(page.counts.sent, 1);
    assert_eq!(page.counts.all, 1);

    // A re-sync of the same data keeps the index in step (no duplicates, tracking kept).
    drop(conn);
    let data = Dataset::generate(&DatasetSpec::default());
    import_dataset(&store, &data).await.unwrap();
    let page = list(&store, query(None, Some("6A12345678901"))).await;
    assert_eq!(page.total, 1);
    let page = list(&store, query(None, Some(&with_email.number))).await;
    assert_eq!(
        page.rows.iter().filter(|r| r.id == with_email.id).count(),
        1
    );

    // Nothing matches: an empty page, no error.
    let page = list(&store, query(None, Some("zzqxqzzq"))).await;
    assert_eq!((page.total, page.rows.len(), page.counts.all), (0, 0, 0));
}

#[tokio::test]
async fn search_finds_what_the_customer_typed_in_checkout_fields() {
    let (_dir, store) = filled(DatasetSpec::default()).await;
    let orders = all_orders(&store).await;

    // A generated gift message, synced like any session, finds its order by its longest word.
    let gifted = orders
        .iter()
        .find(|o| {
            o.custom_fields
                .iter()
                .any(|f| f.key == "messagecadeau" && f.value.is_some())
        })
        .expect("the generator gives some orders a gift message");
    let message = gifted
        .custom_fields
        .iter()
        .find_map(|f| f.value.clone())
        .unwrap();
    let word = message
        .split_whitespace()
        .max_by_key(|w| w.chars().count())
        .unwrap();
    let page = list(&store, query(None, Some(word))).await;
    assert!(
        page.rows.iter().any(|r| r.id == gifted.id),
        "{word} from {message:?}"
    );

    // A word only one order's field has finds that order alone, as a prefix too, and keeps
    // finding it after a tracking number is recorded (a trigger rewrites that order's tracking
    // column) and after the whole index is rebuilt.
    let mut order = orders.iter().find(|o| o.id != gifted.id).unwrap().clone();
    order.custom_fields = vec![CustomField {
        key: "instructions".into(),
        label: "Delivery instructions".into(),
        kind: "text".into(),
        value: Some("Leave it with Zanzibarine downstairs".into()),
    }];
    let mut tx = store.write().await.unwrap();
    store::orders::upsert(&mut tx, &order, &serde_json::json!({}))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let found = |page: OrderPage| {
        (
            page.total,
            page.rows.into_iter().map(|r| r.id).collect::<Vec<_>>(),
        )
    };
    let only = (1, vec![order.id.clone()]);
    assert_eq!(
        found(list(&store, query(None, Some("zanzibarine"))).await),
        only
    );
    assert_eq!(found(list(&store, query(None, Some("Zanzib"))).await), only);

    let mut conn = store.pool().acquire().await.unwrap();
    add_tracking(&mut conn, &order.id, "6A99999999999").await;
    assert_eq!(
        found(list(&store, query(None, Some("zanzibarine"))).await),
        only
    );
    assert_eq!(
        found(list(&store, query(None, Some("6A99999999999"))).await),
        only
    );
    store::orders::reindex_all(&mut conn).await.unwrap();
    assert_eq!(
        found(list(&store, query(None, Some("zanzibarine"))).await),
        only
    );
    // The product names are still there next to the fields.
    let product = order.lines[0].description.clone();
    let page = list(&store, query(None, Some(&product))).await;
    assert!(page.rows.iter().any(|r| r.id == order.id), "{product}");
    drop(conn);

    // A field emptied at the next sync no longer finds the order.
    order.custom_fields.clear();
    let mut tx = store.write().await.unwrap();
    store::orders::upsert(&mut tx, &order, &serde_json::json!({}))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        list(&store, query(None, Some("zanzibarine"))).await.total,
        0
    );
}

/// A store written before the fields filled in at checkout were kept: on its next opening, its
/// session orders get them from their stored session, and the search finds them.
#[tokio::test]
async fn orders_cached_before_get_their_checkout_fields_once() {
    let (dir, store) = filled(DatasetSpec::default()).await;
    let now = all_orders(&store).await;
    let gifted = now
        .iter()
        .find(|o| o.custom_fields.iter().any(|f| f.value.is_some()))
        .expect("orders with filled-in fields")
        .clone();
    // As the previous version left it: no `custom_fields` in the details, none in the index,
    // and no note that the fields were given.
    let mut conn = store.pool().acquire().await.unwrap();
    sqlx::query("UPDATE orders SET detail = json_remove(detail, '$.custom_fields')")
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query("DELETE FROM settings WHERE key = ?1")
        .bind(store::orders::CUSTOM_FIELDS_BACKFILLED)
        .execute(&mut *conn)
        .await
        .unwrap();
    store::orders::reindex_all(&mut conn).await.unwrap();
    drop(conn);
    let before = store::orders::get(store.pool(), &gifted.id).await.unwrap();
    assert!(
        before.custom_fields.is_empty(),
        "an old order reads with none"
    );
    let value = gifted
        .custom_fields
        .iter()
        .find_map(|f| f.value.clone())
        .unwrap();
    let word = value
        .split_whitespace()
        .max_by_key(|w| w.chars().count())
        .unwrap()
        .to_owned();
    let finds = |page: &OrderPage| page.rows.iter().any(|r| r.id == gifted.id);
    assert!(
        !finds(&list(&store, query(None, Some(&word))).await),
        "{word}"
    );
    store.close().await;

    // Opened again as the window opens it.
    let store = Store::open(&store_path(dir.path())).await.unwrap();
    let filled = comptoir_core::workspace::fill_custom_fields(&store)
        .await
        .unwrap();
    assert!(filled > 0, "the session orders get their fields");
    assert_eq!(
        all_orders(&store).await,
        now,
        "every order as a sync maps it"
    );
    assert!(
        finds(&list(&store, query(None, Some(&word))).await),
        "{word}"
    );
    // Once: an order whose fields are taken away again stays as it is at the next opening.
    let mut conn = store.pool().acquire().await.unwrap();
    sqlx::query("UPDATE orders SET detail = json_remove(detail, '$.custom_fields') WHERE id = ?1")
        .bind(&gifted.id)
        .execute(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    store.close().await;
    let store = Store::open(&store_path(dir.path())).await.unwrap();
    assert_eq!(
        comptoir_core::workspace::fill_custom_fields(&store)
            .await
            .unwrap(),
        0
    );
    let again = store::orders::get(store.pool(), &gifted.id).await.unwrap();
    assert!(again.custom_fields.is_empty());
}

/// Checks every tab, sort and a few pages of a search against the matches sorted plainly from
/// the `orders` table (by date or total, ties to the later rowid; statuses from `orders`), and
/// the tab counts against a count of the matches' statuses.
async fn assert_search_agrees(store: &Store, search: &str) -> i64 {
    let everything = list(store, query(None, Some(search))).await;
    assert!(
        everything.total <= 500,
        "{search}: the dataset fits one page"
    );
    let ids: Vec<String> = everything.rows.iter().map(|r| r.id.clone()).collect();
    assert_eq!(ids.len() as i64, everything.total, "{search}");
    let facts: HashMap<String, (i64, i64, i64, String)> =
        sqlx::query_as::<_, (String, i64, i64, i64, String)>(
            "SELECT id, rowid, created, amount_total, queue FROM orders",
        )
        .fetch_all(store.pool())
        .await
        .unwrap()
        .into_iter()
        .map(|(id, rowid, created, total, status)| (id, (rowid, created, total, status)))
        .collect();
    let status_of = |id: &String| OrderQueue::parse(&facts[id].3).unwrap();
    let c = &everything.counts;
    let n = |s: OrderQueue| ids.iter().filter(|id| status_of(id) == s).count() as i64;
    assert_eq!(c.all, ids.len() as i64, "{search}");
    assert_eq!(c.to_be_sent, n(OrderQueue::ToBeSent), "{search}");
    assert_eq!(c.sent, n(OrderQueue::Sent), "{search}");
    assert_eq!(c.to_be_picked_up, n(OrderQueue::ToBePickedUp), "{search}");
    assert_eq!(c.picked_up, n(OrderQueue::PickedUp), "{search}");
    assert_eq!(
        c.awaiting_payment,
        n(OrderQueue::AwaitingPayment),
        "{search}"
    );
    assert_eq!(c.on_hold, n(OrderQueue::OnHold), "{search}");
    for status in [
        None,
        Some(OrderQueue::ToBeSent),
        Some(OrderQueue::Sent),
        Some(OrderQueue::ToBePickedUp),
        Some(OrderQueue::PickedUp),
        Some(OrderQueue::AwaitingPayment),
        Some(OrderQueue::OnHold),
    ] {
        for sort in [
            OrderSort::DateDesc,
            OrderSort::DateAsc,
            OrderSort::TotalDesc,
            OrderSort::TotalAsc,
        ] {
            let mut expected: Vec<&String> = ids
                .iter()
                .filter(|id| status.is_none_or(|s| status_of(id) == s))
                .collect();
            expected.sort_by_key(|id| {
                let (rowid, created, total, _) = facts[*id];
                match sort {
                    OrderSort::DateDesc => (-created, -rowid),
                    OrderSort::DateAsc => (created, rowid),
                    OrderSort::TotalDesc => (-total, -rowid),
                    OrderSort::TotalAsc => (total, rowid),
                }
            });
            // Whole, first pages, pages further on (a broad search's sort by total walks the
            // totals index, a narrow one sorts its matches: both are covered).
            for (limit, offset) in [(500, 0), (20, 0), (20, 40), (7, 3), (5, 500)] {
                let page = list(
                    store,
                    OrderQuery {
                        status,
                        limit,
                        offset,
                        search: Some(search.to_owned()),
                        sort: Some(sort),
                    },
                )
                .await;
                let got: Vec<&String> = page.rows.iter().map(|r| &r.id).collect();
                let want: Vec<&String> = expected
                    .iter()
                    .skip(offset as usize)
                    .take(limit as usize)
                    .copied()
                    .collect();
                assert_eq!(got, want, "{search} {status:?} {sort:?} {limit}@{offset}");
                assert_eq!(page.total, expected.len() as i64);
                assert_eq!(&page.counts, c);
                assert!(page
                    .rows
                    .iter()
                    .all(|r| r.queue == status_of(&r.id) && r.created == facts[&r.id].1));
            }
        }
    }
    everything.total
}

#[tokio::test]
async fn search_pages_agree_with_a_plain_sort_of_the_matches() {
    let (_dir, store) = filled(DatasetSpec::default()).await;
    let mut conn = store.pool().acquire().await.unwrap();
    // Every status present: some deliveries sent, some pickups picked up.
    sqlx::query(
        "INSERT INTO fulfilments (order_id, status, sent_at, picked_up_at, updated_at)
         SELECT id, CASE delivery_kind WHEN 'pickup' THEN 'picked_up' ELSE 'sent' END, 1, 1, 1
         FROM orders WHERE rowid % 3 = 0 AND id NOT IN (SELECT order_id FROM fulfilments)",
    )
    .execute(&mut *conn)
    .await
    .unwrap();
    drop(conn);
    let orders = all_orders(&store).await;
    let some = &orders[17];
    let name = some.billing.name.clone().unwrap_or_else(|| "e".into());
    let word = some.lines[0]
        .description
        .split_whitespace()
        .max_by_key(|w| w.chars().count())
        .unwrap()
        .to_owned();
    // The first three characters (not bytes: names carry accents).
    let prefix: String = name.chars().take(3).collect();
    let mut sizes = Vec::new();
    for search in ["e", "a", "c", "comté", &prefix, &name, &word, &some.number] {
        sizes.push(assert_search_agrees(&store, search).await);
    }
    // Broad and narrow searches both ran.
    assert!(
        sizes.iter().any(|&n| n > 150) && sizes.iter().any(|&n| n <= 3),
        "{sizes:?}"
    );
}

#[tokio::test]
async fn late_orders_and_status_changes_keep_searches_in_place() {
    let (_dir, store) = filled(DatasetSpec::default()).await;
    let orders = all_orders(&store).await;
    let model = orders
        .iter()
        .find(|o| o.delivery_kind == DeliveryKind::Delivery && !o.lines.is_empty())
        .unwrap()
        .clone();
    let oldest = orders.iter().map(|o| o.created).min().unwrap();
    let newest = orders.iter().map(|o| o.created).max().unwrap();
    let word = model.lines[0]
        .description
        .split_whitespace()
        .max_by_key(|w| w.chars().count())
        .unwrap()
        .to_owned();
    let mut conn = store.pool().acquire().await.unwrap();

    // A sync brings, after all the others, an order older than every one of them, and another
    // of the very same second as the model (a tie, which the later order wins when newest first).
    let mut late = model.clone();
    late.id = "cs_test_late_old".into();
    late.number = "LATE-0001".into();
    late.invoice_id = None;
    late.created = oldest - 86_400;
    store::orders::upsert(&mut conn, &late, &serde_json::json!({}))
        .await
        .unwrap();
    let mut twin = model.clone();
    twin.id = "cs_test_late_twin".into();
    twin.number = "LATE-0002".into();
    twin.invoice_id = None;
    store::orders::upsert(&mut conn, &twin, &serde_json::json!({}))
        .await
        .unwrap();
    assert_search_agrees(&store, &word).await;
    let page = list(&store, query(None, Some(&word))).await;
    assert_eq!(page.rows.last().unwrap().id, late.id, "oldest last");
    let at = |id: &str| page.rows.iter().position(|r| r.id == id).unwrap();
    assert_eq!(
        at(&twin.id) + 1,
        at(&model.id),
        "a tie goes to the later order"
    );

    // A re-sync moves its date: found once, in its new place.
    late.created = newest + 3_600;
    store::orders::upsert(&mut conn, &late, &serde_json::json!({}))
        .await
        .unwrap();
    let page = list(&store, query(None, Some(&word))).await;
    assert_eq!(page.rows[0].id, late.id, "newest first");
    assert_eq!(list(&store, query(None, Some("LATE-0001"))).await.total, 1);
    assert_search_agrees(&store, &word).await;

    // Fulfilment moves it between the tabs of a search, and tracking makes it findable.
    let before = list(&store, query(None, Some(&word))).await.counts;
    mark_sent(&mut conn, &late.id).await;
    let after = list(&store, query(None, Some(&word))).await.counts;
    assert_eq!(after.all, before.all);
    assert_eq!(after.sent, before.sent + 1);
    assert_eq!(after.to_be_sent, before.to_be_sent - 1);
    let sent = list(
        &store,
        query(Some(FulfilmentStatus::Sent), Some("LATE-0001")),
    )
    .await;
    assert_eq!(
        (sent.total, sent.rows[0].id.as_str()),
        (1, late.id.as_str())
    );
    assert_eq!(
        list(
            &store,
            query(Some(FulfilmentStatus::ToBeSent), Some("LATE-0001"))
        )
        .await
        .total,
        0
    );
    add_tracking(&mut conn, &late.id, "6A99887766554").await;
    let found = list(
        &store,
        query(Some(FulfilmentStatus::Sent), Some("6A998877")),
    )
    .await;
    assert_eq!(
        (found.total, found.rows[0].id.as_str()),
        (1, late.id.as_str())
    );
    assert_search_agrees(&store, &word).await;

    // Taken back, then its rate turned into a pickup: the search follows each time.
    take_back(&mut conn, &late.id).await;
    assert_eq!(list(&store, query(None, Some(&word))).await.counts, before);
    sqlx::query("UPDATE orders SET delivery_kind = 'pickup' WHERE id = ?1")
        .bind(&late.id)
        .execute(&mut *conn)
        .await
        .unwrap();
    let picked = list(
        &store,
        query(Some(FulfilmentStatus::ToBePickedUp), Some("6A998877")),
    )
    .await;
    assert_eq!(picked.total, 1);
    assert_search_agrees(&store, &word).await;

    // One index row per order, and the index agrees with its stored rows.
    let (indexed, stored): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM orders_search), (SELECT COUNT(*) FROM orders)",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert_eq!(indexed, stored);
    sqlx::query("INSERT INTO orders_search (orders_search) VALUES ('integrity-check')")
        .execute(&mut *conn)
        .await
        .unwrap();
}

#[tokio::test]
async fn hostile_search_input_never_errors() {
    let (_dir, store) = filled(DatasetSpec {
        orders: 60,
        hostile_text: true,
        ..DatasetSpec::default()
    })
    .await;
    let inputs = [
        "\"",
        "\"\"",
        "a\"b",
        "*",
        "-",
        "NOT",
        "AND OR NOT",
        "jen AND",
        "NEAR(a b)",
        "name:foo",
        "{name email}: x",
        "(",
        ")",
        "^a",
        "a + b",
        "'; DROP TABLE orders; --",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "   ",
        "%_",
        "\u{0}",
        "é",
        "😀",
    ];
    for input in inputs {
        let q = query(None, Some(input));
        let mut conn = store.pool().acquire().await.unwrap();
        let page = store::orders::list(&mut conn, &q).await;
        assert!(page.is_ok(), "{input:?}: {:?}", page.err());
    }
    // The payloads are searchable as the words they contain.
    let page = list(&store, query(None, Some("onerror"))).await;
    assert!(page.total > 0);
    let page = list(&store, query(None, Some("<img src=x"))).await;
    assert!(page.total > 0);
    // Blank search lists everything.
    let everything = list(&store, query(None, None)).await.total;
    assert_eq!(
        list(&store, query(None, Some("   "))).await.total,
        everything
    );
    // Only punctuation: nothing matches rather than everything.
    assert_eq!(list(&store, query(None, Some("\"*-"))).await.total, 0);
    assert_eq!(
        store::orders::fts_query("a\"b NEAR"),
        Some("\"a\"\"b\"* \"NEAR\"*".into())
    );
}

fn ids_of(page: &OrderPage) -> Vec<String> {
    page.rows.iter().map(|r| r.id.clone()).collect()
}

async fn subscriptions(store: &Store, search: &str) -> store::Result<Vec<String>> {
    let mut conn = store.pool().acquire().await.unwrap();
    let q = SubscriptionQuery {
        limit: 500,
        offset: 0,
        status: None,
        search: Some(search.to_owned()),
        sort: None,
    };
    let page = store::subscriptions::list(&mut conn, &q).await?;
    assert_eq!(page.total as usize, page.rows.len());
    Ok(page.rows.into_iter().map(|r| r.id).collect())
}

/// A NUL (or any control character: a scanner's tab) in a search separates words as a space
/// does, in the orders' search index and in the subscriptions' search alike: the same results,
/// never an internal error, never "everything" because the text was cut at the NUL.
#[tokio::test]
async fn a_nul_in_a_search_separates_words_like_a_space() {
    let (_dir, store) = filled(DatasetSpec {
        orders: 60,
        subscriptions: 12,
        ..DatasetSpec::default()
    })
    .await;
    let all = list(&store, query(None, None)).await;
    let name = all
        .rows
        .iter()
        .filter_map(|r| r.customer_name.clone())
        .find(|n| n.contains(' '))
        .expect("a customer with a first and last name");
    let (first, last) = name.split_once(' ').unwrap();
    let spaced = list(&store, query(None, Some(&format!("{first} {last}")))).await;
    assert!(
        spaced.total > 0 && spaced.total < all.total,
        "{name}: {}",
        spaced.total
    );
    for typed in [
        format!("{first}\0{last}"),
        format!("\0{first}\0\0{last}\0"),
        format!("{first}\t{last}"),
    ] {
        let mut conn = store.pool().acquire().await.unwrap();
        let page = store::orders::list(&mut conn, &query(None, Some(&typed)))
            .await
            .unwrap_or_else(|e| panic!("{typed:?}: {e}"));
        assert_eq!(ids_of(&page), ids_of(&spaced), "{typed:?}");
        assert_eq!(page.counts, spaced.counts, "{typed:?}");
    }
    // A NUL alone is a blank search: everything.
    assert_eq!(list(&store, query(None, Some("\0"))).await.total, all.total);

    let mut conn = store.pool().acquire().await.unwrap();
    let subs = store::subscriptions::list(
        &mut conn,
        &SubscriptionQuery {
            limit: 500,
            offset: 0,
            status: None,
            search: None,
            sort: None,
        },
    )
    .await
    .unwrap();
    drop(conn);
    let sub_name = subs
        .rows
        .iter()
        .filter_map(|r| r.customer_name.clone())
        .find(|n| n.contains(' '))
        .expect("a subscriber with a first and last name");
    let expected = subscriptions(&store, &sub_name).await.unwrap();
    assert!(!expected.is_empty() && expected.len() < subs.rows.len());
    for typed in [format!("\0{sub_name}"), format!("{sub_name}\0")] {
        assert_eq!(
            subscriptions(&store, &typed).await.unwrap(),
            expected,
            "{typed:?}"
        );
    }
    let (first, last) = sub_name.split_once(' ').unwrap();
    assert_eq!(
        subscriptions(&store, &format!("{first}\0{last}"))
            .await
            .unwrap(),
        expected
    );
}

/// A search is at most 200 characters (the search boxes stop there): longer is refused, as the
/// `search_too_long` problem with its limit, by the orders and the subscriptions alike; 200
/// characters (letters, not bytes) still search.
#[tokio::test]
async fn a_search_over_200_characters_is_refused_with_its_limit() {
    let (_dir, ws) = demo_workspace().await;
    assert_eq!(store::MAX_SEARCH_CHARS, 200);
    let at_limit = "é".repeat(200);
    let over = "é".repeat(201);
    let page = ws.list_orders(&query(None, Some(&at_limit))).await.unwrap();
    assert_eq!(page.total, 0);
    // Blanks around the words do not count.
    let padded = format!("   {at_limit}\n ");
    assert_eq!(
        ws.list_orders(&query(None, Some(&padded)))
            .await
            .unwrap()
            .total,
        0
    );
    let sub_query = |search: &str| SubscriptionQuery {
        limit: 50,
        offset: 0,
        status: None,
        search: Some(search.to_owned()),
        sort: None,
    };
    assert_eq!(
        ws.list_subscriptions(&sub_query(&at_limit))
            .await
            .unwrap()
            .total,
        0
    );

    let orders_err = ws.list_orders(&query(None, Some(&over))).await.unwrap_err();
    let subs_err = ws.list_subscriptions(&sub_query(&over)).await.unwrap_err();
    for err in [orders_err, subs_err] {
        assert!(
            matches!(
                err,
                WorkspaceError::Store(StoreError::SearchTooLong { max: 200 })
            ),
            "{err:?}"
        );
        // The window says it in the merchant's language, with the limit.
        assert_eq!(err.problem(), Problem::SearchTooLong { max: 200 });
    }
}

#[tokio::test]
async fn order_detail_links_and_fulfilment() {
    let (_dir, ws) = demo_workspace().await;
    // The demo store: no account, so no Stripe link, each saying why.
    let store = ws.store().await;
    let ids = store::orders::ids(store.pool()).await.unwrap();
    let d = ws.order_detail(&ids[0]).await.unwrap();
    assert_eq!(d.invoice_dashboard.url, None);
    assert_eq!(d.invoice_dashboard.unavailable, Some(LinkUnavailable::Demo));
    assert_eq!(d.payment_dashboard.unavailable, Some(LinkUnavailable::Demo));
    // The demo's older orders were fulfilled, with tracking for deliveries.
    let sent = list(&store, query(Some(FulfilmentStatus::Sent), None)).await;
    let d = ws.order_detail(&sent.rows[0].id).await.unwrap();
    assert_eq!(d.status, FulfilmentStatus::Sent);
    let f = d.fulfilment.unwrap();
    assert!(f.sent_at.is_some() && f.staff.is_some());
    assert_eq!(f.tracking.len(), 1);
    assert!(ws.order_detail("cs_test_missing").await.is_err());
}

#[tokio::test]
async fn order_links_follow_the_account_mode() {
    let (_dir, store) = filled(DatasetSpec::default()).await;
    let orders = all_orders(&store).await;
    let with_invoice = orders
        .iter()
        .find(|o| {
            o.invoice_id.is_some() && o.invoice_pdf.is_some() && o.payment_intent_id.is_some()
        })
        .expect("an order with an invoice and a payment");
    let inv = with_invoice.invoice_id.clone().unwrap();
    let pi = with_invoice.payment_intent_id.clone().unwrap();
    let d = order_detail_of(
        with_invoice.clone(),
        FulfilmentStatus::ToBeSent,
        None,
        Some(StripeMode::Test),
    );
    assert_eq!(
        d.invoice_dashboard.url.as_deref(),
        Some(format!("https://dashboard.stripe.com/test/invoices/{inv}").as_str())
    );
    assert_eq!(
        d.payment_dashboard.url.as_deref(),
        Some(format!("https://dashboard.stripe.com/test/payments/{pi}").as_str())
    );
    assert_eq!(d.invoice_pdf.url, with_invoice.invoice_pdf);
    assert!(d
        .invoice_pdf
        .url
        .as_deref()
        .unwrap()
        .starts_with("https://"));
    let live = order_detail_of(
        with_invoice.clone(),
        FulfilmentStatus::ToBeSent,
        None,
        Some(StripeMode::Live),
    );
    assert_eq!(
        live.invoice_dashboard.url.as_deref(),
        Some(format!("https://dashboard.stripe.com/invoices/{inv}").as_str())
    );

    // No invoice and no payment: every button says why.
    let mut bare = with_invoice.clone();
    bare.invoice_id = None;
    bare.invoice_pdf = None;
    bare.payment_intent_id = None;
    let d = order_detail_of(
        bare.clone(),
        FulfilmentStatus::ToBeSent,
        None,
        Some(StripeMode::Test),
    );
    assert_eq!(d.invoice_pdf.unavailable, Some(LinkUnavailable::NoInvoice));
    assert_eq!(
        d.invoice_dashboard.unavailable,
        Some(LinkUnavailable::NoInvoice)
    );
    assert_eq!(
        d.payment_dashboard.unavailable,
        Some(LinkUnavailable::NoPayment)
    );
    assert!(d.invoice_pdf.url.is_none() && d.payment_dashboard.url.is_none());

    // An invoice whose PDF is missing, or off Stripe's hosts, offers no PDF.
    let mut no_pdf = with_invoice.clone();
    no_pdf.invoice_pdf = None;
    let d = order_detail_of(
        no_pdf.clone(),
        FulfilmentStatus::ToBeSent,
        None,
        Some(StripeMode::Test),
    );
    assert_eq!(d.invoice_pdf.unavailable, Some(LinkUnavailable::NoPdf));
    assert!(d.invoice_dashboard.url.is_some());
    no_pdf.invoice_pdf = Some("http://evil.example/x.pdf".into());
    let d = order_detail_of(
        no_pdf,
        FulfilmentStatus::ToBeSent,
        None,
        Some(StripeMode::Test),
    );
    assert_eq!(d.invoice_pdf.unavailable, Some(LinkUnavailable::NoPdf));

    // Shipping to the billing name and address reads "same as billing".
    let mut same = with_invoice.clone();
    let mut ship = same.billing.clone();
    ship.email = None;
    ship.address = Some(comptoir_core::model::Address {
        line1: Some("1 rue de la Paix".into()),
        city: Some("Paris".into()),
        country: Some("FR".into()),
        ..Default::default()
    });
    same.billing.address = ship.address.clone();
    same.shipping = Some(ship);
    assert!(
        order_detail_of(same.clone(), FulfilmentStatus::ToBeSent, None, None)
            .shipping_same_as_billing
    );
    same.shipping
        .as_mut()
        .unwrap()
        .address
        .as_mut()
        .unwrap()
        .city = Some("Lyon".into());
    assert!(
        !order_detail_of(same.clone(), FulfilmentStatus::ToBeSent, None, None)
            .shipping_same_as_billing
    );
    same.shipping = None;
    assert!(
        !order_detail_of(same, FulfilmentStatus::ToBeSent, None, None).shipping_same_as_billing
    );
}

#[tokio::test]
async fn csv_export_of_the_current_view() {
    let (dir, ws) = demo_workspace().await;
    let q = query(Some(FulfilmentStatus::Sent), None);
    let expected = ws.list_orders(&q).await.unwrap();
    let path = dir.path().join("sent.csv");
    let n = ws
        .export_orders_csv(
            &OrderQuery {
                limit: 10,
                offset: 30,
                ..q
            },
            &path,
        )
        .await
        .unwrap();
    assert_eq!(
        n, expected.total,
        "the whole view, whatever page is on screen"
    );
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 byte-order mark");
    let text = String::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = text.trim_end().split("\r\n").collect();
    assert_eq!(lines.len() as i64, n + 1);
    assert!(lines[0].contains("Order,Date,Customer,Email"));
    assert!(lines[0].contains(",Status,Payment,Id"));
    assert!(lines[1..].iter().all(|l| l.contains(",Sent,")));
    assert!(lines[1].ends_with(&expected.rows[0].id));
    // Each line says where its payment stands, as the list's badge does.
    for (line, row) in lines[1..].iter().zip(&expected.rows) {
        use comptoir_core::model::PaymentState as P;
        let word = match row.payment_state {
            P::Paid => ",Paid,",
            P::NoPaymentRequired => ",No payment required,",
            P::Processing => ",Payment processing,",
            P::Failed => ",Payment failed,",
            P::PartiallyRefunded => ",Partly refunded,",
            P::Refunded => ",Refunded,",
            P::Disputed => ",Disputed,",
        };
        assert!(line.contains(word), "{line}");
    }
    assert!(!dir.path().join("sent.csv.part").exists());
}

/// A packing slip for an order that is not paid prints only on a confirmation, alone or in a
/// list, and the history says the print went ahead although it was not paid.
#[tokio::test]
async fn an_unpaid_orders_slip_prints_only_on_a_confirmation() {
    use comptoir_core::model::OrderQueue;
    use comptoir_core::problem::{Problem, Unsettled};
    use comptoir_core::workspace::WorkspaceError;
    let (_dir, ws) = demo_workspace().await;
    let waiting = OrderQuery {
        status: Some(OrderQueue::AwaitingPayment),
        ..query(None, None)
    };
    let page = ws.list_orders(&waiting).await.unwrap();
    let id = page.rows[0].id.clone();
    let err = ws.packing_slip(&id, Lang::En, false).await.unwrap_err();
    let WorkspaceError::PaymentNotSettled(reason) = &err else {
        panic!("{err:?}")
    };
    assert!(matches!(reason, Unsettled::Processing { .. }), "{reason:?}");
    let Problem::PaymentNotSettled { reason: said } = err.problem() else {
        panic!("{:?}", err.problem())
    };
    assert_eq!(&said, reason, "the window words the same reason");
    let job = ws.packing_slip(&id, Lang::En, true).await.unwrap();
    assert!(
        job.document.bytes().starts_with(b"%PDF-"),
        "a PDF slip by default"
    );
    let err = ws
        .packing_slips(&waiting, Lang::En, false)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains(&format!("{} orders of this list are not paid", page.total))
            || (page.total == 1 && err.to_string().contains("one order of this list")),
        "{err}"
    );
    ws.packing_slip_printed(std::slice::from_ref(&id), None)
        .await
        .unwrap();
    let history = ws.order_detail(&id).await.unwrap().history;
    let actions: Vec<&str> = history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(actions, ["slip_printed", "unpaid_confirmed"]);
    assert!(history[1]
        .detail
        .as_deref()
        .is_some_and(|d| d.starts_with("slip printed although the payment is still processing")));
}

/// The live preview under the tracking field: a number alone makes no link until a carrier is
/// picked, said as the window's own sentence (no English from Rust).
#[tokio::test]
async fn a_tracking_link_preview_needs_a_carrier() {
    use comptoir_core::carriers::Carrier;
    use comptoir_core::fulfilment::TrackingInput;
    let (_dir, ws) = demo_workspace().await;
    let mut input = TrackingInput {
        number: Some("6A12345678901".into()),
        ..Default::default()
    };
    let err = ws.tracking_url_for(&input).await.unwrap_err();
    assert_eq!(err.problem(), Problem::TrackingMissing, "{err}");
    input.carrier = Some(Carrier::Colissimo);
    let url = ws.tracking_url_for(&input).await.unwrap();
    assert!(
        url.starts_with("https://") && url.contains("6A12345678901"),
        "{url}"
    );
}
