// The sync's lifecycle as a pure reducer, so its edge cases are unit-tested:
// - progress events can arrive after `sync_now` has already resolved (events and command
//   replies travel separately), and must not restart the bar;
// - a sync the UI did not start (one the backend runs on its own) still shows progress;
// - the bar never goes backwards within a run.

import { t } from '../i18n/index.svelte';
import type { IpcError } from '../ipc/bindings/IpcError';
import type { SyncProgress } from '../ipc/bindings/SyncProgress';
import type { SyncReport } from '../ipc/bindings/SyncReport';

export type SyncState =
  | { phase: 'idle'; finishedAt: number | null }
  | {
      phase: 'running';
      /** True when the backend started it: no `sync_now` reply will come, only a `done` event. */
      external: boolean;
      progress: SyncProgress | null;
      startedAt: number;
    }
  | { phase: 'done'; report: SyncReport | null; finishedAt: number }
  | { phase: 'failed'; error: IpcError; finishedAt: number };

export type SyncAction =
  | { type: 'start'; at: number }
  /** The backend says a sync is running (AppStatus.sync_running) that this UI did not start. */
  | { type: 'running_elsewhere'; at: number }
  /** The backend reports no sync running any more (polled while an outside sync runs). */
  | { type: 'ended_elsewhere'; at: number }
  | { type: 'progress'; progress: SyncProgress; at: number }
  | { type: 'finish'; report: SyncReport; at: number }
  | { type: 'fail'; error: IpcError; at: number };

/** Progress events later than this after a finish belong to a new sync. */
export const LATE_EVENT_MS = 1500;

export const initialSync: SyncState = { phase: 'idle', finishedAt: null };

function finishedAt(state: SyncState): number | null {
  return state.phase === 'running' ? null : state.finishedAt;
}

export function syncReducer(state: SyncState, action: SyncAction): SyncState {
  switch (action.type) {
    case 'start':
      if (state.phase === 'running') return { ...state, external: false };
      return { phase: 'running', external: false, progress: null, startedAt: action.at };

    case 'running_elsewhere':
      if (state.phase === 'running') return state;
      return { phase: 'running', external: true, progress: null, startedAt: action.at };

    case 'ended_elsewhere':
      if (state.phase !== 'running' || !state.external) return state;
      return { phase: 'done', report: null, finishedAt: action.at };

    case 'progress': {
      const p = action.progress;
      if (state.phase !== 'running') {
        const last = finishedAt(state);
        // A straggler from the sync that just ended, or the final event of one: ignore.
        if (p.stage === 'done' || (last !== null && action.at - last < LATE_EVENT_MS)) return state;
        return { phase: 'running', external: true, progress: clampProgress(null, p), startedAt: action.at };
      }
      if (state.external && p.stage === 'done') {
        return { phase: 'done', report: null, finishedAt: action.at };
      }
      return { ...state, progress: clampProgress(state.progress, p) };
    }

    case 'finish':
      return { phase: 'done', report: action.report, finishedAt: action.at };

    case 'fail':
      // "busy" means another sync is running: keep showing it instead of an error state.
      if (action.error.code === 'busy') {
        return state.phase === 'running' ? { ...state, external: true } : { phase: 'running', external: true, progress: null, startedAt: action.at };
      }
      return { phase: 'failed', error: action.error, finishedAt: action.at };
  }
}

function clampProgress(prev: SyncProgress | null, next: SyncProgress): SyncProgress {
  const raw = Number.isFinite(next.fraction) ? next.fraction : 0;
  const fraction = Math.min(1, Math.max(0, raw, prev?.fraction ?? 0));
  return { ...next, fraction };
}

export function isRunning(state: SyncState): state is Extract<SyncState, { phase: 'running' }> {
  return state.phase === 'running';
}

/** 0..100 for a determinate bar, or null while no progress has arrived yet. */
export function percent(state: SyncState): number | null {
  if (state.phase !== 'running' || !state.progress) return null;
  return Math.round(state.progress.fraction * 100);
}

/**
 * What a finished sync of a Stripe account says. A full sync counts the whole store; an
 * incremental one counts what changed, and says so ("nothing changed" rather than "0 orders",
 * which reads as an empty store).
 */
export function syncSentence(report: SyncReport): string {
  const counts = {
    orders: t('sync.count.orders', { count: report.orders }),
    subscriptions: t('sync.count.subscriptions', { count: report.subscriptions }),
  };
  if (report.full) return t('sync.done', counts);
  if (report.orders === 0 && report.subscriptions === 0) return t('sync.upToDate');
  return t('sync.doneChanges', counts);
}
