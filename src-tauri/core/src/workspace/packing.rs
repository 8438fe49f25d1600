//! Packing mode (README: Packing mode): the scan field's lookup, the bench's queue, an order
//! opened with its lines ready to tick, ticking, the "Packed" override, and Settings → Product
//! codes. Shipping and handing over go through the fulfilment actions as everywhere else.

use super::{Result, Workspace, WorkspaceError};
use crate::model::{
    PackLine, PackMatch, PackOrder, PackQueue, PackTick, ProductCodes, ProductSummary, Timestamp,
};
use crate::packing;
use crate::problem::Problem;
use crate::store::{self, StoreError};

/// The setting holding the metadata keys read for product codes ("sku,barcode,ean,gtin").
const CODE_KEYS: &str = "product_code_keys";
/// The longest reason an override records, in characters.
pub const MAX_REASON_CHARS: usize = 200;

impl Workspace {
    /// The orders a scan names (order number, invoice number, Checkout Session id or tracking
    /// number, exactly); none is `pack_no_match`.
    pub async fn packing_lookup(&self, scan: &str) -> Result<Vec<PackMatch>> {
        let scan = packing::clean_scan(scan);
        if scan.is_empty() || scan.chars().count() > store::MAX_SEARCH_CHARS {
            return Err(WorkspaceError::Refused(Problem::PackNoMatch { scan }));
        }
        let cur = self.current().await;
        let found = store::packing::lookup(cur.store.pool(), &scan).await?;
        if found.is_empty() {
            return Err(WorkspaceError::Refused(Problem::PackNoMatch { scan }));
        }
        Ok(found)
    }

    /// The queue: paid orders To be sent, the oldest one's number, and the orders sent or
    /// handed over since `since` (the window's local midnight).
    pub async fn packing_queue(&self, since: Timestamp) -> Result<PackQueue> {
        let cur = self.current().await;
        let mut conn = cur.store.pool().acquire().await.map_err(StoreError::from)?;
        let (remaining, next_number) = store::packing::remaining(&mut conn).await?;
        let packed_today = store::packing::packed_since(&mut *conn, since).await?;
        Ok(PackQueue {
            remaining,
            next_number,
            packed_today,
        })
    }

    /// An order on the bench: its detail and its lines with picture and codes.
    pub async fn packing_open(&self, order_id: &str) -> Result<PackOrder> {
        let detail = self.order_detail(order_id).await?;
        let lines = self.pack_lines(&detail.order).await?;
        Ok(PackOrder { detail, lines })
    }

    /// Ticks one unit of the order for a scanned code or a typed line number (`ticked`: the
    /// units ticked per line so far). A wrong item or one too many is refused.
    pub async fn packing_tick(
        &self,
        order_id: &str,
        ticked: &[i64],
        scan: &str,
    ) -> Result<PackTick> {
        let cur = self.current().await;
        let order = store::orders::get(cur.store.pool(), order_id).await?;
        let lines = self.pack_lines(&order).await?;
        packing::tick(&lines, ticked, scan).map_err(WorkspaceError::Refused)
    }

    /// "Packed" with units missing: recorded in the order's history with who, where, how many
    /// units were ticked and the reason given. Nothing is recorded when every unit is ticked.
    pub async fn packing_override(
        &self,
        order_id: &str,
        ticked: &[i64],
        reason: &str,
    ) -> Result<()> {
        let reason: String = reason
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let reason = reason.trim();
        let actor = self.actor().await?;
        if actor.staff.trim().is_empty() {
            return Err(WorkspaceError::Refused(Problem::StaffNameMissing));
        }
        let cur = self.current().await;
        let order = store::orders::get(cur.store.pool(), order_id).await?;
        let lines = self.pack_lines(&order).await?;
        if packing::is_complete(&lines, ticked) {
            return Ok(());
        }
        if reason.is_empty() {
            return Err(WorkspaceError::Refused(Problem::PackReasonMissing));
        }
        if reason.chars().count() > MAX_REASON_CHARS {
            return Err(WorkspaceError::Refused(Problem::PackReasonTooLong {
                max: MAX_REASON_CHARS as u32,
            }));
        }
        let (done, total) = packing::counts(&lines, ticked);
        let detail = format!("{done}/{total} · {reason}");
        let mut tx = cur.store.write().await?;
        crate::fulfilment::audit(
            &mut tx,
            order_id,
            store::now(),
            "pack_override",
            &actor,
            Some(&detail),
        )
        .await
        .map_err(super::fulfilment_error)?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Settings → Product codes.
    pub async fn product_codes(&self) -> Result<ProductCodes> {
        let cur = self.current().await;
        let mut conn = cur.store.pool().acquire().await.map_err(StoreError::from)?;
        let keys = code_keys(&mut conn).await?;
        let linked = store::products::linked_codes(&mut *conn).await?;
        let products = store::products::list(&mut *conn)
            .await?
            .into_iter()
            .map(|p| ProductSummary {
                codes: packing::metadata_codes(&p.metadata, &keys)
                    .into_iter()
                    .chain(
                        linked
                            .iter()
                            .filter(|l| l.product_id == p.id)
                            .map(|l| l.code.clone()),
                    )
                    .collect(),
                id: p.id,
                name: p.name,
                image: p.image,
            })
            .collect();
        Ok(ProductCodes {
            keys,
            linked,
            products,
        })
    }

    /// Links a scanned code to a product. A code linked to another product is refused.
    pub async fn link_product_code(&self, code: &str, product_id: &str) -> Result<ProductCodes> {
        let code = packing::check_code(code).map_err(WorkspaceError::Refused)?;
        {
            let cur = self.current().await;
            let mut tx = cur.store.write().await?;
            let known = store::products::get_many(&mut tx, &[product_id.to_owned()]).await?;
            if known.is_empty() {
                return Err(StoreError::NotFound(format!("product {product_id}")).into());
            }
            if let Some(other) = store::products::product_of_code(&mut *tx, &code).await? {
                if other == product_id {
                    drop(tx);
                    return self.product_codes().await;
                }
                let name = store::products::get_many(&mut tx, &[other])
                    .await?
                    .into_iter()
                    .next()
                    .and_then(|p| p.name);
                return Err(WorkspaceError::Refused(Problem::ProductCodeTaken {
                    value: code,
                    product: name,
                }));
            }
            store::products::link(&mut tx, &code, product_id, store::now()).await?;
            tx.commit().await.map_err(StoreError::from)?;
        }
        self.product_codes().await
    }

    pub async fn unlink_product_code(&self, code: &str) -> Result<ProductCodes> {
        let cur = self.current().await;
        store::products::unlink(cur.store.pool(), code.trim()).await?;
        self.product_codes().await
    }

    /// Saves the metadata keys a product's codes are read from ("sku, barcode, ean, gtin").
    pub async fn save_product_code_keys(&self, keys: &str) -> Result<ProductCodes> {
        let keys = packing::parse_keys(keys).map_err(WorkspaceError::Refused)?;
        let cur = self.current().await;
        store::settings::set_value(cur.store.pool(), CODE_KEYS, &keys.join(",")).await?;
        self.product_codes().await
    }

    /// The order's lines as the bench shows them: number, quantity, picture and codes.
    async fn pack_lines(&self, order: &crate::model::Order) -> Result<Vec<PackLine>> {
        let cur = self.current().await;
        let mut conn = cur.store.pool().acquire().await.map_err(StoreError::from)?;
        let keys = code_keys(&mut conn).await?;
        let mut ids: Vec<String> = order
            .lines
            .iter()
            .filter_map(|l| l.product_id.clone())
            .collect();
        ids.sort();
        ids.dedup();
        let products = store::products::get_many(&mut conn, &ids).await?;
        let mut out = Vec::with_capacity(order.lines.len());
        for (i, l) in order.lines.iter().enumerate() {
            let product = l
                .product_id
                .as_deref()
                .and_then(|id| products.iter().find(|p| p.id == id));
            let mut codes = product
                .map(|p| packing::metadata_codes(&p.metadata, &keys))
                .unwrap_or_default();
            if let Some(id) = l.product_id.as_deref() {
                for c in store::products::codes_of(&mut *conn, id).await? {
                    if !codes.iter().any(|o| o.eq_ignore_ascii_case(&c)) {
                        codes.push(c);
                    }
                }
            }
            out.push(PackLine {
                number: i as i64 + 1,
                description: l.description.clone(),
                quantity: l.quantity,
                product_id: l.product_id.clone(),
                image: product.and_then(|p| p.image.clone()),
                codes,
            });
        }
        Ok(out)
    }
}

/// The metadata keys read for codes: the setting, else the default four.
async fn code_keys(conn: &mut sqlx::SqliteConnection) -> Result<Vec<String>> {
    Ok(store::settings::get_value(&mut *conn, CODE_KEYS)
        .await?
        .and_then(|v| packing::parse_keys(&v).ok())
        .unwrap_or_else(packing::default_keys))
}
