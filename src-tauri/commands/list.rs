// Every IPC command the window may call, written once: its function (a path under
// `src-tauri/commands/`), what the window sends and what it gets back. Nothing else grants or
// registers a command:
//   - build.rs makes Tauri's `allow-<name>` permission for each, and the permission set
//     `ipc-commands` holding all of them, which `src-tauri/capabilities/default.json` grants;
//   - `commands/contract.rs` registers them with `generate_handler!` (lib.rs), checks each entry
//     against its function at compile time (names, argument and result types), and writes
//     `ui/src/lib/ipc/bindings/commands.ts` (the `export_bindings` tests), against which the
//     UI's client (`ui/src/lib/ipc/index.ts`) and its fake backend (`dev-fake.ts`) are typed.
//
// `app` and `ws` are what Tauri hands the function (the AppHandle, the workspace), in the
// function's order; every other parameter is an argument the window sends, under its camelCase
// name. An `Option` argument may be left out. Every command is `async` and returns
// `CmdResult<T>`; `-> T` names that `T`.
//
// Adding a command: write its function, add its line here.

ipc_commands! {
    // Start-up (commands/startup.rs): why the data could not be opened, and the way out.
    startup::startup_failure(app) -> Option<StartupFailure>;
    startup::open_data_folder(app) -> ();
    startup::restart_app(app) -> ();
    startup::quit_app(app) -> ();

    // The store on screen, Stripe, settings (commands/mod.rs).
    app_status(ws) -> AppStatus;
    connect_stripe(ws, key: String) -> AccountInfo;
    disconnect_stripe(ws) -> ();
    sync_now(app, ws) -> SyncReport;
    list_orders(ws, query: OrderQuery) -> OrderPage;
    list_subscriptions(ws, query: SubscriptionQuery) -> SubscriptionPage;
    get_settings(ws) -> Settings;
    save_settings(ws, settings: Settings) -> Settings;
    list_shipping_rates(ws) -> Vec<ShippingRate>;
    set_shipping_rate_pickup(ws, id: String, is_pickup: bool) -> Vec<ShippingRate>;
    sharing_status(ws) -> SharingStatus;
    retry_sharing(ws) -> SharingStatus;

    // The station's settings as one file (commands/settings.rs).
    settings::export_settings(app, ws) -> Option<String>;
    settings::import_settings(app, ws) -> Option<ImportReport>;

    // Orders (commands/orders.rs).
    orders::order_detail(ws, id: String) -> OrderDetail;
    orders::export_orders_csv(app, ws, query: OrderQuery) -> String;
    orders::save_invoice_pdf(app, ws, order_id: String) -> Option<SavedPdf>;

    // Subscriptions and Stripe links (commands/subscriptions.rs).
    subscriptions::subscription_detail(ws, id: String, refresh: bool) -> SubscriptionDetail;
    subscriptions::open_link(app, url: String) -> ();
    subscriptions::export_subscriptions_csv(app, ws, query: SubscriptionQuery) -> String;
    subscriptions::box_shipments(ws) -> BoxShipments;
    subscriptions::set_box_shipments(ws, on: bool) -> BoxShipments;

    // Invoice PDFs kept on this computer (commands/pdfs.rs).
    pdfs::open_invoice_pdf(app, ws, invoice_id: String) -> ();
    pdfs::pdf_cache_status(ws) -> PdfCacheStatus;
    pdfs::set_pdf_cache_limit(ws, megabytes: u32) -> PdfCacheStatus;
    pdfs::clear_pdf_cache(ws) -> PdfCacheStatus;

    // Fulfilment, carriers, email (commands/fulfilment.rs).
    fulfilment::ship_order(ws, order_id: String, parcels: Vec<TrackingInput>, confirm_unpaid: Option<bool>) -> EmailOutcome;
    fulfilment::ship_order_untracked(ws, order_id: String, notify: bool, confirm_unpaid: Option<bool>) -> EmailOutcome;
    fulfilment::refund_order(ws, request: RefundRequest) -> RefundDone;
    fulfilment::mark_not_sent(ws, order_id: String) -> ();
    fulfilment::retry_email(ws, id: i64) -> OutboxEmail;
    fulfilment::confirm_pickup(ws, order_id: String, confirm_unpaid: Option<bool>) -> ();
    fulfilment::send_ready_for_pickup(ws, order_id: String) -> EmailOutcome;
    fulfilment::carrier_options(ws) -> Vec<CarrierOption>;
    fulfilment::suggest_carriers(number: String) -> Vec<Carrier>;
    fulfilment::tracking_url_for(ws, input: TrackingInput) -> String;
    fulfilment::get_custom_carriers(ws) -> Vec<CustomCarrier>;
    fulfilment::save_custom_carriers(ws, carriers: Vec<CustomCarrier>) -> Vec<CustomCarrier>;
    fulfilment::get_smtp_settings(ws) -> SmtpSettingsView;
    fulfilment::save_smtp_settings(ws, settings: SmtpSettings, password: SmtpPassword) -> SmtpSettingsView;
    fulfilment::send_test_email(ws, to: String) -> ();
    fulfilment::open_tracking_link(app, ws, order_id: String, url: String) -> ();

    // Packing mode and Settings → Product codes (commands/packing.rs).
    packing::packing_lookup(ws, scan: String) -> Vec<PackMatch>;
    packing::packing_queue(ws, since: i64) -> PackQueue;
    packing::packing_open(ws, order_id: String) -> PackOrder;
    packing::packing_tick(ws, order_id: String, ticked: Vec<i64>, scan: String) -> PackTick;
    packing::packing_override(ws, order_id: String, ticked: Vec<i64>, reason: String) -> ();
    packing::product_codes(ws) -> ProductCodes;
    packing::link_product_code(ws, code: String, product_id: String) -> ProductCodes;
    packing::unlink_product_code(ws, code: String) -> ProductCodes;
    packing::save_product_code_keys(ws, keys: String) -> ProductCodes;

    // Packing slips (commands/printing.rs).
    printing::print_packing_slip(app, ws, order_id: String, lang: String, confirm_unpaid: Option<bool>) -> PrintedSlip;
    printing::print_packing_slips(app, ws, query: OrderQuery, lang: String, confirm_unpaid: Option<bool>) -> PrintedSlip;
    printing::print_test_page(app, ws, printer_name: String, lang: String) -> PrintedSlip;
    printing::get_slip_settings(ws) -> SlipSettings;
    printing::save_slip_settings(ws, settings: SlipSettings) -> SlipSettings;
    printing::save_slip_pdf(app, ws, order_id: String, lang: String) -> Option<String>;

    // Settings → About Comptoir (commands/about.rs).
    about::open_log_folder(app) -> ();
}
