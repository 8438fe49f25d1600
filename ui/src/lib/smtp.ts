// The email settings' password field (README: Configure email): what Save does with the password
// saved in the OS keychain, and when the core removes it because the account changed.

import type { SmtpPassword } from './ipc';

/** Save removes the password, stores the one typed, or keeps the saved one. */
export function passwordChange(typed: string, remove: boolean): SmtpPassword {
  if (remove) return { action: 'delete' };
  if (typed !== '') return { action: 'replace', password: typed };
  return { action: 'keep' };
}

/** The server and login the saved password was stored for. */
export interface SmtpAccount {
  host: string;
  username: string | null;
}

/**
 * Whether the form logs in to another account than `saved`: another server (host names ignore
 * case and blanks) or another user name. The core's `SmtpSettings::same_account`, so the screen
 * can say before Save that the saved password will be removed.
 */
export function changesAccount(saved: SmtpAccount | null, host: string, user: string): boolean {
  if (!saved) return true;
  const login = (u: string | null) => (u ?? '').trim() || null;
  return saved.host.trim().toLowerCase() !== host.trim().toLowerCase() || login(saved.username) !== login(user);
}

/** What to tell the merchant after Save about the password, if anything. */
export function passwordOutcome(
  before: boolean,
  change: SmtpPassword,
  after: boolean,
): 'removed' | 'cleared' | null {
  if (!before || after) return null;
  return change.action === 'delete' ? 'removed' : 'cleared';
}
