import { describe, expect, it } from 'vitest';
import { en } from './en';
import { fr } from './fr';
import { langOf, pluralForm, resolveLocale, translate } from './translate';
import type { Message } from './types';

const placeholders = (m: Message): string[] => {
  const texts = typeof m === 'string' ? [m] : Object.values(m);
  return [...new Set(texts.flatMap((s) => [...(s ?? '').matchAll(/\{(\w+)\}/g)].map((x) => x[1])))].sort();
};

describe('dictionaries', () => {
  it('have the same keys in French and English', () => {
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
  });

  it('use the same placeholders for each key', () => {
    for (const key of Object.keys(en) as Array<keyof typeof en>) {
      expect(placeholders(fr[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it('agree on which messages are plural, and each plural has "one" and "other"', () => {
    for (const key of Object.keys(en) as Array<keyof typeof en>) {
      const a: Message = en[key];
      const b: Message = fr[key];
      expect(typeof b, key).toBe(typeof a);
      for (const m of [a, b]) {
        if (typeof m !== 'string') {
          expect(m.one, key).toBeTruthy();
          expect(m.other, key).toBeTruthy();
        }
      }
    }
  });

  it('have no empty strings', () => {
    for (const dict of [en, fr]) {
      for (const [key, m] of Object.entries(dict) as Array<[string, Message]>) {
        const texts: Array<string | undefined> = typeof m === 'string' ? [m] : Object.values(m);
        for (const s of texts) expect(s?.trim(), key).toBeTruthy();
      }
    }
  });
});

describe('plurals', () => {
  it('follow English rules', () => {
    expect(translate(en, 'en', 'en-US', 'orders.count', { count: 0 })).toBe('0 orders');
    expect(translate(en, 'en', 'en-US', 'orders.count', { count: 1 })).toBe('1 order');
    expect(translate(en, 'en', 'en-US', 'orders.count', { count: 2 })).toBe('2 orders');
    expect(translate(en, 'en', 'en-US', 'orders.count', { count: 1234 })).toBe('1,234 orders');
  });

  it('follow French rules: 0 and 1 are singular, and 1 000 000 falls back to "other"', () => {
    expect(translate(fr, 'fr', 'fr-FR', 'orders.count', { count: 0 })).toBe('0 commande');
    expect(translate(fr, 'fr', 'fr-FR', 'orders.count', { count: 1 })).toBe('1 commande');
    expect(translate(fr, 'fr', 'fr-FR', 'orders.count', { count: 2 })).toBe('2 commandes');
    expect(translate(fr, 'fr', 'fr-FR', 'orders.count', { count: 1234 })).toBe('1\u202f234 commandes');
    expect(new Intl.PluralRules('fr').select(1_000_000)).toBe('many');
    expect(translate(fr, 'fr', 'fr-FR', 'orders.count', { count: 1_000_000 })).toBe('1\u202f000\u202f000 commandes');
  });

  it('picks a form directly', () => {
    expect(pluralForm({ one: 'a', other: 'b' }, 1, 'en')).toBe('a');
    expect(pluralForm({ one: 'a', other: 'b' }, 5, 'en')).toBe('b');
    expect(pluralForm('plain', 5, 'en')).toBe('plain');
  });
});

describe('translate', () => {
  it('fills in parameters and leaves unknown ones visible', () => {
    expect(translate(en, 'en', 'en-US', 'sync.lastSynced', { when: '5 minutes ago' })).toBe('Last synced 5 minutes ago');
    expect(translate(en, 'en', 'en-US', 'sync.lastSynced')).toBe('Last synced {when}');
  });

  it('returns the key for a missing message', () => {
    expect(translate(en, 'en', 'en-US', 'no.such.key')).toBe('no.such.key');
  });
});

describe('locale resolution', () => {
  it('follows the system until a language is chosen', () => {
    expect(resolveLocale(null, ['fr-CA', 'en-US'])).toEqual({ lang: 'fr', locale: 'fr-CA' });
    expect(resolveLocale(null, ['de-DE'])).toEqual({ lang: 'en', locale: 'en-GB' });
    expect(resolveLocale('en', ['fr-FR', 'en-US'])).toEqual({ lang: 'en', locale: 'en-US' });
    expect(resolveLocale('fr', ['en-US'])).toEqual({ lang: 'fr', locale: 'fr-FR' });
    expect(resolveLocale(null, [])).toEqual({ lang: 'en', locale: 'en-GB' });
  });

  it('maps tags to a dictionary language', () => {
    expect(langOf('fr')).toBe('fr');
    expect(langOf('FR-be')).toBe('fr');
    expect(langOf('en-GB')).toBe('en');
    expect(langOf(null)).toBe('en');
  });
});
