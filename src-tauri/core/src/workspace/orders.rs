//! The orders table and the order detail: listing, the detail with its Stripe links, the
//! invoice PDF, and refunds.

use std::path::Path;

use super::{fulfilment_error, Result, Workspace, WorkspaceError};
use crate::model::{
    DataSource, LinkUnavailable, OrderDetail, OrderLink, OrderPage, OrderQuery, StripeMode,
};
use crate::problem::Problem;
use crate::store::{self, StoreError};
use crate::stripe::client::missing_permission;
use crate::stripe::{links, StripeError};

impl Workspace {
    pub async fn list_orders(&self, q: &OrderQuery) -> Result<OrderPage> {
        let cur = self.current().await;
        let mut conn = cur.store.pool().acquire().await.map_err(StoreError::from)?;
        Ok(store::orders::list(&mut conn, q).await?)
    }

    /// Everything the order detail shows: the cached order, its local fulfilment state, and
    /// its three Stripe links (invoice PDF, invoice and payment in the Dashboard), each with
    /// the reason when it cannot be offered.
    pub async fn order_detail(&self, id: &str) -> Result<OrderDetail> {
        let cur = self.current().await;
        let mut conn = cur.store.pool().acquire().await.map_err(StoreError::from)?;
        let order = store::orders::get(&mut *conn, id).await?;
        let status = store::orders::status(&mut *conn, id).await?;
        let fulfilment = crate::fulfilment::of_order(&mut conn, id)
            .await
            .map_err(fulfilment_error)?;
        let mode = cur.account.as_ref().map(|a| a.mode);
        let mut detail = order_detail_of(order, status, fulfilment, mode);
        if cur.source == DataSource::Demo {
            // The demo store has no account, but its invoices have sample PDFs made on this
            // computer (README: Offline invoice PDFs): their button opens one.
            detail.invoice_pdf = order_detail_of(
                detail.order.clone(),
                detail.status,
                None,
                Some(StripeMode::Test),
            )
            .invoice_pdf;
        }
        detail.history = crate::fulfilment::history(&mut *conn, id)
            .await
            .map_err(fulfilment_error)?;
        detail.emails = store::outbox::list_for_order(&mut *conn, id).await?;
        Ok(detail)
    }

    /// "Refund": through Stripe's Refunds API, in full or in part (amount or cart lines), under
    /// the window's idempotency key; the order's payment is read back at once and the refund
    /// recorded in its history.
    pub async fn refund_order(
        &self,
        req: &crate::refunds::RefundRequest,
    ) -> Result<crate::refunds::RefundDone> {
        use crate::refunds::RefundError;
        let actor = self.actor().await?;
        let cur = self.current().await;
        if cur.source == DataSource::Demo {
            return Err(WorkspaceError::RefundInDemo);
        }
        let Some(client) = cur.client.as_ref() else {
            return Err(WorkspaceError::RefundOffline);
        };
        crate::refunds::refund(&cur.store, client, req, &actor, store::now())
            .await
            .map_err(|e| match e {
                RefundError::Stripe(StripeError::Permission(said)) => {
                    WorkspaceError::NotPermitted {
                        permission: missing_permission(&said),
                        refund: true,
                    }
                }
                RefundError::Demo => WorkspaceError::RefundInDemo,
                RefundError::NoClient => WorkspaceError::RefundOffline,
                RefundError::Stripe(s) => WorkspaceError::Stripe(s),
                RefundError::Store(s) => WorkspaceError::Store(s),
                RefundError::Refused(p) => WorkspaceError::Refused(p),
            })
    }

    /// Saves the order's invoice PDF as `dest`: the offline cache's copy when there is one (the
    /// demo store's sample), else downloaded from Stripe (written to a temporary file in the
    /// same folder, then renamed: a failure leaves no file). Only `https`
    /// links to Stripe's hosts are fetched; `COMPTOIR_STRIPE_FILES_BASE` (tests) points them at
    /// the simulator.
    pub async fn save_invoice_pdf(
        &self,
        order_id: &str,
        dest: &Path,
    ) -> Result<crate::invoice_pdf::SavedPdf> {
        let cur = self.current().await;
        let mut conn = cur.store.pool().acquire().await.map_err(StoreError::from)?;
        let order = store::orders::get(&mut *conn, order_id).await?;
        drop(conn);
        let demo = cur.source == DataSource::Demo;
        drop(cur);
        let (invoice_id, url) = match (&order.invoice_id, &order.invoice_pdf) {
            (None, _) => return Err(WorkspaceError::Refused(Problem::NoInvoice)),
            (Some(_), None) => return Err(WorkspaceError::Refused(Problem::NoInvoicePdf)),
            (Some(id), Some(url)) => (id.clone(), url.clone()),
        };
        // The offline cache's copy when there is one (README: Architecture, Offline invoice
        // PDFs), the demo store's sample made now if need be: checked to be a PDF again,
        // written atomically like a download.
        let cached = match self.cached_invoice_pdf(&invoice_id).await? {
            Some(path) => Some(path),
            None if demo => match self.open_invoice_pdf(&invoice_id).await? {
                super::pdfs::PdfToOpen::File(path) => Some(path),
                super::pdfs::PdfToOpen::Link(_) => None,
            },
            None => None,
        };
        if let Some(cached) = cached {
            if let Ok(bytes) = std::fs::read(&cached) {
                if bytes.starts_with(b"%PDF-") {
                    crate::invoice_pdf::write_atomically(dest, &bytes, false)?;
                    return Ok(crate::invoice_pdf::SavedPdf {
                        path: dest.display().to_string(),
                        bytes: bytes.len() as u64,
                    });
                }
            }
        }
        let base = crate::invoice_pdf::files_base_from_env();
        Ok(crate::invoice_pdf::download(&url, base.as_deref(), dest).await?)
    }
}

/// The order detail of a cached order: its Stripe links for the account's mode (`None` for the
/// demo store), each with the reason when it cannot be offered.
pub fn order_detail_of(
    order: crate::model::Order,
    status: crate::model::FulfilmentStatus,
    fulfilment: Option<crate::model::OrderFulfilment>,
    mode: Option<StripeMode>,
) -> OrderDetail {
    OrderDetail {
        history: Vec::new(),
        emails: Vec::new(),
        status,
        fulfilment,
        shipping_same_as_billing: same_as_billing(&order),
        invoice_pdf: order_link(
            mode,
            match (&order.invoice_id, &order.invoice_pdf) {
                (None, _) => Err(LinkUnavailable::NoInvoice),
                (Some(_), None) => Err(LinkUnavailable::NoPdf),
                (Some(_), Some(pdf)) if links::external(pdf).is_ok() => Ok(pdf.as_str()),
                (Some(_), Some(_)) => Err(LinkUnavailable::NoPdf),
            },
            |_, pdf| links::external(pdf).ok(),
        ),
        invoice_dashboard: order_link(
            mode,
            order
                .invoice_id
                .as_deref()
                .ok_or(LinkUnavailable::NoInvoice),
            links::invoice,
        ),
        payment_dashboard: order_link(
            mode,
            order
                .payment_intent_id
                .as_deref()
                .ok_or(LinkUnavailable::NoPayment),
            links::payment,
        ),
        order,
    }
}

/// A link of the order detail, from what it needs (or why that is missing) and the account's
/// mode; the demo store has no account to link to.
fn order_link(
    mode: Option<StripeMode>,
    value: std::result::Result<&str, LinkUnavailable>,
    make: impl Fn(StripeMode, &str) -> Option<String>,
) -> OrderLink {
    let url = match (mode, value) {
        (None, _) => Err(LinkUnavailable::Demo),
        (Some(_), Err(why)) => Err(why),
        (Some(mode), Ok(v)) => make(mode, v).ok_or(LinkUnavailable::NoInvoice),
    };
    match url {
        Ok(url) => OrderLink {
            url: Some(url),
            unavailable: None,
        },
        Err(why) => OrderLink {
            url: None,
            unavailable: Some(why),
        },
    }
}

/// True when the order ships to the billing name and address.
fn same_as_billing(order: &crate::model::Order) -> bool {
    let Some(ship) = &order.shipping else {
        return false;
    };
    let norm = |s: &Option<String>| s.as_deref().map(str::trim).unwrap_or("").to_lowercase();
    let addr = |a: &Option<crate::model::Address>| {
        a.clone().filter(|a| !a.is_empty()).map(|a| {
            [a.line1, a.line2, a.postal_code, a.city, a.state, a.country]
                .iter()
                .map(norm)
                .collect::<Vec<_>>()
        })
    };
    norm(&ship.name) == norm(&order.billing.name)
        && addr(&ship.address).is_some()
        && addr(&ship.address) == addr(&order.billing.address)
}
