//! The subscriptions table and the subscription detail, with its upcoming charge.

use super::{Result, Workspace};
use crate::model::{Contact, SubscriptionDetail, SubscriptionPage, SubscriptionQuery};
use crate::store::{self, StoreError};
use crate::stripe::{links, mapping, StripeError};
use crate::subscriptions;

impl Workspace {
    pub async fn list_subscriptions(&self, q: &SubscriptionQuery) -> Result<SubscriptionPage> {
        let cur = self.current().await;
        let mut conn = cur.store.pool().acquire().await.map_err(StoreError::from)?;
        Ok(store::subscriptions::list(&mut conn, q).await?)
    }

    /// Everything the subscription detail shows. With `refresh`, the upcoming charge is asked
    /// of Stripe (`create_preview`) and cached, and when Stripe cannot be reached the cached one
    /// is served, marked stale; without it, only the cache is read, so the screen opens at once
    /// and then asks again with `refresh`.
    pub async fn subscription_detail(&self, id: &str, refresh: bool) -> Result<SubscriptionDetail> {
        let cur = self.current().await;
        let pool = cur.store.pool();
        let subscription = store::subscriptions::get(pool, id).await?;
        let mut conn = pool.acquire().await.map_err(StoreError::from)?;
        let customer = super::customer_of(&mut conn, subscription.customer_id.as_deref()).await?;
        drop(conn);
        let invoices = store::invoices::list_raw_for_subscription(pool, id)
            .await?
            .iter()
            .map(|v| crate::stripe::mapping::invoice_from(v).expect("stored invoices have ids"))
            .collect::<Vec<_>>();
        let next_charge = subscriptions::next_charge(&subscription);
        let client = cur.client.as_ref().filter(|_| refresh);
        let mut upcoming_refused = None;
        let (upcoming, upcoming_stale) = match (client, next_charge) {
            (_, None) => (None, false),
            (None, Some(_)) => (cached_upcoming(pool, id).await?, false),
            (Some(client), Some(_)) => {
                let req = stripe_billing::invoice::CreatePreviewInvoice::new().subscription(id);
                match client.send(&req).await {
                    Ok(raw) => {
                        let at = store::now();
                        store::upcoming_invoices::put(pool, id, &raw, at).await?;
                        (Some(mapping::upcoming_from(&raw, at)), false)
                    }
                    // Stripe says there is none (it ends, or it is paused): forget the old one.
                    Err(StripeError::Api {
                        code: Some(code), ..
                    }) if code == "invoice_upcoming_none" => {
                        store::upcoming_invoices::delete(pool, id).await?;
                        (None, false)
                    }
                    Err(e) => {
                        tracing::info!(subscription = id, "upcoming invoice from cache: {e}");
                        if !e.is_network() {
                            upcoming_refused = Some(e.problem());
                        }
                        (cached_upcoming(pool, id).await?, true)
                    }
                }
            }
        };
        let billing = customer
            .as_ref()
            .map(|c| Contact {
                name: c.name.clone(),
                email: c.email.clone(),
                phone: c.phone.clone(),
                address: c.address.clone(),
                tax_ids: Vec::new(),
            })
            .unwrap_or_default();
        let shipping = customer.as_ref().and_then(|c| c.shipping.clone());
        let (payment_method, payment_method_is_customer_default) =
            subscriptions::payment_method(&subscription, customer.as_ref());
        let dashboard_url = match (&cur.account, &subscription.customer_id) {
            (Some(a), Some(cid)) => links::customer(a.mode, cid),
            _ => None,
        };
        Ok(SubscriptionDetail {
            duration: subscriptions::duration(&subscription),
            state: subscriptions::state(&subscription, &invoices),
            next_charge,
            upcoming,
            upcoming_stale,
            upcoming_refused,
            shipments: store::orders::shipments_of_subscription(pool, id).await?,
            invoices,
            billing,
            shipping,
            payment_method,
            payment_method_is_customer_default,
            customer,
            dashboard_url,
            subscription,
        })
    }
}

async fn cached_upcoming(
    pool: &sqlx::SqlitePool,
    id: &str,
) -> Result<Option<crate::model::UpcomingInvoice>> {
    Ok(store::upcoming_invoices::get(pool, id)
        .await?
        .map(|(raw, at)| mapping::upcoming_from(&raw, at)))
}

impl Workspace {
    /// Whether paid cycles of shippable subscriptions become orders, and how many there are
    /// (Settings → Subscription boxes; README: Subscription boxes).
    pub async fn box_shipments(&self) -> Result<BoxShipments> {
        let cur = self.current().await;
        let mut conn = cur.store.pool().acquire().await.map_err(StoreError::from)?;
        Ok(BoxShipments {
            on: subscriptions::ships_boxes(&mut conn).await?,
            orders: store::orders::count_box_orders(&mut *conn).await?,
        })
    }

    /// Turns subscription shipments on (every paid cycle of a shippable subscription already
    /// synced becomes its order at once) or off (the cycles nobody acted on leave the orders;
    /// those packed, shipped or printed stay).
    pub async fn set_box_shipments(&self, on: bool) -> Result<BoxShipments> {
        let cur = self.current().await;
        {
            let mut tx = cur.store.write().await?;
            let value = if on { "0" } else { "1" };
            store::settings::set_value(&mut *tx, subscriptions::SHIPMENTS_OFF, value).await?;
            if !on {
                store::orders::remove_untouched_box_orders(&mut tx).await?;
            }
            tx.commit().await.map_err(StoreError::from)?;
        }
        if on {
            crate::sync::add_box_shipments(&cur.store).await?;
        }
        self.box_shipments().await
    }
}

/// Settings → Subscription boxes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct BoxShipments {
    /// Whether paid cycles of shippable subscriptions become orders To be sent.
    pub on: bool,
    /// How many orders are subscription cycles.
    #[ts(type = "number")]
    pub orders: i64,
}
