/// Every IPC command the window may call. Listing them makes Tauri generate one permission per
/// command (`allow-<name>`), and the capability in `src-tauri/capabilities/` grants exactly these.
const COMMANDS: &[&str] = &[
    "app_status",
    "connect_stripe",
    "disconnect_stripe",
    "sync_now",
    "list_orders",
    "order_detail",
    "export_orders_csv",
    "export_subscriptions_csv",
    "save_invoice_pdf",
    "list_subscriptions",
    "subscription_detail",
    "open_link",
    "get_settings",
    "save_settings",
    "list_shipping_rates",
    "set_shipping_rate_pickup",
    "ship_order",
    "ship_order_untracked",
    "mark_not_sent",
    "refund_order",
    "retry_email",
    "confirm_pickup",
    "send_ready_for_pickup",
    "carrier_options",
    "suggest_carriers",
    "tracking_url_for",
    "get_custom_carriers",
    "save_custom_carriers",
    "get_smtp_settings",
    "save_smtp_settings",
    "send_test_email",
    "open_tracking_link",
    "print_packing_slip",
    "print_packing_slips",
    "print_test_page",
];

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("failed to run tauri-build");
}
