import { describe, expect, it } from 'vitest';
import { isIpcError, toIpcError } from './index';

describe('toIpcError', () => {
  it('keeps our { code, problem } errors', () => {
    const refused = { code: 'invalid_key', problem: { code: 'key_refused', stripe_says: 'Invalid API Key provided' } };
    expect(toIpcError(refused)).toEqual(refused);
    const printer = { code: 'printer', problem: { code: 'print_failed', detail: 'lp: no such queue' } };
    expect(toIpcError(printer)).toEqual(printer);
  });

  it('wraps Tauri string rejections and unknown codes as internal', () => {
    expect(toIpcError('command sync_now not found')).toEqual({
      code: 'internal',
      problem: { code: 'invalid', message: 'command sync_now not found' },
    });
    expect(toIpcError({ code: 'teapot', problem: { code: 'sync_busy' } })).toEqual({
      code: 'internal',
      problem: { code: 'sync_busy' },
    });
    expect(toIpcError(new Error('boom'))).toEqual({ code: 'internal', problem: { code: 'invalid', message: 'boom' } });
    expect(toIpcError('')).toEqual({ code: 'internal', problem: { code: 'internal' } });
  });

  it('recognises IPC errors', () => {
    expect(isIpcError({ code: 'network', problem: { code: 'stripe_unreachable' } })).toBe(true);
    expect(isIpcError({ code: 'network', message: 'offline' })).toBe(false);
    expect(isIpcError('network')).toBe(false);
  });
});
