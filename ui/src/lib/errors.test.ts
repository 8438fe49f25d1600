// Every problem Rust can send reads as a sentence in both languages, with its parameters, and
// a French screen never shows the English sentence.
import { afterEach, describe, expect, it } from 'vitest';
import { problemText } from './errors';
import { i18n } from './i18n/index.svelte';
import type { Problem } from './ipc/bindings/Problem';

// One example of each problem: a `Record` over the codes, so a problem added in Rust and not
// here fails the type check.
const EXAMPLES: { [C in Problem['code']]: Extract<Problem, { code: C }> } = {
  key_not_stripe: { code: 'key_not_stripe' },
  key_refused: { code: 'key_refused', stripe_says: 'Invalid API Key provided: sk_test_****1234' },
  key_missing_permission: { code: 'key_missing_permission', permission: 'rak_checkout_session_read' },
  key_account_unknown: { code: 'key_account_unknown' },
  refund_not_permitted: { code: 'refund_not_permitted', permission: 'rak_refund_write' },
  keychain: { code: 'keychain', reason: 'locked' },
  stripe_unreachable: { code: 'stripe_unreachable' },
  stripe_rate_limited: { code: 'stripe_rate_limited' },
  stripe_refused: { code: 'stripe_refused', status: 400, stripe_says: 'No such price' },
  stripe_not_found: { code: 'stripe_not_found' },
  stripe_unexpected: { code: 'stripe_unexpected' },
  stripe_address_refused: { code: 'stripe_address_refused' },
  not_found: { code: 'not_found', what: 'cs_test_42' },
  sync_busy: { code: 'sync_busy' },
  tracking_invalid: { code: 'tracking_invalid', reason: 'scheme', value: 'javascript' },
  tracking_link_unknown: { code: 'tracking_link_unknown' },
  tracking_missing: { code: 'tracking_missing' },
  carrier_duplicate_id: { code: 'carrier_duplicate_id', id: 'velo-42' },
  staff_name_missing: { code: 'staff_name_missing' },
  no_parcel: { code: 'no_parcel' },
  wrong_status: { code: 'wrong_status', status: 'sent', step: 'ship' },
  search_too_long: { code: 'search_too_long', max: 200 },
  setting_too_long: { code: 'setting_too_long', field: 'staff_name', max: 80 },
  unknown_language: { code: 'unknown_language', value: 'de' },
  sync_interval_out_of_range: { code: 'sync_interval_out_of_range', value: 90, min: 5, max: 60 },
  settings_file_refused: { code: 'settings_file_refused', reason: 'has_secret', detail: 'smtp.password' },
  print_too_many: { code: 'print_too_many', count: 240, max: 200 },
  print_nothing: { code: 'print_nothing' },
  smtp_not_configured: { code: 'smtp_not_configured' },
  smtp_failed: { code: 'smtp_failed', reason: 'connection_refused', host: 'smtp.example.test', port: 2525, reply: null },
  printer_name: { code: 'printer_name', name: 'bad name' },
  no_print_system: { code: 'no_print_system' },
  print_failed: { code: 'print_failed', detail: 'lp: Error - The printer or class does not exist.' },
  print_timed_out: { code: 'print_timed_out', seconds: 30 },
  payment_not_settled: { code: 'payment_not_settled', reason: { state: 'failed', failure: 'Your card has insufficient funds.' } },
  unpaid_in_list: { code: 'unpaid_in_list', count: 3 },
  refund_in_demo: { code: 'refund_in_demo' },
  refund_offline: { code: 'refund_offline' },
  no_invoice: { code: 'no_invoice' },
  no_invoice_pdf: { code: 'no_invoice_pdf' },
  pdf_link_refused: { code: 'pdf_link_refused' },
  pdf_not_a_pdf: { code: 'pdf_not_a_pdf', detail: 'HTTP 404' },
  pdf_no_file_name: { code: 'pdf_no_file_name' },
  cannot_write: { code: 'cannot_write', path: '/home/camille/Exports/orders.csv' },
  mail_invalid: { code: 'mail_invalid', reason: 'sender_invalid', value: 'boutique.example.com' },
  retry_refused: { code: 'retry_refused', reason: 'already_sent' },
  email_failed_earlier: { code: 'email_failed_earlier' },
  refund_invalid: { code: 'refund_invalid', reason: 'no_amount' },
  refund_too_many_units: { code: 'refund_too_many_units', line: 'Miel de lavande', on_order: 2, asked: 3 },
  refund_too_much: { code: 'refund_too_much', amount: 590, currency: 'eur' },
  save_dialog_failed: { code: 'save_dialog_failed' },
  save_location_refused: { code: 'save_location_refused' },
  no_export_folder: { code: 'no_export_folder' },
  browser_not_opened: { code: 'browser_not_opened' },
  folder_not_opened: { code: 'folder_not_opened', path: '/home/camille/.local/share/app.comptoir.desktop/logs' },
  link_refused: { code: 'link_refused', host: 'evil.example' },
  files_address_refused: { code: 'files_address_refused' },
  invalid: { code: 'invalid', message: 'Pick a carrier' },
  internal: { code: 'internal' },
  already_done_elsewhere: { code: 'already_done_elsewhere', status: 'sent', staff: 'Camille', station: 'Atelier', at: 1764770580 },
  sharing_not_permitted: { code: 'sharing_not_permitted', permission: 'rak_invoice_write' },
  sharing_in_demo: { code: 'sharing_in_demo' },
  shared_state_too_large: { code: 'shared_state_too_large', parcels: 240 },
};

// The parameters each sentence must quote.
const QUOTES: Partial<Record<Problem['code'], string[]>> = {
  key_refused: ['Invalid API Key provided'],
  key_missing_permission: ['rak_checkout_session_read'],
  refund_not_permitted: ['rak_refund_write'],
  stripe_refused: ['400', 'No such price'],
  not_found: ['cs_test_42'],
  tracking_invalid: ['javascript'],
  carrier_duplicate_id: ['velo-42'],
  smtp_failed: ['smtp.example.test', '2525'],
  search_too_long: ['200'],
  setting_too_long: ['80'],
  unknown_language: ['de'],
  sync_interval_out_of_range: ['90', '5', '60'],
  settings_file_refused: ['smtp.password'],
  print_too_many: ['240', '200'],
  printer_name: ['bad name'],
  print_failed: ['lp: Error'],
  print_timed_out: ['30'],
  stripe_address_refused: ['COMPTOIR_STRIPE_API_BASE'],
  unpaid_in_list: ['3'],
  pdf_not_a_pdf: ['HTTP 404'],
  cannot_write: ['/home/camille/Exports/orders.csv'],
  payment_not_settled: ['Your card has insufficient funds.'],
  mail_invalid: ['boutique.example.com'],
  refund_too_many_units: ['Miel de lavande', '2', '3'],
  link_refused: ['evil.example'],
  folder_not_opened: ['/home/camille/.local/share/app.comptoir.desktop/logs'],
  files_address_refused: ['COMPTOIR_STRIPE_FILES_BASE'],
  already_done_elsewhere: ['Camille', 'Atelier'],
  sharing_not_permitted: ['rak_invoice_write'],
  shared_state_too_large: ['240'],
};

afterEach(() => {
  i18n.preference = null;
});

function say(p: Problem, lang: 'en' | 'fr'): string {
  i18n.preference = lang;
  return problemText(p);
}

describe('problemText', () => {
  for (const p of Object.values(EXAMPLES) as Problem[]) {
    it(`says ${p.code} in both languages, with its parameters`, () => {
      const en = say(p, 'en');
      const fr = say(p, 'fr');
      for (const text of [en, fr]) {
        expect(text.length).toBeGreaterThan(10);
        expect(text).not.toMatch(/\{(?!number\})\w+\}/); // every placeholder filled
        expect(text).not.toContain('problem.'); // a key, not a sentence
        for (const q of QUOTES[p.code] ?? []) expect(text).toContain(q);
      }
      // Only the legacy `invalid` problem carries a sentence written in Rust.
      if (p.code !== 'invalid') expect(fr).not.toBe(en);
    });
  }

  it('names the status and the step in the user\'s language', () => {
    const p: Problem = { code: 'wrong_status', status: 'sent', step: 'ship' };
    expect(say(p, 'en')).toContain('Sent');
    expect(say(p, 'en')).toContain('shipped from To be sent');
    expect(say(p, 'fr')).toContain('Envoyée');
    expect(say(p, 'fr')).not.toContain('shipped');
    const long: Problem = { code: 'setting_too_long', field: 'station_name', max: 80 };
    expect(say(long, 'en')).toContain('Station name');
  });

  it('says why an order is not paid in the user\'s language, naming the method', () => {
    const processing: Problem = { code: 'payment_not_settled', reason: { state: 'processing', method: 'sepa_debit' } };
    expect(say(processing, 'en')).toBe('This order is not paid: the payment is still processing (SEPA Direct Debit). Confirm to go ahead anyway.');
    expect(say(processing, 'fr')).toContain('le paiement est encore en cours (prélèvement SEPA)');
    for (const reason of [
      { state: 'processing', method: null },
      { state: 'failed', failure: null },
      { state: 'refunded' },
      { state: 'disputed' },
      { state: 'dispute_lost' },
    ] as const) {
      const p: Problem = { code: 'payment_not_settled', reason };
      expect(say(p, 'fr')).not.toBe(say(p, 'en'));
      expect(say(p, 'fr')).not.toMatch(/payment|order/);
    }
  });

  it('writes the amount left to refund in the user\'s format', () => {
    const p: Problem = { code: 'refund_too_much', amount: 590, currency: 'eur' };
    expect(say(p, 'en')).toContain('€5.90');
    expect(say(p, 'fr')).toContain('5,90\u00a0€');
    const one: Problem = { code: 'refund_too_many_units', line: 'Miel', on_order: 1, asked: 2 };
    expect(say(one, 'en')).toBe('Miel has one unit on this order, not 2');
    expect(say(one, 'fr')).toBe('Miel compte une unité dans cette commande, pas 2');
  });

  it('says every email-settings, retry and refund refusal differently in French', () => {
    const mail = ['host_missing', 'host_not_a_name', 'port_zero', 'sender_missing', 'sender_invalid', 'reply_to_invalid',
      'sender_name_lines', 'address_invalid', 'tls_setup', 'not_built', 'password_missing', 'new_password_empty'] as const;
    for (const reason of mail) {
      const p: Problem = { code: 'mail_invalid', reason, value: 'x@' };
      expect(say(p, 'en').length).toBeGreaterThan(10);
      expect(say(p, 'fr')).not.toBe(say(p, 'en'));
    }
    for (const reason of ['already_sent', 'being_sent', 'cancelled', 'queued_elsewhere'] as const) {
      const p: Problem = { code: 'retry_refused', reason };
      expect(say(p, 'fr')).not.toBe(say(p, 'en'));
    }
    for (const reason of ['unknown_line', 'no_amount', 'malformed', 'no_payment', 'not_paid'] as const) {
      const p: Problem = { code: 'refund_invalid', reason };
      expect(say(p, 'fr')).not.toBe(say(p, 'en'));
    }
    const noHost: Problem = { code: 'link_refused', host: null };
    expect(say(noHost, 'fr')).not.toBe(say(noHost, 'en'));
  });

  it('says why a settings file is refused, each reason its own sentence, and that nothing changed', () => {
    const reasons = ['unreadable', 'too_large', 'not_settings', 'newer_version', 'unknown_field', 'has_secret'] as const;
    const seen = new Set<string>();
    for (const reason of reasons) {
      const p: Problem = { code: 'settings_file_refused', reason, detail: '7' };
      const en = say(p, 'en');
      expect(en).toContain('Nothing was changed');
      expect(say(p, 'fr')).toContain('Rien n’a été modifié');
      expect(say(p, 'fr')).not.toBe(en);
      seen.add(en);
    }
    expect(seen.size).toBe(reasons.length);
    const newer: Problem = { code: 'settings_file_refused', reason: 'newer_version', detail: '2' };
    expect(say(newer, 'en')).toContain('format 2');
  });

  it('says every keychain, tracking and SMTP reason differently in French', () => {
    const reasons = {
      smtp: ['host_not_found', 'timeout', 'tls', 'no_start_tls', 'authentication_failed', 'rejected', 'other'] as const,
      tracking: ['empty_number', 'number_characters', 'url_too_long', 'credentials', 'template_not_https'] as const,
      keychain: ['no_session_bus', 'unavailable', 'no_default', 'refused', 'failed'] as const,
    };
    for (const reason of reasons.smtp) {
      const p: Problem = { code: 'smtp_failed', reason, host: 'mx.test', port: 587, reply: '550 mailbox unavailable' };
      expect(say(p, 'fr')).not.toBe(say(p, 'en'));
      expect(say(p, 'fr')).toContain('550 mailbox unavailable');
    }
    for (const reason of reasons.tracking) {
      const p: Problem = { code: 'tracking_invalid', reason, value: '99' };
      expect(say(p, 'fr')).not.toBe(say(p, 'en'));
    }
    for (const reason of reasons.keychain) {
      const p: Problem = { code: 'keychain', reason };
      expect(say(p, 'fr')).not.toBe(say(p, 'en'));
    }
  });
});
