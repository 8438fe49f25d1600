import { describe, expect, it } from 'vitest';
import type { Problem } from '../ipc/bindings/Problem';
import { canRetryNow, emailView, inProgress, shippingEmailOnUndo, visibleProblem } from './emails';

const refused = (reply: string | null): Problem => ({ code: 'smtp_failed', reason: 'rejected', host: 'smtp.example.test', port: 587, reply });

const email = (state: 'pending' | 'sending' | 'sent' | 'failed' | 'cancelled', attempts = 0, reply: string | null = null) => ({
  state,
  attempts,
  last_problem: attempts > 0 && reply !== null ? refused(reply) : null,
});

describe('email state in the order detail', () => {
  it('tells a queued email from one waiting for its next attempt', () => {
    expect(emailView(email('pending'))).toBe('pending');
    expect(emailView(email('pending', 2, 'refused the connection'))).toBe('retrying');
    expect(emailView(email('sending', 1))).toBe('sending');
    expect(emailView(email('sent', 1))).toBe('sent');
    expect(emailView(email('failed', 3, '550'))).toBe('failed');
    expect(emailView(email('cancelled'))).toBe('cancelled');
  });

  it('offers "Retry now" only for a failed email or one waiting for its next attempt', () => {
    expect(canRetryNow(email('failed', 3, '550 mailbox unavailable'))).toBe(true);
    expect(canRetryNow(email('pending', 1, 'refused the connection'))).toBe(true);
    expect(canRetryNow(email('pending'))).toBe(false);
    expect(canRetryNow(email('sending', 1, 'refused the connection'))).toBe(false);
    expect(canRetryNow(email('sent', 2))).toBe(false);
    expect(canRetryNow(email('cancelled', 1, 'refused the connection'))).toBe(false);
  });

  it('shows the last failure only while it explains something', () => {
    expect(visibleProblem(email('failed', 3, '550 mailbox unavailable'))).toEqual(refused('550 mailbox unavailable'));
    expect(visibleProblem(email('pending', 1, 'refused the connection'))).toEqual(refused('refused the connection'));
    expect(visibleProblem(email('pending', 1))).toBeNull();
    expect(visibleProblem(email('sent', 2, 'old error'))).toBeNull();
    expect(visibleProblem(email('cancelled', 1, 'old error'))).toBeNull();
  });

  it('follows emails that may still change', () => {
    expect(inProgress(email('pending'))).toBe(true);
    expect(inProgress(email('sending'))).toBe(true);
    expect(['sent', 'failed', 'cancelled'].map((s) => inProgress(email(s as 'sent')))).toEqual([false, false, false]);
  });
});

describe('"Mark as not sent" and the shipping email', () => {
  const e = (kind: string, state: 'pending' | 'sending' | 'sent' | 'failed' | 'cancelled') => ({ kind, state });

  it('warns that an unsent shipping email is cancelled, or that one being sent may have gone', () => {
    expect(shippingEmailOnUndo([e('shipping', 'pending')])).toBe('cancelled');
    expect(shippingEmailOnUndo([e('shipping', 'failed')])).toBe('cancelled');
    expect(shippingEmailOnUndo([e('shipping', 'cancelled'), e('shipping', 'sending')])).toBe('in_flight');
    expect(shippingEmailOnUndo([e('shipping', 'sent')])).toBeNull();
    expect(shippingEmailOnUndo([e('shipping', 'cancelled'), e('pickup', 'pending')])).toBeNull();
    expect(shippingEmailOnUndo([])).toBeNull();
  });
});
