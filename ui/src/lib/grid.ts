// Keyboard movement between the rows of a data table (role="grid"): Up/Down, Home/End and
// PageUp/PageDown move focus; the focused row is the one Tab comes back to (roving tabindex).

const ROW_SELECTOR = 'tbody tr[data-row]';

export function rows(table: HTMLElement): HTMLElement[] {
  return Array.from(table.querySelectorAll<HTMLElement>(ROW_SELECTOR));
}

/** The row index a key moves to from `current`, or null when the key is not a move. */
export function targetRow(key: string, current: number, count: number, pageSize = 10): number | null {
  if (count === 0) return null;
  switch (key) {
    case 'ArrowDown':
      return Math.min(count - 1, current + 1);
    case 'ArrowUp':
      return Math.max(0, current - 1);
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    case 'PageDown':
      return Math.min(count - 1, current + pageSize);
    case 'PageUp':
      return Math.max(0, current - pageSize);
    default:
      return null;
  }
}

/** Handles a keydown on the table; returns the newly focused row index, if any. */
export function onGridKeydown(event: KeyboardEvent, table: HTMLElement): number | null {
  if (event.altKey || event.ctrlKey || event.metaKey) return null;
  const all = rows(table);
  const current = all.findIndex((r) => r === document.activeElement || r.contains(document.activeElement));
  const next = targetRow(event.key, Math.max(0, current), all.length);
  if (next === null) return null;
  event.preventDefault();
  all[next].focus();
  all[next].scrollIntoView({ block: 'nearest' });
  return next;
}

/** The index of the row that holds `target`, for roving tabindex on focusin. */
export function rowIndexOf(target: EventTarget | null, table: HTMLElement): number {
  if (!(target instanceof Element)) return -1;
  const row = target.closest<HTMLElement>('tr[data-row]');
  return row ? rows(table).indexOf(row) : -1;
}

/** The tab a key moves to in a tab list (ARIA tabs: ←/→ wrap around, Home, End), or `null`. */
export function targetTab(key: string, current: number, count: number): number | null {
  if (count <= 0) return null;
  if (key === 'ArrowRight') return (current + 1) % count;
  if (key === 'ArrowLeft') return (current - 1 + count) % count;
  if (key === 'Home') return 0;
  if (key === 'End') return count - 1;
  return null;
}
