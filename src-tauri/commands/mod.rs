//! The IPC commands. Each one deserialises its input, calls one workspace function, maps the
//! error, and returns: no SQL, HTTP or keychain code lives here. `list.rs` names every command
//! the window may call; `contract.rs` registers and checks them.

pub(crate) mod contract;
pub mod fulfilment;
pub mod orders;
pub mod printing;
pub mod subscriptions;

use std::sync::Arc;

use comptoir_core::model::{
    AccountInfo, AppStatus, OrderPage, OrderQuery, Settings, ShippingRate, SubscriptionPage,
    SubscriptionQuery, SyncReport,
};
use comptoir_core::secrets::Secret;
use comptoir_core::workspace::Workspace;
use tauri::{AppHandle, Emitter, State};

use crate::error::CmdResult;

pub(crate) type Ws<'a> = State<'a, Arc<Workspace>>;

#[tauri::command]
pub async fn app_status(ws: Ws<'_>) -> CmdResult<AppStatus> {
    Ok(ws.status().await?)
}

/// The pasted key crosses IPC this once, inbound; nothing ever sends it back.
#[tauri::command]
pub async fn connect_stripe(ws: Ws<'_>, key: String) -> CmdResult<AccountInfo> {
    Ok(ws.connect_stripe(Secret::new(key)).await?)
}

#[tauri::command]
pub async fn disconnect_stripe(ws: Ws<'_>) -> CmdResult<()> {
    Ok(ws.disconnect_stripe().await?)
}

#[tauri::command]
pub async fn sync_now(app: AppHandle, ws: Ws<'_>) -> CmdResult<SyncReport> {
    let emit = Arc::new(move |p| {
        let _ = app.emit("sync-progress", p);
    });
    Ok(ws.sync(emit).await?)
}

#[tauri::command]
pub async fn list_orders(ws: Ws<'_>, query: OrderQuery) -> CmdResult<OrderPage> {
    Ok(ws.list_orders(&query).await?)
}

#[tauri::command]
pub async fn list_subscriptions(
    ws: Ws<'_>,
    query: SubscriptionQuery,
) -> CmdResult<SubscriptionPage> {
    Ok(ws.list_subscriptions(&query).await?)
}

#[tauri::command]
pub async fn get_settings(ws: Ws<'_>) -> CmdResult<Settings> {
    Ok(ws.settings().await?)
}

#[tauri::command]
pub async fn save_settings(ws: Ws<'_>, settings: Settings) -> CmdResult<Settings> {
    Ok(ws.save_settings(&settings).await?)
}

#[tauri::command]
pub async fn list_shipping_rates(ws: Ws<'_>) -> CmdResult<Vec<ShippingRate>> {
    Ok(ws.shipping_rates().await?)
}

#[tauri::command]
pub async fn set_shipping_rate_pickup(
    ws: Ws<'_>,
    id: String,
    is_pickup: bool,
) -> CmdResult<Vec<ShippingRate>> {
    Ok(ws.set_shipping_rate_pickup(&id, is_pickup).await?)
}

/// Opens an already validated link in the system browser through tauri-plugin-opener. With
/// `COMPTOIR_OPEN_LOG` set (end-to-end tests), the link is appended to that file instead, so no
/// browser is launched.
pub(crate) fn open_in_browser(app: &AppHandle, url: &str) -> CmdResult<()> {
    use std::io::Write;
    use tauri_plugin_opener::OpenerExt;
    if let Some(log) = std::env::var_os("COMPTOIR_OPEN_LOG").filter(|v| !v.is_empty()) {
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .and_then(|mut f| writeln!(f, "{url}"));
        return written.map_err(|source| {
            comptoir_core::workspace::WorkspaceError::Io {
                path: log.into(),
                source,
            }
            .into()
        });
    }
    app.opener().open_url(url, None::<&str>).map_err(|e| {
        comptoir_core::workspace::WorkspaceError::InvalidInput(format!(
            "The browser could not be opened: {e}"
        ))
        .into()
    })
}
