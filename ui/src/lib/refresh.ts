// What the "Updated …" indicator says (README: Background sync): how fresh the data on screen
// is, kept current by the background sync. Takes the locale explicitly, like format.ts, so it
// can be tested without the reactive i18n state.

import { datetime, time } from './format';
import type { MessageKey } from './i18n/en';
import { DICTIONARIES, langOf, translate, type Params } from './i18n/translate';

const DAY = 86400;

/**
 * "Updated just now" (under a minute), "Updated 2 min ago", "Updated 3 hours ago", then the
 * date and time; offline, "Offline — last updated 14:03" (with the date when not today).
 */
export function refreshText(lastSynced: number | null, nowSeconds: number, offline: boolean, locale: string): string {
  const lang = langOf(locale);
  const say = (key: MessageKey, params?: Params) =>
    translate(DICTIONARIES[lang], lang, locale, key, params);
  if (lastSynced === null) return offline ? say('refresh.offlineNever') : say('sync.never');
  const ago = Math.max(0, nowSeconds - lastSynced);
  if (offline) {
    const sameDay = new Date(lastSynced * 1000).toDateString() === new Date(nowSeconds * 1000).toDateString();
    return say('refresh.offline', { when: sameDay ? time(lastSynced, locale) : datetime(lastSynced, locale) });
  }
  if (ago < 60) return say('refresh.justNow');
  if (ago < 3600) return say('refresh.minutes', { count: Math.floor(ago / 60) });
  if (ago < DAY) return say('refresh.hours', { count: Math.floor(ago / 3600) });
  return say('refresh.at', { when: datetime(lastSynced, locale) });
}
