// The subscriptions table's filters, kept outside the screen so that going back from a
// subscription's detail (Escape) finds the same tab, search, sort and page.

import type { SubscriptionFilter, SubscriptionQuery, SubscriptionSort } from '../ipc';

export type SubscriptionTab = SubscriptionFilter | 'all';

class SubscriptionsView {
  tab = $state<SubscriptionTab>('all');
  search = $state('');
  sort = $state<SubscriptionSort | null>(null);
  offset = $state(0);
  /** The id of the row last opened, to give it focus again on return. */
  lastOpened = $state<string | null>(null);
  /** Where the open subscription sits in the list; -1 when not opened from it. */
  openedIndex = $state(-1);
}

export const subscriptionsView = new SubscriptionsView();

export const SUBSCRIPTIONS_PAGE_SIZE = 50;

/** The query the table sends for a tab, search, sort and page. */
export function subscriptionsQuery(
  tab: SubscriptionTab,
  search: string,
  sort: SubscriptionSort | null,
  offset: number,
  limit = SUBSCRIPTIONS_PAGE_SIZE,
): SubscriptionQuery {
  const text = search.trim();
  return {
    limit,
    offset,
    ...(tab === 'all' ? {} : { status: tab }),
    ...(text ? { search: text } : {}),
    ...(sort ? { sort } : {}),
  };
}
