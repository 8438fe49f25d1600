// Previous / Next in a detail screen: the row before or after the open one in the list it was
// opened from (its tab, search and sort), read again as the list is now.

import { errorText } from '../errors';
import { t, type MessageKey } from '../i18n/index.svelte';
import * as ipc from '../ipc';
import { router, type Route } from './router.svelte';
import { toasts } from './toasts.svelte';

/**
 * The row before (`step` -1) or after (+1) the open one, from a window of rows read at `at`.
 * When the open row has left the list (an order shipped out of the To be sent tab, say), the
 * row now at its old place is the one after it. Returns the row and its index in the list, or
 * `null` at either end.
 */
export function neighbour<T extends { id: string }>(
  rows: readonly T[],
  at: number,
  openId: string,
  openedIndex: number,
  step: 1 | -1,
): { row: T; index: number } | null {
  const here = rows.findIndex((r) => r.id === openId);
  const i = here >= 0 ? here + step : openedIndex - at + (step > 0 ? 0 : -1);
  return i >= 0 && i < rows.length ? { row: rows[i], index: at + i } : null;
}

/** Reads the three rows around the open one (`read(offset, limit)`) and picks its neighbour. */
export async function stepFrom<T extends { id: string }>(
  read: (offset: number, limit: number) => Promise<readonly T[]>,
  openId: string,
  openedIndex: number,
  step: 1 | -1,
): Promise<{ row: T; index: number } | null> {
  const at = Math.max(0, openedIndex - 1);
  return neighbour(await read(at, 3), at, openId, openedIndex, step);
}

/** Alt+↓ / Alt+↑: the step a key press asks for, if any. */
export function stepKey(event: KeyboardEvent): 1 | -1 | null {
  if (!event.altKey || event.ctrlKey || event.metaKey) return null;
  return event.key === 'ArrowDown' ? 1 : event.key === 'ArrowUp' ? -1 : null;
}

/** Where a list keeps the open row (the orders and subscriptions views). */
export interface OpenedRow {
  openedIndex: number;
  lastOpened: string | null;
}

/** A detail screen's Previous / Next over the list it was opened from. */
export class ListStepper<T extends { id: string }> {
  busy = $state(false);

  constructor(
    private readonly opts: {
      view: OpenedRow;
      route: Route;
      read: (offset: number, limit: number) => Promise<readonly T[]>;
      /** Said when there is nothing before / after. */
      first: MessageKey;
      last: MessageKey;
    },
  ) {}

  /** Whether the open row came from the list (not from a scan or a link). */
  get available(): boolean {
    return this.opts.view.openedIndex >= 0;
  }

  async step(openId: string, delta: 1 | -1): Promise<void> {
    const { view, route, read, first, last } = this.opts;
    if (this.busy || !this.available) return;
    this.busy = true;
    try {
      const next = await stepFrom(read, openId, view.openedIndex, delta);
      if (!next) {
        toasts.info(t(delta > 0 ? last : first));
        return;
      }
      view.openedIndex = next.index;
      view.lastOpened = next.row.id;
      router.open(route, next.row.id);
    } catch (e) {
      toasts.error(errorText(ipc.toIpcError(e)));
    } finally {
      this.busy = false;
    }
  }
}

/**
 * A detail screen's keys: Alt+↑ / Alt+↓ step through the list it was opened from, Escape goes
 * back to it (neither while a dialog is open). `more` sees the other keys first and says
 * whether it handled one.
 */
export function onDetailKeydown(
  event: KeyboardEvent,
  stepper: ListStepper<{ id: string }>,
  id: string,
  back: () => void,
  more?: (event: KeyboardEvent) => boolean,
): void {
  const delta = stepKey(event);
  if (delta) {
    if (document.querySelector('dialog[open]')) return;
    event.preventDefault();
    void stepper.step(id, delta);
    return;
  }
  if (more?.(event)) return;
  if (event.key !== 'Escape' || event.defaultPrevented) return;
  if (document.querySelector('dialog[open]')) return;
  event.preventDefault();
  back();
}

/** Opens a link in the browser (Rust checks where it goes); a failure is said in a toast. */
export async function openExternal(url: string): Promise<void> {
  try {
    await ipc.openLink(url);
  } catch (e) {
    toasts.error(t('sub.openFailed', { message: errorText(ipc.toIpcError(e)) }));
  }
}
