// The shell's state: where the data comes from, the account, the counts, the sync, the
// connection, and the merchant's settings. Screens read it; actions that change it live here.

import { errorText } from '../errors';
import { i18n, t } from '../i18n/index.svelte';
import * as ipc from '../ipc';
import type { AccountInfo, AppStatus, BackgroundSync, IpcError, Settings } from '../ipc';
import { initialSync, syncReducer, syncSentence, type SyncAction, type SyncState } from './sync';
import { toasts } from './toasts.svelte';

export type Mode = 'demo' | 'test' | 'live';

const nowSeconds = () => Math.floor(Date.now() / 1000);
/** While a sync runs, how often the counts and the visible list are refreshed. */
const LIVE_REFRESH_MS = 2000;
/** While a sync this UI did not start runs, how often to ask whether it has ended. */
const POLL_MS = 2500;

class App {
  status = $state<AppStatus | null>(null);
  startError = $state<IpcError | null>(null);
  settings = $state<Settings | null>(null);
  sync = $state<SyncState>(initialSync);
  /** navigator.onLine, kept current by the browser's online/offline events. */
  online = $state(typeof navigator === 'undefined' ? true : navigator.onLine);
  /** The last sync failed for lack of network, even though the OS says we are online. */
  networkFailed = $state(false);
  /** The app is finishing a full sync that was cut short before it last closed. */
  resuming = $state(false);
  /** Unix seconds, ticking every minute, for "Last synced 5 minutes ago". */
  now = $state(nowSeconds());
  /** Bumped whenever cached data may have changed; lists reload when it moves. */
  dataVersion = $state(0);

  #lastLiveRefresh = 0;
  #poll: ReturnType<typeof setInterval> | null = null;
  #started = false;

  get offline(): boolean {
    return !this.online || this.networkFailed;
  }

  get mode(): Mode {
    if (!this.status || this.status.source === 'demo') return 'demo';
    return this.status.account?.mode ?? 'test';
  }

  get account(): AccountInfo | null {
    return this.status?.account ?? null;
  }

  get syncing(): boolean {
    return this.sync.phase === 'running';
  }

  /** Connected to Stripe but nothing has been synced yet. */
  get neverSynced(): boolean {
    return this.status?.source === 'stripe' && this.status.last_synced_at === null;
  }

  async start() {
    if (this.#started) return;
    this.#started = true;
    window.addEventListener('online', () => {
      this.online = true;
      this.networkFailed = false;
    });
    window.addEventListener('offline', () => {
      this.online = false;
    });
    setInterval(() => (this.now = nowSeconds()), 60_000);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.now = nowSeconds();
    });
    try {
      await ipc.onSyncProgress((progress) => this.#dispatch({ type: 'progress', progress, at: Date.now() }));
    } catch (error) {
      console.error('could not listen to sync progress', error);
    }
    try {
      await ipc.onBackgroundSync((pass) => this.#background(pass));
    } catch (error) {
      console.error('could not listen to the background sync', error);
    }
    await this.load();
  }

  async load() {
    this.startError = null;
    // Settings only tune the shell (language, names): the app still opens without them.
    const settings = ipc.getSettings().catch((error) => {
      console.error('get_settings failed', error);
      return null;
    });
    try {
      const status = await ipc.appStatus();
      this.settings = await settings;
      if (this.settings) i18n.preference = this.settings.language;
      this.#setStatus(status);
      // A full sync cut short (the app was closed during it) resumes by itself at start, and
      // the shell says so until it ends.
      if (status.source === 'stripe' && status.full_sync_incomplete && !status.sync_running && !this.syncing) {
        this.resuming = true;
        void this.startSync(true).finally(() => (this.resuming = false));
      }
    } catch (error) {
      this.startError = ipc.toIpcError(error);
    }
  }

  /** Settings live in each store (demo, or the account's): reload them when the store changes. */
  async reloadSettings() {
    try {
      this.settings = await ipc.getSettings();
      i18n.preference = this.settings.language;
    } catch (error) {
      console.error('get_settings failed', error);
    }
  }

  async refreshStatus() {
    try {
      this.#setStatus(await ipc.appStatus());
    } catch (error) {
      console.error('app_status failed', error);
    }
  }

  /**
   * A pass of the background sync (README: Background sync). Quiet: no progress bar and no
   * toast; the "Updated …" indicator follows it, and the lists reload only when it brought
   * something new.
   */
  #background(pass: BackgroundSync) {
    if (!this.status || this.status.source !== 'stripe') return;
    this.networkFailed = pass.offline;
    this.status = { ...this.status, last_synced_at: pass.last_synced_at, sync_offline: pass.offline };
    this.now = nowSeconds();
    if (pass.changed) {
      void this.refreshStatus();
      this.dataVersion++;
    }
  }

  #setStatus(status: AppStatus) {
    this.status = status;
    if (status.source === 'stripe' && status.sync_offline) this.networkFailed = true;
    this.now = nowSeconds();
    if (status.sync_running) {
      this.#dispatch({ type: 'running_elsewhere', at: Date.now() });
    } else if (this.sync.phase === 'running' && this.sync.external) {
      this.#dispatch({ type: 'ended_elsewhere', at: Date.now() });
    }
  }

  #dispatch(action: SyncAction) {
    const before = this.sync;
    const after = syncReducer(before, action);
    this.sync = after;
    const wasRunning = before.phase === 'running';
    const isRunning = after.phase === 'running';

    if (isRunning && after.external && !this.#poll) {
      this.#poll = setInterval(() => void this.refreshStatus(), POLL_MS);
    }
    if (!isRunning && this.#poll) {
      clearInterval(this.#poll);
      this.#poll = null;
    }
    if (isRunning && action.type === 'progress' && Date.now() - this.#lastLiveRefresh > LIVE_REFRESH_MS) {
      this.#lastLiveRefresh = Date.now();
      void this.refreshStatus();
      this.dataVersion++;
    }
    if (wasRunning && !isRunning) {
      void this.refreshStatus();
      this.dataVersion++;
    }
  }

  /**
   * Runs a sync unless one is running. Resolves when it ends; failures become toasts.
   * `automatic` syncs (after connecting) stay quiet when the backend already runs one.
   */
  async startSync(automatic = false) {
    if (this.syncing) return;
    this.#dispatch({ type: 'start', at: Date.now() });
    try {
      const report = await ipc.syncNow();
      this.networkFailed = false;
      this.#dispatch({ type: 'finish', report, at: Date.now() });
      if (this.status?.source === 'demo') {
        toasts.success(t('sync.doneDemo'));
      } else {
        toasts.success(syncSentence(report));
      }
      if (report.skipped > 0) toasts.info(t('sync.skipped', { count: report.skipped }));
    } catch (raw) {
      const error = ipc.toIpcError(raw);
      this.#dispatch({ type: 'fail', error, at: Date.now() });
      if (error.code === 'busy') {
        if (!automatic) toasts.info(errorText(error));
        return;
      }
      if (error.code === 'network') this.networkFailed = true;
      toasts.error(t('sync.failed', { reason: errorText(error) }));
    }
  }

  /** After onboarding: show the account's (empty) store and fetch its data. */
  async connected() {
    await Promise.all([this.refreshStatus(), this.reloadSettings()]);
    this.dataVersion++;
    void this.startSync(true);
  }

  async disconnect(): Promise<boolean> {
    try {
      await ipc.disconnectStripe();
      await Promise.all([this.refreshStatus(), this.reloadSettings()]);
      this.dataVersion++;
      toasts.success(t('settings.disconnected'));
      return true;
    } catch (error) {
      toasts.error(errorText(ipc.toIpcError(error)));
      return false;
    }
  }

  async saveSettings(next: Settings): Promise<boolean> {
    try {
      this.settings = await ipc.saveSettings(next);
      i18n.preference = this.settings.language;
      toasts.success(t('settings.saved'));
      return true;
    } catch (error) {
      toasts.error(errorText(ipc.toIpcError(error)));
      return false;
    }
  }
}

export const app = new App();
