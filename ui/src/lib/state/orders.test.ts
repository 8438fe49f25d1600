import { describe, expect, it } from 'vitest';
import { ariaSort, nextSort, ordersQuery, scannedOrder } from './orders.svelte';
import { neighbour, stepFrom } from './stepper.svelte';

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

  it('finds the previous and next order in the list, even once the open one has left it', () => {
    const rows = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    // The window starts at row 9 of the list; "b" is open at index 10.
    expect(neighbour(rows, 9, 'b', 10, 1)).toEqual({ row: { id: 'c' }, index: 11 });
    expect(neighbour(rows, 9, 'b', 10, -1)).toEqual({ row: { id: 'a' }, index: 9 });
    expect(neighbour(rows, 9, 'c', 11, 1)).toBeNull();
    expect(neighbour(rows, 0, 'a', 0, -1)).toBeNull();
    // "x" was at index 10 and was shipped out of the tab: "b" moved up into its place.
    expect(neighbour(rows, 9, 'x', 10, 1)).toEqual({ row: { id: 'b' }, index: 10 });
    expect(neighbour(rows, 9, 'x', 10, -1)).toEqual({ row: { id: 'a' }, index: 9 });
    expect(neighbour([{ id: 'a' }], 0, 'x', 0, -1)).toBeNull();
  });

  it('reads the rows around the open one to step', async () => {
    const list = ['a', 'b', 'c', 'd'].map((id) => ({ id }));
    const reads: [number, number][] = [];
    const read = async (offset: number, limit: number) => {
      reads.push([offset, limit]);
      return list.slice(offset, offset + limit);
    };
    expect(await stepFrom(read, 'c', 2, 1)).toEqual({ row: { id: 'd' }, index: 3 });
    expect(await stepFrom(read, 'a', 0, -1)).toBeNull();
    expect(reads).toEqual([
      [1, 3],
      [0, 3],
    ]);
  });
});
