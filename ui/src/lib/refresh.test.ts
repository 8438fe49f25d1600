// The "Updated …" indicator's words, in both languages, at the moments a merchant sees them.
import { describe, expect, it } from 'vitest';
import { refreshText } from './refresh';

const now = Date.UTC(2026, 11, 3, 14, 30) / 1000;

describe('refreshText', () => {
  it('says how fresh the data is', () => {
    expect(refreshText(now - 5, now, false, 'en-GB')).toBe('Updated just now');
    expect(refreshText(now - 59, now, false, 'en-GB')).toBe('Updated just now');
    expect(refreshText(now - 2 * 60 - 10, now, false, 'en-GB')).toBe('Updated 2 min ago');
    expect(refreshText(now - 3600, now, false, 'en-GB')).toBe('Updated 1 hour ago');
    expect(refreshText(now - 3 * 3600, now, false, 'en-GB')).toBe('Updated 3 hours ago');
    expect(refreshText(now - 3 * 86400, now, false, 'en-GB')).toMatch(/^Updated 30 Nov 2026/);
    expect(refreshText(null, now, false, 'en-GB')).toBe('Never synced');
  });

  it('says it in French', () => {
    expect(refreshText(now - 5, now, false, 'fr-FR')).toBe('Mis à jour à l’instant');
    expect(refreshText(now - 2 * 60, now, false, 'fr-FR')).toBe('Mis à jour il y a 2 min');
    expect(refreshText(now - 2 * 3600, now, false, 'fr-FR')).toBe('Mis à jour il y a 2 heures');
  });

  it('says offline with the time of the last update, the date when not today', () => {
    const at = new Date(2026, 11, 3, 14, 3).getTime() / 1000;
    const later = new Date(2026, 11, 3, 14, 30).getTime() / 1000;
    expect(refreshText(at, later, true, 'en-GB')).toBe('Offline — last updated 14:03');
    expect(refreshText(at, later, true, 'fr-FR')).toBe('Hors ligne — dernière mise à jour 14:03');
    const nextDay = later + 86400;
    expect(refreshText(at, nextDay, true, 'en-GB')).toBe('Offline — last updated 3 Dec 2026, 14:03');
    expect(refreshText(null, later, true, 'en-GB')).toBe('Offline — not updated yet');
  });
});
