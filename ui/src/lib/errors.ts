// Plain-language text for what went wrong, for toasts and inline messages. Rust sends a problem
// (a code with its parameters, `Problem` in the bindings); the sentence is written here, in the
// merchant's language. The switch is exhaustive: a problem added in Rust and not here fails the
// type check.

import { datetime, money } from './format';
import { i18n, t, type MessageKey } from './i18n/index.svelte';
import { methodName } from './payment';
import type { IpcError } from './ipc/bindings/IpcError';
import type { KeychainReason } from './ipc/bindings/KeychainReason';
import type { MailReason } from './ipc/bindings/MailReason';
import type { Problem } from './ipc/bindings/Problem';
import type { RefundRefusal } from './ipc/bindings/RefundRefusal';
import type { RetryRefusal } from './ipc/bindings/RetryRefusal';
import type { SmtpReason } from './ipc/bindings/SmtpReason';
import type { FulfilmentStep } from './ipc/bindings/FulfilmentStep';
import type { SettingField } from './ipc/bindings/SettingField';
import type { SettingsFileReason } from './ipc/bindings/SettingsFileReason';
import type { TrackingReason } from './ipc/bindings/TrackingReason';
import type { Unsettled } from './ipc/bindings/Unsettled';

const KEYCHAIN: Record<KeychainReason, MessageKey> = {
  no_session_bus: 'problem.keychain.no_session_bus',
  unavailable: 'problem.keychain.unavailable',
  no_default: 'problem.keychain.no_default',
  locked: 'problem.keychain.locked',
  refused: 'problem.keychain.refused',
  failed: 'problem.keychain.failed',
};

const TRACKING: Record<TrackingReason, MessageKey> = {
  empty_number: 'problem.tracking.empty_number',
  number_characters: 'problem.tracking.number_characters',
  number_too_long: 'problem.tracking.number_too_long',
  postcode_required: 'problem.tracking.postcode_required',
  postcode: 'problem.tracking.postcode',
  unknown_custom_carrier: 'problem.tracking.unknown_custom_carrier',
  custom_id: 'problem.tracking.custom_id',
  custom_name: 'problem.tracking.custom_name',
  custom_name_characters: 'problem.tracking.custom_name_characters',
  template_missing_number: 'problem.tracking.template_missing_number',
  template_placeholder: 'problem.tracking.template_placeholder',
  template_not_https: 'problem.tracking.template_not_https',
  empty_url: 'problem.tracking.empty_url',
  url_too_long: 'problem.tracking.url_too_long',
  url_characters: 'problem.tracking.url_characters',
  not_a_web_address: 'problem.tracking.not_a_web_address',
  scheme: 'problem.tracking.scheme',
  no_host: 'problem.tracking.no_host',
  credentials: 'problem.tracking.credentials',
};

const SMTP: Record<SmtpReason, MessageKey> = {
  host_not_found: 'problem.smtp.host_not_found',
  connection_refused: 'problem.smtp.connection_refused',
  timeout: 'problem.smtp.timeout',
  connection_lost: 'problem.smtp.connection_lost',
  tls: 'problem.smtp.tls',
  no_start_tls: 'problem.smtp.no_start_tls',
  authentication_failed: 'problem.smtp.authentication_failed',
  authentication_required: 'problem.smtp.authentication_required',
  no_login_offered: 'problem.smtp.no_login_offered',
  temporarily_rejected: 'problem.smtp.temporarily_rejected',
  rejected: 'problem.smtp.rejected',
  other: 'problem.smtp.other',
};

const MAIL: Record<MailReason, MessageKey> = {
  host_missing: 'problem.mail.host_missing',
  host_not_a_name: 'problem.mail.host_not_a_name',
  port_zero: 'problem.mail.port_zero',
  sender_missing: 'problem.mail.sender_missing',
  sender_invalid: 'problem.mail.sender_invalid',
  reply_to_invalid: 'problem.mail.reply_to_invalid',
  sender_name_lines: 'problem.mail.sender_name_lines',
  address_invalid: 'problem.mail.address_invalid',
  tls_setup: 'problem.mail.tls_setup',
  not_built: 'problem.mail.not_built',
  password_missing: 'problem.mail.password_missing',
  new_password_empty: 'problem.mail.new_password_empty',
};

const RETRY: Record<RetryRefusal, MessageKey> = {
  already_sent: 'problem.retry.already_sent',
  being_sent: 'problem.retry.being_sent',
  cancelled: 'problem.retry.cancelled',
  queued_elsewhere: 'problem.retry.queued_elsewhere',
};

const REFUND: Record<RefundRefusal, MessageKey> = {
  unknown_line: 'problem.refund.unknown_line',
  no_amount: 'problem.refund.no_amount',
  malformed: 'problem.refund.malformed',
  no_payment: 'problem.refund.no_payment',
  not_paid: 'problem.refund.not_paid',
};

const STEP: Record<FulfilmentStep, MessageKey> = {
  ship: 'problem.step.ship',
  mark_not_sent: 'problem.step.mark_not_sent',
  pick_up: 'problem.step.pick_up',
  announce_ready: 'problem.step.announce_ready',
};

const SETTINGS_FILE: Record<SettingsFileReason, MessageKey> = {
  unreadable: 'problem.settings_file.unreadable',
  too_large: 'problem.settings_file.too_large',
  not_settings: 'problem.settings_file.not_settings',
  newer_version: 'problem.settings_file.newer_version',
  unknown_field: 'problem.settings_file.unknown_field',
  has_secret: 'problem.settings_file.has_secret',
};

const FIELD: Record<SettingField, MessageKey> = {
  station_name: 'settings.station',
  staff_name: 'settings.staff',
};

const STATUS: Record<string, MessageKey> = {
  to_be_sent: 'status.to_be_sent',
  sent: 'status.sent',
  to_be_picked_up: 'status.to_be_picked_up',
  picked_up: 'status.picked_up',
};

function unreachable(p: never): never {
  throw new Error(`No sentence for the problem ${JSON.stringify(p)}`);
}

/** Why an order is not paid, as the middle of a sentence ("the payment is still processing"). */
export function unsettledText(u: Unsettled): string {
  switch (u.state) {
    case 'processing':
      return u.method
        ? t('problem.unsettled.processing', { method: methodName(u.method, t) })
        : t('problem.unsettled.processing_no_method');
    case 'failed':
      return u.failure ? t('problem.unsettled.failed', { failure: u.failure }) : t('problem.unsettled.failed_no_reason');
    case 'refunded':
      return t('problem.unsettled.refunded');
    case 'disputed':
      return t('problem.unsettled.disputed');
    case 'dispute_lost':
      return t('problem.unsettled.dispute_lost');
    default:
      return unreachable(u);
  }
}

/** The sentence for a problem, in the merchant's language, with its parameters. */
export function problemText(p: Problem): string {
  switch (p.code) {
    case 'key_not_stripe':
      return t('problem.key_not_stripe');
    case 'key_refused':
      return t('problem.key_refused', { said: p.stripe_says });
    case 'key_missing_permission':
      return p.permission
        ? t('problem.key_missing_permission', { permission: p.permission })
        : t('problem.key_missing_permission_unnamed');
    case 'key_account_unknown':
      return t('problem.key_account_unknown');
    case 'refund_not_permitted':
      return p.permission
        ? t('problem.refund_not_permitted', { permission: p.permission })
        : t('problem.refund_not_permitted_unnamed');
    case 'keychain':
      return t(KEYCHAIN[p.reason]);
    case 'stripe_unreachable':
      return t('problem.stripe_unreachable');
    case 'stripe_rate_limited':
      return t('problem.stripe_rate_limited');
    case 'stripe_refused':
      return t('problem.stripe_refused', { status: String(p.status), said: p.stripe_says });
    case 'stripe_not_found':
      return t('problem.stripe_not_found');
    case 'stripe_unexpected':
      return t('problem.stripe_unexpected');
    case 'stripe_address_refused':
      return t('problem.stripe_address_refused');
    case 'not_found':
      return t('problem.not_found', { what: p.what });
    case 'sync_busy':
      return t('problem.sync_busy');
    case 'tracking_invalid':
      return t(TRACKING[p.reason], { value: p.value ?? '' });
    case 'tracking_link_unknown':
      return t('problem.tracking_link_unknown');
    case 'tracking_missing':
      return t('problem.tracking_missing');
    case 'carrier_duplicate_id':
      return t('problem.carrier_duplicate_id', { id: p.id });
    case 'staff_name_missing':
      return t('problem.staff_name_missing');
    case 'no_parcel':
      return t('problem.no_parcel');
    case 'wrong_status': {
      const status = STATUS[p.status];
      return t('problem.wrong_status', { status: status ? t(status) : p.status, step: t(STEP[p.step]) });
    }
    case 'search_too_long':
      return t('problem.search_too_long', { max: String(p.max) });
    case 'setting_too_long':
      return t('problem.setting_too_long', { field: t(FIELD[p.field]), max: String(p.max) });
    case 'unknown_language':
      return t('problem.unknown_language', { value: p.value });
    case 'sync_interval_out_of_range':
      return t('problem.sync_interval_out_of_range', { value: String(p.value), min: String(p.min), max: String(p.max) });
    case 'settings_file_refused':
      return t('problem.settings_file.nothing_changed', {
        reason: t(SETTINGS_FILE[p.reason], { detail: p.detail ?? '' }),
      });
    case 'print_too_many':
      return t('problem.print_too_many', { count: String(p.count), max: String(p.max) });
    case 'print_nothing':
      return t('problem.print_nothing');
    case 'smtp_not_configured':
      return t('problem.smtp_not_configured');
    case 'smtp_failed': {
      const sentence = t(SMTP[p.reason], { host: p.host, port: String(p.port) });
      return p.reply ? `${sentence} ${t('problem.smtp.server_said', { reply: p.reply })}` : sentence;
    }
    case 'printer_name':
      return t('problem.printer_name', { name: p.name });
    case 'no_print_system':
      return t('problem.no_print_system');
    case 'print_failed':
      return t('problem.print_failed', { detail: p.detail });
    case 'print_timed_out':
      return t('problem.print_timed_out', { seconds: p.seconds });
    case 'payment_not_settled':
      return t('problem.payment_not_settled', { reason: unsettledText(p.reason) });
    case 'unpaid_in_list':
      return t('problem.unpaid_in_list', { count: p.count });
    case 'refund_in_demo':
      return t('problem.refund_in_demo');
    case 'refund_offline':
      return t('problem.refund_offline');
    case 'no_invoice':
      return t('problem.no_invoice');
    case 'no_invoice_pdf':
      return t('problem.no_invoice_pdf');
    case 'pdf_link_refused':
      return t('problem.pdf_link_refused');
    case 'pdf_not_a_pdf':
      return t('problem.pdf_not_a_pdf', { detail: p.detail });
    case 'pdf_no_file_name':
      return t('problem.pdf_no_file_name');
    case 'cannot_write':
      return t('problem.cannot_write', { path: p.path });
    case 'mail_invalid':
      return t(MAIL[p.reason], { value: p.value ?? '' });
    case 'retry_refused':
      return t(RETRY[p.reason]);
    case 'email_failed_earlier':
      return t('problem.email_failed_earlier');
    case 'refund_invalid':
      return t(REFUND[p.reason]);
    case 'refund_too_many_units':
      return t('problem.refund_too_many_units', { line: p.line, count: p.on_order, asked: String(p.asked) });
    case 'refund_too_much':
      return t('problem.refund_too_much', { amount: money(p.amount, p.currency, i18n.locale) });
    case 'save_dialog_failed':
      return t('problem.save_dialog_failed');
    case 'save_location_refused':
      return t('problem.save_location_refused');
    case 'no_export_folder':
      return t('problem.no_export_folder');
    case 'browser_not_opened':
      return t('problem.browser_not_opened');
    case 'folder_not_opened':
      return t('problem.folder_not_opened', { path: p.path });
    case 'link_refused':
      return p.host ? t('problem.link_refused', { host: p.host }) : t('problem.link_refused_no_host');
    case 'files_address_refused':
      return t('problem.files_address_refused');
    case 'invalid':
      return p.message;
    case 'internal':
      return t('problem.internal');
    case 'already_done_elsewhere': {
      const who =
        p.staff && p.station
          ? t('problem.who_at', { staff: p.staff, station: p.station })
          : (p.staff ?? p.station ?? t('problem.another_station'));
      const key = p.status === 'picked_up' ? 'problem.already_picked_up' : 'problem.already_sent';
      return t(key, { who, at: datetime(p.at, i18n.locale) });
    }
    case 'sharing_not_permitted':
      return p.permission
        ? t('problem.sharing_not_permitted', { permission: p.permission })
        : t('problem.sharing_not_permitted_unnamed');
    case 'sharing_in_demo':
      return t('problem.sharing_in_demo');
    case 'shared_state_too_large':
      return t('problem.shared_state_too_large', { parcels: String(p.parcels) });
    default:
      return unreachable(p);
  }
}

/** The sentence for a failed command. */
export function errorText(error: IpcError): string {
  return problemText(error.problem);
}
