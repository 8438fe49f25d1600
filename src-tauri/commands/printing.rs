//! Printing at the packing station: an order's packing slip goes to the print queue through
//! `lp` (CUPS, on Linux and macOS), run by tauri-plugin-shell from Rust. `lp` is the only
//! program Comptoir ever runs; the web UI holds no shell permission, so it cannot run any.

use comptoir_core::lang::Lang;
use comptoir_core::model::OrderQuery;
use comptoir_core::printing;
use comptoir_core::problem::Problem;
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

/// The print system failed; `detail` is what it (or the file system) said.
fn printer_error(detail: impl Into<String>) -> IpcError {
    IpcError::new(
        ErrorCode::Printer,
        Problem::PrintFailed {
            detail: detail.into(),
        },
    )
}

/// The first line of what `lp` wrote, cut to a readable length.
fn first_line(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    line.chars().take(200).collect()
}

/// Hands `job` to `lp` and returns what `lp` answered. The slip file lives in the app's cache
/// only until `lp` has queued it (it holds customers' addresses).
async fn run_lp(app: &AppHandle, job: &printing::PrintJob) -> Result<String, IpcError> {
    let dir = app
        .path()
        .app_cache_dir()
        .map_err(|e| printer_error(format!("No folder for the slip: {e}")))?
        .join("slips");
    std::fs::create_dir_all(&dir)
        .map_err(|e| printer_error(format!("Cannot prepare the slip: {e}")))?;
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let path = dir.join(format!("slip-{stamp}.txt"));
    std::fs::write(&path, job.text.as_bytes())
        .map_err(|e| printer_error(format!("Cannot prepare the slip: {e}")))?;
    let output = app
        .shell()
        .command("lp")
        .args(printing::lp_args(job, &path))
        .output()
        .await;
    let _ = std::fs::remove_file(&path);
    let output = output.map_err(|e| match e {
        tauri_plugin_shell::Error::Io(io) if io.kind() == std::io::ErrorKind::NotFound => {
            IpcError::new(ErrorCode::Printer, Problem::NoPrintSystem)
        }
        other => printer_error(format!("The print system could not be started: {other}")),
    })?;
    if !output.status.success() {
        let said = first_line(&output.stderr);
        return Err(printer_error(if said.is_empty() {
            format!(
                "The print system refused the slip (lp exit code {})",
                output.status.code().unwrap_or(-1)
            )
        } else {
            said
        }));
    }
    Ok(first_line(&output.stdout))
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
    let printer = printing::validate_printer(&printer_name)
        .map_err(|e| WorkspaceError::InvalidInput(e.to_string()))?;
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
