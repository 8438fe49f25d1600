//! Order detail and CSV export. The list stays in `commands/mod.rs`; links open through
//! `open_link`.

use comptoir_core::model::{OrderDetail, OrderQuery};
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
        .map_err(|e| WorkspaceError::InvalidInput(format!("No folder to export to: {e}")))?;
    let path = dir.join(comptoir_core::csv::file_name(comptoir_core::store::now()));
    ws.export_orders_csv(&query, &path).await?;
    Ok(path.display().to_string())
}
