//! When the data could not be opened at start-up: the window asks why (`startup_failure`) and
//! shows it with the way out, instead of the app exiting without a word. The other commands
//! need the workspace and are never called then.

use std::path::PathBuf;

use comptoir_core::problem::Problem;
use comptoir_core::startup::StartupFailure;
use comptoir_core::workspace::WorkspaceError;
use tauri::{AppHandle, Manager};

use crate::error::CmdResult;

/// Managed from start-up on, whether the workspace opened or not.
pub struct Startup {
    pub data_dir: PathBuf,
    pub failure: Option<StartupFailure>,
}

/// Why Comptoir could not open its data; `None` when it did.
#[tauri::command]
pub async fn startup_failure(app: AppHandle) -> CmdResult<Option<StartupFailure>> {
    Ok(app.state::<Startup>().failure.clone())
}

/// Opens the data folder in the system's file manager, where a file kept aside is. In a debug
/// build with `COMPTOIR_OPEN_LOG` set (end-to-end tests), its path goes to that file instead.
#[tauri::command]
pub async fn open_data_folder(app: AppHandle) -> CmdResult<()> {
    use tauri_plugin_opener::OpenerExt;
    let dir = app.state::<Startup>().data_dir.clone();
    if let Some(log) = super::open_log(comptoir_core::test_hooks::ENABLED) {
        return super::append_to_open_log(log, &dir.display().to_string());
    }
    app.opener()
        .open_path(dir.display().to_string(), None::<&str>)
        .map_err(|e| {
            tracing::warn!("the data folder could not be opened: {e}");
            WorkspaceError::Refused(Problem::FolderNotOpened {
                path: dir.display().to_string(),
            })
            .into()
        })
}

/// Starts Comptoir again (after a damaged file was kept aside, it opens a fresh one).
#[tauri::command]
pub async fn restart_app(app: AppHandle) -> CmdResult<()> {
    app.restart()
}

#[tauri::command]
pub async fn quit_app(app: AppHandle) -> CmdResult<()> {
    app.exit(0);
    Ok(())
}
