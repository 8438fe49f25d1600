import { describe, expect, it } from 'vitest';
import { cycle, date, minorUnitExponent, money, customerLabel, paymentFailure, paymentMethod, percentage, pickupLine, relativeTime, subscriptionDuration } from './format';

// French uses a narrow no-break space between thousands and a no-break space before "€".
const NNBSP = '\u202f';
const NBSP = '\u00a0';

describe('money', () => {
  it('formats euros in French and English', () => {
    expect(money(1500, 'eur', 'fr-FR')).toBe(`15,00${NBSP}€`);
    expect(money(1500, 'eur', 'en-GB')).toBe('€15.00');
    expect(money(123456789, 'eur', 'fr-FR')).toBe(`1${NNBSP}234${NNBSP}567,89${NBSP}€`);
    expect(money(123456789, 'eur', 'en-US')).toBe('€1,234,567.89');
  });

  it('keeps zero-decimal currencies whole: JPY 1500 is ¥1,500, not ¥15', () => {
    expect(money(1500, 'jpy', 'en-US')).toBe('¥1,500');
    expect(money(1500, 'JPY', 'ja-JP')).toBe('￥1,500');
    expect(money(1500, 'krw', 'en-US')).toBe('₩1,500');
    expect(minorUnitExponent('jpy')).toBe(0);
  });

  it('formats pounds and three-decimal currencies', () => {
    expect(money(999, 'gbp', 'en-GB')).toBe('£9.99');
    expect(money(1, 'gbp', 'en-GB')).toBe('£0.01');
    expect(money(12340, 'kwd', 'en-US')).toBe('KWD' + NBSP + '12.340');
    expect(minorUnitExponent('kwd')).toBe(3);
  });

  it('formats negative amounts (refunds, discounts)', () => {
    expect(money(-2550, 'eur', 'en-GB')).toBe('-€25.50');
    expect(money(-2550, 'eur', 'fr-FR')).toBe(`-25,50${NBSP}€`);
    expect(money(-500, 'jpy', 'en-US')).toBe('-¥500');
  });

  it('formats zero', () => {
    expect(money(0, 'eur', 'en-GB')).toBe('€0.00');
  });

  it('follows Stripe for ISK and HUF, which it keeps in hundredths', () => {
    // Stripe: "an ISK amount of 100 represents 1 króna".
    expect(money(50000, 'isk', 'en-US')).toBe(`ISK${NBSP}500`);
    expect(money(150000, 'huf', 'en-US')).toBe(`HUF${NBSP}1,500`);
    expect(money(1045, 'huf', 'en-US')).toBe(`HUF${NBSP}10.45`);
    expect(minorUnitExponent('isk')).toBe(2);
  });

  it('divides by 100 the currencies Intl shows whole but Stripe keeps in hundredths (IDR, COP…)', () => {
    // Stripe: IDR is a two-decimal currency; Intl shows rupiah without decimals.
    expect(money(150000, 'idr', 'en-US')).toBe(`IDR${NBSP}1,500`);
    expect(money(150050, 'idr', 'en-US')).toBe(`IDR${NBSP}1,500.50`);
    expect(minorUnitExponent('idr')).toBe(2);
    expect(minorUnitExponent('cop')).toBe(2);
  });

  it('still shows something for an unknown currency code', () => {
    expect(money(1234, 'not-a-currency', 'en')).toBe('12.34 NOT-A-CURRENCY');
  });
});

describe('relativeTime', () => {
  const now = 1_800_000_000;

  it('says "just now" under 45 seconds', () => {
    expect(relativeTime(now - 10, now, 'en-GB')).toBe('just now');
    expect(relativeTime(now - 10, now, 'fr-FR')).toBe('à l’instant');
  });

  it('counts whole minutes, hours and days', () => {
    expect(relativeTime(now - 5 * 60, now, 'en-GB')).toBe('5 minutes ago');
    expect(relativeTime(now - 5 * 60 - 40, now, 'en-GB')).toBe('5 minutes ago');
    expect(relativeTime(now - 5 * 60, now, 'fr-FR')).toBe('il y a 5 minutes');
    expect(relativeTime(now - 60, now, 'en-GB')).toBe('1 minute ago');
    expect(relativeTime(now - 3 * 3600, now, 'en-GB')).toBe('3 hours ago');
    expect(relativeTime(now - 86400, now, 'en-GB')).toBe('yesterday');
    expect(relativeTime(now - 86400, now, 'fr-FR')).toBe('hier');
    expect(relativeTime(now - 3 * 86400, now, 'en-GB')).toBe('3 days ago');
  });

  it('handles the future', () => {
    expect(relativeTime(now + 2 * 86400, now, 'en-GB')).toBe('in 2 days');
    expect(relativeTime(now + 2 * 86400, now, 'fr-FR')).toBe('après-demain');
  });
});

describe('cycle', () => {
  it('shows the amount per charge with its interval', () => {
    expect(cycle(2900, 'eur', 'month', 1, 'en-GB')).toBe('€29.00 / month');
    expect(cycle(7500, 'eur', 'month', 3, 'en-GB')).toBe('€75.00 every 3 months');
    expect(cycle(29000, 'eur', 'year', 1, 'en-GB')).toBe('€290.00 / year');
    expect(cycle(1200, 'eur', 'week', 2, 'en-GB')).toBe('€12.00 every 2 weeks');
    expect(cycle(500, 'eur', 'day', 1, 'en-GB')).toBe('€5.00 / day');
  });

  it('speaks French', () => {
    expect(cycle(2900, 'eur', 'month', 1, 'fr-FR')).toBe(`29,00${NBSP}€ / mois`);
    expect(cycle(7500, 'eur', 'month', 3, 'fr-FR')).toBe(`75,00${NBSP}€ tous les 3 mois`);
    expect(cycle(29000, 'eur', 'year', 1, 'fr-FR')).toBe(`290,00${NBSP}€ / an`);
    expect(cycle(1200, 'eur', 'week', 2, 'fr-FR')).toBe(`12,00${NBSP}€ toutes les 2 semaines`);
  });

  it('falls back to the amount for an unknown interval', () => {
    expect(cycle(3000, 'jpy', 'fortnight', 1, 'en-US')).toBe('¥3,000');
  });
});

describe('date and percentage', () => {
  it('formats a Unix time in seconds', () => {
    // 2026-11-25T12:00:00Z: midday, so the date is the same in every time zone.
    expect(date(1795608000, 'en-GB')).toBe('25 Nov 2026');
    expect(date(1795608000, 'fr-FR')).toBe('25 nov. 2026');
  });

  it('formats a fraction as a percentage', () => {
    expect(percentage(0.42, 'en-GB')).toBe('42%');
    expect(percentage(0.42, "fr-FR")).toBe(`42${NBSP}%`);
  });
});

describe('subscriptionDuration', () => {
  it.each([
    [12, 0, 'en-GB', '12 months'],
    [1, 0, 'en-GB', '1 month'],
    [4, 18, 'en-GB', '4 months and 18 days'],
    [0, 1, 'en-GB', '1 day'],
    [null, null, 'en-GB', 'until cancelled'],
    [12, 0, 'fr-FR', '12 mois'],
    [4, 18, 'fr-FR', '4 mois et 18 jours'],
    [null, null, 'fr-FR', 'jusqu’à résiliation'],
  ])('%s months %s days in %s', (months, days, locale, want) => {
    expect(subscriptionDuration(months, days, locale)).toBe(want);
  });
});

describe('paymentMethod', () => {
  const pm = { kind: 'card', brand: 'visa', last4: '4242', exp_month: 4, exp_year: 2028, wallet: null };
  it.each([
    [pm, 'Visa •••• 4242, 04/28'],
    [{ ...pm, wallet: 'apple_pay' }, 'Visa •••• 4242 (Apple Pay), 04/28'],
    [{ ...pm, brand: 'cartes_bancaires', exp_month: 12, exp_year: 2031 }, 'Cartes Bancaires •••• 4242, 12/31'],
    [{ kind: 'sepa_debit', brand: null, last4: '3000', exp_month: null, exp_year: null, wallet: null }, 'SEPA Direct Debit •••• 3000'],
    [{ kind: 'us_bank_account', brand: 'STRIPE TEST BANK', last4: '6789', exp_month: null, exp_year: null, wallet: null }, 'STRIPE TEST BANK •••• 6789'],
    [{ kind: 'paypal', brand: null, last4: null, exp_month: null, exp_year: null, wallet: null }, 'Paypal'],
  ])('%o reads %s', (method, want) => {
    expect(paymentMethod(method, 'en-GB')).toBe(want);
  });
});

describe('pickupLine', () => {
  it('names the rate while the order waits, and speaks of the past only after the pickup', () => {
    expect(pickupLine('Retrait atelier', null, 'en-GB')).toBe('Pickup: Retrait atelier');
    expect(pickupLine('Retrait atelier', null, 'fr-FR')).toBe('Retrait : Retrait atelier');
    expect(pickupLine(null, null, 'en-GB')).toBe('Pickup in store');
    expect(pickupLine('Retrait atelier', 1_790_000_000, 'en-GB')).toBe('Picked up in store');
    expect(pickupLine('Retrait atelier', 1_790_000_000, 'fr-FR')).toBe('Retirée en boutique');
  });
});

describe('customerLabel', () => {
  it('says a customer was deleted in Stripe instead of "No name"', () => {
    expect(customerLabel(null, true, 'en-GB')).toBe('Customer deleted in Stripe');
    expect(customerLabel(null, true, 'fr-FR')).toBe('Client supprimé dans Stripe');
    expect(customerLabel('Zoé Martin', true, 'en-GB')).toBe('Zoé Martin (deleted in Stripe)');
    expect(customerLabel(null, false, 'en-GB')).toBe('No name');
    expect(customerLabel('Zoé Martin', false, 'fr-FR')).toBe('Zoé Martin');
  });
});

describe('paymentFailure', () => {
  const card = { kind: 'card', brand: 'visa', last4: '4242', exp_month: 10, exp_year: 2026, wallet: null };
  // 12 Dec 2026, 12:00 UTC.
  const retry = Date.UTC(2026, 11, 12, 12) / 1000;

  it('says why the payment failed, which attempt it was and when Stripe retries', () => {
    const expired = { code: 'expired_card', message: 'Your card has expired.', attempt_count: 3, next_attempt: retry };
    expect(paymentFailure(expired, card, 'en-GB')).toBe('Payment failed: card expired (10/26), attempt 3. Stripe retries on 12 Dec 2026.');
    expect(paymentFailure(expired, card, 'fr-FR')).toBe('Paiement refusé : carte expirée (10/26), tentative 3. Stripe réessaiera le 12 déc. 2026.');
    const funds = { code: 'insufficient_funds', message: 'Your card has insufficient funds.', attempt_count: 1, next_attempt: null };
    expect(paymentFailure(funds, card, 'en-GB')).toBe('Payment failed: insufficient funds, attempt 1. Stripe will not retry on its own.');
  });

  it("falls back to Stripe's message, then to no reason", () => {
    const odd = { code: 'processing_error', message: 'An error occurred while processing your card.', attempt_count: 2, next_attempt: null };
    expect(paymentFailure(odd, null, 'en-GB')).toBe('Payment failed: An error occurred while processing your card, attempt 2. Stripe will not retry on its own.');
    expect(paymentFailure({ ...odd, message: null }, null, 'en-GB')).toContain('no reason given');
  });
});
