import { describe, expect, it } from 'vitest';
import { parseParam, parseRoute } from './router.svelte';

describe('hash routes with an id', () => {
  it.each([
    ['#/subscriptions/sub_1Abc', 'subscriptions', 'sub_1Abc'],
    ['#/subscriptions', 'subscriptions', null],
    ['#/subscriptions/', 'subscriptions', null],
    ['#/subscriptions/sub%2F..%2Fx', 'subscriptions', 'sub/../x'],
    ['#/subscriptions/%E0%A4%A', 'subscriptions', null],
    ['#/orders', 'orders', null],
    ['', 'orders', null],
  ])('%s', (hash, route, param) => {
    expect(parseRoute(hash)).toBe(route);
    expect(parseParam(hash)).toBe(param);
  });
});
