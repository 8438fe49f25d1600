// Two-key "go to" shortcuts (g then o, g then s, g then ,) as a tiny pure state machine.

export type Route = 'orders' | 'subscriptions' | 'settings' | 'onboarding' | 'packing';

export const GO_KEYS: Record<string, Route> = { o: 'orders', s: 'subscriptions', ',': 'settings', p: 'packing' };

/** How long after `g` the second key still counts. */
export const CHORD_MS = 1200;

export type ChordState = { pendingSince: number | null };

export type ChordResult = { state: ChordState; go: Route | null };

export function chord(state: ChordState, key: string, at: number): ChordResult {
  const pending = state.pendingSince !== null && at - state.pendingSince <= CHORD_MS;
  if (pending) {
    const route = GO_KEYS[key.toLowerCase()] ?? null;
    if (route) return { state: { pendingSince: null }, go: route };
  }
  if (key === 'g') return { state: { pendingSince: at }, go: null };
  return { state: { pendingSince: null }, go: null };
}

/** Shortcuts must not fire while the user types in a field. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!target || typeof (target as HTMLElement).tagName !== 'string') return false;
  const el = target as HTMLElement;
  const tag = el.tagName.toLowerCase();
  return tag === 'input' || tag === 'textarea' || tag === 'select' || el.isContentEditable;
}

/** The shortcuts sheet ("?"): i18n keys of each group and line, and the keys to press. */
export const SHORTCUTS: readonly { title: string; items: readonly { keys: readonly string[]; what: string }[] }[] = [
  {
    title: 'shortcuts.anywhere',
    items: [
      { keys: ['g o'], what: 'shortcuts.goOrders' },
      { keys: ['g s'], what: 'shortcuts.goSubscriptions' },
      { keys: ['g ,'], what: 'shortcuts.goSettings' },
      { keys: ['g p'], what: 'shortcuts.packing' },
      { keys: ['?'], what: 'shortcuts.help' },
    ],
  },
  {
    title: 'shortcuts.lists',
    items: [
      { keys: ['↑', '↓'], what: 'shortcuts.moveRows' },
      { keys: ['Enter'], what: 'shortcuts.openRow' },
      { keys: ['Enter'], what: 'shortcuts.scanOrder' },
      { keys: ['Esc'], what: 'shortcuts.clearSearch' },
    ],
  },
  {
    title: 'shortcuts.details',
    items: [
      { keys: ['Esc'], what: 'shortcuts.back' },
      { keys: ['Alt ↓', 'Alt ↑'], what: 'shortcuts.nextPrevious' },
      { keys: ['Ctrl P', '⌘ P'], what: 'shortcuts.printSlip' },
      { keys: ['Enter'], what: 'shortcuts.trackingEnter' },
    ],
  },
];

/** "?" opens the shortcuts sheet (not while typing). */
export function isHelpKey(event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey'>): boolean {
  return event.key === '?' && !event.ctrlKey && !event.metaKey && !event.altKey;
}
