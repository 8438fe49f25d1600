//! End to end, two stations on one Stripe account (README: Stations): the real app (station A,
//! driven through its window) and a core-level station B in its own data folder, both talking
//! to the Stripe simulator. B ships an order; A, trying to ship it too, is told "Already sent by
//! Léo at Bureau" and shows B's shipment. B hands a pickup over; after A's next sync, A shows it
//! picked up, by Léo at Bureau.
//!
//! ```sh
//! bash scripts/test.sh nextest -- --test e2e_stations
//! ```
#![cfg(target_os = "linux")]

mod support;

use std::sync::Arc;

use comptoir_core::carriers::Carrier;
use comptoir_core::fulfilment::TrackingInput;
use comptoir_core::model::{OrderQuery, OrderQueue};
use comptoir_core::secrets::{MemoryStore, Secret, SecretKind, SecretStore};
use comptoir_core::workspace::Workspace;
use support::{
    block_on, connect_and_sync, history_actions, js_string, keys, no_progress, open_account_store,
    open_order, set_staff, wait_for_order_rows, wait_for_status, wait_for_toast, workspace_config,
    App, Profile, TestShop, Ui, DEFAULT_WAIT,
};

/// Station B: the same key, its own folder, Léo at Bureau, synced.
async fn station_b(base_url: &str, key: &str, dir: &std::path::Path) -> Workspace {
    let secrets = Arc::new(MemoryStore::new());
    secrets
        .set(SecretKind::StripeKey, &Secret::new(key.to_owned()))
        .unwrap();
    let ws = Workspace::open(workspace_config(
        dir,
        base_url,
        secrets as Arc<dyn SecretStore>,
    ))
    .await
    .unwrap();
    let mut s = ws.settings().await.unwrap();
    s.staff_name = "Léo".into();
    s.station_name = "Bureau".into();
    ws.save_settings(&s).await.unwrap();
    ws.sync(no_progress()).await.unwrap();
    ws
}

async fn first(ws: &Workspace, q: OrderQueue) -> (String, String) {
    let row = ws
        .list_orders(&OrderQuery {
            status: Some(q),
            limit: 1,
            offset: 0,
            ..Default::default()
        })
        .await
        .unwrap()
        .rows
        .remove(0);
    (row.id, row.number)
}

#[test]
fn another_stations_shipment_and_pickup_show_in_the_window() {
    block_on(async {
        let sim = TestShop::new().orders(120).simulator().await;
        let key = sim.api_key();
        let base = sim.base_url();
        let profile = Profile::new("stations");
        let data_dir = profile.data_dir();
        let b_dir = tempfile::tempdir().unwrap();
        let app = App::launch(profile.launch("stations").stripe_api_base(&base)).await;
        app.run(move |ui| async move {
            wait_for_order_rows(&ui).await;
            connect_and_sync(&ui, &key).await;
            let store = open_account_store(&data_dir).await;
            set_staff(&store, "Inès", "Atelier").await;
            store.close().await;
            let b = station_b(&base, &key, b_dir.path()).await;

            // B ships an order first.
            let (shipped, number) = first(&b, OrderQueue::ToBeSent).await;
            let parcel = TrackingInput {
                carrier: Some(Carrier::Colissimo),
                number: Some("6A99999999999".into()),
                ..Default::default()
            };
            b.ship_order(&shipped, &[parcel], false).await.unwrap();
            assert_eq!(b.push_writes().await.unwrap().unwrap().written, 1);
            a_is_told_the_order_already_went(&ui, &shipped, &number).await;

            // B hands a pickup over; A's next sync shows it.
            let (picked, picked_number) = first(&b, OrderQueue::ToBePickedUp).await;
            b.confirm_pickup(&picked, false).await.unwrap();
            assert_eq!(b.push_writes().await.unwrap().unwrap().written, 1);
            ui.click("order-back").await;
            ui.click("sync-button").await;
            ui.wait_until("A's sync to end", DEFAULT_WAIT, || async {
                (!ui.exists("sync-progress").await).then_some(())
            })
            .await;
            open_order(&ui, &picked, &picked_number).await;
            wait_for_status(&ui, "picked_up").await;
            let who = ui.text_of("picked-up-at").await;
            assert!(who.contains("Léo"), "{who}");
            let history = history_actions(&ui).await;
            assert_eq!(history.as_array().unwrap().last().unwrap(), "picked_up");
            let entry = js_string(
                &ui,
                "return [...document.querySelectorAll('[data-testid=history-entry]')].pop().textContent",
            )
            .await;
            assert!(entry.contains("Léo") && entry.contains("Bureau"), "{entry}");
            let _ = ui.screenshot("stations_pickup_from_b").await;
        })
        .await;
    });
}

/// A tries to ship the order B shipped: the window says who did it and where, sends nothing,
/// and shows B's shipment with its tracking link.
async fn a_is_told_the_order_already_went(ui: &Ui, id: &str, number: &str) {
    open_order(ui, id, number).await;
    wait_for_status(ui, "to_be_sent").await;
    // A scanner's number and Enter picks the carrier; the second Enter ships.
    for _ in 0..2 {
        ui.type_into("tracking-number", &format!("6A11111111111{}", keys::ENTER))
            .await;
    }
    let toast = wait_for_toast(ui, "Léo").await;
    assert!(toast.contains("Bureau"), "{toast}");
    wait_for_status(ui, "sent").await;
    let url = ui.attr_of("tracking-link", "data-url").await.unwrap();
    assert!(url.contains("6A99999999999"), "B's parcel, not A's: {url}");
    let _ = ui.screenshot("stations_already_sent").await;
}
