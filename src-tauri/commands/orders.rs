//! Order detail and CSV export. The list stays in `commands/mod.rs`; links open through
//! `open_link`; "Save PDF…" saves the invoice PDF through a native dialog.

use std::path::PathBuf;

use comptoir_core::invoice_pdf::{self, SavedPdf};
use comptoir_core::lang::Lang;
use comptoir_core::model::{OrderDetail, OrderQuery};
use comptoir_core::problem::Problem;
use comptoir_core::workspace::WorkspaceError;
use tauri::{AppHandle, Manager};

use super::Ws;
use crate::error::CmdResult;

#[tauri::command]
pub async fn order_detail(ws: Ws<'_>, id: String) -> CmdResult<OrderDetail> {
    Ok(ws.order_detail(&id).await?)
}

/// Exports the orders table's current view (tab, search, sort) as CSV into the Downloads
/// folder (else the data folder) and returns the file's path, which the UI shows.
#[tauri::command]
pub async fn export_orders_csv(app: AppHandle, ws: Ws<'_>, query: OrderQuery) -> CmdResult<String> {
    let dir = app
        .path()
        .download_dir()
        .or_else(|_| app.path().app_data_dir())
        .map_err(|e| super::refused(Problem::NoExportFolder, &e))?;
    let path = dir.join(comptoir_core::csv::file_name(comptoir_core::store::now()));
    ws.export_orders_csv(&query, &path).await?;
    Ok(path.display().to_string())
}

/// `COMPTOIR_SAVE_DIR`: with `test_hooks` (debug builds, which the end-to-end tests run), "Save
/// PDF…" writes into this folder without a dialog. A release build passes false.
pub(crate) fn save_dir(test_hooks: bool) -> Option<PathBuf> {
    comptoir_core::test_hooks::var("COMPTOIR_SAVE_DIR", test_hooks).map(PathBuf::from)
}

/// "Save PDF…": asks where to save the order's invoice PDF (a native save dialog shown from
/// Rust), then downloads it from Stripe and writes it there. Resolves to `None` when the
/// merchant cancels. In a debug build with `COMPTOIR_SAVE_DIR` set (end-to-end tests), no
/// dialog opens and the PDF is saved into that folder under its suggested name.
#[tauri::command]
pub async fn save_invoice_pdf(
    app: AppHandle,
    ws: Ws<'_>,
    order_id: String,
) -> CmdResult<Option<SavedPdf>> {
    let detail = ws.order_detail(&order_id).await?;
    if detail.invoice_pdf.url.is_none() {
        return Err(WorkspaceError::Refused(Problem::NoInvoicePdf).into());
    }
    let lang = Lang::from_settings(ws.settings().await?.language.as_deref());
    let name = invoice_pdf::file_name(&detail.order.number, lang);
    let dest: PathBuf = match save_dir(comptoir_core::test_hooks::ENABLED) {
        Some(dir) => dir.join(&name),
        None => {
            let dialog = super::FileDialog {
                filter: ("PDF", &["pdf"]),
                start_in: app.path().download_dir().ok(),
            };
            match super::choose_file(&app, dialog, Some(&name)).await? {
                Some(path) => path,
                None => return Ok(None),
            }
        }
    };
    Ok(Some(ws.save_invoice_pdf(&order_id, &dest).await?))
}
