// Generated from src-tauri/commands/list.rs by the export_bindings tests. Do not edit.
import type { AccountInfo } from "./AccountInfo";
import type { AppStatus } from "./AppStatus";
import type { BoxShipments } from "./BoxShipments";
import type { Carrier } from "./Carrier";
import type { CarrierOption } from "./CarrierOption";
import type { CustomCarrier } from "./CustomCarrier";
import type { EmailOutcome } from "./EmailOutcome";
import type { ImportReport } from "./ImportReport";
import type { OrderDetail } from "./OrderDetail";
import type { OrderPage } from "./OrderPage";
import type { OrderQuery } from "./OrderQuery";
import type { OutboxEmail } from "./OutboxEmail";
import type { PackMatch } from "./PackMatch";
import type { PackOrder } from "./PackOrder";
import type { PackQueue } from "./PackQueue";
import type { PackTick } from "./PackTick";
import type { PdfCacheStatus } from "./PdfCacheStatus";
import type { PrintedSlip } from "./PrintedSlip";
import type { ProductCodes } from "./ProductCodes";
import type { RefundDone } from "./RefundDone";
import type { RefundRequest } from "./RefundRequest";
import type { SavedPdf } from "./SavedPdf";
import type { Settings } from "./Settings";
import type { SharingStatus } from "./SharingStatus";
import type { ShippingRate } from "./ShippingRate";
import type { SlipSettings } from "./SlipSettings";
import type { SmtpPassword } from "./SmtpPassword";
import type { SmtpSettings } from "./SmtpSettings";
import type { SmtpSettingsView } from "./SmtpSettingsView";
import type { StartupFailure } from "./StartupFailure";
import type { SubscriptionDetail } from "./SubscriptionDetail";
import type { SubscriptionPage } from "./SubscriptionPage";
import type { SubscriptionQuery } from "./SubscriptionQuery";
import type { SyncReport } from "./SyncReport";
import type { TrackingInput } from "./TrackingInput";

/** Every IPC command: the arguments the window sends (an optional one may be left out) and what it gets back. */
export type Commands = {
  startup_failure: { args: Record<string, never>; result: StartupFailure | null };
  open_data_folder: { args: Record<string, never>; result: void };
  restart_app: { args: Record<string, never>; result: void };
  quit_app: { args: Record<string, never>; result: void };
  app_status: { args: Record<string, never>; result: AppStatus };
  connect_stripe: { args: { key: string }; result: AccountInfo };
  disconnect_stripe: { args: Record<string, never>; result: void };
  sync_now: { args: Record<string, never>; result: SyncReport };
  list_orders: { args: { query: OrderQuery }; result: OrderPage };
  list_subscriptions: { args: { query: SubscriptionQuery }; result: SubscriptionPage };
  get_settings: { args: Record<string, never>; result: Settings };
  save_settings: { args: { settings: Settings }; result: Settings };
  list_shipping_rates: { args: Record<string, never>; result: Array<ShippingRate> };
  set_shipping_rate_pickup: { args: { id: string, isPickup: boolean }; result: Array<ShippingRate> };
  sharing_status: { args: Record<string, never>; result: SharingStatus };
  retry_sharing: { args: Record<string, never>; result: SharingStatus };
  export_settings: { args: Record<string, never>; result: string | null };
  import_settings: { args: Record<string, never>; result: ImportReport | null };
  order_detail: { args: { id: string }; result: OrderDetail };
  export_orders_csv: { args: { query: OrderQuery }; result: string };
  save_invoice_pdf: { args: { orderId: string }; result: SavedPdf | null };
  subscription_detail: { args: { id: string, refresh: boolean }; result: SubscriptionDetail };
  open_link: { args: { url: string }; result: void };
  export_subscriptions_csv: { args: { query: SubscriptionQuery }; result: string };
  box_shipments: { args: Record<string, never>; result: BoxShipments };
  set_box_shipments: { args: { on: boolean }; result: BoxShipments };
  open_invoice_pdf: { args: { invoiceId: string }; result: void };
  pdf_cache_status: { args: Record<string, never>; result: PdfCacheStatus };
  set_pdf_cache_limit: { args: { megabytes: number }; result: PdfCacheStatus };
  clear_pdf_cache: { args: Record<string, never>; result: PdfCacheStatus };
  ship_order: { args: { orderId: string, parcels: Array<TrackingInput>, confirmUnpaid?: boolean | null }; result: EmailOutcome };
  ship_order_untracked: { args: { orderId: string, notify: boolean, confirmUnpaid?: boolean | null }; result: EmailOutcome };
  refund_order: { args: { request: RefundRequest }; result: RefundDone };
  mark_not_sent: { args: { orderId: string }; result: void };
  retry_email: { args: { id: number }; result: OutboxEmail };
  confirm_pickup: { args: { orderId: string, confirmUnpaid?: boolean | null }; result: void };
  send_ready_for_pickup: { args: { orderId: string }; result: EmailOutcome };
  carrier_options: { args: Record<string, never>; result: Array<CarrierOption> };
  suggest_carriers: { args: { number: string }; result: Array<Carrier> };
  tracking_url_for: { args: { input: TrackingInput }; result: string };
  get_custom_carriers: { args: Record<string, never>; result: Array<CustomCarrier> };
  save_custom_carriers: { args: { carriers: Array<CustomCarrier> }; result: Array<CustomCarrier> };
  get_smtp_settings: { args: Record<string, never>; result: SmtpSettingsView };
  save_smtp_settings: { args: { settings: SmtpSettings, password: SmtpPassword }; result: SmtpSettingsView };
  send_test_email: { args: { to: string }; result: void };
  open_tracking_link: { args: { orderId: string, url: string }; result: void };
  packing_lookup: { args: { scan: string }; result: Array<PackMatch> };
  packing_queue: { args: { since: number }; result: PackQueue };
  packing_open: { args: { orderId: string }; result: PackOrder };
  packing_tick: { args: { orderId: string, ticked: Array<number>, scan: string }; result: PackTick };
  packing_override: { args: { orderId: string, ticked: Array<number>, reason: string }; result: void };
  product_codes: { args: Record<string, never>; result: ProductCodes };
  link_product_code: { args: { code: string, productId: string }; result: ProductCodes };
  unlink_product_code: { args: { code: string }; result: ProductCodes };
  save_product_code_keys: { args: { keys: string }; result: ProductCodes };
  print_packing_slip: { args: { orderId: string, lang: string, confirmUnpaid?: boolean | null }; result: PrintedSlip };
  print_packing_slips: { args: { query: OrderQuery, lang: string, confirmUnpaid?: boolean | null }; result: PrintedSlip };
  print_test_page: { args: { printerName: string, lang: string }; result: PrintedSlip };
  get_slip_settings: { args: Record<string, never>; result: SlipSettings };
  save_slip_settings: { args: { settings: SlipSettings }; result: SlipSettings };
  save_slip_pdf: { args: { orderId: string, lang: string }; result: string | null };
  open_log_folder: { args: Record<string, never>; result: void };
};

export type CommandName = keyof Commands;
export type CommandArgs<K extends CommandName> = Commands[K]['args'];
export type CommandResult<K extends CommandName> = Commands[K]['result'];

/** The commands, in the list's order. */
export const COMMAND_NAMES = [
  'startup_failure',
  'open_data_folder',
  'restart_app',
  'quit_app',
  'app_status',
  'connect_stripe',
  'disconnect_stripe',
  'sync_now',
  'list_orders',
  'list_subscriptions',
  'get_settings',
  'save_settings',
  'list_shipping_rates',
  'set_shipping_rate_pickup',
  'sharing_status',
  'retry_sharing',
  'export_settings',
  'import_settings',
  'order_detail',
  'export_orders_csv',
  'save_invoice_pdf',
  'subscription_detail',
  'open_link',
  'export_subscriptions_csv',
  'box_shipments',
  'set_box_shipments',
  'open_invoice_pdf',
  'pdf_cache_status',
  'set_pdf_cache_limit',
  'clear_pdf_cache',
  'ship_order',
  'ship_order_untracked',
  'refund_order',
  'mark_not_sent',
  'retry_email',
  'confirm_pickup',
  'send_ready_for_pickup',
  'carrier_options',
  'suggest_carriers',
  'tracking_url_for',
  'get_custom_carriers',
  'save_custom_carriers',
  'get_smtp_settings',
  'save_smtp_settings',
  'send_test_email',
  'open_tracking_link',
  'packing_lookup',
  'packing_queue',
  'packing_open',
  'packing_tick',
  'packing_override',
  'product_codes',
  'link_product_code',
  'unlink_product_code',
  'save_product_code_keys',
  'print_packing_slip',
  'print_packing_slips',
  'print_test_page',
  'get_slip_settings',
  'save_slip_settings',
  'save_slip_pdf',
  'open_log_folder',
] as const satisfies readonly CommandName[];
