// How the order detail shows an email of the outbox: its state as staff read it, whether
// "Retry now" is offered, and whether its last error is still worth showing.

import type { OutboxEmail } from '../ipc';
import type { Problem } from '../ipc/bindings/Problem';

/** The state shown for an email; each has an `email.<state>` message. */
export type EmailView = 'pending' | 'retrying' | 'sending' | 'sent' | 'failed' | 'cancelled';

type EmailFields = Pick<OutboxEmail, 'state' | 'attempts' | 'last_problem'>;

export function emailView(e: EmailFields): EmailView {
  if (e.state === 'pending' && e.attempts > 0) return 'retrying';
  return e.state;
}

/**
 * "Retry now" is offered for an email given up on, and for one waiting for its next attempt
 * after a failed one. Never for one sent, being sent, cancelled, or queued and not tried yet
 * (the mail worker takes it at once).
 */
export function canRetryNow(e: EmailFields): boolean {
  const view = emailView(e);
  return view === 'failed' || view === 'retrying';
}

/**
 * The last failure, while it still explains something (not once sent or cancelled); the order
 * detail words it with `problemText`.
 */
export function visibleProblem(e: EmailFields): Problem | null {
  const view = emailView(e);
  if (view === 'sent' || view === 'cancelled') return null;
  return e.last_problem;
}

/** Whether the order detail should re-read the order to follow the email (it may change soon). */
export function inProgress(e: EmailFields): boolean {
  return e.state === 'pending' || e.state === 'sending';
}

/**
 * What "Mark as not sent" does to the order's shipping email, to say so before staff confirm:
 * `in_flight` when one is being sent right now (it may already have gone), `cancelled` when an
 * unsent one will be cancelled, `null` when there is none to act on (none, or already sent).
 */
export function shippingEmailOnUndo(emails: Array<Pick<OutboxEmail, 'kind' | 'state'>>): 'cancelled' | 'in_flight' | null {
  const shipping = emails.filter((e) => e.kind === 'shipping');
  if (shipping.some((e) => e.state === 'sending')) return 'in_flight';
  if (shipping.some((e) => e.state === 'pending' || e.state === 'failed')) return 'cancelled';
  return null;
}
