import { describe, expect, it } from 'vitest';
import { DetailLoader } from './detail.svelte';

/** A read whose answers the test releases one by one, in any order. */
function deferredReads() {
  const pending: { id: string; refresh: boolean; settle: (v: string | Error) => void }[] = [];
  const read = (id: string, refresh: boolean) =>
    new Promise<string>((resolve, reject) => {
      pending.push({ id, refresh, settle: (v) => (v instanceof Error ? reject(v) : resolve(v)) });
    });
  return { pending, read };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('DetailLoader', () => {
  it('keeps only the answer to the latest request', async () => {
    const { pending, read } = deferredReads();
    const loader = new DetailLoader(read);
    const first = loader.load('ord_1');
    const second = loader.load('ord_2');
    pending[1].settle('order 2');
    pending[0].settle('order 1');
    await Promise.all([first, second]);
    expect(loader.value).toBe('order 2');
    expect(loader.error).toBeNull();
  });

  it('reports a failed read as an IPC error', async () => {
    const loader = new DetailLoader<string>(() => Promise.reject(new Error('database is locked')));
    await loader.load('ord_1');
    expect(loader.value).toBeNull();
    expect(loader.error).toEqual({ code: 'internal', problem: { code: 'invalid', message: 'database is locked' } });
  });

  it('shows the cached detail, then the refreshed one', async () => {
    const { pending, read } = deferredReads();
    const loader = new DetailLoader(read, true);
    const done = loader.load('sub_1');
    pending[0].settle('cached');
    await tick();
    expect(loader.value).toBe('cached');
    expect(pending[1].refresh).toBe(true);
    pending[1].settle('live');
    await done;
    expect(loader.value).toBe('live');
  });

  it('keeps the cached detail when the refresh fails', async () => {
    const { pending, read } = deferredReads();
    const loader = new DetailLoader(read, true);
    const done = loader.load('sub_1');
    pending[0].settle('cached');
    await tick();
    pending[1].settle(new Error('offline'));
    await done;
    expect(loader.value).toBe('cached');
    expect(loader.error).toBeNull();
  });
});
