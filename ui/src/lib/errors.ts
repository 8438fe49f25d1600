// Plain-language text for an IPC error, for toasts and inline messages.

import { t, type MessageKey } from './i18n/index.svelte';
import type { IpcError } from './ipc/bindings/IpcError';

export function errorText(error: IpcError): string {
  const key = `error.${error.code}` as MessageKey;
  return t(key, { message: error.message || error.code });
}
