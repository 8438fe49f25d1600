// An order's payment as the merchant reads it: the badge of its state, and one plain sentence
// ("Refunded €12.00 of €45.90 on 3 Dec", "Disputed: needs response by 10 Dec"). The rule that
// decides the state lives in Rust (payments.rs); this only says it, in the UI's language.

import type { Tone } from './components/Badge.svelte';
import { date, money } from './format';
import type { MessageKey } from './i18n/en';
import type { Params } from './i18n/translate';
import type { OrderPayment, PaymentState } from './ipc';

export type Translate = (key: MessageKey, params?: Params) => string;

export const PAYMENT_TONES: Record<PaymentState, Tone> = {
  paid: 'green',
  no_payment_required: 'grey',
  processing: 'blue',
  failed: 'red',
  partially_refunded: 'orange',
  refunded: 'red',
  disputed: 'red',
};

/** Whether the state keeps an order not yet out from being sent or handed over. */
export function holdsOrder(state: PaymentState): boolean {
  return state === 'processing' || state === 'failed' || state === 'refunded' || state === 'disputed';
}

/** Whether the list and the detail show a badge for the state (a plain paid order has none). */
export function showsBadge(state: PaymentState): boolean {
  return state !== 'paid';
}

const METHODS = ['card', 'sepa_debit', 'customer_balance', 'us_bank_account', 'bacs_debit'];

function methodName(method: string, t: Translate): string {
  return METHODS.includes(method) ? t(`payment.method.${method}` as MessageKey) : method.replace(/_/g, ' ');
}

/** The one sentence that says where the payment stands, or `null` for a plain paid order. */
export function paymentSentence(p: OrderPayment, currency: string, locale: string, t: Translate): string | null {
  switch (p.state) {
    case 'paid':
      return null;
    case 'no_payment_required':
      return t('payment.free');
    case 'processing':
      return p.method ? t('payment.processing', { method: methodName(p.method, t) }) : t('payment.processingNoMethod');
    case 'failed':
      return p.failure ? t('payment.failed', { reason: p.failure }) : t('payment.failedNoReason');
    case 'partially_refunded':
    case 'refunded': {
      const amounts = { amount: money(p.amount_refunded, currency, locale), total: money(p.amount, currency, locale) };
      return p.refunded_at === null
        ? t('payment.refundedNoDate', amounts)
        : t('payment.refunded', { ...amounts, date: date(p.refunded_at, locale) });
    }
    case 'disputed': {
      const d = p.dispute;
      if (d?.status === 'lost') return t('payment.disputeLost');
      if (d?.status === 'under_review' || d?.status === 'warning_under_review') return t('payment.disputedReview');
      if (d?.due_by != null) return t('payment.disputedDue', { date: date(d.due_by, locale) });
      return t('payment.state.disputed');
    }
  }
}
