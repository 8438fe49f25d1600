import { describe, expect, it } from 'vitest';
import { money } from './format';
import type { MessageKey } from './i18n/en';
import { DICTIONARIES, translate, type Params } from './i18n/translate';
import { summaryRows, vatMode, type Sums, type SummaryRow } from './vat';

const en = (key: MessageKey, params?: Params) => translate(DICTIONARIES.en, 'en', 'en-GB', key, params);
const fr = (key: MessageKey, params?: Params) => translate(DICTIONARIES.fr, 'fr', 'fr-FR', key, params);
// Intl puts a no-break space (narrow or not, by ICU version) before "%" and "€" in French.
const spaces = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

function sums(s: Partial<Sums>): Sums {
  return { amount_subtotal: 0, amount_discount: 0, amount_shipping: 0, amount_tax: 0, amount_total: 0, taxes: [], ...s };
}

/** What the reader sees, top to bottom: label (and notes), then the amount as shown. */
function seen(rows: SummaryRow[], locale = 'en-GB'): string[] {
  return rows.map((r) => spaces([r.label, ...r.notes].join(' · ') + ' = ' + money(r.shown, 'eur', locale)));
}

/**
 * Whether the amounts above the total, read down, make the total (a per-rate VAT row counts
 * through the "Total VAT" row under it, so only the row of the whole VAT is added).
 */
function addsUp(rows: SummaryRow[]): boolean {
  const total = rows.find((r) => r.kind === 'total')!;
  const above = rows.slice(0, rows.indexOf(total)).filter((r) => r.kind !== 'vat' || r.wholeVat);
  return above.reduce((sum, r) => sum + r.shown, 0) === total.shown;
}

// Prices excluding VAT: €40 of goods, €5 off, €8 shipping, 20 % VAT on €43.
const exclusive = sums({
  amount_subtotal: 4000,
  amount_discount: 500,
  amount_shipping: 800,
  amount_tax: 860,
  amount_total: 5160,
  taxes: [{ label: 'VAT', rate: '20', amount: 860 }],
});
// The same cart with prices including VAT: the total already holds €7.17 of it.
const inclusive = sums({
  amount_subtotal: 4000,
  amount_discount: 500,
  amount_shipping: 800,
  amount_tax: 717,
  amount_total: 4300,
  taxes: [{ label: 'VAT', rate: '20', amount: 717 }],
});

describe('VAT mode', () => {
  it('is exclusive when the VAT must be added to make the total', () => {
    expect(vatMode(exclusive)).toBe('exclusive');
  });
  it('is inclusive when the total already holds it', () => {
    expect(vatMode(inclusive)).toBe('inclusive');
  });
  it('is none without VAT', () => {
    expect(vatMode(sums({ amount_subtotal: 1000, amount_total: 1000 }))).toBe('none');
  });
});

describe('order summary rows', () => {
  it('puts VAT excluded prices before the VAT, then the total including it', () => {
    const rows = summaryRows(exclusive, 'en-GB', en, (a) => money(a, 'eur', 'en-GB'));
    expect(seen(rows)).toEqual([
      'Subtotal (excl. VAT) = €40.00',
      'Discount = -€5.00',
      'Shipping = €8.00',
      'VAT 20% = €8.60',
      'Total (incl. VAT) = €51.60',
    ]);
    expect(addsUp(rows)).toBe(true);
    expect(rows.filter((r) => r.wholeVat).map((r) => [r.testid, r.amount])).toEqual([['order-vat', 860]]);
  });

  it('says HT and TTC in French', () => {
    const rows = summaryRows(exclusive, 'fr-FR', fr, (a) => money(a, 'eur', 'fr-FR'));
    expect(rows.map((r) => spaces(r.label))).toEqual(['Sous-total HT', 'Remise', 'Livraison', 'VAT 20 %', 'Total TTC']);
  });

  it('gives the total, then the VAT it includes, for prices including VAT', () => {
    const rows = summaryRows(inclusive, 'en-GB', en, (a) => money(a, 'eur', 'en-GB'));
    expect(seen(rows)).toEqual([
      'Subtotal (incl. VAT) = €40.00',
      'Discount = -€5.00',
      'Shipping = €8.00',
      'Total (incl. VAT) = €43.00',
      'incl. VAT · VAT 20% = €7.17',
    ]);
    expect(addsUp(rows)).toBe(true);
    const fr_ = summaryRows(inclusive, 'fr-FR', fr, (a) => money(a, 'eur', 'fr-FR'));
    expect(fr_.map((r) => r.label)).toEqual(['Sous-total TTC', 'Remise', 'Livraison', 'Total TTC', 'dont TVA']);
    expect(fr_.at(-1)).toMatchObject({ kind: 'vatIncluded', testid: 'order-vat', amount: 717 });
  });

  it('lists each rate with its amount, and their sum, when there are several', () => {
    const two = [
      { label: 'TVA', rate: '20', amount: 600 },
      { label: 'TVA', rate: '5.5', amount: 110 },
    ];
    const excl = summaryRows(
      sums({ amount_subtotal: 5000, amount_tax: 710, amount_total: 5710, taxes: two }),
      'fr-FR',
      fr,
      (a) => money(a, 'eur', 'fr-FR'),
    );
    expect(seen(excl, 'fr-FR')).toEqual([
      'Sous-total HT = 50,00 €',
      'Remise = 0,00 €',
      'Livraison = 0,00 €',
      'TVA 20 % = 6,00 €',
      'TVA 5,5 % = 1,10 €',
      'Total TVA = 7,10 €',
      'Total TTC = 57,10 €',
    ]);
    expect(addsUp(excl)).toBe(true);
    const incl = summaryRows(
      sums({ amount_subtotal: 5710, amount_tax: 710, amount_total: 5710, taxes: two }),
      'fr-FR',
      fr,
      (a) => money(a, 'eur', 'fr-FR'),
    );
    expect(seen(incl, 'fr-FR').at(-1)).toBe('dont TVA · TVA 20 % : 6,00 € · TVA 5,5 % : 1,10 € = 7,10 €');
  });

  it('keeps plain Subtotal and Total, and a zero VAT before the total, without VAT', () => {
    const rows = summaryRows(sums({ amount_subtotal: 2500, amount_shipping: 490, amount_total: 2990 }), 'en-GB', en, (a) =>
      money(a, 'eur', 'en-GB'),
    );
    expect(seen(rows)).toEqual(['Subtotal = €25.00', 'Discount = €0.00', 'Shipping = €4.90', 'VAT = €0.00', 'Total = €29.90']);
    expect(addsUp(rows)).toBe(true);
  });
});
