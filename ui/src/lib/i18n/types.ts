// The shape of a dictionary entry: a plain string, or one string per plural category
// (Intl.PluralRules), where `other` is required and used when a category is missing.

export type PluralMessage = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };
export type Message = string | PluralMessage;
export type Dictionary = Record<string, Message>;
export type Lang = 'en' | 'fr';
export const LANGS: readonly Lang[] = ['en', 'fr'];
