// The sentences that say what an import of a settings file changed.
import { describe, expect, it } from 'vitest';
import { importSummary } from './settings-file';

describe('importSummary', () => {
  it('names what changed, in both languages', () => {
    const report = { changed: ['station_name', 'custom_carriers', 'smtp'] as const, smtp_password_removed: true, rates_not_found: 2 };
    expect(importSummary({ ...report, changed: [...report.changed] }, 'en-GB')).toEqual([
      'Settings imported: station name, custom carriers and email server.',
      'The email server changed: enter its password in Settings → Email.',
      '2 shipping rates of the file are not in this account and were skipped.',
    ]);
    const fr = importSummary({ ...report, changed: [...report.changed] }, 'fr-FR');
    expect(fr[0]).toBe('Réglages importés : nom du poste, transporteurs personnalisés et serveur d’e-mail.');
    expect(fr).toHaveLength(3);
  });

  it('says when nothing changed', () => {
    expect(importSummary({ changed: [], smtp_password_removed: false, rates_not_found: 0 }, 'en-GB')).toEqual([
      'The file matches this station’s settings: nothing changed.',
    ]);
  });
});
