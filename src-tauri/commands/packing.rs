//! Packing mode (README: Packing mode): the scan field's lookup, the queue, an order on the
//! bench, ticking its units, the "Packed" override, and Settings → Product codes.

use comptoir_core::model::{PackMatch, PackOrder, PackQueue, PackTick, ProductCodes};

use super::Ws;
use crate::error::CmdResult;

#[tauri::command]
pub async fn packing_lookup(ws: Ws<'_>, scan: String) -> CmdResult<Vec<PackMatch>> {
    Ok(ws.packing_lookup(&scan).await?)
}

#[tauri::command]
pub async fn packing_queue(ws: Ws<'_>, since: i64) -> CmdResult<PackQueue> {
    Ok(ws.packing_queue(since).await?)
}

#[tauri::command]
pub async fn packing_open(ws: Ws<'_>, order_id: String) -> CmdResult<PackOrder> {
    Ok(ws.packing_open(&order_id).await?)
}

#[tauri::command]
pub async fn packing_tick(
    ws: Ws<'_>,
    order_id: String,
    ticked: Vec<i64>,
    scan: String,
) -> CmdResult<PackTick> {
    Ok(ws.packing_tick(&order_id, &ticked, &scan).await?)
}

#[tauri::command]
pub async fn packing_override(
    ws: Ws<'_>,
    order_id: String,
    ticked: Vec<i64>,
    reason: String,
) -> CmdResult<()> {
    Ok(ws.packing_override(&order_id, &ticked, &reason).await?)
}

#[tauri::command]
pub async fn product_codes(ws: Ws<'_>) -> CmdResult<ProductCodes> {
    Ok(ws.product_codes().await?)
}

#[tauri::command]
pub async fn link_product_code(
    ws: Ws<'_>,
    code: String,
    product_id: String,
) -> CmdResult<ProductCodes> {
    Ok(ws.link_product_code(&code, &product_id).await?)
}

#[tauri::command]
pub async fn unlink_product_code(ws: Ws<'_>, code: String) -> CmdResult<ProductCodes> {
    Ok(ws.unlink_product_code(&code).await?)
}

#[tauri::command]
pub async fn save_product_code_keys(ws: Ws<'_>, keys: String) -> CmdResult<ProductCodes> {
    Ok(ws.save_product_code_keys(&keys).await?)
}
