//! The packing station's actions on an order: ship (with or without tracking), undo, hand
//! over a pickup, retry an email, and the carriers and tracking links they use.

use super::{fulfilment_error, Result, Workspace, WorkspaceError};
use crate::carriers::{self, CarrierOption, CustomCarrier};
use crate::fulfilment::{self, EmailOutcome, Shipment, TrackingInput};
use crate::model::DataSource;
use crate::problem::Problem;
use crate::store;

impl Workspace {
    /// One of the order's saved tracking links, checked again, ready to open: the window can
    /// only open links the packing station recorded for that order.
    pub async fn tracking_link(&self, order_id: &str, url: &str) -> Result<String> {
        let detail = self.order_detail(order_id).await?;
        let known = detail
            .fulfilment
            .iter()
            .flat_map(|f| f.tracking.iter())
            .any(|t| t.url == url);
        if !known {
            return Err(WorkspaceError::TrackingLinkUnknown);
        }
        Ok(crate::carriers::validate_tracking_url(url)?)
    }

    /// "Send shipping email": records the parcels, moves the order to Sent and queues the
    /// shipping email (the demo store previews it instead). Then wakes the mail worker.
    /// An order that is not paid is refused unless `confirm_unpaid` says the merchant agreed.
    pub async fn ship_order(
        &self,
        order_id: &str,
        parcels: &[TrackingInput],
        confirm_unpaid: bool,
    ) -> Result<EmailOutcome> {
        let shipment = Shipment::Parcels(parcels);
        self.ship(order_id, shipment, confirm_unpaid).await
    }

    /// "Mark as sent without tracking" (a letter, a hand delivery); with `notify` the customer
    /// gets the shipping email without a tracking link. Then wakes the mail worker.
    pub async fn ship_order_untracked(
        &self,
        order_id: &str,
        notify: bool,
        confirm_unpaid: bool,
    ) -> Result<EmailOutcome> {
        let shipment = Shipment::Untracked { notify };
        self.ship(order_id, shipment, confirm_unpaid).await
    }

    /// Ships as this station's staff member, unless another station already did (Stations in
    /// the README); then wakes the Stripe write and mail workers.
    async fn ship(
        &self,
        order_id: &str,
        shipment: Shipment<'_>,
        confirm_unpaid: bool,
    ) -> Result<EmailOutcome> {
        let actor = self.actor().await?;
        self.check_shared(order_id).await?;
        let cur = self.current().await;
        let demo = cur.source == DataSource::Demo;
        let now = store::now();
        let out = fulfilment::ship_as(
            &cur.store,
            order_id,
            shipment,
            &actor,
            demo,
            confirm_unpaid,
            now,
        )
        .await
        .map_err(fulfilment_error)?;
        self.write_wakeup.notify_one();
        self.mail_wakeup.notify_one();
        Ok(out)
    }

    pub async fn mark_not_sent(&self, order_id: &str) -> Result<()> {
        let actor = self.actor().await?;
        self.check_shared(order_id).await?;
        let cur = self.current().await;
        fulfilment::mark_not_sent(&cur.store, order_id, &actor, store::now())
            .await
            .map_err(fulfilment_error)?;
        self.write_wakeup.notify_one();
        Ok(())
    }

    /// "Retry now" on an email of an order: queued again, due now, with the same Message-ID
    /// (refused for an email sent, being sent or cancelled). Then wakes the mail worker.
    pub async fn retry_email(&self, email_id: i64) -> Result<store::outbox::OutboxEmail> {
        let actor = self.actor().await?;
        let cur = self.current().await;
        let email = fulfilment::retry_email(&cur.store, email_id, &actor, store::now())
            .await
            .map_err(fulfilment_error)?;
        self.mail_wakeup.notify_one();
        Ok(email)
    }

    pub async fn confirm_pickup(&self, order_id: &str, confirm_unpaid: bool) -> Result<()> {
        let actor = self.actor().await?;
        self.check_shared(order_id).await?;
        let cur = self.current().await;
        fulfilment::confirm_pickup(&cur.store, order_id, &actor, confirm_unpaid, store::now())
            .await
            .map_err(fulfilment_error)?;
        self.write_wakeup.notify_one();
        Ok(())
    }

    pub async fn send_ready_for_pickup(&self, order_id: &str) -> Result<EmailOutcome> {
        let actor = self.actor().await?;
        let cur = self.current().await;
        let demo = cur.source == DataSource::Demo;
        let out =
            fulfilment::send_ready_for_pickup(&cur.store, order_id, &actor, demo, store::now())
                .await
                .map_err(fulfilment_error)?;
        self.write_wakeup.notify_one();
        self.mail_wakeup.notify_one();
        Ok(out)
    }

    /// The carrier picker: built-in carriers, then the custom ones from Settings.
    pub async fn carrier_options(&self) -> Result<Vec<CarrierOption>> {
        let cur = self.current().await;
        let custom = fulfilment::custom_carriers(cur.store.pool())
            .await
            .map_err(fulfilment_error)?;
        Ok(carriers::options(&custom))
    }

    pub async fn custom_carriers(&self) -> Result<Vec<CustomCarrier>> {
        let cur = self.current().await;
        fulfilment::custom_carriers(cur.store.pool())
            .await
            .map_err(fulfilment_error)
    }

    pub async fn save_custom_carriers(&self, list: &[CustomCarrier]) -> Result<Vec<CustomCarrier>> {
        let cur = self.current().await;
        fulfilment::save_custom_carriers(cur.store.pool(), list)
            .await
            .map_err(fulfilment_error)
    }

    /// The tracking link for a carrier and number (for the live preview under the field).
    pub async fn tracking_url_for(&self, input: &TrackingInput) -> Result<String> {
        let custom = self.custom_carriers().await?;
        let carrier = input
            .carrier
            .as_ref()
            .ok_or(WorkspaceError::Refused(Problem::TrackingMissing))?;
        carriers::tracking_url(
            carrier,
            input.number.as_deref().unwrap_or_default(),
            input.postcode.as_deref(),
            &custom,
        )
        .map_err(WorkspaceError::Carrier)
    }
}
