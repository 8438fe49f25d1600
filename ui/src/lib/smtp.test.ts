import { describe, expect, it } from 'vitest';
import { changesAccount, passwordChange, passwordOutcome } from './smtp';

describe('the SMTP password field', () => {
  it('keeps, replaces or removes the saved password', () => {
    expect(passwordChange('', false)).toEqual({ action: 'keep' });
    expect(passwordChange(' s3cr ét ', false)).toEqual({ action: 'replace', password: ' s3cr ét ' });
    expect(passwordChange('typed but removed', true)).toEqual({ action: 'delete' });
    expect(passwordChange('', true)).toEqual({ action: 'delete' });
  });

  it('knows when the server or user name changes, as the core does', () => {
    const saved = { host: 'smtp.example.com', username: 'shop' };
    expect(changesAccount(saved, ' SMTP.Example.com ', ' shop ')).toBe(false);
    expect(changesAccount(saved, 'smtp.example.net', 'shop')).toBe(true);
    expect(changesAccount(saved, 'smtp.example.com', 'Shop')).toBe(true);
    expect(changesAccount(saved, 'smtp.example.com', '')).toBe(true);
    expect(changesAccount({ host: 'smtp.example.com', username: null }, 'smtp.example.com', '  ')).toBe(false);
    expect(changesAccount(null, 'smtp.example.com', 'shop')).toBe(true);
  });

  it('says when Save removed the password', () => {
    expect(passwordOutcome(true, { action: 'keep' }, false)).toBe('cleared');
    expect(passwordOutcome(true, { action: 'delete' }, false)).toBe('removed');
    expect(passwordOutcome(true, { action: 'keep' }, true)).toBeNull();
    expect(passwordOutcome(false, { action: 'keep' }, false)).toBeNull();
    expect(passwordOutcome(true, { action: 'replace', password: 'x' }, true)).toBeNull();
  });
});
