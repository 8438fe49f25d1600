//! Subscription detail and opening Stripe links in the system browser.

use comptoir_core::model::{SubscriptionDetail, SubscriptionQuery};
use comptoir_core::problem::Problem;
use comptoir_core::stripe::links;
use comptoir_core::workspace::{BoxShipments, WorkspaceError};
use tauri::{AppHandle, Manager};

use super::Ws;
use crate::error::CmdResult;

/// `refresh` asks Stripe for the upcoming charge; without it the cached one is returned.
#[tauri::command]
pub async fn subscription_detail(
    ws: Ws<'_>,
    id: String,
    refresh: bool,
) -> CmdResult<SubscriptionDetail> {
    Ok(ws.subscription_detail(&id, refresh).await?)
}

/// Whether paid cycles of shippable subscriptions become orders (Settings → Subscription boxes).
#[tauri::command]
pub async fn box_shipments(ws: Ws<'_>) -> CmdResult<BoxShipments> {
    Ok(ws.box_shipments().await?)
}

/// Turns subscription shipments on or off.
#[tauri::command]
pub async fn set_box_shipments(ws: Ws<'_>, on: bool) -> CmdResult<BoxShipments> {
    Ok(ws.set_box_shipments(on).await?)
}

/// Opens a Stripe link (Dashboard, invoice PDF) in the system browser. Only `https:` links to
/// Stripe's own hosts pass; anything else is refused before it reaches the OS. In a debug build
/// with `COMPTOIR_OPEN_LOG` set (end-to-end tests), the link is appended to that file instead.
#[tauri::command]
pub async fn open_link(app: AppHandle, url: String) -> CmdResult<()> {
    let url = links::external(&url).map_err(|e| WorkspaceError::Refused(e.problem()))?;
    super::open_in_browser(&app, url.as_str())
}

/// Exports the subscriptions table's current view as CSV into the Downloads folder (else the
/// data folder) and returns the file's path, which the UI shows.
#[tauri::command]
pub async fn export_subscriptions_csv(
    app: AppHandle,
    ws: Ws<'_>,
    query: SubscriptionQuery,
) -> CmdResult<String> {
    let dir = app
        .path()
        .download_dir()
        .or_else(|_| app.path().app_data_dir())
        .map_err(|e| super::refused(Problem::NoExportFolder, &e))?;
    let path = dir.join(comptoir_core::csv::subscriptions_file_name(
        comptoir_core::store::now(),
    ));
    ws.export_subscriptions_csv(&query, &path).await?;
    Ok(path.display().to_string())
}
