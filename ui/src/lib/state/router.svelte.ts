// Hash routing (#/orders, #/orders/<id>, #/subscriptions, #/subscriptions/<id>, #/settings, #/onboarding): no
// server is involved, and a route survives a webview reload.

import type { Route } from './shortcuts';

export type { Route } from './shortcuts';

const ROUTES: readonly Route[] = ['orders', 'subscriptions', 'settings', 'onboarding', 'packing'];

export function parseRoute(hash: string): Route {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  return (ROUTES as readonly string[]).includes(name) ? (name as Route) : 'orders';
}

/** The object id after the route, as in `#/subscriptions/sub_123`, or null. */
export function parseParam(hash: string): string | null {
  const part = hash.replace(/^#\/?/, '').split('?')[0].split('/')[1];
  if (!part) return null;
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

class Router {
  route = $state<Route>(typeof location === 'undefined' ? 'orders' : parseRoute(location.hash));
  param = $state<string | null>(typeof location === 'undefined' ? null : parseParam(location.hash));

  go(route: Route) {
    if (location.hash !== `#/${route}`) location.hash = `/${route}`;
    this.route = route;
    this.param = null;
  }

  /** Opens one object of a route: an order's or a subscription's detail. */
  open(route: Route, id: string) {
    const hash = `/${route}/${encodeURIComponent(id)}`;
    if (location.hash !== `#${hash}`) location.hash = hash;
    this.route = route;
    this.param = id;
  }
}

export const router = new Router();

if (typeof window !== 'undefined') {
  window.addEventListener('hashchange', () => {
    router.route = parseRoute(location.hash);
    router.param = parseParam(location.hash);
  });
}
