//! Settings → About Comptoir (README: Architecture, Packaging): the log folder, opened in the
//! system's file manager for support.

use comptoir_core::problem::Problem;
use tauri::{AppHandle, Manager};

use super::startup::Startup;
use crate::error::CmdResult;

/// Opens `logs/` in the data folder (README: Useful variables, `COMPTOIR_LOG`) in the system's
/// file manager, creating it if no log was written yet. In a debug build with
/// `COMPTOIR_OPEN_LOG` set (end-to-end tests), its path goes to that file instead.
#[tauri::command]
pub async fn open_log_folder(app: AppHandle) -> CmdResult<()> {
    use tauri_plugin_opener::OpenerExt;
    let dir = app.state::<Startup>().data_dir.join("logs");
    let path = dir.display().to_string();
    let refused = |e: &dyn std::fmt::Display| {
        super::refused(Problem::FolderNotOpened { path: path.clone() }, e)
    };
    std::fs::create_dir_all(&dir).map_err(|e| refused(&e))?;
    if let Some(log) = super::open_log(comptoir_core::test_hooks::ENABLED) {
        return super::append_to_open_log(log, &path);
    }
    app.opener()
        .open_path(path.clone(), None::<&str>)
        .map_err(|e| refused(&e).into())
}
