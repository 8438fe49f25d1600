import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES } from './bindings/commands';
import { client, isIpcError, toIpcError } from './index';

describe('toIpcError', () => {
  it('keeps our { code, message } errors', () => {
    expect(toIpcError({ code: 'invalid_key', message: 'Invalid API Key provided' })).toEqual({
      code: 'invalid_key',
      message: 'Invalid API Key provided',
    });
  });

  it('wraps Tauri string rejections and unknown codes as internal', () => {
    expect(toIpcError('command sync_now not found')).toEqual({ code: 'internal', message: 'command sync_now not found' });
    expect(toIpcError({ code: 'teapot', message: 'x' })).toEqual({ code: 'internal', message: 'x' });
    expect(toIpcError({ code: 'printer', message: 'lp: no such queue' })).toEqual({ code: 'printer', message: 'lp: no such queue' });
    expect(toIpcError(new Error('boom'))).toEqual({ code: 'internal', message: 'boom' });
    expect(toIpcError(undefined)).toEqual({ code: 'internal', message: 'undefined' });
  });

  it('recognises IPC errors', () => {
    expect(isIpcError({ code: 'network', message: '' })).toBe(true);
    expect(isIpcError('network')).toBe(false);
  });
});

describe('the command list', () => {
  it('has one client function per command of src-tauri/commands/list.rs, and no other', () => {
    expect(Object.keys(client).sort()).toEqual([...COMMAND_NAMES].sort());
    for (const fn of Object.values(client)) expect(typeof fn).toBe('function');
  });
});
