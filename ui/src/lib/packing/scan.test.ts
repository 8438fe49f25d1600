import { describe, expect, it } from 'vitest';
import { isLink, isTextKey, localMidnight, progress } from './scan';

describe('packing keys', () => {
  it('takes characters, not shortcuts or named keys', () => {
    const k = (key: string, mods: Partial<KeyboardEvent> = {}) =>
      isTextKey({ key, ctrlKey: false, metaKey: false, altKey: false, ...mods });
    expect(k('a')).toBe(true);
    expect(k('7')).toBe(true);
    expect(k('-')).toBe(true);
    expect(k('Enter')).toBe(false);
    expect(k('Escape')).toBe(false);
    expect(k('p', { ctrlKey: true })).toBe(false);
  });

  it('counts today from local midnight', () => {
    const noon = new Date(2026, 11, 3, 12, 30);
    const midnight = new Date(2026, 11, 3, 0, 0).getTime() / 1000;
    expect(localMidnight(noon)).toBe(midnight);
  });

  it('tells a link from a number and counts units', () => {
    expect(isLink('https://www.laposte.fr/x')).toBe(true);
    expect(isLink('6A12345678901')).toBe(false);
    expect(progress([2, 1], [1])).toEqual({ done: 1, total: 3 });
    expect(progress([1], [5])).toEqual({ done: 1, total: 1 });
  });
});
