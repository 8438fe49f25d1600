// The one door to the Rust side. Every command the UI calls is typed here, against the command
// list generated from Rust (./bindings/commands.ts, from src-tauri/commands/list.rs): a command's
// name, arguments and result come from there. Screens never call `invoke` directly.

import type { AccountInfo } from './bindings/AccountInfo';
import type { AppStatus } from './bindings/AppStatus';
import type { ErrorCode } from './bindings/ErrorCode';
import type { IpcError } from './bindings/IpcError';
import type { OrderDetail } from './bindings/OrderDetail';
import type { OrderPage } from './bindings/OrderPage';
import type { OrderQuery } from './bindings/OrderQuery';
import type { PdfCacheStatus } from './bindings/PdfCacheStatus';
import type { RefundDone } from './bindings/RefundDone';
import type { RefundRequest } from './bindings/RefundRequest';
import type { SavedPdf } from './bindings/SavedPdf';
import type { Settings } from './bindings/Settings';
import type { ShippingRate } from './bindings/ShippingRate';
import type { BoxShipments } from './bindings/BoxShipments';
import type { SharingStatus } from './bindings/SharingStatus';
import type { SubscriptionDetail } from './bindings/SubscriptionDetail';
import type { SubscriptionPage } from './bindings/SubscriptionPage';
import type { SubscriptionQuery } from './bindings/SubscriptionQuery';
import type { SyncProgress } from './bindings/SyncProgress';
import type { SyncReport } from './bindings/SyncReport';

export type {
  AccountInfo,
  AppStatus,
  ErrorCode,
  IpcError,
  OrderDetail,
  OrderPage,
  OrderQuery,
  PdfCacheStatus,
  SavedPdf,
  Settings,
  ShippingRate,
  SubscriptionDetail,
  SubscriptionPage,
  SubscriptionQuery,
  SyncProgress,
  SyncReport,
};
export type { BoxShipments } from './bindings/BoxShipments';
export type { Counts } from './bindings/Counts';
export type { DataSource } from './bindings/DataSource';
export type { DeliveryKind } from './bindings/DeliveryKind';
export type { FulfilmentStatus } from './bindings/FulfilmentStatus';
export type { OrderRow } from './bindings/OrderRow';
export type { Order } from './bindings/Order';
export type { OrderCounts } from './bindings/OrderCounts';
export type { OrderFulfilment } from './bindings/OrderFulfilment';
export type { OrderLink } from './bindings/OrderLink';
export type { OrderSort } from './bindings/OrderSort';
export type { OrderQueue } from './bindings/OrderQueue';
export type { OrderPayment } from './bindings/OrderPayment';
export type { PaymentState } from './bindings/PaymentState';
export type { DisputeSummary } from './bindings/DisputeSummary';
export type { RefundDone } from './bindings/RefundDone';
export type { RefundLine } from './bindings/RefundLine';
export type { RefundReason } from './bindings/RefundReason';
export type { RefundRequest } from './bindings/RefundRequest';
export type { LinkUnavailable } from './bindings/LinkUnavailable';
export type { StripeMode } from './bindings/StripeMode';
export type { Invoice } from './bindings/Invoice';
export type { PaymentMethodSummary } from './bindings/PaymentMethodSummary';
export type { SubscriptionCounts } from './bindings/SubscriptionCounts';
export type { SubscriptionFilter } from './bindings/SubscriptionFilter';
export type { SubscriptionRow } from './bindings/SubscriptionRow';
export type { SubscriptionSort } from './bindings/SubscriptionSort';
export type { SubscriptionState } from './bindings/SubscriptionState';
export type { UpcomingInvoice } from './bindings/UpcomingInvoice';
export type { SyncStage } from './bindings/SyncStage';
export type { AuditEntry } from './bindings/AuditEntry';
export type { Carrier } from './bindings/Carrier';
export type { CarrierOption } from './bindings/CarrierOption';
export type { CustomCarrier } from './bindings/CustomCarrier';
export type { EmailOutcome } from './bindings/EmailOutcome';
export type { OutboxEmail } from './bindings/OutboxEmail';
export type { OutboxState } from './bindings/OutboxState';
export type { SmtpPassword } from './bindings/SmtpPassword';
export type { SmtpSecurity } from './bindings/SmtpSecurity';
export type { SmtpSettings } from './bindings/SmtpSettings';
export type { SmtpSettingsView } from './bindings/SmtpSettingsView';
export type { TrackingInput } from './bindings/TrackingInput';
export type { PrintedSlip } from './bindings/PrintedSlip';
export type { SlipFormat } from './bindings/SlipFormat';
export type { SlipLayout } from './bindings/SlipLayout';
export type { SlipSettings } from './bindings/SlipSettings';
export type { StartupFailure } from './bindings/StartupFailure';
export type { StartupFailureKind } from './bindings/StartupFailureKind';
export type { BackgroundSync } from './bindings/BackgroundSync';
export type { ImportReport } from './bindings/ImportReport';
export type { SettingsPart } from './bindings/SettingsPart';
import type { Carrier } from './bindings/Carrier';
import type { CarrierOption } from './bindings/CarrierOption';
import type { CustomCarrier } from './bindings/CustomCarrier';
import type { EmailOutcome } from './bindings/EmailOutcome';
import type { OutboxEmail } from './bindings/OutboxEmail';
import type { SmtpPassword } from './bindings/SmtpPassword';
import type { SmtpSettings } from './bindings/SmtpSettings';
import type { SmtpSettingsView } from './bindings/SmtpSettingsView';
import type { TrackingInput } from './bindings/TrackingInput';
import type { PrintedSlip } from './bindings/PrintedSlip';
import type { SlipSettings } from './bindings/SlipSettings';
import type { StartupFailure } from './bindings/StartupFailure';
import type { BackgroundSync } from './bindings/BackgroundSync';
import type { ImportReport } from './bindings/ImportReport';
import type { CommandArgs, CommandName, CommandResult } from './bindings/commands';
import { loadBackend } from './backend';
import type { Backend, Unlisten } from './types';

export type { Backend, Unlisten } from './types';
export type { CommandArgs, CommandName, CommandResult } from './bindings/commands';

export const SYNC_PROGRESS_EVENT = 'sync-progress';
/** Each pass of the background sync (README: Background sync): quiet, no progress bar. */
export const BACKGROUND_SYNC_EVENT = 'background-sync';

// A record, not a list: a code added in Rust (ts-rs regenerates `ErrorCode`) and not here fails
// the type check instead of turning into "internal".
const ERROR_CODES: Record<ErrorCode, true> = {
  invalid_key: true,
  keychain: true,
  network: true,
  stripe: true,
  not_found: true,
  invalid_input: true,
  busy: true,
  printer: true,
  payment_not_settled: true,
  permission: true,
  internal: true,
};

/** What the window says when a rejection is not one of ours (a bare string from Tauri itself). */
function unexpected(text: string): IpcError {
  return { code: 'internal', problem: text ? { code: 'invalid', message: text } : { code: 'internal' } };
}

/**
 * Turns whatever a rejected command gave into an `IpcError`. Our commands reject with
 * `{ code, problem }`; Tauri itself rejects with a bare string (unknown command, bad arguments).
 */
export function toIpcError(error: unknown): IpcError {
  if (isIpcError(error)) {
    return Object.hasOwn(ERROR_CODES, error.code) ? error : { code: 'internal', problem: error.problem };
  }
  if (typeof error === 'string') return unexpected(error);
  if (error instanceof Error) return unexpected(error.message);
  return unexpected(String(error));
}

export function isIpcError(error: unknown): error is IpcError {
  if (typeof error !== 'object' || error === null) return false;
  const { code, problem } = error as { code?: unknown; problem?: unknown };
  return (
    typeof code === 'string' &&
    typeof problem === 'object' &&
    problem !== null &&
    typeof (problem as { code?: unknown }).code === 'string'
  );
}

let backendPromise: Promise<Backend> | null = null;

function backend(): Promise<Backend> {
  backendPromise ??= loadBackend();
  return backendPromise;
}

/** A command without arguments may be called without them. */
type ArgsParam<K extends CommandName> =
  Record<string, never> extends CommandArgs<K> ? [args?: CommandArgs<K>] : [args: CommandArgs<K>];

async function call<K extends CommandName>(cmd: K, ...args: ArgsParam<K>): Promise<CommandResult<K>> {
  const b = await backend();
  try {
    return await b.invoke(cmd, args[0] ?? ({} as CommandArgs<K>));
  } catch (error) {
    throw toIpcError(error);
  }
}

/** Why Comptoir could not open its data at start-up, or `null` when it did: asked first. */
export function startupFailure(): Promise<StartupFailure | null> {
  return call('startup_failure');
}

/** Opens the data folder (where a damaged file was kept aside) in the file manager. */
export function openDataFolder(): Promise<void> {
  return call('open_data_folder');
}

/** Opens the log folder (`logs/` in the data folder) in the file manager: Settings → About. */
export function openLogFolder(): Promise<void> {
  return call('open_log_folder');
}

export function restartApp(): Promise<void> {
  return call('restart_app');
}

export function quitApp(): Promise<void> {
  return call('quit_app');
}

export function appStatus(): Promise<AppStatus> {
  return call('app_status');
}

/** Sends the pasted key once. The caller clears its copy right away and never keeps it. */
export function connectStripe(key: string): Promise<AccountInfo> {
  return call('connect_stripe', { key });
}

export function disconnectStripe(): Promise<void> {
  return call('disconnect_stripe');
}

export function syncNow(): Promise<SyncReport> {
  return call('sync_now');
}

export function listOrders(query: OrderQuery): Promise<OrderPage> {
  return call('list_orders', { query });
}

/** Everything the order detail shows, from the local cache. */
export function orderDetail(id: string): Promise<OrderDetail> {
  return call('order_detail', { id });
}

/** Writes the current view of the orders table to a CSV file; resolves to its path. */
export function exportOrdersCsv(query: OrderQuery): Promise<string> {
  return call('export_orders_csv', { query });
}

/** Exports the subscriptions table's current view (with shipping addresses); resolves to the file's path. */
export function exportSubscriptionsCsv(query: SubscriptionQuery): Promise<string> {
  return call('export_subscriptions_csv', { query });
}

/**
 * "Save PDF…": Rust shows a save dialog, downloads the order's invoice PDF from Stripe and
 * writes it there. Resolves to where it was saved, or `null` when the merchant cancels.
 */
export function saveInvoicePdf(orderId: string): Promise<SavedPdf | null> {
  return call('save_invoice_pdf', { orderId });
}

/** Prints the order's packing slip (in `lang`) on the printer chosen in Settings. */
export function printPackingSlip(orderId: string, lang: string, confirmUnpaid = false): Promise<PrintedSlip> {
  return call('print_packing_slip', { orderId, lang, confirmUnpaid });
}

/** Prints a test page on `printerName` (as typed in Settings; empty for the default printer). */
export function printTestPage(printerName: string, lang: string): Promise<PrintedSlip> {
  return call('print_test_page', { printerName, lang });
}

/** How this station prints its packing slips: PDF or text, and the PDF's layout. */
export function getSlipSettings(): Promise<SlipSettings> {
  return call('get_slip_settings', {});
}

export function saveSlipSettings(settings: SlipSettings): Promise<SlipSettings> {
  return call('save_slip_settings', { settings });
}

/**
 * "Save slip PDF…": Rust shows a save dialog and writes the order's PDF slip (in `lang`, in
 * this station's layout) there. Resolves to the file's path, or `null` when cancelled.
 */
export function saveSlipPdf(orderId: string, lang: string): Promise<string | null> {
  return call('save_slip_pdf', { orderId, lang });
}

/**
 * Prints the slips of every order in a view of the table (at most 200), one per page. With
 * orders that are not paid in the view, Rust refuses (`payment_not_settled`) unless
 * `confirmUnpaid` says the merchant agreed.
 */
export function printPackingSlips(query: OrderQuery, lang: string, confirmUnpaid = false): Promise<PrintedSlip> {
  return call('print_packing_slips', { query, lang, confirmUnpaid });
}

export function listSubscriptions(query: SubscriptionQuery): Promise<SubscriptionPage> {
  return call('list_subscriptions', { query });
}

/** `refresh` asks Stripe for the upcoming charge; without it only the local cache is read. */
export function subscriptionDetail(id: string, refresh: boolean): Promise<SubscriptionDetail> {
  return call('subscription_detail', { id, refresh });
}

/** Opens a Stripe link in the system browser; Rust refuses anything but https Stripe hosts. */
export function openLink(url: string): Promise<void> {
  return call('open_link', { url });
}

/**
 * Opens an invoice's PDF by the invoice's id: the copy kept on this computer in the PDF viewer,
 * else Stripe's link in the browser; offline with no copy, Rust refuses (`pdf_not_downloaded`).
 */
export function openInvoicePdf(invoiceId: string): Promise<void> {
  return call('open_invoice_pdf', { invoiceId });
}

/** What the offline PDF cache holds (Settings). */
export function pdfCacheStatus(): Promise<PdfCacheStatus> {
  return call('pdf_cache_status');
}

/** Sets the offline PDF cache's size limit in MB (0 keeps none). */
export function setPdfCacheLimit(megabytes: number): Promise<PdfCacheStatus> {
  return call('set_pdf_cache_limit', { megabytes });
}

/** Removes the invoice PDFs kept on this computer. */
export function clearPdfCache(): Promise<PdfCacheStatus> {
  return call('clear_pdf_cache');
}

export function getSettings(): Promise<Settings> {
  return call('get_settings');
}

export function saveSettings(settings: Settings): Promise<Settings> {
  return call('save_settings', { settings });
}

/** "Export settings": Rust shows a save dialog and writes the file; resolves to its path, or `null` when cancelled. */
export function exportSettings(): Promise<string | null> {
  return call('export_settings');
}

/** "Import settings": Rust shows an open dialog, checks the file whole and applies it; `null` when cancelled. */
export function importSettings(): Promise<ImportReport | null> {
  return call('import_settings');
}

export function listShippingRates(): Promise<ShippingRate[]> {
  return call('list_shipping_rates');
}

export function setShippingRatePickup(id: string, isPickup: boolean): Promise<ShippingRate[]> {
  return call('set_shipping_rate_pickup', { id, isPickup });
}

/** Whether this station shares its fulfilment state through Stripe (README: Stations). */
export function sharingStatus(): Promise<SharingStatus> {
  return call('sharing_status');
}

/** "Check again" after the key was given write access. */
export function retrySharing(): Promise<SharingStatus> {
  return call('retry_sharing');
}

/** Whether paid cycles of shippable subscriptions become orders (README: Subscription boxes). */
export function boxShipments(): Promise<BoxShipments> {
  return call('box_shipments');
}

/** Turns subscription shipments on or off. */
export function setBoxShipments(on: boolean): Promise<BoxShipments> {
  return call('set_box_shipments', { on });
}

/**
 * "Send shipping email": records the parcels, moves the order to Sent, queues the email. An
 * order that is not paid is refused (`payment_not_settled`) unless `confirmUnpaid`.
 */
export function shipOrder(orderId: string, parcels: TrackingInput[], confirmUnpaid = false): Promise<EmailOutcome> {
  return call('ship_order', { orderId, parcels, confirmUnpaid });
}

/** "Sent without tracking" (a letter, a hand delivery); `notify` emails the customer. */
export function shipOrderUntracked(orderId: string, notify: boolean, confirmUnpaid = false): Promise<EmailOutcome> {
  return call('ship_order_untracked', { orderId, notify, confirmUnpaid });
}

/**
 * "Refund": through Stripe's Refunds API. Keep one `idempotency_key` for every click of one
 * refund (the dialog makes it), so a retried click never refunds twice.
 */
export function refundOrder(request: RefundRequest): Promise<RefundDone> {
  return call('refund_order', { request });
}

export function markNotSent(orderId: string): Promise<void> {
  return call('mark_not_sent', { orderId });
}

/**
 * "Retry now" on an order's email (failed, or waiting for its next attempt): queued again, due
 * now, with the same Message-ID; Rust wakes the mail worker. Refused for an email sent, being
 * sent or cancelled.
 */
export function retryEmail(id: number): Promise<OutboxEmail> {
  return call('retry_email', { id });
}

export function confirmPickup(orderId: string, confirmUnpaid = false): Promise<void> {
  return call('confirm_pickup', { orderId, confirmUnpaid });
}

export function sendReadyForPickup(orderId: string): Promise<EmailOutcome> {
  return call('send_ready_for_pickup', { orderId });
}

export function carrierOptions(): Promise<CarrierOption[]> {
  return call('carrier_options');
}

export function suggestCarriers(number: string): Promise<Carrier[]> {
  return call('suggest_carriers', { number });
}

export function trackingUrlFor(input: TrackingInput): Promise<string> {
  return call('tracking_url_for', { input });
}

/** Opens one of the order's saved tracking links in the browser (checked again in Rust). */
export function openTrackingLink(orderId: string, url: string): Promise<void> {
  return call('open_tracking_link', { orderId, url });
}

export function getCustomCarriers(): Promise<CustomCarrier[]> {
  return call('get_custom_carriers');
}

export function saveCustomCarriers(carriers: CustomCarrier[]): Promise<CustomCarrier[]> {
  return call('save_custom_carriers', { carriers });
}

export function getSmtpSettings(): Promise<SmtpSettingsView> {
  return call('get_smtp_settings');
}

/** `password` null keeps the stored one; it is never sent back. */
/** Saves the settings; `password` keeps, replaces or removes the one in the keychain. */
export function saveSmtpSettings(settings: SmtpSettings, password: SmtpPassword): Promise<SmtpSettingsView> {
  return call('save_smtp_settings', { settings, password });
}

export function sendTestEmail(to: string): Promise<void> {
  return call('send_test_email', { to });
}

export async function onSyncProgress(handler: (progress: SyncProgress) => void): Promise<Unlisten> {
  const b = await backend();
  return b.listen<SyncProgress>(SYNC_PROGRESS_EVENT, handler);
}

export async function onBackgroundSync(handler: (pass: BackgroundSync) => void): Promise<Unlisten> {
  const b = await backend();
  return b.listen<BackgroundSync>(BACKGROUND_SYNC_EVENT, handler);
}

/**
 * Every command of the list (./bindings/commands.ts, generated from src-tauri/commands/list.rs)
 * with its function above: a command missing here, unknown to the list, or whose function
 * resolves to another type fails `npm run check`.
 */
export const client = {
  startup_failure: startupFailure,
  open_data_folder: openDataFolder,
  open_log_folder: openLogFolder,
  restart_app: restartApp,
  quit_app: quitApp,
  app_status: appStatus,
  connect_stripe: connectStripe,
  disconnect_stripe: disconnectStripe,
  sync_now: syncNow,
  list_orders: listOrders,
  list_subscriptions: listSubscriptions,
  get_settings: getSettings,
  save_settings: saveSettings,
  list_shipping_rates: listShippingRates,
  set_shipping_rate_pickup: setShippingRatePickup,
  export_settings: exportSettings,
  import_settings: importSettings,
  sharing_status: sharingStatus,
  retry_sharing: retrySharing,
  box_shipments: boxShipments,
  set_box_shipments: setBoxShipments,
  order_detail: orderDetail,
  export_orders_csv: exportOrdersCsv,
  save_invoice_pdf: saveInvoicePdf,
  subscription_detail: subscriptionDetail,
  open_link: openLink,
  export_subscriptions_csv: exportSubscriptionsCsv,
  open_invoice_pdf: openInvoicePdf,
  pdf_cache_status: pdfCacheStatus,
  set_pdf_cache_limit: setPdfCacheLimit,
  clear_pdf_cache: clearPdfCache,
  ship_order: shipOrder,
  ship_order_untracked: shipOrderUntracked,
  refund_order: refundOrder,
  mark_not_sent: markNotSent,
  retry_email: retryEmail,
  confirm_pickup: confirmPickup,
  send_ready_for_pickup: sendReadyForPickup,
  carrier_options: carrierOptions,
  suggest_carriers: suggestCarriers,
  tracking_url_for: trackingUrlFor,
  get_custom_carriers: getCustomCarriers,
  save_custom_carriers: saveCustomCarriers,
  get_smtp_settings: getSmtpSettings,
  save_smtp_settings: saveSmtpSettings,
  send_test_email: sendTestEmail,
  open_tracking_link: openTrackingLink,
  print_packing_slip: printPackingSlip,
  print_packing_slips: printPackingSlips,
  print_test_page: printTestPage,
  packing_lookup: packingLookup,
  packing_queue: packingQueue,
  packing_open: packingOpen,
  packing_tick: packingTick,
  packing_override: packingOverride,
  product_codes: productCodes,
  link_product_code: linkProductCode,
  unlink_product_code: unlinkProductCode,
  save_product_code_keys: saveProductCodeKeys,
  get_slip_settings: getSlipSettings,
  save_slip_settings: saveSlipSettings,
  save_slip_pdf: saveSlipPdf,
} satisfies { [K in CommandName]: (...args: never[]) => Promise<CommandResult<K>> };

// Packing mode and Settings → Product codes (README: Packing mode).
export type { PackLine } from './bindings/PackLine';
export type { PackMatch } from './bindings/PackMatch';
export type { PackMatchKind } from './bindings/PackMatchKind';
export type { PackOrder } from './bindings/PackOrder';
export type { PackQueue } from './bindings/PackQueue';
export type { PackTick } from './bindings/PackTick';
export type { ProductCodes } from './bindings/ProductCodes';
export type { ProductSummary } from './bindings/ProductSummary';
export type { LinkedCode } from './bindings/LinkedCode';

/** The orders a scan names (order, invoice, Checkout Session or tracking number, exactly). */
export function packingLookup(scan: string) {
  return call('packing_lookup', { scan });
}

/** The bench's queue; `since` is the local midnight (Unix seconds) "packed today" counts from. */
export function packingQueue(since: number) {
  return call('packing_queue', { since });
}

/** An order on the bench: its detail and its lines with pictures and codes. */
export function packingOpen(orderId: string) {
  return call('packing_open', { orderId });
}

/** Ticks a unit for a scanned code or a typed line number; refused when wrong or one too many. */
export function packingTick(orderId: string, ticked: number[], scan: string) {
  return call('packing_tick', { orderId, ticked, scan });
}

/** "Packed" with items missing: recorded in the order's history with the reason. */
export function packingOverride(orderId: string, ticked: number[], reason: string) {
  return call('packing_override', { orderId, ticked, reason });
}

export function productCodes() {
  return call('product_codes');
}

export function linkProductCode(code: string, productId: string) {
  return call('link_product_code', { code, productId });
}

export function unlinkProductCode(code: string) {
  return call('unlink_product_code', { code });
}

export function saveProductCodeKeys(keys: string) {
  return call('save_product_code_keys', { keys });
}
