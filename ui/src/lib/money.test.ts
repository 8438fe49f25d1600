// The UI's money() and the Rust core's money module (src-tauri/core/src/money.rs) agree: Rust
// writes what it formats to money.expected.json (regenerated with the ts-rs bindings, and
// compared with git by scripts/test.sh), and here Intl must give the same strings, narrow
// no-break spaces (U+202F) and no-break spaces (U+00A0) included.
import { describe, expect, it } from 'vitest';
import { minorUnitExponent, money } from './format';
import fixture from './money.expected.json';

interface Case {
  currency: string;
  locale: string;
  amount: number;
  formatted: string;
}

const cases: Case[] = fixture.cases;

/** The cases of one currency in one locale, in the fixture's order. */
function groups(): Map<string, Case[]> {
  const out = new Map<string, Case[]>();
  for (const c of cases) {
    const key = `${c.currency} in ${c.locale}`;
    out.set(key, [...(out.get(key) ?? []), c]);
  }
  return out;
}

describe('money() agrees with Rust', () => {
  it('has cases for the demo store’s currencies in both locales', () => {
    for (const currency of ['eur', 'usd', 'gbp', 'jpy']) {
      for (const locale of ['fr-FR', 'en-GB']) {
        expect(cases.filter((c) => c.currency === currency && c.locale === locale).length).toBeGreaterThan(10);
      }
    }
    // The French cases carry the spaces Intl puts there, so they are compared, not assumed.
    expect(cases.find((c) => c.currency === 'eur' && c.locale === 'fr-FR' && c.amount === 123456)?.formatted).toBe(
      '1\u202f234,56\u00a0€',
    );
  });

  for (const [name, group] of groups()) {
    it(`formats ${name} as Rust does`, () => {
      const shown = group.map((c) => money(c.amount, c.currency, c.locale));
      expect(shown).toEqual(group.map((c) => c.formatted));
    });
  }

  it('counts the decimals of every currency of the Rust table as Stripe does', () => {
    const exponents: Record<string, number> = fixture.exponents;
    expect(Object.keys(exponents).length).toBeGreaterThan(20);
    for (const [currency, exponent] of Object.entries(exponents)) {
      expect([currency, minorUnitExponent(currency)]).toEqual([currency, exponent]);
    }
  });
});
