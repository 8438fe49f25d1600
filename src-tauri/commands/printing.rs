//! Printing at the packing station: an order's packing slip goes to the print queue through
//! `lp` (CUPS, on Linux and macOS), built through tauri-plugin-shell and supervised by
//! `comptoir_core::printing::run_lp_with` (a private slip file, a time limit). `lp` is the only
//! program Comptoir ever runs; the window has no way to run any.

use std::path::PathBuf;

use comptoir_core::lang::Lang;
use comptoir_core::model::{OrderQuery, SlipSettings};
use comptoir_core::printing;
use comptoir_core::workspace::WorkspaceError;
use serde::Serialize;
use tauri::{AppHandle, Manager};
use tauri_plugin_shell::ShellExt;
use ts_rs::TS;

use super::Ws;
use crate::error::{CmdResult, ErrorCode, IpcError};

/// Slips accepted by the print queue.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PrintedSlip {
    /// The queue it went to; `None` for the system's default printer.
    pub printer: Option<String>,
    /// What `lp` answered, e.g. "request id is Brother-12 (1 file(s))".
    pub request: String,
    /// How many slips the job holds.
    pub count: u32,
}

/// Hands `job` to `lp` and returns what `lp` answered. `lp` is the one program the app runs,
/// built through tauri-plugin-shell's Rust API (the window holds no `shell:` permission, so it
/// can run nothing); the core supervises it (a private slip file, a time limit). The slip's
/// private folder is made in the app's cache (else the temporary folder) and removed once `lp`
/// has queued it.
async fn run_lp(app: &AppHandle, job: &printing::PrintJob) -> Result<String, IpcError> {
    let command = printing::LpCommand {
        slips_dir: app.path().app_cache_dir().ok().map(|d| d.join("slips")),
        ..printing::LpCommand::default()
    };
    let lp = std::process::Command::from(app.shell().command(&command.program));
    printing::run_lp_with(job, &command, lp).await.map_err(|e| {
        tracing::warn!("printing failed: {e}");
        IpcError::new(ErrorCode::Printer, e.problem())
    })
}

/// Prints the order's packing slip on the printer chosen in Settings (else the default one),
/// in the UI's language, and notes it in the order's history.
#[tauri::command]
pub async fn print_packing_slip(
    app: AppHandle,
    ws: Ws<'_>,
    order_id: String,
    lang: String,
    confirm_unpaid: Option<bool>,
) -> CmdResult<PrintedSlip> {
    let job = ws
        .packing_slip(
            &order_id,
            Lang::from_tag(&lang),
            confirm_unpaid.unwrap_or(false),
        )
        .await?;
    let request = run_lp(&app, &job).await?;
    ws.packing_slip_printed(std::slice::from_ref(&order_id), job.printer.as_deref())
        .await?;
    Ok(PrintedSlip {
        printer: job.printer,
        request,
        count: 1,
    })
}

/// Prints the slips of every order in a view of the table (its tab and search), one per page,
/// as one print job, and notes it in each order's history.
#[tauri::command]
pub async fn print_packing_slips(
    app: AppHandle,
    ws: Ws<'_>,
    query: OrderQuery,
    lang: String,
    confirm_unpaid: Option<bool>,
) -> CmdResult<PrintedSlip> {
    let (job, ids) = ws
        .packing_slips(
            &query,
            Lang::from_tag(&lang),
            confirm_unpaid.unwrap_or(false),
        )
        .await?;
    let request = run_lp(&app, &job).await?;
    ws.packing_slip_printed(&ids, job.printer.as_deref())
        .await?;
    Ok(PrintedSlip {
        printer: job.printer,
        request,
        count: ids.len() as u32,
    })
}

/// Settings' "Print a test page": on the printer typed in the form (saved or not), so a
/// packing station's printer can be checked before it is relied on.
#[tauri::command]
pub async fn print_test_page(
    app: AppHandle,
    ws: Ws<'_>,
    printer_name: String,
    lang: String,
) -> CmdResult<PrintedSlip> {
    let printer = printing::validate_printer(&printer_name).map_err(WorkspaceError::Print)?;
    let station = ws.settings().await?.station_name;
    let job = printing::test_page(
        printer.as_deref(),
        &station,
        Lang::from_tag(&lang),
        comptoir_core::store::now(),
    );
    let request = run_lp(&app, &job).await?;
    Ok(PrintedSlip {
        printer,
        request,
        count: 1,
    })
}

/// How this station prints its packing slips (Settings → Packing slips).
#[tauri::command]
pub async fn get_slip_settings(ws: Ws<'_>) -> CmdResult<SlipSettings> {
    Ok(ws.slip_settings().await?)
}

/// Saves how this station prints its packing slips.
#[tauri::command]
pub async fn save_slip_settings(ws: Ws<'_>, settings: SlipSettings) -> CmdResult<SlipSettings> {
    Ok(ws.save_slip_settings(settings).await?)
}

/// "Save slip PDF…": the order's PDF slip in this station's layout, saved where the merchant
/// chooses in a native save dialog shown from Rust; `None` when cancelled. Nothing is printed
/// or recorded. In a debug build with `COMPTOIR_SAVE_DIR` set (end-to-end tests), no dialog
/// opens and the PDF is saved into that folder under its suggested name.
#[tauri::command]
pub async fn save_slip_pdf(
    app: AppHandle,
    ws: Ws<'_>,
    order_id: String,
    lang: String,
) -> CmdResult<Option<String>> {
    let lang = Lang::from_tag(&lang);
    let (order, pdf) = ws.packing_slip_pdf(&order_id, lang).await?;
    let name = printing::slip_file_name(&order.number, lang);
    let dest: PathBuf = match super::orders::save_dir(comptoir_core::test_hooks::ENABLED) {
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
    printing::save_file(&dest, &pdf).map_err(|source| WorkspaceError::Io {
        path: dest.clone(),
        source,
    })?;
    Ok(Some(dest.display().to_string()))
}
