//! Fulfilment: ship (tracking links + shipping email), undo, pickup, the carrier picker, the
//! SMTP settings and the tracking links opened in the browser.

use comptoir_core::carriers::{self, Carrier, CarrierOption, CustomCarrier};
use comptoir_core::fulfilment::{EmailOutcome, TrackingInput};
use comptoir_core::mail::{SmtpPassword, SmtpSettings};
use comptoir_core::store::outbox::OutboxEmail;
use comptoir_core::workspace::SmtpSettingsView;
use tauri::AppHandle;

use super::Ws;
use crate::error::CmdResult;

#[tauri::command]
pub async fn ship_order(
    ws: Ws<'_>,
    order_id: String,
    parcels: Vec<TrackingInput>,
    confirm_unpaid: Option<bool>,
) -> CmdResult<EmailOutcome> {
    Ok(ws
        .ship_order(&order_id, &parcels, confirm_unpaid.unwrap_or(false))
        .await?)
}

/// "Mark as sent without tracking": a letter or a hand delivery.
#[tauri::command]
pub async fn ship_order_untracked(
    ws: Ws<'_>,
    order_id: String,
    notify: bool,
    confirm_unpaid: Option<bool>,
) -> CmdResult<EmailOutcome> {
    Ok(ws
        .ship_order_untracked(&order_id, notify, confirm_unpaid.unwrap_or(false))
        .await?)
}

/// "Refund" in the app (full, or partial by amount or by line).
#[tauri::command]
pub async fn refund_order(
    ws: Ws<'_>,
    request: comptoir_core::refunds::RefundRequest,
) -> CmdResult<comptoir_core::refunds::RefundDone> {
    Ok(ws.refund_order(&request).await?)
}

#[tauri::command]
pub async fn mark_not_sent(ws: Ws<'_>, order_id: String) -> CmdResult<()> {
    Ok(ws.mark_not_sent(&order_id).await?)
}

/// "Retry now" on an order's email: queued again, due now, and the mail worker woken.
#[tauri::command]
pub async fn retry_email(ws: Ws<'_>, id: i64) -> CmdResult<OutboxEmail> {
    Ok(ws.retry_email(id).await?)
}

#[tauri::command]
pub async fn confirm_pickup(
    ws: Ws<'_>,
    order_id: String,
    confirm_unpaid: Option<bool>,
) -> CmdResult<()> {
    Ok(ws
        .confirm_pickup(&order_id, confirm_unpaid.unwrap_or(false))
        .await?)
}

#[tauri::command]
pub async fn send_ready_for_pickup(ws: Ws<'_>, order_id: String) -> CmdResult<EmailOutcome> {
    Ok(ws.send_ready_for_pickup(&order_id).await?)
}

#[tauri::command]
pub async fn carrier_options(ws: Ws<'_>) -> CmdResult<Vec<CarrierOption>> {
    Ok(ws.carrier_options().await?)
}

/// Carriers whose number format matches, for staff to confirm.
#[tauri::command]
pub async fn suggest_carriers(number: String) -> CmdResult<Vec<Carrier>> {
    Ok(carriers::suggest(&number))
}

#[tauri::command]
pub async fn tracking_url_for(ws: Ws<'_>, input: TrackingInput) -> CmdResult<String> {
    Ok(ws.tracking_url_for(&input).await?)
}

#[tauri::command]
pub async fn get_custom_carriers(ws: Ws<'_>) -> CmdResult<Vec<CustomCarrier>> {
    Ok(ws.custom_carriers().await?)
}

#[tauri::command]
pub async fn save_custom_carriers(
    ws: Ws<'_>,
    carriers: Vec<CustomCarrier>,
) -> CmdResult<Vec<CustomCarrier>> {
    Ok(ws.save_custom_carriers(&carriers).await?)
}

/// The SMTP settings and whether a password is stored; never the password.
#[tauri::command]
pub async fn get_smtp_settings(ws: Ws<'_>) -> CmdResult<SmtpSettingsView> {
    Ok(ws.smtp_settings().await?)
}

/// The password crosses IPC inbound only: keep, replace or delete the stored one.
#[tauri::command]
pub async fn save_smtp_settings(
    ws: Ws<'_>,
    settings: SmtpSettings,
    password: SmtpPassword,
) -> CmdResult<SmtpSettingsView> {
    Ok(ws.save_smtp_settings(&settings, password).await?)
}

#[tauri::command]
pub async fn send_test_email(ws: Ws<'_>, to: String) -> CmdResult<()> {
    Ok(ws.send_test_email(&to).await?)
}

/// "View parcel tracking link": opens one of the order's saved tracking links (checked again)
/// in the browser through tauri-plugin-opener.
#[tauri::command]
pub async fn open_tracking_link(
    app: AppHandle,
    ws: Ws<'_>,
    order_id: String,
    url: String,
) -> CmdResult<()> {
    let url = ws.tracking_link(&order_id, &url).await?;
    super::open_in_browser(&app, url.as_str())
}
