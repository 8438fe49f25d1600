// Locale-aware formatting of money, dates, relative times and billing cycles. Every function
// takes the locale explicitly so it can be tested without the reactive i18n state.

import { DICTIONARIES, langOf, translate } from './i18n/translate';
import type { Address } from './ipc/bindings/Address';
import type { Contact } from './ipc/bindings/Contact';

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat | Intl.RelativeTimeFormat>();

function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat | Intl.RelativeTimeFormat>(key: string, make: () => T): T {
  let f = cache.get(key) as T | undefined;
  if (!f) cache.set(key, (f = make()));
  return f;
}

/**
 * Stripe's zero- and three-decimal currencies; every other currency's amounts are in hundredths
 * (ISK and HUF included, and IDR, COP… which Intl shows whole). Checked against the Rust table
 * (`core/src/money.rs`) by money.test.ts, through money.expected.json.
 */
const ZERO_DECIMAL = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);
const THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

function currencyFormat(locale: string, currency: string, minDigits?: number): Intl.NumberFormat {
  return cached(`money|${locale}|${currency}|${minDigits ?? ''}`, () =>
    new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      ...(minDigits === undefined ? {} : { minimumFractionDigits: minDigits, maximumFractionDigits: minDigits }),
    }),
  );
}

/** The number of decimals a currency's amounts carry in Stripe's integer minor units. */
export function minorUnitExponent(currency: string): number {
  const code = currency.toUpperCase();
  return ZERO_DECIMAL.has(code) ? 0 : THREE_DECIMAL.has(code) ? 3 : 2;
}

/**
 * Formats an amount in minor units (cents, or yen for JPY): money(1500, 'eur', 'en') is "€15.00",
 * money(1500, 'jpy', 'en') is "¥1,500". Stripe sends currency codes in lower case.
 */
export function money(amountMinor: number, currency: string, locale: string): string {
  const code = currency.toUpperCase();
  let fmt: Intl.NumberFormat;
  try {
    fmt = currencyFormat(locale, code);
  } catch {
    // An unknown currency code: still show the amount rather than nothing.
    return `${(amountMinor / 100).toFixed(2)} ${code}`;
  }
  const shown = fmt.resolvedOptions().maximumFractionDigits ?? 2;
  const exponent = minorUnitExponent(code);
  const value = amountMinor / 10 ** exponent;
  // A fractional HUF amount (Stripe allows them) must not be rounded away.
  if (exponent > shown && !Number.isInteger(value)) return currencyFormat(locale, code, exponent).format(value);
  return fmt.format(value);
}

export function number(value: number, locale: string): string {
  return cached(`num|${locale}`, () => new Intl.NumberFormat(locale)).format(value);
}

/** A Unix timestamp in seconds as a date: "25 Nov 2026" / "25 nov. 2026". */
export function date(unixSeconds: number, locale: string): string {
  return cached(`date|${locale}`, () => new Intl.DateTimeFormat(locale, { dateStyle: 'medium' })).format(unixSeconds * 1000);
}

/** A Unix timestamp in seconds as a time of day: "14:05" / "2:05 PM". */
export function time(unixSeconds: number, locale: string): string {
  return cached(`time|${locale}`, () => new Intl.DateTimeFormat(locale, { timeStyle: 'short' })).format(unixSeconds * 1000);
}

/** A Unix timestamp in seconds as a date and time: "25 Nov 2026, 14:05". */
export function datetime(unixSeconds: number, locale: string): string {
  return cached(`datetime|${locale}`, () => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' })).format(
    unixSeconds * 1000,
  );
}

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86400],
  ['month', 30 * 86400],
  ['week', 7 * 86400],
  ['day', 86400],
  ['hour', 3600],
  ['minute', 60],
];

/**
 * How long ago (or how soon) `unixSeconds` is from `nowSeconds`: "5 minutes ago", "yesterday",
 * "in 3 days". Under 45 seconds reads "just now".
 */
export function relativeTime(unixSeconds: number, nowSeconds: number, locale: string): string {
  const diff = unixSeconds - nowSeconds;
  const abs = Math.abs(diff);
  if (abs < 45) return translate(DICTIONARIES[langOf(locale)], langOf(locale), locale, 'sync.justNow');
  const rtf = cached(`rel|${locale}`, () => new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }));
  for (const [unit, seconds] of UNITS) {
    if (abs >= seconds || unit === 'minute') {
      return rtf.format(Math.trunc(diff / seconds), unit);
    }
  }
  return rtf.format(Math.trunc(diff / 60), "minute");
}

const CYCLE_KEYS = { day: 'cycle.day', week: 'cycle.week', month: 'cycle.month', year: 'cycle.year' } as const;

/**
 * An amount with its billing cycle: "€29.00 / month", "€75.00 every 3 months",
 * "290,00 € / an". `interval` is Stripe's day, week, month or year.
 */
export function cycle(amountMinor: number, currency: string, interval: string, intervalCount: number, locale: string): string {
  const amount = money(amountMinor, currency, locale);
  const key = CYCLE_KEYS[interval as keyof typeof CYCLE_KEYS];
  if (!key) return amount;
  const lang = langOf(locale);
  return translate(DICTIONARIES[lang], lang, locale, key, { amount, count: intervalCount });
}

/** A fraction from 0 to 1 as a whole percentage: "42%" / "42 %". */
export function percentage(fraction: number, locale: string): string {
  return cached(`pct|${locale}`, () => new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 })).format(fraction);
}

function tr(locale: string, key: string, params: Record<string, string | number> = {}): string {
  const lang = langOf(locale);
  return translate(DICTIONARIES[lang], lang, locale, key, params);
}

/**
 * A subscription's total duration from whole months and left-over days: "12 months",
 * "4 months and 18 days", "18 days"; `null` months mean no end, "until cancelled".
 */
export function subscriptionDuration(months: number | null, days: number | null, locale: string): string {
  if (months === null) return tr(locale, 'sub.duration.until');
  const d = days ?? 0;
  const m = tr(locale, 'sub.duration.months', { count: months });
  if (d === 0) return m;
  const dd = tr(locale, 'sub.duration.days', { count: d });
  return months === 0 ? dd : tr(locale, 'sub.duration.both', { months: m, days: dd });
}

const BRANDS: Record<string, string> = {
  visa: 'Visa',
  mastercard: 'Mastercard',
  amex: 'American Express',
  american_express: 'American Express',
  cartes_bancaires: 'Cartes Bancaires',
  discover: 'Discover',
  diners: 'Diners Club',
  jcb: 'JCB',
  unionpay: 'UnionPay',
  eftpos_au: 'eftpos',
  interac: 'Interac',
  link: 'Link',
};

const WALLETS: Record<string, string> = {
  apple_pay: 'Apple Pay',
  google_pay: 'Google Pay',
  samsung_pay: 'Samsung Pay',
  link: 'Link',
  masterpass: 'Masterpass',
  visa_checkout: 'Visa Checkout',
  amex_express_checkout: 'Amex Express Checkout',
};

function titleCase(code: string): string {
  return code.replace(/_/g, ' ').replace(/^\w/, (c) => c.toUpperCase());
}

/** The parts of a payment method that may be shown, as Stripe's summary gives them. */
export interface PaymentMethodParts {
  kind: string;
  brand: string | null;
  last4: string | null;
  exp_month: number | null;
  exp_year: number | null;
  wallet: string | null;
}

/**
 * A payment method reduced to brand, last four digits and expiry: "Visa •••• 4242, 04/28",
 * "Visa •••• 4242 (Apple Pay), 04/28", "SEPA Direct Debit •••• 3000", "BNP Paribas •••• 6789".
 */
export function paymentMethod(pm: PaymentMethodParts, locale: string): string {
  const last4 = pm.last4 ? ` •••• ${pm.last4}` : '';
  let text: string;
  if (pm.kind === 'card') {
    const brand = pm.brand ? (BRANDS[pm.brand.toLowerCase()] ?? titleCase(pm.brand)) : tr(locale, 'pm.card');
    text = `${brand}${last4}`;
    if (pm.wallet) text += ` (${WALLETS[pm.wallet] ?? titleCase(pm.wallet)})`;
    if (pm.exp_month !== null && pm.exp_year !== null) {
      text += `, ${String(pm.exp_month).padStart(2, '0')}/${String(pm.exp_year % 100).padStart(2, '0')}`;
    }
    return text;
  }
  if (pm.kind === 'sepa_debit') return `${tr(locale, 'pm.sepa')}${last4}`;
  if (pm.kind === 'us_bank_account' || pm.kind === 'bacs_debit' || pm.kind === 'au_becs_debit' || pm.kind === 'acss_debit') {
    return `${pm.brand ?? tr(locale, 'pm.bank')}${last4}`;
  }
  return `${pm.brand ?? (WALLETS[pm.kind] ?? titleCase(pm.kind))}${last4}`;
}

/**
 * A pickup order's line where a shipping address would go: "Pickup: Retrait atelier" while it
 * waits, past tense ("Picked up in store") only once the pickup is confirmed.
 */
export function pickupLine(method: string | null, pickedUpAt: number | null, locale: string): string {
  if (pickedUpAt !== null) return tr(locale, 'order.details.pickedUp');
  return method ? tr(locale, 'order.details.pickup', { method }) : tr(locale, 'order.details.pickupNoMethod');
}

/**
 * A subscription's customer as the table and the detail name them: a customer deleted in
 * Stripe is said to be deleted, with the name kept from before when there is one.
 */
export function customerLabel(name: string | null, deleted: boolean, locale: string): string {
  if (deleted) return name ? tr(locale, 'subs.customerDeletedNamed', { name }) : tr(locale, 'subs.customerDeleted');
  return name ?? tr(locale, 'orders.noName');
}

/** A failed payment of a subscription's latest invoice, as Stripe reports it. */
export interface PaymentFailureParts {
  code: string | null;
  message: string | null;
  attempt_count: number;
  next_attempt: number | null;
}

const DECLINES: Record<string, string> = {
  insufficient_funds: 'sub.failure.insufficientFunds',
  card_declined: 'sub.failure.declined',
  generic_decline: 'sub.failure.declined',
  do_not_honor: 'sub.failure.declined',
  lost_card: 'sub.failure.lost',
  stolen_card: 'sub.failure.lost',
  authentication_required: 'sub.failure.authentication',
};

/**
 * Why a past-due subscription's payment failed and when Stripe retries: "Payment failed: card
 * expired (10/26), attempt 3. Stripe retries on 12 Dec 2026." Codes the app knows are said in
 * the user's language; others fall back to Stripe's own message.
 */
export function paymentFailure(f: PaymentFailureParts, pm: PaymentMethodParts | null, locale: string): string {
  let reason: string;
  if (f.code === 'expired_card') {
    reason =
      pm && pm.exp_month !== null && pm.exp_year !== null
        ? tr(locale, 'sub.failure.expiredOn', {
            expiry: `${String(pm.exp_month).padStart(2, '0')}/${String(pm.exp_year % 100).padStart(2, '0')}`,
          })
        : tr(locale, 'sub.failure.expired');
  } else if (f.code && DECLINES[f.code]) {
    reason = tr(locale, DECLINES[f.code]);
  } else {
    // Stripe's sentence loses its full stop: the reason sits mid-sentence.
    reason = f.message?.replace(/[.\s]+$/, '') || tr(locale, 'sub.failure.unknown');
  }
  const text = tr(locale, 'sub.failure.text', { reason, attempt: f.attempt_count });
  const retry =
    f.next_attempt === null ? tr(locale, 'sub.failure.noRetry') : tr(locale, 'sub.failure.retry', { date: date(f.next_attempt, locale) });
  return `${text} ${retry}`;
}

/** An address's lines, as on an envelope: the postal code before the city. */
export function addressLines(a: Address | null): string[] {
  if (!a) return [];
  const city = [a.postal_code, a.city].filter(Boolean).join(' ');
  return [a.line1, a.line2, city, a.state, a.country].filter((x): x is string => !!x);
}

/** A contact's lines (billing or shipping): name, email, phone, address and tax ids. */
export function contactLines(c: Contact): string[] {
  return [c.name, c.email, c.phone, ...addressLines(c.address), ...c.tax_ids].filter((x): x is string => !!x);
}
