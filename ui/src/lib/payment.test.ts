import { describe, expect, it } from 'vitest';
import type { MessageKey } from './i18n/en';
import { DICTIONARIES, translate, type Params } from './i18n/translate';
import type { OrderPayment } from './ipc';
import { canRefund, holdsOrder, lineRefund, parseAmount, paymentSentence, refundable } from './payment';

const en = (key: MessageKey, params?: Params) => translate(DICTIONARIES.en, 'en', 'en-GB', key, params);
const fr = (key: MessageKey, params?: Params) => translate(DICTIONARIES.fr, 'fr', 'fr-FR', key, params);
const NBSP = '\u00a0';
// 3 December 2026, noon UTC.
const DEC3 = 1796299200;

function payment(p: Partial<OrderPayment>): OrderPayment {
  return {
    state: 'paid',
    checkout_status: 'paid',
    method: 'card',
    amount: 4590,
    amount_refunded: 0,
    refunded_at: null,
    failure: null,
    dispute: null,
    ...p,
  };
}

describe('payment sentence', () => {
  it('says nothing for a plain paid order', () => {
    expect(paymentSentence(payment({}), 'eur', 'en-GB', en)).toBeNull();
  });

  it('states a refund with its amount, the total and the day, in both languages', () => {
    const p = payment({ state: 'partially_refunded', amount_refunded: 1200, refunded_at: DEC3 });
    expect(paymentSentence(p, 'eur', 'en-GB', en)).toBe('Refunded €12.00 of €45.90 on 3 Dec 2026');
    expect(paymentSentence(p, 'eur', 'fr-FR', fr)).toBe(`Remboursé 12,00${NBSP}€ sur 45,90${NBSP}€ le 3 déc. 2026`);
    expect(paymentSentence({ ...p, refunded_at: null }, 'eur', 'en-GB', en)).toBe('Refunded €12.00 of €45.90');
  });

  it('states a dispute by what it needs', () => {
    const due = payment({
      state: 'disputed',
      dispute: { id: 'dp_1', status: 'needs_response', reason: 'fraudulent', amount: 4590, due_by: DEC3 + 7 * 86400 },
    });
    expect(paymentSentence(due, 'eur', 'en-GB', en)).toBe('Disputed: needs response by 10 Dec 2026');
    expect(paymentSentence({ ...due, dispute: { ...due.dispute!, status: 'lost' } }, 'eur', 'en-GB', en)).toMatch(/^Dispute lost/);
  });

  it('names the method of a payment on its way, and why one failed', () => {
    expect(paymentSentence(payment({ state: 'processing', method: 'sepa_debit' }), 'eur', 'fr-FR', fr)).toMatch(
      /^Paiement en cours \(prélèvement SEPA\)/,
    );
    expect(paymentSentence(payment({ state: 'failed', failure: 'Insufficient funds.' }), 'eur', 'en-GB', en)).toBe(
      'Payment failed: Insufficient funds.',
    );
  });

  it('holds back only what may not go out', () => {
    expect(holdsOrder('processing') && holdsOrder('failed') && holdsOrder('refunded') && holdsOrder('disputed')).toBe(true);
    expect(holdsOrder('paid') || holdsOrder('no_payment_required') || holdsOrder('partially_refunded')).toBe(false);
  });
});

describe('refund amounts', () => {
  it('reads what the merchant types, in the currency’s decimals', () => {
    expect(parseAmount('12,50', 2)).toBe(1250);
    expect(parseAmount('12.5', 2)).toBe(1250);
    expect(parseAmount('€ 7', 2)).toBe(700);
    expect(parseAmount('1500', 0)).toBe(1500);
    expect(parseAmount('12.345', 2)).toBeNull();
    expect(parseAmount('abc', 2)).toBeNull();
    expect(parseAmount('', 2)).toBeNull();
  });

  it('gives back a line’s units as paid, the last unit taking the rounding', () => {
    expect(lineRefund(2000, 3, 1)).toBe(666);
    expect(lineRefund(2000, 3, 3)).toBe(2000);
    expect(lineRefund(2000, 3, 0)).toBe(0);
  });

  it('knows what is left to refund', () => {
    const p = payment({ state: 'partially_refunded', amount_refunded: 1200 });
    expect(refundable(p, 4590)).toBe(3390);
    expect(canRefund(p, 4590)).toBe(true);
    expect(canRefund(payment({ state: 'processing' }), 4590)).toBe(false);
    expect(canRefund(payment({ state: 'refunded', amount_refunded: 4590 }), 4590)).toBe(false);
  });
});
