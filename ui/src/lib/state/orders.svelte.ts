// The orders table's tab, search, sort, page and scroll position, kept outside the screen so
// that going back from an order's detail (Escape) finds the list as it was left.

import type { OrderQuery, OrderQueue, OrderSort } from '../ipc';

/** A queue of orders (a fulfilment status, or a payment hold), or every order. */
export type OrderTab = OrderQueue | 'all';

export const ORDERS_PAGE_SIZE = 50;

/** The longest search the app takes (the core's `store::MAX_SEARCH_CHARS`); the boxes stop there. */
export const SEARCH_MAX_LENGTH = 200;

class OrdersView {
  /** The work still to do comes first. */
  tab = $state<OrderTab>('to_be_sent');
  search = $state('');
  sort = $state<OrderSort>('date_desc');
  offset = $state(0);
  /** The table's scroll position when a row was opened. */
  scrollTop = $state(0);
  /** The id of the row last opened, to give it focus again on return. */
  lastOpened = $state<string | null>(null);
  /**
   * Where the open order sits in the list (tab, search, sort), counted from the first row; -1
   * when it was not opened from the list (a scan). The detail's Previous / Next use it.
   */
  openedIndex = $state(-1);
}

export const ordersView = new OrdersView();

/** The query the table sends for a tab, search, sort and page. */
export function ordersQuery(
  tab: OrderTab,
  search: string,
  sort: OrderSort,
  offset: number,
  limit = ORDERS_PAGE_SIZE,
): OrderQuery {
  const text = search.trim();
  return {
    status: tab === 'all' ? null : tab,
    limit,
    offset,
    ...(text ? { search: text } : {}),
    ...(sort === 'date_desc' ? {} : { sort }),
  };
}

/** Clicking a sortable column: date or total, descending first, then ascending. */
export function nextSort(current: OrderSort, column: 'date' | 'total'): OrderSort {
  if (column === 'date') return current === 'date_desc' ? 'date_asc' : 'date_desc';
  return current === 'total_desc' ? 'total_asc' : 'total_desc';
}

export function ariaSort(current: OrderSort, column: 'date' | 'total'): 'ascending' | 'descending' | 'none' {
  if (!current.startsWith(column)) return 'none';
  return current.endsWith('_asc') ? 'ascending' : 'descending';
}

/**
 * The order that a scanned (or typed) number plus Enter opens: the only match, or among
 * several matches the one whose number is exactly what was scanned (a leading `#` and case
 * ignored). `null` when it is not clear which order is meant: the list shows the matches.
 */
export function scannedOrder(rows: readonly { id: string; number: string }[], scanned: string): string | null {
  if (rows.length === 1) return rows[0].id;
  const wanted = scanned.trim().replace(/^#/, '').toLowerCase();
  if (!wanted) return null;
  const exact = rows.filter((r) => r.number.toLowerCase() === wanted || r.id.toLowerCase() === wanted);
  return exact.length === 1 ? exact[0].id : null;
}

