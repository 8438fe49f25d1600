// The subscriptions table's filters, kept outside the screen so that going back from a
// subscription's detail (Escape) finds the same tab, search, sort and page.

import type { SubscriptionFilter, SubscriptionSort } from '../ipc';

export type SubscriptionTab = SubscriptionFilter | 'all';

class SubscriptionsView {
  tab = $state<SubscriptionTab>('all');
  search = $state('');
  sort = $state<SubscriptionSort | null>(null);
  offset = $state(0);
  /** The id of the row last opened, to give it focus again on return. */
  lastOpened = $state<string | null>(null);
}

export const subscriptionsView = new SubscriptionsView();
