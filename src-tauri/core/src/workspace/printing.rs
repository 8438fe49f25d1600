//! Packing slips: one order's, a view's batch, and the history note once printed; the
//! station's slip settings (PDF or text, the PDF's layout).

use super::{fulfilment_error, Result, Workspace, WorkspaceError};
use crate::fulfilment::{self, FulfilmentError};
use crate::lang::Lang;
use crate::model::{Order, OrderQuery, SlipFormat, SlipSettings};
use crate::printing::{self, PrintJob};
use crate::problem::Problem;
use crate::store::{self, StoreError};

impl Workspace {
    /// The packing slip of an order, in the merchant's language, for the printer chosen in
    /// Settings.
    pub async fn packing_slip(
        &self,
        order_id: &str,
        lang: Lang,
        confirm_unpaid: bool,
    ) -> Result<PrintJob> {
        let cur = self.current().await;
        let mut conn = cur.store.pool().acquire().await.map_err(StoreError::from)?;
        let order = store::orders::get(&mut *conn, order_id).await?;
        if let Some(unsettled) = crate::payments::unsettled(&order.payment) {
            if !confirm_unpaid {
                return Err(fulfilment_error(FulfilmentError::PaymentNotSettled(
                    unsettled,
                )));
            }
        }
        let shop = fulfilment::merchant_name(&mut conn)
            .await
            .map_err(fulfilment_error)?;
        let settings = store::settings::get(&mut conn).await?;
        let slip = store::settings::get_slip(&mut conn).await?;
        let mut job = match slip.format {
            SlipFormat::Pdf => printing::packing_slip_pdf(&order, &shop, lang, slip.layout),
            SlipFormat::Text => printing::packing_slip(&order, &shop, lang),
        };
        job.printer = printing::validate_printer(&settings.printer_name)?;
        Ok(job)
    }

    /// The PDF slip of an order in this station's layout, whatever the slip format, for "Save
    /// slip PDF…" (nothing is printed or recorded), with the order for its file name.
    pub async fn packing_slip_pdf(&self, order_id: &str, lang: Lang) -> Result<(Order, Vec<u8>)> {
        let cur = self.current().await;
        let mut conn = cur.store.pool().acquire().await.map_err(StoreError::from)?;
        let order = store::orders::get(&mut *conn, order_id).await?;
        let shop = fulfilment::merchant_name(&mut conn)
            .await
            .map_err(fulfilment_error)?;
        let slip = store::settings::get_slip(&mut conn).await?;
        let job = printing::packing_slip_pdf(&order, &shop, lang, slip.layout);
        Ok((order, job.document.bytes().to_vec()))
    }

    /// How this station prints its packing slips.
    pub async fn slip_settings(&self) -> Result<SlipSettings> {
        let cur = self.current().await;
        let mut conn = cur.store.pool().acquire().await.map_err(StoreError::from)?;
        Ok(store::settings::get_slip(&mut conn).await?)
    }

    /// Saves how this station prints its packing slips, and returns what is saved.
    pub async fn save_slip_settings(&self, slip: SlipSettings) -> Result<SlipSettings> {
        let cur = self.current().await;
        let mut tx = cur.store.write().await?;
        store::settings::save_slip(&mut tx, slip).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(slip)
    }

    /// The packing slips of every order of a view of the table (its tab and search, in its
    /// order), one per page, with the ids of those orders. At most
    /// [`printing::MAX_BATCH`]: more is refused with a clear error, nothing printed.
    pub async fn packing_slips(
        &self,
        q: &OrderQuery,
        lang: Lang,
        confirm_unpaid: bool,
    ) -> Result<(PrintJob, Vec<String>)> {
        let cur = self.current().await;
        let mut conn = cur.store.pool().acquire().await.map_err(StoreError::from)?;
        let page = store::orders::list(
            &mut conn,
            &OrderQuery {
                limit: printing::MAX_BATCH as i64,
                offset: 0,
                ..q.clone()
            },
        )
        .await?;
        if page.total as usize > printing::MAX_BATCH {
            return Err(WorkspaceError::Refused(Problem::PrintTooMany {
                count: page.total as u32,
                max: printing::MAX_BATCH as u32,
            }));
        }
        if page.rows.is_empty() {
            return Err(WorkspaceError::Refused(Problem::PrintNothing));
        }
        let mut orders = Vec::with_capacity(page.rows.len());
        for r in &page.rows {
            orders.push(store::orders::get(&mut *conn, &r.id).await?);
        }
        let unpaid = orders
            .iter()
            .filter(|o| crate::payments::unsettled_reason(&o.payment).is_some())
            .count();
        if unpaid > 0 && !confirm_unpaid {
            return Err(WorkspaceError::UnpaidInList(unpaid as u32));
        }
        let shop = fulfilment::merchant_name(&mut conn)
            .await
            .map_err(fulfilment_error)?;
        let settings = store::settings::get(&mut conn).await?;
        let slip = store::settings::get_slip(&mut conn).await?;
        let mut job = match slip.format {
            SlipFormat::Pdf => printing::packing_slips_pdf(&orders, &shop, lang, slip.layout),
            SlipFormat::Text => printing::packing_slips(&orders, &shop, lang),
        };
        job.printer = printing::validate_printer(&settings.printer_name)?;
        Ok((job, page.rows.into_iter().map(|r| r.id).collect()))
    }

    /// Notes in each order's history that its packing slip went to the printer.
    pub async fn packing_slip_printed(
        &self,
        order_ids: &[String],
        printer: Option<&str>,
    ) -> Result<()> {
        let actor = self.actor().await?;
        let cur = self.current().await;
        let mut tx = cur.store.write().await?;
        let detail = printer.map(|p| format!("printer {p}"));
        let now = store::now();
        for id in order_ids {
            fulfilment::audit(&mut tx, id, now, "slip_printed", &actor, detail.as_deref())
                .await
                .map_err(fulfilment_error)?;
            // The print of an unpaid order went ahead on the merchant's confirmation: say so.
            let order = store::orders::get(&mut *tx, id).await?;
            if let Some(reason) = crate::payments::unsettled_reason(&order.payment) {
                let why = format!("slip printed although {reason}");
                fulfilment::audit(&mut tx, id, now, "unpaid_confirmed", &actor, Some(&why))
                    .await
                    .map_err(fulfilment_error)?;
            }
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }
}
