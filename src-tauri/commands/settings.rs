//! Settings → Export settings / Import settings: the station's settings as one file, through
//! the native save and open dialogs shown from Rust (no `dialog:` permission is granted to the
//! page). The core writes and checks the file (`workspace/settings_file.rs`).

use std::path::PathBuf;

use comptoir_core::workspace::ImportReport;
use tauri::{AppHandle, Manager};

use super::Ws;
use crate::error::CmdResult;

/// `COMPTOIR_OPEN_FILE`: with `test_hooks` (debug builds, which the end-to-end tests run),
/// "Import settings" reads this file without a dialog. A release build passes false.
pub(crate) fn open_file(test_hooks: bool) -> Option<PathBuf> {
    comptoir_core::test_hooks::var("COMPTOIR_OPEN_FILE", test_hooks).map(PathBuf::from)
}

/// The file name the save dialog suggests: `comptoir-settings-<station>.json`.
fn file_name(station: &str) -> String {
    let station: String = station
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_' || *c == ' ')
        .collect::<String>()
        .trim()
        .replace(' ', "-");
    if station.is_empty() {
        "comptoir-settings.json".to_owned()
    } else {
        format!("comptoir-settings-{station}.json")
    }
}

/// "Export settings": asks where to save the file, writes it there and returns its path;
/// `None` when the merchant cancels. With `COMPTOIR_SAVE_DIR` (tests) it goes into that folder.
#[tauri::command]
pub async fn export_settings(app: AppHandle, ws: Ws<'_>) -> CmdResult<Option<String>> {
    let name = file_name(&ws.settings().await?.station_name);
    let dest = match super::orders::save_dir(comptoir_core::test_hooks::ENABLED) {
        Some(dir) => dir.join(&name),
        None => {
            let dialog = super::FileDialog {
                filter: ("JSON", &["json"]),
                start_in: app.path().document_dir().ok(),
            };
            match super::choose_file(&app, dialog, Some(&name)).await? {
                Some(path) => path,
                None => return Ok(None),
            }
        }
    };
    ws.export_settings_to(&dest).await?;
    Ok(Some(dest.display().to_string()))
}

/// "Import settings": asks for the file, checks it whole and applies it, or changes nothing and
/// says why; `None` when the merchant cancels. With `COMPTOIR_OPEN_FILE` (tests) no dialog opens.
#[tauri::command]
pub async fn import_settings(app: AppHandle, ws: Ws<'_>) -> CmdResult<Option<ImportReport>> {
    let source = match open_file(comptoir_core::test_hooks::ENABLED) {
        Some(path) => path,
        None => {
            let dialog = super::FileDialog {
                filter: ("JSON", &["json"]),
                start_in: app.path().document_dir().ok(),
            };
            match super::choose_file(&app, dialog, None).await? {
                Some(path) => path,
                None => return Ok(None),
            }
        }
    };
    Ok(Some(ws.import_settings_from(&source).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suggested_name_carries_the_station_and_nothing_else() {
        assert_eq!(file_name("Atelier 2"), "comptoir-settings-Atelier-2.json");
        assert_eq!(file_name("../../etc"), "comptoir-settings-etc.json");
        assert_eq!(file_name(""), "comptoir-settings.json");
    }

    /// The import's tests-only file is ignored by a release build.
    #[test]
    fn a_release_build_ignores_the_open_file() {
        // SAFETY: edition 2021; no other test of this crate reads or sets this variable.
        std::env::set_var("COMPTOIR_OPEN_FILE", "/tmp/comptoir-settings.json");
        assert_eq!(
            open_file(true),
            Some(PathBuf::from("/tmp/comptoir-settings.json"))
        );
        assert_eq!(open_file(false), None, "release: the dialog opens");
        std::env::remove_var("COMPTOIR_OPEN_FILE");
        assert_eq!(open_file(true), None);
    }
}
