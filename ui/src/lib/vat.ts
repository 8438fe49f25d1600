// The order summary's sums, laid out as an invoice reads. Stripe prices either exclude VAT (it is
// added on top: subtotal − discount + shipping + VAT = total) or include it (the total already
// holds it). Shown in one fixed order, either case looked like a wrong sum; so the rows say
// "excl. VAT" / "incl. VAT" (HT / TTC) and the VAT sits where it adds up.

import type { MessageKey } from './i18n/en';
import type { Params } from './i18n/translate';
import type { Order } from './ipc';
import type { TaxLine } from './ipc/bindings/TaxLine';

export type Translate = (key: MessageKey, params?: Params) => string;

/** How the order's prices carry VAT: added on top, already inside, or no VAT at all. */
export type VatMode = 'exclusive' | 'inclusive' | 'none';

export type Sums = Pick<Order, 'amount_subtotal' | 'amount_discount' | 'amount_shipping' | 'amount_tax' | 'amount_total' | 'taxes'>;

/**
 * Decided from the numbers, the only thing every order (session or invoice) has: when the VAT
 * must be added to subtotal − discount + shipping to make the total, prices exclude it.
 */
export function vatMode(o: Sums): VatMode {
  if (o.amount_tax === 0) return 'none';
  return o.amount_subtotal - o.amount_discount + o.amount_shipping + o.amount_tax === o.amount_total
    ? 'exclusive'
    : 'inclusive';
}

export type RowKind = 'subtotal' | 'discount' | 'shipping' | 'vat' | 'total' | 'vatIncluded';

export interface SummaryRow {
  kind: RowKind;
  label: string;
  /** The amount to show, signed as it counts in the sum (a discount is negative). */
  shown: number;
  /** Stripe's amount, as the order carries it. */
  amount: number;
  /** Set on the one row that gives the order's whole VAT. */
  wholeVat: boolean;
  /** Details after the label: the rates an included VAT is made of. */
  notes: string[];
  /** How tests find the row's amount. */
  testid: string;
}

const TESTIDS: Record<RowKind, string> = {
  subtotal: 'order-subtotal',
  discount: 'order-discount',
  shipping: 'order-shipping-cost',
  vat: 'order-vat-rate',
  total: 'order-total',
  vatIncluded: 'order-vat',
};

/** "TVA 20 %", "VAT 5.5%": the tax's name and its rate in the reader's locale. */
export function taxLabel(tax: TaxLine, locale: string): string {
  const rate = tax.rate === null ? NaN : Number(tax.rate);
  if (!Number.isFinite(rate)) return tax.label;
  const pct = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 3 }).format(rate / 100);
  return `${tax.label} ${pct}`;
}

/**
 * The rows under the cart lines, top to bottom. Prices excluding VAT: Subtotal (excl. VAT),
 * discount, shipping, one row per VAT rate (and their sum when there are several), Total (incl.
 * VAT). Prices including VAT: Subtotal (incl. VAT), discount, shipping, Total (incl. VAT), then
 * "incl. VAT" and its amount. No VAT: plain Subtotal and Total, a VAT row of zero before it.
 * `money` formats a per-rate amount for an included VAT of several rates.
 */
export function summaryRows(o: Sums, locale: string, t: Translate, money: (amount: number) => string): SummaryRow[] {
  const mode = vatMode(o);
  const row = (kind: RowKind, label: string, amount: number, extra: Partial<SummaryRow> = {}): SummaryRow => {
    const r = { kind, label, shown: amount, amount, wholeVat: false, notes: [], testid: TESTIDS[kind], ...extra };
    return r.wholeVat ? { ...r, testid: 'order-vat' } : r;
  };
  const subtotal = {
    exclusive: 'order.summary.subtotalExclVat',
    inclusive: 'order.summary.subtotalInclVat',
    none: 'sub.upcoming.subtotal',
  } as const;
  const rows = [
    row('subtotal', t(subtotal[mode]), o.amount_subtotal),
    // No "−€0.00" when there is no discount.
    row('discount', t('sub.upcoming.discount'), o.amount_discount, { shown: o.amount_discount === 0 ? 0 : -o.amount_discount }),
    row('shipping', t('order.summary.shipping'), o.amount_shipping),
  ];
  const total = row('total', t(mode === 'none' ? 'sub.upcoming.total' : 'order.summary.totalInclVat'), o.amount_total);

  if (mode === 'inclusive') {
    const notes =
      o.taxes.length > 1
        ? o.taxes.map((x) => t('order.summary.vatRate', { rate: taxLabel(x, locale), amount: money(x.amount) }))
        : o.taxes.map((x) => taxLabel(x, locale));
    rows.push(total, row('vatIncluded', t('order.summary.vatIncluded'), o.amount_tax, { wholeVat: true, notes }));
    return rows;
  }
  // Added on top (or none): each rate on its row, so the column sums to the total.
  const single = o.taxes.length === 1 && o.taxes[0].amount === o.amount_tax;
  if (single) {
    rows.push(row('vat', taxLabel(o.taxes[0], locale), o.amount_tax, { wholeVat: true }));
  } else {
    for (const x of o.taxes) rows.push(row('vat', taxLabel(x, locale), x.amount));
    const label = o.taxes.length === 0 ? t('order.summary.vat') : t('order.summary.vatTotal');
    rows.push(row('vat', label, o.amount_tax, { wholeVat: true }));
  }
  rows.push(total);
  return rows;
}
