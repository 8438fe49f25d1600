// The current language, as reactive state: it follows the system (`navigator.languages`) until
// Settings.language picks one. Components call `t()` in their markup and re-render on change.

import type { MessageKey } from './en';
import { DICTIONARIES, resolveLocale, translate, type Params } from './translate';
import type { Lang } from './types';

export type { MessageKey } from './en';
export type { Lang } from './types';

function systemTags(): readonly string[] {
  if (typeof navigator === 'undefined') return ['en-US'];
  return navigator.languages?.length ? navigator.languages : [navigator.language];
}

class Locale {
  /** "fr", "en", or null to follow the system. */
  preference = $state<string | null>(null);
  #system = $state<readonly string[]>(systemTags());
  #resolved = $derived(resolveLocale(this.preference, this.#system));

  get lang(): Lang {
    return this.#resolved.lang;
  }
  /** A BCP 47 tag for Intl formatters. */
  get locale(): string {
    return this.#resolved.locale;
  }
  refreshSystem() {
    this.#system = systemTags();
  }
}

export const i18n = new Locale();

export function t(key: MessageKey, params?: Params): string {
  return translate(DICTIONARIES[i18n.lang], i18n.lang, i18n.locale, key, params);
}

if (typeof window !== 'undefined') {
  window.addEventListener('languagechange', () => i18n.refreshSystem());
}
