// What an import of a settings file changed, in the merchant's words (README: Settings export
// and import). Takes the locale explicitly, like format.ts, so it is tested without the
// reactive i18n state.

import { DICTIONARIES, langOf, translate } from './i18n/translate';
import type { MessageKey } from './i18n/en';
import type { ImportReport } from './ipc/bindings/ImportReport';
import type { SettingsPart } from './ipc/bindings/SettingsPart';

const PART: Record<SettingsPart, MessageKey> = {
  language: 'settings.part.language',
  station_name: 'settings.part.station_name',
  staff_name: 'settings.part.staff_name',
  printer: 'settings.part.printer',
  sync_interval: 'settings.part.sync_interval',
  custom_carriers: 'settings.part.custom_carriers',
  smtp: 'settings.part.smtp',
  pickup_rates: 'settings.part.pickup_rates',
};

/** One sentence per fact: what changed (or that nothing did), the password to type again, the rates skipped. */
export function importSummary(report: ImportReport, locale: string): string[] {
  const lang = langOf(locale);
  const say = (key: MessageKey, params?: Record<string, string | number>) => translate(DICTIONARIES[lang], lang, locale, key, params);
  const parts = report.changed.map((p) => say(PART[p]));
  const list = new Intl.ListFormat(locale, { type: 'conjunction' }).format(parts);
  const lines = [report.changed.length ? say('settings.imported', { parts: list }) : say('settings.importedNothing')];
  if (report.smtp_password_removed) lines.push(say('settings.importedPassword'));
  if (report.rates_not_found > 0) lines.push(say('settings.importedRatesMissing', { count: report.rates_not_found }));
  return lines;
}
