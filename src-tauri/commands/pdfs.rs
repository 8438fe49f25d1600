//! Invoice PDFs kept on this computer (README: Architecture, Offline invoice PDFs): opening an
//! invoice's PDF ("Customer invoice", a subscription invoice's PDF icon), and the cache's part
//! of Settings.

pub use comptoir_core::pdf_cache::PdfCacheStatus;
use comptoir_core::workspace::pdfs::PdfToOpen;
use tauri::AppHandle;

use super::Ws;
use crate::error::CmdResult;

/// Opens an invoice's PDF, by the invoice's id: the cached copy in the system's PDF viewer when
/// there is one, else Stripe's link in the browser (checked against Stripe's hosts), else,
/// offline, the problem `pdf_not_downloaded`. In a debug build with `COMPTOIR_OPEN_LOG` set
/// (end-to-end tests), the file's path or the link is appended to that file instead.
#[tauri::command]
pub async fn open_invoice_pdf(app: AppHandle, ws: Ws<'_>, invoice_id: String) -> CmdResult<()> {
    match ws.open_invoice_pdf(invoice_id.trim()).await? {
        PdfToOpen::File(path) => super::open_file(&app, &path),
        PdfToOpen::Link(url) => super::open_in_browser(&app, &url),
    }
}

/// What Settings shows of the cache: its files, their size, the limit.
#[tauri::command]
pub async fn pdf_cache_status(ws: Ws<'_>) -> CmdResult<PdfCacheStatus> {
    Ok(ws.pdf_cache_status().await?)
}

/// Sets the cache's size limit in MB (0 keeps none).
#[tauri::command]
pub async fn set_pdf_cache_limit(ws: Ws<'_>, megabytes: u32) -> CmdResult<PdfCacheStatus> {
    Ok(ws.set_pdf_cache_limit(megabytes).await?)
}

/// Removes every cached PDF of the store on screen.
#[tauri::command]
pub async fn clear_pdf_cache(ws: Ws<'_>) -> CmdResult<PdfCacheStatus> {
    Ok(ws.clear_pdf_cache().await?)
}
