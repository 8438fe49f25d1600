// What the orders and subscriptions screens share: a paged table of one tab, search and sort
// (kept in a view outside the screen), loaded again when any of them or the data change, with
// keyboard movement between rows and tabs, a debounced search box, and focus given back to the
// row last opened when coming back from its detail.

import { onGridKeydown, rowIndexOf, targetTab } from '../grid';
import { errorText } from '../errors';
import { t } from '../i18n/index.svelte';
import * as ipc from '../ipc';
import type { IpcError } from '../ipc';
import { toasts } from './toasts.svelte';
import { app } from './app.svelte';
import { router, type Route } from './router.svelte';
import type { OpenedRow } from './stepper.svelte';

/** The selector of a table's rows (see grid.ts). */
const ROW = 'tbody tr[data-row]';

/** A list's view: its tab, search, sort and page, and the row opened from it. */
export interface ListView<Tab> extends OpenedRow {
  tab: Tab;
  search: string;
  sort: unknown;
  offset: number;
  /** The table's scroll position when a row was opened, where the list keeps it. */
  scrollTop?: number;
}

export interface ListPage {
  rows: readonly { id: string }[];
  total: number;
}

export class ListTable<Tab, Page extends ListPage> {
  page = $state<Page | null>(null);
  error = $state<IpcError | null>(null);
  loading = $state(false);
  /** The row Tab comes back to (roving tabindex). */
  activeRow = $state(0);
  table: HTMLTableElement | undefined = $state();
  tabButtons: HTMLButtonElement[] = $state([]);
  /** The search box's text; the view's search follows it after a pause. */
  searchText = $state('');
  exporting = $state(false);
  #request = 0;
  #searchTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly opts: {
      view: ListView<Tab>;
      tabs: readonly Tab[];
      route: Route;
      pageSize: number;
      /** How long the search box waits for more typing, in milliseconds. */
      debounce: number;
      /** Reads a page at an offset, for the view's tab, search and sort. */
      read: (offset: number) => Promise<Page>;
    },
  ) {
    const view = opts.view;
    this.searchText = view.search;

    $effect(() => {
      void app.dataVersion;
      void view.tab;
      void view.search;
      void view.sort;
      void this.load(view.offset);
    });

    // Coming back from a detail: focus on the row that was opened (and, where the view keeps
    // it, the same scroll position).
    $effect(() => {
      if (!this.page || !this.table || !view.lastOpened) return;
      const i = this.page.rows.findIndex((r) => r.id === view.lastOpened);
      view.lastOpened = null;
      const keepsScroll = view.scrollTop !== undefined;
      if (keepsScroll) {
        const wrap = this.table.closest('.table-wrap');
        if (wrap) wrap.scrollTop = view.scrollTop ?? 0;
      }
      if (i < 0) return;
      this.activeRow = i;
      this.table.querySelectorAll<HTMLElement>(ROW)[i]?.focus({ preventScroll: keepsScroll });
    });
  }

  get tabs(): readonly Tab[] {
    return this.opts.tabs;
  }
  get tab(): Tab {
    return this.opts.view.tab;
  }
  get offset(): number {
    return this.opts.view.offset;
  }
  get pageSize(): number {
    return this.opts.pageSize;
  }

  async load(at: number) {
    const { view, pageSize, read } = this.opts;
    const mine = ++this.#request;
    this.loading = true;
    try {
      const result = await read(at);
      if (mine !== this.#request) return;
      this.error = null;
      // The list shrank under us (a sync, or another station): step back to the last page.
      if (result.rows.length === 0 && result.total > 0 && at > 0) {
        view.offset = Math.floor((result.total - 1) / pageSize) * pageSize;
        return;
      }
      this.page = result;
    } catch (e) {
      if (mine === this.#request) this.error = ipc.toIpcError(e);
    } finally {
      if (mine === this.#request) this.loading = false;
    }
  }

  /** Back to the first page and its first row, after the tab, search or sort changed. */
  restart() {
    this.opts.view.offset = 0;
    this.activeRow = 0;
  }

  selectTab(next: Tab) {
    if (next === this.opts.view.tab) return;
    this.opts.view.tab = next;
    this.restart();
  }

  /** ←/→, Home and End in the tab list. */
  onTabKeydown(event: KeyboardEvent, index: number) {
    const { tabs } = this.opts;
    const next = targetTab(event.key, index, tabs.length);
    if (next === null) return;
    event.preventDefault();
    this.selectTab(tabs[next]);
    this.tabButtons[next]?.focus();
  }

  onSearchInput() {
    clearTimeout(this.#searchTimer);
    this.#searchTimer = setTimeout(() => this.search(this.searchText), this.opts.debounce);
  }

  /** Searches for `text` at once (a pending search from typing is dropped). */
  search(text: string) {
    clearTimeout(this.#searchTimer);
    this.opts.view.search = text;
    this.restart();
  }

  focusFirstRow() {
    this.table?.querySelector<HTMLElement>(ROW)?.focus();
  }

  onGridKeydown(event: KeyboardEvent) {
    if (!this.table) return;
    const i = onGridKeydown(event, this.table);
    if (i !== null) this.activeRow = i;
  }

  onGridFocusIn(event: FocusEvent) {
    if (!this.table) return;
    const i = rowIndexOf(event.target, this.table);
    if (i >= 0) this.activeRow = i;
  }

  /** Opens a row; `index` is its place in the list (-1 when it was not picked from it). */
  open(id: string, index = -1) {
    const { view, route } = this.opts;
    view.lastOpened = id;
    view.openedIndex = index;
    if (view.scrollTop !== undefined) view.scrollTop = this.table?.closest('.table-wrap')?.scrollTop ?? 0;
    router.open(route, id);
  }

  /** Enter on a row opens it. */
  onRowKeydown(event: KeyboardEvent, id: string, index: number) {
    if (event.key === 'Enter' && !event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      this.open(id, index);
    }
  }

  goToPage(next: number) {
    this.opts.view.offset = next;
    this.activeRow = 0;
    this.table?.closest('.table-wrap')?.scrollTo({ top: 0 });
  }

  /** The attributes of the row at `i` on the page: a grid row that opens its detail. */
  row(id: string, i: number) {
    const index = this.offset + i;
    return {
      'data-row': true,
      'aria-rowindex': index + 2,
      tabindex: i === this.activeRow ? 0 : -1,
      onclick: () => this.open(id, index),
      onkeydown: (e: KeyboardEvent) => this.onRowKeydown(e, id, index),
    };
  }

  /** Exports the whole current view to a CSV file (`write` returns where), said in a toast. */
  async exportCsv(write: () => Promise<string>) {
    this.exporting = true;
    try {
      const path = await write();
      toasts.success(t('orders.exported', { path }));
    } catch (e) {
      toasts.error(t('orders.exportFailed', { message: errorText(ipc.toIpcError(e)) }));
    } finally {
      this.exporting = false;
    }
  }
}
