//! The background sync (README: Background sync), against the Stripe simulator over real HTTP:
//! an order created on Stripe shows up at the station without anyone asking for a sync, the
//! passes stay quiet (the status never calls them a running sync, so the window shows no
//! progress bar), an unreachable Stripe is reported as offline, and the interval setting is
//! checked.

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use comptoir_core::model::{BackgroundSync, Settings};
use comptoir_core::problem::Problem;
use support::TestShop;

/// Long enough for a pass on a loaded machine; the passes run every second.
const DEADLINE: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_created_on_stripe_shows_up_without_a_sync_call() {
    let shop = TestShop::new().orders(20).start().await;
    let ws = Arc::new(shop.synced_workspace().await);
    let synced_before = ws.status().await.unwrap().last_synced_at.unwrap();
    let passes: Arc<Mutex<Vec<BackgroundSync>>> = Arc::default();
    let heard = passes.clone();
    let background = tokio::spawn(
        ws.clone()
            .run_background(Some(Duration::from_secs(1)), move |pass| {
                heard.lock().unwrap().push(pass.clone())
            }),
    );

    let new_id = shop.sim.add_default_order();
    let deadline = Instant::now() + DEADLINE;
    loop {
        let status = ws.status().await.unwrap();
        assert!(
            !status.sync_running,
            "a background pass is not a running sync for the window"
        );
        if ws.order_detail(&new_id).await.is_ok() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the new order did not show within {DEADLINE:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let status = ws.status().await.unwrap();
    assert!(!status.sync_offline);
    assert!(status.last_synced_at.unwrap() >= synced_before);
    // The window was told that something came, and when.
    let deadline = Instant::now() + DEADLINE;
    let told = loop {
        let told = passes.lock().unwrap().iter().find(|p| p.changed).cloned();
        if let Some(pass) = told {
            break pass;
        }
        assert!(Instant::now() < deadline, "no pass said it brought changes");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(!told.offline);
    assert!(told.last_synced_at.is_some());

    // Nothing new: the passes go on, say nothing changed, and read only the events feed, one
    // page each (an idle station's cost; README: Background sync).
    let seen = passes.lock().unwrap().len();
    shop.sim.reset_stats();
    let deadline = Instant::now() + DEADLINE;
    loop {
        let later: Vec<BackgroundSync> = passes.lock().unwrap()[seen..].to_vec();
        if later.len() >= 3 {
            assert!(later.iter().all(|p| !p.changed), "{later:?}");
            let stats = shop.sim.stats();
            let paths: Vec<&String> = stats.requests_by_path.keys().collect();
            assert_eq!(paths, ["/v1/events"], "{stats:?}");
            // A pass may have been under way when the count started.
            assert!(
                stats.requests <= later.len() as u64 + 1,
                "{} requests for {} passes",
                stats.requests,
                later.len()
            );
            break;
        }
        assert!(Instant::now() < deadline, "the passes stopped");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    background.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_stripe_is_reported_offline_and_the_app_keeps_its_data() {
    let shop = TestShop::new().orders(10).start().await;
    let ws = Arc::new(shop.synced_workspace().await);
    let orders = ws.status().await.unwrap().counts;
    let passes: Arc<Mutex<Vec<BackgroundSync>>> = Arc::default();
    let heard = passes.clone();
    // Stripe goes away: the simulator stops, its port refuses connections.
    let support::Shop { sim, dir } = shop;
    sim.shutdown().await;
    let background = tokio::spawn(
        ws.clone()
            .run_background(Some(Duration::from_millis(200)), move |pass| {
                heard.lock().unwrap().push(pass.clone())
            }),
    );
    let deadline = Instant::now() + DEADLINE;
    let pass = loop {
        if let Some(pass) = passes.lock().unwrap().first().cloned() {
            break pass;
        }
        assert!(Instant::now() < deadline, "no pass reported");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(pass.offline, "{pass:?}");
    assert!(!pass.changed);
    let status = ws.status().await.unwrap();
    assert!(status.sync_offline);
    assert_eq!(status.counts, orders, "the cached orders stay");
    background.abort();
    drop(dir);
}

#[tokio::test]
async fn the_interval_is_fifteen_seconds_unless_set_between_five_and_sixty() {
    let shop = TestShop::new().orders(5).start().await;
    let ws = shop.synced_workspace().await;
    let settings = ws.settings().await.unwrap();
    assert_eq!(settings.sync_interval_secs, 15);
    assert_eq!(ws.sync_interval().await, Duration::from_secs(15));

    for value in [0, 4, 61, 3600] {
        let e = ws
            .save_settings(&Settings {
                sync_interval_secs: value,
                ..settings.clone()
            })
            .await
            .expect_err("out of range");
        assert_eq!(
            e.problem(),
            Problem::SyncIntervalOutOfRange {
                value,
                min: 5,
                max: 60
            }
        );
        assert_eq!(ws.settings().await.unwrap(), settings, "nothing saved");
    }
    for value in [5, 60, 30] {
        let saved = ws
            .save_settings(&Settings {
                sync_interval_secs: value,
                ..settings.clone()
            })
            .await
            .unwrap();
        assert_eq!(saved.sync_interval_secs, value);
        assert_eq!(ws.sync_interval().await, Duration::from_secs(value.into()));
    }
}
