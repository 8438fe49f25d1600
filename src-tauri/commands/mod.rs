//! The IPC commands. Each one deserialises its input, calls one workspace function, maps the
//! error, and returns: no SQL, HTTP or keychain code lives here. `list.rs` names every command
//! the window may call; `contract.rs` registers and checks them.

pub mod about;
pub(crate) mod contract;
pub mod fulfilment;
pub mod orders;
pub mod packing;
pub mod pdfs;
pub mod printing;
pub mod settings;
pub mod startup;
pub mod subscriptions;

use std::sync::Arc;

use comptoir_core::model::{
    AccountInfo, AppStatus, OrderPage, OrderQuery, Settings, SharingStatus, ShippingRate,
    SubscriptionPage, SubscriptionQuery, SyncReport,
};
use comptoir_core::problem::Problem;
use comptoir_core::secrets::Secret;
use comptoir_core::workspace::Workspace;
use tauri::{AppHandle, Emitter, State};

use crate::error::CmdResult;

pub(crate) type Ws<'a> = State<'a, Arc<Workspace>>;

#[tauri::command]
pub async fn app_status(ws: Ws<'_>) -> CmdResult<AppStatus> {
    Ok(ws.status().await?)
}

/// Whether this station shares its fulfilment state through Stripe, what waits, and where
/// another station acted first (README: Stations).
#[tauri::command]
pub async fn sharing_status(ws: Ws<'_>) -> CmdResult<SharingStatus> {
    Ok(ws.sharing_status().await?)
}

/// "Check again": sharing is tried again at the next action (README: Stations).
#[tauri::command]
pub async fn retry_sharing(ws: Ws<'_>) -> CmdResult<SharingStatus> {
    Ok(ws.retry_sharing().await?)
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

/// `COMPTOIR_OPEN_LOG`: with `test_hooks` (debug builds, which the end-to-end tests run), links
/// are appended to this file instead of opening a browser. A release build passes false.
pub(crate) fn open_log(test_hooks: bool) -> Option<std::path::PathBuf> {
    comptoir_core::test_hooks::var("COMPTOIR_OPEN_LOG", test_hooks).map(Into::into)
}

/// Appends `line` to the open log (`COMPTOIR_OPEN_LOG`, end-to-end tests).
pub(crate) fn append_to_open_log(log: std::path::PathBuf, line: &str) -> CmdResult<()> {
    use std::io::Write;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
        .and_then(|mut f| writeln!(f, "{line}"))
        .map_err(|source| comptoir_core::workspace::WorkspaceError::Io { path: log, source }.into())
}

/// Opens an already validated link in the system browser through tauri-plugin-opener, or, in a
/// debug build with `COMPTOIR_OPEN_LOG` set (end-to-end tests), appends it to that file.
pub(crate) fn open_in_browser(app: &AppHandle, url: &str) -> CmdResult<()> {
    use tauri_plugin_opener::OpenerExt;
    if let Some(log) = open_log(comptoir_core::test_hooks::ENABLED) {
        return append_to_open_log(log, url);
    }
    app.opener()
        .open_url(url, None::<&str>)
        .map_err(|e| refused(Problem::BrowserNotOpened, &e).into())
}

/// A refusal of the commands' own (a dialog, a folder, the browser): the problem for the
/// window, the detail for the log.
/// Which native file dialog, with its filter (`("PDF", &["pdf"])`) and where it starts.
pub(crate) struct FileDialog<'a> {
    pub filter: (&'a str, &'a [&'a str]),
    pub start_in: Option<std::path::PathBuf>,
}

/// The file the merchant chose in a native dialog shown from Rust (the page is granted no
/// `dialog:` permission): a save dialog suggesting `save_as`, else an open dialog. `None` when
/// cancelled. The dialog blocks until answered, so it runs off the async runtime.
pub(crate) async fn choose_file(
    app: &AppHandle,
    d: FileDialog<'_>,
    save_as: Option<&str>,
) -> CmdResult<Option<std::path::PathBuf>> {
    use tauri_plugin_dialog::DialogExt;
    let mut dialog = app.dialog().file().add_filter(d.filter.0, d.filter.1);
    if let Some(dir) = d.start_in {
        dialog = dialog.set_directory(dir);
    }
    let chosen = match save_as {
        Some(name) => {
            let dialog = dialog.set_file_name(name);
            tauri::async_runtime::spawn_blocking(move || dialog.blocking_save_file()).await
        }
        None => tauri::async_runtime::spawn_blocking(move || dialog.blocking_pick_file()).await,
    }
    .map_err(|e| refused(Problem::SaveDialogFailed, &e))?;
    let Some(chosen) = chosen else {
        return Ok(None);
    };
    Ok(Some(
        chosen
            .into_path()
            .map_err(|e| refused(Problem::SaveLocationRefused, &e))?,
    ))
}

pub(crate) fn refused(
    problem: Problem,
    detail: &dyn std::fmt::Display,
) -> comptoir_core::workspace::WorkspaceError {
    tracing::warn!("{problem:?}: {detail}");
    comptoir_core::workspace::WorkspaceError::Refused(problem)
}

/// Opens a file of the data folder (an invoice PDF of the offline cache) with the system's
/// viewer through tauri-plugin-opener, or, in a debug build with `COMPTOIR_OPEN_LOG` set
/// (end-to-end tests), appends its path to that file.
pub(crate) fn open_file(app: &AppHandle, path: &std::path::Path) -> CmdResult<()> {
    use tauri_plugin_opener::OpenerExt;
    let shown = path.display().to_string();
    if let Some(log) = open_log(comptoir_core::test_hooks::ENABLED) {
        return append_to_open_log(log, &shown);
    }
    app.opener()
        .open_path(&shown, None::<&str>)
        .map_err(|e| refused(Problem::PdfViewerNotOpened, &e).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tests-only variables of the commands redirect nothing in a release build.
    #[test]
    fn a_release_build_ignores_the_open_log_and_the_save_dir() {
        // SAFETY: edition 2021; no other test of this crate reads or sets these variables.
        std::env::set_var("COMPTOIR_OPEN_LOG", "/tmp/comptoir-open.log");
        std::env::set_var("COMPTOIR_SAVE_DIR", "/tmp/comptoir-saved");
        assert_eq!(
            open_log(true),
            Some(std::path::PathBuf::from("/tmp/comptoir-open.log"))
        );
        assert_eq!(open_log(false), None, "release: the browser opens");
        assert_eq!(
            orders::save_dir(true),
            Some(std::path::PathBuf::from("/tmp/comptoir-saved"))
        );
        assert_eq!(orders::save_dir(false), None, "release: the dialog opens");
        std::env::remove_var("COMPTOIR_OPEN_LOG");
        std::env::remove_var("COMPTOIR_SAVE_DIR");
        assert_eq!(open_log(true), None);
        assert_eq!(orders::save_dir(true), None);
    }
}
