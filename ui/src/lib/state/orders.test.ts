import { describe, expect, it } from 'vitest';
import { ariaSort, nextSort, ordersQuery, scannedOrder } from './orders.svelte';

describe('orders view', () => {
  it('builds the query of a tab, search and sort', () => {
    expect(ordersQuery('to_be_sent', '', 'date_desc', 0)).toEqual({ status: 'to_be_sent', limit: 50, offset: 0 });
    expect(ordersQuery('all', '  jenny  ', 'total_asc', 100)).toEqual({
      status: null,
      limit: 50,
      offset: 100,
      search: 'jenny',
      sort: 'total_asc',
    });
  });

  it('toggles the sort of a column, newest or largest first', () => {
    expect(nextSort('date_desc', 'date')).toBe('date_asc');
    expect(nextSort('date_asc', 'date')).toBe('date_desc');
    expect(nextSort('date_desc', 'total')).toBe('total_desc');
    expect(nextSort('total_desc', 'total')).toBe('total_asc');
    expect(nextSort('total_asc', 'date')).toBe('date_desc');
    expect(ariaSort('total_asc', 'total')).toBe('ascending');
    expect(ariaSort('total_asc', 'date')).toBe('none');
    expect(ariaSort('date_desc', 'date')).toBe('descending');
  });

  it('opens the scanned order when it is clear which one is meant', () => {
    const rows = [
      { id: 'cs_1', number: 'CPT-0147' },
      { id: 'cs_2', number: 'CPT-01470' },
    ];
    expect(scannedOrder([rows[1]], 'CPT-0147')).toBe('cs_2');
    expect(scannedOrder(rows, 'cpt-0147')).toBe('cs_1');
    expect(scannedOrder(rows, ' #CPT-01470 ')).toBe('cs_2');
    expect(scannedOrder(rows, 'CPT-014')).toBeNull();
    expect(scannedOrder(rows, 'cs_2')).toBe('cs_2');
    expect(scannedOrder([], 'CPT-0147')).toBeNull();
    expect(scannedOrder(rows, '   ')).toBeNull();
  });
});
