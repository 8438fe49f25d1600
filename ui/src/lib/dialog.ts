// The modal dialogs (<dialog>): the browser traps focus, Escape cancels, and focus returns to
// the element that opened it.

/** Shows `dialog` as a modal when `open`, closes it when not; `onopen` runs just before it shows. */
export function showModalWhen(dialog: HTMLDialogElement | undefined, open: boolean, onopen?: () => void): void {
  if (!dialog) return;
  if (open && !dialog.open) {
    onopen?.();
    dialog.showModal();
  }
  if (!open && dialog.open) dialog.close();
}
