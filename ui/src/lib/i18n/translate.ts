// Looks a key up in a dictionary, picks the plural form with Intl.PluralRules and fills in
// `{param}` placeholders. Pure, so it is tested without a DOM.

import { en, type MessageKey } from './en';
import { fr } from './fr';
import type { Dictionary, Lang, Message } from './types';

export const DICTIONARIES: Record<Lang, Record<MessageKey, Message>> = { en, fr };

export type Params = Record<string, string | number>;

const pluralRules = new Map<string, Intl.PluralRules>();
const numberFormats = new Map<string, Intl.NumberFormat>();

function rules(lang: string): Intl.PluralRules {
  let r = pluralRules.get(lang);
  if (!r) pluralRules.set(lang, (r = new Intl.PluralRules(lang)));
  return r;
}

function numbers(locale: string): Intl.NumberFormat {
  let f = numberFormats.get(locale);
  if (!f) numberFormats.set(locale, (f = new Intl.NumberFormat(locale)));
  return f;
}

/** Chooses the form of `message` for `count`, falling back to `other`. */
export function pluralForm(message: Message, count: number, lang: string): string {
  if (typeof message === 'string') return message;
  return message[rules(lang).select(count)] ?? message.other;
}

/**
 * `lang` picks the dictionary and the plural rules; `locale` (for example "fr-CA") formats the
 * numbers put into the text. A plural message takes its count from `params.count`.
 */
export function translate(
  dict: Dictionary,
  lang: Lang,
  locale: string,
  key: string,
  params: Params = {},
): string {
  const message = dict[key] ?? (en as Dictionary)[key];
  if (message === undefined) return key;
  const count = typeof params.count === 'number' ? params.count : 0;
  const text = pluralForm(message, count, lang);
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === 'number' ? numbers(locale).format(value) : value;
  });
}

/** The dictionary language for a BCP 47 tag: French for any `fr…`, else English. */
export function langOf(tag: string | null | undefined): Lang {
  return tag?.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

/**
 * The locale to format dates and numbers with. The system's own tag when it speaks the chosen
 * language (so fr-CA keeps its conventions), else a sensible default for that language.
 */
export function resolveLocale(preference: string | null, systemTags: readonly string[]): { lang: Lang; locale: string } {
  const system = systemTags[0] ?? 'en-US';
  const lang = preference === 'fr' || preference === 'en' ? preference : langOf(system);
  const match = systemTags.find((tag) => langOf(tag) === lang && tag.toLowerCase().startsWith(lang));
  return { lang, locale: match ?? (lang === 'fr' ? 'fr-FR' : 'en-GB') };
}
