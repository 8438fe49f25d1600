// Opening an invoice's PDF ("Customer invoice", a subscription invoice's PDF icon), by the
// invoice's id: Rust opens the copy kept on this computer, else Stripe's link (README: Offline
// invoice PDFs). Offline with no copy, the toast says so in plain words, on its own.
import { errorText } from './errors';
import { t } from './i18n/index.svelte';
import * as ipc from './ipc';
import { toasts } from './state/toasts.svelte';

export async function openInvoicePdf(invoiceId: string): Promise<void> {
  try {
    await ipc.openInvoicePdf(invoiceId);
  } catch (e) {
    const err = ipc.toIpcError(e);
    if (err.problem.code === 'pdf_not_downloaded') {
      toasts.info(errorText(err));
    } else {
      toasts.error(t('sub.openFailed', { message: errorText(err) }));
    }
  }
}
