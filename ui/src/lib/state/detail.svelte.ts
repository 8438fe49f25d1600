// A detail screen's data: read by id, again whenever the store changes, keeping only the
// answer to the latest request (stepping through a list fires several reads in a row).

import * as ipc from '../ipc';
import type { IpcError } from '../ipc';
import { app } from './app.svelte';

export class DetailLoader<T> {
  value = $state<T | null>(null);
  error = $state<IpcError | null>(null);
  private request = 0;

  /**
   * `read(id, refresh)`: with `refreshes`, the screen shows the cached detail at once (`false`)
   * and then asks Stripe for what is live (`true`); a failed refresh keeps the cached detail.
   */
  constructor(
    private readonly read: (id: string, refresh: boolean) => Promise<T>,
    private readonly refreshes = false,
  ) {}

  /** Reads the detail of `id()` now, and again when it changes or a sync changes the store.
   *  Call it while the screen is set up (it registers an effect). */
  follow(id: () => string): void {
    $effect(() => {
      void app.dataVersion;
      void this.load(id());
    });
  }

  async load(id: string): Promise<void> {
    const mine = ++this.request;
    for (const refresh of this.refreshes ? [false, true] : [false]) {
      try {
        const result = await this.read(id, refresh);
        if (mine !== this.request) return;
        this.value = result;
        this.error = null;
      } catch (e) {
        if (mine !== this.request) return;
        if (!this.value || !refresh) this.error = ipc.toIpcError(e);
        return;
      }
    }
  }
}
