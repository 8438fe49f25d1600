// Short messages about the result of an action, shown bottom right and read out by screen
// readers through the live region in Toasts.svelte.

export type ToastKind = 'success' | 'error' | 'info';
export type Toast = { id: number; kind: ToastKind; text: string };

const DURATION_MS: Record<ToastKind, number> = { success: 4000, info: 5000, error: 9000 };
const MAX_VISIBLE = 4;

class Toasts {
  items = $state<Toast[]>([]);
  #next = 1;
  #timers = new Map<number, ReturnType<typeof setTimeout>>();

  show(kind: ToastKind, text: string): number {
    const id = this.#next++;
    this.items = [...this.items, { id, kind, text }].slice(-MAX_VISIBLE);
    this.#timers.set(id, setTimeout(() => this.dismiss(id), DURATION_MS[kind]));
    return id;
  }
  success(text: string) {
    return this.show('success', text);
  }
  error(text: string) {
    return this.show('error', text);
  }
  info(text: string) {
    return this.show('info', text);
  }
  /** Keeps a toast up while the pointer or focus is on it. */
  hold(id: number) {
    clearTimeout(this.#timers.get(id));
    this.#timers.delete(id);
  }
  release(id: number) {
    const toast = this.items.find((x) => x.id === id);
    if (toast && !this.#timers.has(id)) this.#timers.set(id, setTimeout(() => this.dismiss(id), DURATION_MS[toast.kind]));
  }
  dismiss(id: number) {
    clearTimeout(this.#timers.get(id));
    this.#timers.delete(id);
    this.items = this.items.filter((x) => x.id !== id);
  }
}

export const toasts = new Toasts();
