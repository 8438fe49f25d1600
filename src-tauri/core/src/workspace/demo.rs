//! The built-in demo store: the sample shop, opened when no Stripe key is configured.

use std::path::Path;

use super::{open_store, Current, Result};
use crate::dataset::Dataset;
use crate::model::{DataSource, DeliveryKind, FulfilmentStatus};
use crate::store::{self, Store, StoreError};
use crate::sync;

/// The demo store, filled with the sample shop the first time.
pub(super) async fn open_demo(dir: &Path) -> Result<Current> {
    let store = open_store(&dir.join("demo.sqlite")).await?;
    if store::orders::count(store.pool()).await? == 0 {
        let now = store::now();
        let mut data = Dataset::demo(now);
        sync::import_dataset(&store, &data).await?;
        seed_demo_fulfilment(&store).await?;
        // No Stripe to ask: each subscription's next charge is previewed the way Stripe's
        // `create_preview` would, and cached like a real answer.
        let ids: Vec<String> = data
            .subscriptions
            .iter()
            .filter_map(|s| s["id"].as_str().map(str::to_owned))
            .collect();
        for id in ids {
            if let Some(raw) = data.preview_invoice(&id, now) {
                store::upcoming_invoices::put(store.pool(), &id, &raw, now).await?;
            }
        }
    }
    Ok(Current {
        source: DataSource::Demo,
        store,
        client: None,
        account: None,
    })
}

/// A shop that has been trading: all but its newest orders were shipped or collected, with
/// tracking links and an audit trail, so every tab of the demo has something in it.
async fn seed_demo_fulfilment(store: &Store) -> Result<()> {
    let mut tx = store.write().await?;
    // The 14 newest deliveries and 6 newest pickups are still waiting for the packing station.
    // Orders whose payment holds them back were never sent: they wait in Awaiting payment and
    // On hold, where a newcomer finds them.
    let old = store::orders::older_than_newest(&mut tx, 14, 6).await?;
    for (i, (id, kind, created)) in old.iter().enumerate() {
        let staff = ["Camille", "Léo", "Inès"][i % 3];
        let at = created + 26 * 3600 + (i as i64 % 7) * 1800;
        let (status, action) = match kind {
            DeliveryKind::Pickup => (FulfilmentStatus::PickedUp, "picked_up"),
            DeliveryKind::Delivery => (FulfilmentStatus::Sent, "shipped"),
        };
        let row = store::fulfilments::FulfilmentRow {
            status,
            sent_at: (status == FulfilmentStatus::Sent).then_some(at),
            picked_up_at: (status == FulfilmentStatus::PickedUp).then_some(at),
            staff: Some(staff.to_owned()),
            station: Some("Atelier".to_owned()),
            updated_at: at,
        };
        store::fulfilments::upsert(&mut tx, id, &row).await?;
        if status == FulfilmentStatus::Sent {
            let number = format!("6A{:011}", 10_000_000_000u64 + (i as u64) * 7_919);
            let parcel = store::tracking_entries::StoredTracking {
                carrier: Some("colissimo".to_owned()),
                url: format!("https://www.laposte.fr/outils/suivre-vos-envois?code={number}"),
                number: Some(number),
                created_at: at,
            };
            store::tracking_entries::insert(&mut tx, id, &parcel).await?;
        }
        let entry = store::audit_log::NewEntry {
            order_id: id,
            at,
            action,
            staff: Some(staff),
            station: Some("Atelier"),
            detail: None,
        };
        store::audit_log::insert(&mut tx, &entry).await?;
    }
    // The demo's packing station is staffed, so a newcomer can ship and hand over orders
    // straight away; Settings changes both names.
    for (key, value) in [
        (store::settings::STAFF, "Camille"),
        (store::settings::STATION, "Atelier"),
    ] {
        if store::settings::get_value(&mut *tx, key).await?.is_none() {
            store::settings::set_value(&mut *tx, key, value).await?;
        }
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}
