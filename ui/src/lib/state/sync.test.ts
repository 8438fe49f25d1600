import { afterEach, describe, expect, it } from 'vitest';
import { i18n } from '../i18n/index.svelte';
import type { SyncReport } from '../ipc/bindings/SyncReport';
import type { SyncProgress } from '../ipc/bindings/SyncProgress';
import type { SyncStage } from '../ipc/bindings/SyncStage';
import { initialSync, isRunning, LATE_EVENT_MS, percent, syncReducer, syncSentence, type SyncAction, type SyncState } from './sync';

const progress = (stage: SyncStage, fraction: number, orders = 0): SyncProgress => ({
  stage,
  fraction,
  orders,
  customers: 0,
  subscriptions: 0,
  invoices: 0,
});
const report = { full: true, orders: 10, customers: 5, subscriptions: 2, invoices: 3, events: 0, requests: 9, skipped: 0 };
const run = (actions: SyncAction[], from: SyncState = initialSync) => actions.reduce(syncReducer, from);

describe('syncReducer', () => {
  it('runs a sync started here from start to finish', () => {
    let s = syncReducer(initialSync, { type: 'start', at: 0 });
    expect(isRunning(s)).toBe(true);
    expect(percent(s)).toBeNull();
    s = syncReducer(s, { type: 'progress', progress: progress('orders', 0.4, 120), at: 100 });
    expect(percent(s)).toBe(40);
    expect(s.phase === 'running' && s.progress?.orders).toBe(120);
    s = syncReducer(s, { type: 'finish', report, at: 200 });
    expect(s).toEqual({ phase: 'done', report, finishedAt: 200 });
  });

  it('never moves the bar backwards and clamps odd fractions', () => {
    const s = run([
      { type: 'start', at: 0 },
      { type: 'progress', progress: progress('orders', 0.6), at: 1 },
      { type: 'progress', progress: progress('invoices', 0.5), at: 2 },
    ]);
    expect(percent(s)).toBe(60);
    expect(s.phase === 'running' && s.progress?.stage).toBe('invoices');
    expect(percent(run([{ type: 'start', at: 0 }, { type: 'progress', progress: progress('orders', 7), at: 1 }]))).toBe(100);
    expect(percent(run([{ type: 'start', at: 0 }, { type: 'progress', progress: progress('orders', Number.NaN), at: 1 }]))).toBe(0);
  });

  it('ignores progress events that arrive just after the reply', () => {
    const done = run([
      { type: 'start', at: 0 },
      { type: 'finish', report, at: 1000 },
    ]);
    expect(syncReducer(done, { type: 'progress', progress: progress('subscriptions', 0.9), at: 1000 + LATE_EVENT_MS - 1 })).toBe(done);
    expect(syncReducer(done, { type: 'progress', progress: progress('done', 1), at: 99_999 })).toBe(done);
  });

  it('shows a sync the backend started on its own, and ends it on its "done" event', () => {
    let s = syncReducer(initialSync, { type: 'progress', progress: progress('customers', 0.2), at: 10_000 });
    expect(s.phase === 'running' && s.external).toBe(true);
    expect(percent(s)).toBe(20);
    s = syncReducer(s, { type: 'progress', progress: progress('done', 1), at: 11_000 });
    expect(s).toEqual({ phase: 'done', report: null, finishedAt: 11_000 });
  });

  it('tracks a sync reported by AppStatus until the backend says it ended', () => {
    let s = syncReducer(initialSync, { type: 'running_elsewhere', at: 5 });
    expect(s.phase === 'running' && s.external).toBe(true);
    expect(syncReducer(s, { type: 'running_elsewhere', at: 6 })).toBe(s);
    s = syncReducer(s, { type: 'ended_elsewhere', at: 7 });
    expect(s.phase).toBe('done');
    expect(syncReducer(initialSync, { type: 'ended_elsewhere', at: 8 })).toBe(initialSync);
  });

  it('a sync started here is not ended by the "ended elsewhere" poll', () => {
    const s = run([{ type: 'start', at: 0 }]);
    expect(syncReducer(s, { type: 'ended_elsewhere', at: 1 })).toBe(s);
  });

  it('records failures with their error', () => {
    const error = { code: 'network' as const, problem: { code: 'stripe_unreachable' as const } };
    const s = run([{ type: 'start', at: 0 }, { type: 'fail', error, at: 50 }]);
    expect(s).toEqual({ phase: 'failed', error, finishedAt: 50 });
    expect(percent(s)).toBeNull();
  });

  it('treats "busy" as another sync running, not as a failure', () => {
    const s = run([{ type: 'start', at: 0 }, { type: 'fail', error: { code: 'busy', problem: { code: 'sync_busy' } }, at: 5 }]);
    expect(s.phase === 'running' && s.external).toBe(true);
  });

  it('can start again after finishing or failing', () => {
    const s = run([
      { type: 'start', at: 0 },
      { type: 'fail', error: { code: 'network', problem: { code: 'stripe_unreachable' } }, at: 1 },
      { type: 'start', at: 2 },
    ]);
    expect(s).toEqual({ phase: 'running', external: false, progress: null, startedAt: 2 });
  });
});

describe('syncSentence', () => {
  const report = (full: boolean, orders: number, subscriptions: number): SyncReport => ({
    full,
    orders,
    customers: 0,
    subscriptions,
    invoices: 0,
    events: 0,
    requests: 1,
    skipped: 0,
  });
  afterEach(() => {
    i18n.preference = null;
  });

  it('counts the whole store after a full sync', () => {
    i18n.preference = 'en';
    expect(syncSentence(report(true, 162, 25))).toBe('Sync complete: 162 orders, 25 subscriptions.');
  });

  it('says nothing changed rather than "0 orders" after a quiet incremental sync', () => {
    i18n.preference = 'en';
    expect(syncSentence(report(false, 0, 0))).toBe('Up to date: nothing changed since the last sync.');
    i18n.preference = 'fr';
    expect(syncSentence(report(false, 0, 0))).toBe('À jour\u00a0: rien n’a changé depuis la dernière synchronisation.');
  });

  it('names what an incremental sync updated', () => {
    i18n.preference = 'en';
    expect(syncSentence(report(false, 3, 1))).toBe('Sync complete — updated: 3 orders, 1 subscription.');
  });
});
