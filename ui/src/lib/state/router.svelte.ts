// Hash routing (#/orders, #/subscriptions, #/settings, #/onboarding): no server is involved,
// and a route survives a webview reload.

import type { Route } from './shortcuts';

export type { Route } from './shortcuts';

const ROUTES: readonly Route[] = ['orders', 'subscriptions', 'settings', 'onboarding'];

export function parseRoute(hash: string): Route {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  return (ROUTES as readonly string[]).includes(name) ? (name as Route) : 'orders';
}

class Router {
  route = $state<Route>(typeof location === 'undefined' ? 'orders' : parseRoute(location.hash));

  go(route: Route) {
    if (location.hash !== `#/${route}`) location.hash = `/${route}`;
    this.route = route;
  }
}

export const router = new Router();

if (typeof window !== 'undefined') {
  window.addEventListener('hashchange', () => {
    router.route = parseRoute(location.hash);
  });
}
