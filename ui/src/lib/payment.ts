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

/** A payment method type (`sepa_debit`…) as a merchant names it. */
export function methodName(method: string, t: Translate): string {
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

/** What may still be refunded: what was paid, less what was refunded already. */
export function refundable(p: OrderPayment, orderTotal: number): number {
  const paid = p.amount > 0 ? p.amount : orderTotal;
  return Math.max(0, paid - p.amount_refunded);
}

/** Whether the order's payment went through, so there is something to refund. */
export function canRefund(p: OrderPayment, orderTotal: number): boolean {
  return p.state !== 'processing' && p.state !== 'failed' && p.state !== 'no_payment_required' && refundable(p, orderTotal) > 0;
}

/**
 * An amount typed by the merchant ("12,50", "12.50", "€12.50") in minor units of `exponent`
 * decimals; `null` when it is not one.
 */
export function parseAmount(text: string, exponent: number): number | null {
  const cleaned = text.replace(/[\s\u00a0\u202f]/g, '').replace(/[^\d.,-]/g, '');
  if (!/^\d+([.,]\d+)?$/.test(cleaned)) return null;
  const [whole, frac = ''] = cleaned.split(/[.,]/);
  if (frac.length > exponent) return null;
  return Number(whole) * 10 ** exponent + Number(frac.padEnd(exponent, '0') || '0');
}

/**
 * What refunding `quantity` units of a line gives back: whole units at what each was paid, the
 * last unit taking the rounding, so every unit gives back exactly the line's total. The same
 * rule as Rust's `refunds::amount_of`, which is the one Stripe is asked with; this one only
 * shows the amount before the merchant confirms.
 */
export function lineRefund(lineTotal: number, lineQuantity: number, quantity: number): number {
  if (lineQuantity <= 0 || quantity <= 0) return 0;
  const unit = Math.floor(lineTotal / lineQuantity);
  const rest = lineTotal - unit * lineQuantity;
  return unit * quantity + (quantity === lineQuantity ? rest : 0);
}
