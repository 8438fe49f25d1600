import { describe, expect, it } from 'vitest';
import { targetRow, targetTab } from '../grid';
import { parseRoute } from './router.svelte';
import { en } from '../i18n/en';
import { fr } from '../i18n/fr';
import { chord, CHORD_MS, isHelpKey, isTypingTarget, SHORTCUTS } from './shortcuts';

describe('go-to shortcuts', () => {
  it('goes to a screen on g then a letter', () => {
    const first = chord({ pendingSince: null }, 'g', 1000);
    expect(first.go).toBeNull();
    expect(chord(first.state, 'o', 1100).go).toBe('orders');
    expect(chord(first.state, 's', 1100).go).toBe('subscriptions');
    expect(chord(first.state, ',', 1100).go).toBe('settings');
  });

  it('forgets the g after a pause or another key', () => {
    const first = chord({ pendingSince: null }, 'g', 1000);
    expect(chord(first.state, 'o', 1000 + CHORD_MS + 1).go).toBeNull();
    const other = chord(first.state, 'x', 1100);
    expect(chord(other.state, 'o', 1200).go).toBeNull();
    expect(chord({ pendingSince: null }, 'o', 0).go).toBeNull();
  });

  it('does not fire while typing', () => {
    expect(isTypingTarget({ tagName: 'INPUT' } as unknown as EventTarget)).toBe(true);
    expect(isTypingTarget({ tagName: 'SELECT' } as unknown as EventTarget)).toBe(true);
    expect(isTypingTarget({ tagName: 'DIV', isContentEditable: true } as unknown as EventTarget)).toBe(true);
    expect(isTypingTarget({ tagName: 'BUTTON', isContentEditable: false } as unknown as EventTarget)).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });
});

describe('routes', () => {
  it('parses the hash, defaulting to orders', () => {
    expect(parseRoute('#/subscriptions')).toBe('subscriptions');
    expect(parseRoute('#/settings?x=1')).toBe('settings');
    expect(parseRoute('#onboarding')).toBe('onboarding');
    expect(parseRoute('')).toBe('orders');
    expect(parseRoute('#/nope')).toBe('orders');
  });
});

describe('table row movement', () => {
  it('moves within bounds', () => {
    expect(targetRow('ArrowDown', 0, 3)).toBe(1);
    expect(targetRow('ArrowDown', 2, 3)).toBe(2);
    expect(targetRow('ArrowUp', 0, 3)).toBe(0);
    expect(targetRow('Home', 2, 3)).toBe(0);
    expect(targetRow('End', 0, 3)).toBe(2);
    expect(targetRow('PageDown', 0, 50)).toBe(10);
    expect(targetRow('PageUp', 5, 50)).toBe(0);
    expect(targetRow('Enter', 0, 3)).toBeNull();
    expect(targetRow('ArrowDown', 0, 0)).toBeNull();
  });
});

describe('shortcuts sheet', () => {
  it('opens on ? alone', () => {
    const k = (key: string, mods: Partial<Record<'ctrlKey' | 'metaKey' | 'altKey', boolean>> = {}) => ({
      key,
      ctrlKey: false,
      metaKey: false,
      altKey: false,
      ...mods,
    });
    expect(isHelpKey(k('?'))).toBe(true);
    expect(isHelpKey(k('/'))).toBe(false);
    expect(isHelpKey(k('?', { ctrlKey: true }))).toBe(false);
    expect(isHelpKey(k('?', { metaKey: true }))).toBe(false);
  });

  it('says every line in both languages', () => {
    const keys = SHORTCUTS.flatMap((g) => [g.title, ...g.items.map((i) => i.what)]);
    for (const key of keys) {
      expect(en).toHaveProperty([key]);
      expect(fr).toHaveProperty([key]);
    }
    expect(SHORTCUTS.flatMap((g) => g.items).length).toBeGreaterThan(8);
  });
});

describe('tab lists', () => {
  it('move with the arrows, wrapping, and jump with Home and End', () => {
    expect(targetTab('ArrowRight', 0, 5)).toBe(1);
    expect(targetTab('ArrowRight', 4, 5)).toBe(0);
    expect(targetTab('ArrowLeft', 0, 5)).toBe(4);
    expect(targetTab('Home', 3, 5)).toBe(0);
    expect(targetTab('End', 1, 5)).toBe(4);
    expect(targetTab('Enter', 1, 5)).toBeNull();
    expect(targetTab('ArrowRight', 0, 0)).toBeNull();
  });
});
