// An in-browser stand-in for the Rust side, loaded only by `vite` dev outside Tauri (see
// ./index.ts). It lets the UI be developed and screenshotted without a build of the app.
//
// Query parameters pick a starting state:
//   ?fake=demo (default)  the demo store
//   ?fake=test | live     connected to a Stripe account, synced 5 minutes ago
//   ?fake=fresh           connected, never synced, nothing cached
//   ?fake=empty           connected and synced, but the account has no orders
//   &slow                 syncs take a minute instead of three seconds
//   &bgsync               the backend starts a sync on its own at launch
//   &offline              the browser reports no network
//   &lang=fr|en           Settings.language
//   &broken=corrupt|newer|migration|unwritable|other
//                         the data could not be opened at start-up (the failure screen)
//   &act=step,step…       drive the UI for screenshots: click:<testid>, type:<testid>=<text>,
//                         focus:<testid>, press:<Key> (on the focused element), wait:<ms>
// Keys typed in onboarding: one containing "bad" is refused, "keychain" fails to store,
// "offline" fails as a network error; rk_live_/sk_live_ connect in live mode, others in test.

import type { AccountInfo } from './bindings/AccountInfo';
import type { CommandArgs, CommandName, CommandResult } from './bindings/commands';
import type { CustomCarrier } from './bindings/CustomCarrier';
import type { EmailOutcome } from './bindings/EmailOutcome';
import type { AppStatus } from './bindings/AppStatus';
import type { Counts } from './bindings/Counts';
import type { FulfilmentStatus } from './bindings/FulfilmentStatus';
import type { IpcError } from './bindings/IpcError';
import type { Problem } from './bindings/Problem';
import type { OrderDetail } from './bindings/OrderDetail';
import type { SlipSettings } from './bindings/SlipSettings';
import type { OrderQuery } from './bindings/OrderQuery';
import type { OrderQueue } from './bindings/OrderQueue';
import type { PaymentState } from './bindings/PaymentState';
import type { ProductCodes } from './bindings/ProductCodes';
import type { OrderRow } from './bindings/OrderRow';
import type { OutboxEmail } from './bindings/OutboxEmail';
import type { Settings } from './bindings/Settings';
import type { StartupFailure } from './bindings/StartupFailure';
import type { ShippingRate } from './bindings/ShippingRate';
import type { SubscriptionCounts } from './bindings/SubscriptionCounts';
import type { SubscriptionDetail } from './bindings/SubscriptionDetail';
import type { SubscriptionFilter } from './bindings/SubscriptionFilter';
import type { SubscriptionQuery } from './bindings/SubscriptionQuery';
import type { SubscriptionRow } from './bindings/SubscriptionRow';
import type { SyncProgress } from './bindings/SyncProgress';
import type { SyncReport } from './bindings/SyncReport';
import type { SmtpSettingsView } from './bindings/SmtpSettingsView';
import type { SyncStage } from './bindings/SyncStage';
import type { TrackingEntry } from './bindings/TrackingEntry';
import type { TrackingInput } from './bindings/TrackingInput';
import type { Unsettled } from './bindings/Unsettled';
import type { Backend, Unlisten } from './types';

/** A handler for every command of the list: one missing fails `npm run check`. */
type Handlers = {
  [K in CommandName]: (args: CommandArgs<K>) => CommandResult<K> | Promise<CommandResult<K>>;
};

type Dataset = { orders: OrderRow[]; subscriptions: SubscriptionRow[]; rates: ShippingRate[] };

function fakeTab(r: SubscriptionRow): SubscriptionFilter | null {
  if (r.status === 'canceled' || r.status === 'incomplete_expired') return 'canceled';
  if (r.status === 'past_due' || r.status === 'unpaid') return 'past_due';
  if (r.status === 'incomplete') return 'incomplete';
  if (r.cancelling) return 'cancelling';
  if (r.status === 'trialing') return 'trialing';
  return r.status === 'active' ? 'active' : null;
}

/** A plausible detail for a fake row: no real invoices or customers exist behind it. */
function fakeDetail(r: SubscriptionRow, at: number): SubscriptionDetail {
  const card = { kind: 'card', brand: 'visa', last4: '4242', exp_month: 4, exp_year: 2028, wallet: null };
  const ownCard = Number.parseInt(r.id.slice(-1), 36) % 3 !== 0;
  const end = r.status === 'canceled' ? r.start_date + 200 * 86400 : r.cancel_at_period_end ? r.next_charge : null;
  return {
    subscription: {
      id: r.id, livemode: false, customer_id: 'cus_fake', status: r.status, product_name: r.product_name, price_id: null,
      currency: r.currency, amount: r.amount, quantity: 1, interval: r.interval, interval_count: r.interval_count,
      start_date: r.start_date, current_period_start: null, current_period_end: r.next_charge, cancel_at: null,
      cancel_at_period_end: r.cancel_at_period_end, canceled_at: null, ended_at: null, trial_end: null, schedule_end: null,
      payment_method: ownCard ? card : null,
      latest_invoice_id: null, created: r.start_date,
      // Past due: an expired card, third attempt, Stripe retries in two days.
      payment_failure: r.status === 'past_due'
        ? { code: 'expired_card', message: 'Your card has expired.', attempt_count: 3, next_attempt: at + 2 * 86400 }
        : null,
    },
    customer: r.customer_deleted
      ? { id: 'cus_fake', deleted: true, name: null, email: null, phone: null, address: null, shipping: null, preferred_locale: null, created: r.start_date, default_payment_method: null }
      : null,
    billing: { name: r.customer_name, email: r.customer_email, phone: null, address: null, tax_ids: [] },
    shipping: null,
    // Every third subscription charges the customer's default payment method.
    payment_method: card,
    payment_method_is_customer_default: !ownCard,
    duration: { start: r.start_date, end, end_source: end === null ? null : 'cancel_at', months: end === null ? null : Math.round((end - r.start_date) / (30 * 86400)), days: end === null ? null : 0 },
    next_charge: r.next_charge,
    state: { kind: r.status === 'canceled' ? 'canceled' : r.cancel_at_period_end ? 'cancelling' : 'active', at: end ?? r.next_charge },
    upcoming: r.next_charge === null ? null : {
      date: r.next_charge, currency: r.currency, lines: [{ description: r.product_name ?? '', quantity: 1, unit_amount: r.amount, amount_subtotal: r.amount, amount_discount: 0, amount_tax: 0, amount_total: r.amount, product_id: null }],
      subtotal: r.amount, discount: 0, discounts: [], tax: 0, taxes: [], total: r.amount, fetched_at: at,
    },
    upcoming_stale: false,
    upcoming_refused: null,
    invoices: [],
    shipments: [],
    dashboard_url: null,
  };
}

function rng(seed: number): () => number {
  // mulberry32: small, deterministic, good enough for sample data.
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ['Camille', 'Léa', 'Hugo', 'Chloé', 'Louis', 'Inès', 'Jules', 'Zoé', 'Noah', 'Émilie', 'Olivia', 'George', 'Amélie', 'Yūto', 'Søren', 'Margaux'];
const LAST = ['Martin', 'Bernard', 'Dubois', 'Lefèvre', 'Moreau', 'Garnier', 'Smith', 'Brown', 'Fontaine', 'Tanaka', 'Nielsen', "O'Connor", 'Roux', 'Mercier'];
const PLANS = ['Box mensuelle Thé', 'Abonnement Bougies', 'Club Papeterie', 'Coffret Saison', 'Box thé + Option miel ×2'];

function sampleRates(pickupGuess = true): ShippingRate[] {
  return [
    { id: 'shr_colissimo', display_name: 'Colissimo', amount: 590, currency: 'eur', active: true, is_pickup: false, pickup_set_by_merchant: false },
    { id: 'shr_mondial', display_name: 'Mondial Relay', amount: 450, currency: 'eur', active: true, is_pickup: false, pickup_set_by_merchant: false },
    { id: 'shr_chrono', display_name: 'Chronopost Express', amount: 1290, currency: 'eur', active: true, is_pickup: false, pickup_set_by_merchant: false },
    { id: 'shr_retrait', display_name: 'Retrait en boutique', amount: 0, currency: 'eur', active: true, is_pickup: pickupGuess, pickup_set_by_merchant: false },
    { id: 'shr_collect', display_name: 'Click & collect — Atelier Lyon', amount: 0, currency: 'eur', active: false, is_pickup: pickupGuess, pickup_set_by_merchant: false },
  ];
}

function buildDataset(seed: number, orderCount: number, subCount: number, now: number): Dataset {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const rates = sampleRates();
  const orders: OrderRow[] = [];
  for (let i = 0; i < orderCount; i++) {
    const created = now - Math.floor(i * 5400 + rand() * 3600);
    const rate = pick(rates);
    const pickup = rate.is_pickup;
    const age = now - created;
    const done = age > 2 * 86400 || rand() < 0.1;
    const status: FulfilmentStatus = pickup ? (done ? 'picked_up' : 'to_be_picked_up') : done ? 'sent' : 'to_be_sent';
    // A few payments still processing, failed, refunded or disputed, as a real shop has.
    const payment_state: PaymentState =
      i % 31 === 13 ? 'processing' : i % 43 === 20 ? 'refunded' : i % 37 === 17 ? 'partially_refunded' : i % 53 === 26 ? 'disputed' : 'paid';
    const hold: OrderQueue | null =
      payment_state === 'processing' ? 'awaiting_payment' : payment_state === 'refunded' || payment_state === 'disputed' ? 'on_hold' : null;
    const queue: OrderQueue = status === 'sent' || status === 'picked_up' ? status : hold ?? status;
    const first = pick(FIRST);
    const last = pick(LAST);
    let currency = 'eur';
    if (i % 29 === 7) currency = 'gbp';
    if (i % 41 === 11) currency = 'jpy';
    if (i % 37 === 5) currency = 'usd';
    const items = 1 + Math.floor(rand() * 4);
    const amount = currency === 'jpy' ? 1500 + Math.floor(rand() * 20) * 500 : 1290 + Math.floor(rand() * 180) * 50;
    orders.push({
      id: `cs_test_${(seed * 100000 + i).toString(36).padStart(8, '0')}`,
      number: `${seed === 1 ? 'DEMO' : 'F3A9C2'}-${String(orderCount - i).padStart(4, '0')}`,
      created,
      // One customer's name looks like markup, to show that customer data is only ever text.
      customer_name: i === 63 ? '<img src=x onerror=alert(1)> Test' : i % 17 === 3 ? null : `${first} ${last}`,
      customer_email: `${first}.${last}`.toLowerCase().replace(/ø/g, 'o').normalize('NFD').replace(/[^a-z.]/g, '') + '@example.com',
      item_count: items,
      currency,
      amount_total: amount,
      delivery_method: i % 23 === 9 ? null : rate.display_name,
      delivery_kind: pickup ? 'pickup' : 'delivery',
      status,
      queue,
      payment_state,
    });
  }
  const subscriptions: SubscriptionRow[] = [];
  const cycles: Array<[string, number, number]> = [
    ['month', 1, 2900],
    ['month', 3, 7500],
    ['year', 1, 29000],
    ['week', 2, 1200],
  ];
  const statuses = ['active', 'active', 'active', 'trialing', 'past_due', 'canceled', 'active', 'paused'];
  for (let i = 0; i < subCount; i++) {
    const [interval, count, amount] = cycles[i % cycles.length];
    const status = statuses[i % statuses.length];
    const first = pick(FIRST);
    const last = pick(LAST);
    subscriptions.push({
      id: `sub_${(seed * 1000 + i).toString(36).padStart(10, '0')}`,
      // One customer was deleted in Stripe: its name went with it.
      customer_name: i === 9 ? null : `${first} ${last}`,
      customer_email: i === 9 ? null : `${first}.${last}`.toLowerCase().replace(/ø/g, 'o').normalize('NFD').replace(/[^a-z.]/g, '') + '@example.com',
      customer_deleted: i === 9,
      product_name: PLANS[i % PLANS.length],
      currency: i === 5 ? 'jpy' : 'eur',
      amount: i === 5 ? 3000 : amount,
      interval,
      interval_count: count,
      status,
      cancel_at_period_end: i === 6,
      cancelling: i === 6 && (status === 'active' || status === 'trialing'),
      start_date: now - (i + 1) * 86400 * 23,
      next_charge: status === 'active' || status === 'trialing' ? now + ((i * 5) % 28 + 1) * 86400 : null,
    });
  }
  return { orders, subscriptions, rates };
}

function counts(d: Dataset): Counts {
  const by = (q: OrderQueue) => d.orders.filter((o) => o.queue === q).length;
  return {
    orders: d.orders.length,
    subscriptions: d.subscriptions.length,
    to_be_sent: by('to_be_sent'),
    sent: by('sent'),
    to_be_picked_up: by('to_be_picked_up'),
    picked_up: by('picked_up'),
    awaiting_payment: by('awaiting_payment'),
    on_hold: by('on_hold'),
  };
}

/** The tab an order sits in: its fulfilment status, or the hold of an order not yet out. */
function queueOf(status: FulfilmentStatus, payment: PaymentState): OrderQueue {
  if (status === 'sent' || status === 'picked_up') return status;
  if (payment === 'processing' || payment === 'failed') return 'awaiting_payment';
  if (payment === 'refunded' || payment === 'disputed') return 'on_hold';
  return status;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// The fake speaks like the Rust side: a coarse code and a problem with its parameters.
const fail = (code: IpcError['code'], problem: Problem): IpcError => ({ code, problem });
const refuse = (problem: Problem): IpcError => fail('invalid_input', problem);
const missing = (what: string): IpcError => fail('not_found', { code: 'not_found', what });

export function createFakeBackend(): Backend {
  const params = new URLSearchParams(location.search);
  const start = params.get('fake') ?? 'demo';
  const now = () => Math.floor(Date.now() / 1000);
  const demo = buildDataset(1, 137, 12, now());

  let account: AccountInfo | null = null;
  let stripeData: Dataset = { orders: [], subscriptions: [], rates: [] };
  let lastSynced: number | null = null;
  let syncing = false;
  let slipSettings: SlipSettings = { format: 'pdf', layout: 'a4' };
  let settings: Settings = { language: params.get('lang'), station_name: 'Poste 1', staff_name: '', printer_name: '', sync_interval_secs: 15 };
  const listeners = new Map<string, Set<(p: unknown) => void>>();

  if (start === 'test' || start === 'live' || start === 'fresh' || start === 'empty') {
    account = { id: 'acct_1Fake', name: 'Atelier Lumière', mode: start === 'live' ? 'live' : 'test', restricted_key: true };
    if (start !== 'fresh') {
      stripeData = start === 'empty' ? { orders: [], subscriptions: [], rates: sampleRates() } : buildDataset(2, 1234, 48, now());
      lastSynced = now() - 5 * 60;
    }
  }

  const data = () => (account ? stripeData : demo);

  // Connected stores only (the demo store sends nothing): each Sent order has a shipping email,
  // sent, given up on (550) or waiting for its next attempt, so "Retry now" can be tried.
  const outbox = new Map<string, OutboxEmail[]>();
  let nextEmailId = 1;
  function emailsOf(r: OrderRow): OutboxEmail[] {
    if (!account || r.status !== 'sent') return [];
    let list = outbox.get(r.id);
    if (!list) {
      const kind = [...r.id].reduce((sum, c) => sum + c.charCodeAt(0), 0) % 3;
      const at = now() - 3600;
      list = [{
        id: nextEmailId++, message_id: `<fake${r.id}@atelier-lumiere.fr>`, kind: 'shipping', order_id: r.id,
        recipient: r.customer_email ?? 'client@example.com', subject: `Votre commande ${r.number} est en route`,
        text_body: '', html_body: '', state: kind === 0 ? 'sent' : kind === 1 ? 'failed' : 'pending',
        attempts: kind === 1 ? 3 : kind === 2 ? 2 : 1,
        last_problem: kind === 1
          ? { code: 'smtp_failed', reason: 'rejected', host: 'smtp.example.com', port: 587, reply: '550 5.1.1 mailbox unavailable' }
          : kind === 2 ? { code: 'smtp_failed', reason: 'connection_refused', host: 'smtp.example.com', port: 587, reply: null } : null,
        next_attempt_at: kind === 2 ? now() + 120 : at, created_at: at, sent_at: kind === 0 ? at : null,
      }];
      outbox.set(r.id, list);
    }
    return list;
  }

  if (params.has('offline')) {
    Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => false });
    setTimeout(() => window.dispatchEvent(new Event('offline')), 0);
  }
  if (params.has('bgsync')) setTimeout(() => void sync().catch(() => {}), 0);
  const act = params.get('act');
  if (act) setTimeout(() => void drive(act), 500);
  const emit = (event: string, payload: unknown) => listeners.get(event)?.forEach((h) => h(payload));

  const status = (): AppStatus => ({
    source: account ? 'stripe' : 'demo',
    account,
    last_synced_at: account ? lastSynced : null,
    sync_running: syncing,
    counts: counts(data()),
    notice: params.has('notice') ? { code: 'keychain', reason: 'locked' } : null,
    full_sync_incomplete: false,
    sync_offline: account !== null && !navigator.onLine,
  });

  async function sync(): Promise<SyncReport> {
    if (syncing) throw fail('busy', { code: 'sync_busy' });
    if (!navigator.onLine) throw fail('network', { code: 'stripe_unreachable' });
    syncing = true;
    try {
      const full = lastSynced === null;
      const target = account ? (stripeData.orders.length ? stripeData : buildDataset(2, 1234, 48, now())) : demo;
      const stages: SyncStage[] = ['starting', 'shipping_rates', 'customers', 'orders', 'invoices', 'subscriptions', 'events', 'done'];
      const steps = params.has('slow') ? 60 : 14;
      const total = { orders: target.orders.length, customers: Math.round(target.orders.length * 0.7), subscriptions: target.subscriptions.length, invoices: Math.round(target.orders.length * 0.4) };
      for (let i = 0; i <= steps; i++) {
        const fraction = i / steps;
        const stage = stages[Math.min(stages.length - 1, Math.floor(fraction * (stages.length - 1)))];
        const p: SyncProgress = {
          stage,
          fraction,
          orders: Math.round(total.orders * Math.min(1, fraction * 1.6)),
          customers: Math.round(total.customers * Math.min(1, fraction * 2.2)),
          subscriptions: Math.round(total.subscriptions * Math.max(0, fraction * 2 - 1)),
          invoices: Math.round(total.invoices * Math.min(1, fraction * 1.3)),
        };
        emit('sync-progress', p);
        await sleep(params.has('slow') ? 1000 : 200);
      }
      if (account) stripeData = target.rates.length ? target : { ...target, rates: sampleRates() };
      if (account) lastSynced = now();
      return { full, ...total, events: full ? 0 : 12, requests: 42, skipped: 0 };
    } finally {
      syncing = false;
    }
  }

  // What the fulfilment actions changed, by order id, and the settings saved in this session.
  const tracking = new Map<string, TrackingEntry[]>();
  let customCarriers: CustomCarrier[] = [];
  let boxesOn = true;
  let smtp: SmtpSettingsView = { settings: null, password_set: false };
  const productCodes: ProductCodes = {
    keys: ['sku', 'barcode', 'ean', 'gtin'],
    linked: [],
    products: [{ id: 'prod_fake', name: 'Bougie parfumée Figuier', image: null, codes: ['EPI-001'] }],
  };
  const pdfCache = { files: 38, bytes: 1_874_000, limit_mb: 500 };

  function orderRow(id: string): OrderRow {
    const r = data().orders.find((o) => o.id === id);
    if (!r) throw missing(`order ${id}`);
    return r;
  }

  function checkPaid(r: OrderRow, confirmUnpaid: boolean | null | undefined) {
    if (r.payment_state !== 'paid' && r.payment_state !== 'partially_refunded' && !confirmUnpaid) {
      const reason: Unsettled =
        r.payment_state === 'processing' ? { state: 'processing', method: 'sepa_debit' }
        : r.payment_state === 'failed' ? { state: 'failed', failure: null }
        : r.payment_state === 'refunded' ? { state: 'refunded' }
        : { state: 'disputed' };
      throw fail('payment_not_settled', { code: 'payment_not_settled', reason });
    }
  }

  function fulfil(r: OrderRow, status: FulfilmentStatus) {
    r.status = status;
    r.queue = queueOf(status, r.payment_state);
  }

  /** What an action's email became: queued with SMTP set up, a preview in the demo store. */
  function outcome(r: OrderRow, subject: string): EmailOutcome {
    if (!account) return { kind: 'preview', subject, text: `Bonjour ${r.customer_name ?? ''},\n\n${subject}.` };
    if (!smtp.settings) return { kind: 'not_configured' };
    if (!r.customer_email) return { kind: 'no_recipient' };
    return { kind: 'queued', id: nextEmailId++ };
  }

  function trackingUrl(input: TrackingInput): string {
    if (input.url) return input.url;
    const number = (input.number ?? '').trim();
    if (!number) throw fail('invalid_input', { code: 'tracking_missing' });
    if (input.carrier === 'colissimo') return `https://www.laposte.fr/outils/suivre-vos-envois?code=${encodeURIComponent(number)}`;
    if (input.carrier === 'mondial_relay') return `https://www.mondialrelay.fr/suivi-de-colis/?numeroExpedition=${encodeURIComponent(number)}&codePostal=${encodeURIComponent(input.postcode ?? '')}`;
    throw fail('invalid_input', { code: 'tracking_missing' });
  }

  const broken = params.get('broken') as StartupFailure['kind'] | null;
  const dataDir = '~/.local/share/app.comptoir.desktop';

  const handlers: Handlers = {
    startup_failure: () =>
      broken && {
        kind: broken,
        message:
          broken === 'corrupt'
            ? 'the local database failed: error returned from database: (code: 26) file is not a database'
            : broken === 'newer'
              ? 'the local database could not be upgraded: migration 20990101000000 was previously applied but is missing in the resolved migrations'
              : broken === 'unwritable'
                ? `Cannot write ${dataDir}: Permission denied (os error 13)`
                : 'the local database could not be upgraded: while executing migration 20250101000000: table orders already exists',
        data_dir: dataDir,
        files: broken === 'newer' ? [`${dataDir}/demo.sqlite`] : broken === 'unwritable' || broken === 'other' ? [] : [`${dataDir}/demo.sqlite.unreadable-2025-06-01-142233`],
        kept_aside: broken === 'corrupt' || broken === 'migration',
      },
    open_data_folder: () => {
      console.info('open', dataDir);
    },
    open_log_folder: () => {
      console.info('open', `${dataDir}/logs`);
    },
    restart_app: () => location.reload(),
    quit_app: () => window.close(),
    app_status: () => status(),
    connect_stripe: async ({ key }) => {
      await sleep(900);
      const k = String(key);
      if (!navigator.onLine || k.includes('offline')) throw fail('network', { code: 'stripe_unreachable' });
      if (k.includes('bad') || !/^(rk|sk)_(test|live)_/.test(k)) throw fail('invalid_key', { code: 'key_refused', stripe_says: 'Invalid API Key provided.' });
      if (k.includes('keychain')) throw fail('keychain', { code: 'keychain', reason: 'unavailable' });
      account = { id: 'acct_1Fake', name: 'Atelier Lumière', mode: /_live_/.test(k) ? 'live' : 'test', restricted_key: k.startsWith('rk_') };
      stripeData = { orders: [], subscriptions: [], rates: [] };
      lastSynced = null;
      return account;
    },
    disconnect_stripe: () => {
      account = null;
      lastSynced = null;
    },
    sync_now: () => sync(),
    list_orders: ({ query }) => {
      const q = query as OrderQuery;
      const words = (q.search ?? '').toLowerCase().split(/\s+/).filter(Boolean);
      const matching = data().orders.filter((o) =>
        words.every((w) => [o.customer_name, o.customer_email, o.number].some((f) => f?.toLowerCase().includes(w))),
      );
      const rows = matching.filter((o) => q.status === null || o.queue === q.status);
      const by = (s: OrderQueue) => matching.filter((o) => o.queue === s).length;
      const counts = {
        all: matching.length,
        to_be_sent: by('to_be_sent'),
        sent: by('sent'),
        to_be_picked_up: by('to_be_picked_up'),
        picked_up: by('picked_up'),
        awaiting_payment: by('awaiting_payment'),
        on_hold: by('on_hold'),
      };
      const sorted = [...rows].sort((a, b) => {
        switch (q.sort ?? 'date_desc') {
          case 'date_asc': return a.created - b.created;
          case 'total_desc': return b.amount_total - a.amount_total;
          case 'total_asc': return a.amount_total - b.amount_total;
          default: return b.created - a.created;
        }
      });
      return { rows: sorted.slice(q.offset, q.offset + q.limit), total: rows.length, counts };
    },
    list_subscriptions: ({ query }) => {
      const q = query as SubscriptionQuery;
      const all = data().subscriptions;
      const counts: SubscriptionCounts = { all: all.length, active: 0, trialing: 0, past_due: 0, cancelling: 0, canceled: 0, incomplete: 0 };
      for (const r of all) {
        const tab = fakeTab(r);
        if (tab) counts[tab] += 1;
      }
      const needle = (q.search ?? '').trim().toLowerCase();
      const rows = all
        .filter((r) => !q.status || fakeTab(r) === q.status)
        .filter((r) => !needle || [r.customer_name, r.customer_email, r.product_name].some((f) => f?.toLowerCase().includes(needle)));
      if (q.sort) {
        const dir = q.sort === 'next_charge_asc' ? 1 : -1;
        rows.sort((a, b) => (a.next_charge === null ? 1 : b.next_charge === null ? -1 : dir * (a.next_charge - b.next_charge)));
      }
      return { rows: rows.slice(q.offset, q.offset + q.limit), total: rows.length, counts };
    },
    order_detail: ({ id }) => {
      const r = data().orders.find((o) => o.id === id);
      if (!r) throw missing(`order ${String(id)}`);
      const done = r.status === 'sent' || r.status === 'picked_up';
      const fulfilment = done
        ? { status: r.status, sent_at: r.status === 'sent' ? now() : null, picked_up_at: r.status === 'picked_up' ? now() : null, staff: settings.staff_name || null, station: settings.station_name, tracking: tracking.get(r.id) ?? [] }
        : null;
      return { ...fakeOrderDetail(r, account !== null), fulfilment, emails: emailsOf(r) };
    },
    retry_email: ({ id }) => {
      const e = [...outbox.values()].flat().find((x) => x.id === id);
      if (!e) throw missing(`email ${String(id)}`);
      if (e.state === 'sent') throw refuse({ code: 'retry_refused', reason: 'already_sent' });
      if (e.state === 'sending') throw refuse({ code: 'retry_refused', reason: 'being_sent' });
      if (e.state === 'cancelled') throw refuse({ code: 'retry_refused', reason: 'cancelled' });
      Object.assign(e, { state: 'pending', next_attempt_at: now() });
      setTimeout(() => Object.assign(e, { state: 'sent', attempts: e.attempts + 1, last_problem: null, sent_at: now() }), 1200);
      return e;
    },
    export_orders_csv: () => '~/Downloads/comptoir-orders.csv',
    export_subscriptions_csv: () => '~/Downloads/comptoir-subscriptions.csv',
    carrier_options: () => [
      { carrier: 'colissimo', name: 'Colissimo / La Poste', needs_postcode: false },
      { carrier: 'mondial_relay', name: 'Mondial Relay', needs_postcode: true },
    ],
    suggest_carriers: () => [],
    get_smtp_settings: () => smtp,
    get_custom_carriers: () => customCarriers,
    save_invoice_pdf: ({ orderId }) => {
      const r = data().orders.find((o) => o.id === orderId);
      if (!r) throw missing(`order ${String(orderId)}`);
      if (!fakeOrderDetail(r, account !== null).invoice_pdf.url) {
        throw refuse({ code: 'no_invoice_pdf' });
      }
      return { path: `~/Downloads/Invoice ${r.number}.pdf`, bytes: 48213 };
    },
    print_packing_slip: ({ orderId }) => {
      const r = data().orders.find((o) => o.id === orderId);
      if (!r) throw missing(`order ${String(orderId)}`);
      const printer = settings.printer_name || null;
      return { printer, request: `request id is ${printer ?? 'Default'}-${Math.floor(Math.random() * 100)} (1 file(s))`, count: 1 };
    },
    get_slip_settings: () => slipSettings,
    save_slip_settings: ({ settings: s }) => {
      slipSettings = { ...(s as SlipSettings) };
      return slipSettings;
    },
    save_slip_pdf: ({ orderId, lang }) => {
      const r = data().orders.find((o) => o.id === orderId);
      if (!r) throw missing(`order ${String(orderId)}`);
      return `~/Downloads/${lang === 'fr' ? 'Bon de préparation' : 'Packing slip'} ${r.number}.pdf`;
    },
    print_test_page: ({ printerName }) => {
      const printer = String(printerName ?? '').trim() || null;
      if (printer && !/^[A-Za-z0-9_.@][A-Za-z0-9_.@-]*$/.test(printer)) throw fail('printer', { code: 'printer_name', name: printer });
      return { printer, request: `request id is ${printer ?? 'Default'}-1 (1 file(s))`, count: 1 };
    },
    refund_order: ({ request }) => {
      const r = request as { order_id: string; amount: number | null };
      const row = data().orders.find((o) => o.id === r.order_id);
      if (!row) throw missing('order');
      if (!account) throw fail('invalid_input', { code: 'refund_in_demo' });
      const amount = r.amount ?? row.amount_total;
      row.payment_state = amount >= row.amount_total ? 'refunded' : 'partially_refunded';
      return { refund_id: 're_fake', amount, currency: row.currency, status: 'succeeded' };
    },
    print_packing_slips: ({ query }) => {
      const q = query as OrderQuery;
      const n = data().orders.filter((o) => !q.status || o.queue === q.status).length;
      if (n === 0) throw refuse({ code: 'print_nothing' });
      if (n > 200) throw refuse({ code: 'print_too_many', count: n, max: 200 });
      const printer = settings.printer_name || null;
      return { printer, request: `request id is ${printer ?? 'Default'}-7 (1 file(s))`, count: n };
    },
    subscription_detail: ({ id }) => {
      const r = data().subscriptions.find((s) => s.id === id);
      if (!r) throw missing(`subscription ${String(id)}`);
      return fakeDetail(r, now());
    },
    open_invoice_pdf: ({ invoiceId }) => {
      if (typeof invoiceId !== 'string' || !invoiceId) throw refuse({ code: 'no_invoice_pdf' });
      pdfCache.files = Math.max(pdfCache.files, 1);
    },
    pdf_cache_status: () => ({ ...pdfCache, demo: account === null }),
    set_pdf_cache_limit: ({ megabytes }) => {
      const mb = Number(megabytes);
      if (!Number.isInteger(mb) || mb < 0 || mb > 100000) throw refuse({ code: 'pdf_cache_limit', max: 100000 });
      pdfCache.limit_mb = mb;
      return { ...pdfCache, demo: account === null };
    },
    clear_pdf_cache: () => {
      pdfCache.files = 0;
      pdfCache.bytes = 0;
      return { ...pdfCache, demo: account === null };
    },
    open_link: ({ url }) => {
      if (typeof url !== 'string' || !/^https:\/\/(dashboard|pay|invoice|files)\.stripe\.com\//.test(url)) {
        throw refuse({ code: 'link_refused', host: null });
      }
      window.open(url, '_blank', 'noopener');
    },
    ship_order: ({ orderId, parcels, confirmUnpaid }) => {
      const r = orderRow(orderId);
      checkPaid(r, confirmUnpaid);
      if (parcels.length === 0) throw fail('invalid_input', { code: 'no_parcel' });
      tracking.set(r.id, parcels.map((p) => ({ carrier: typeof p.carrier === 'string' ? p.carrier : null, number: p.number, url: trackingUrl(p), created_at: now() })));
      fulfil(r, 'sent');
      return outcome(r, `Votre commande ${r.number} est en route`);
    },
    ship_order_untracked: ({ orderId, notify, confirmUnpaid }) => {
      const r = orderRow(orderId);
      checkPaid(r, confirmUnpaid);
      fulfil(r, 'sent');
      return notify ? outcome(r, `Votre commande ${r.number} est en route`) : { kind: 'none' };
    },
    mark_not_sent: ({ orderId }) => {
      const r = orderRow(orderId);
      tracking.delete(r.id);
      fulfil(r, r.delivery_kind === 'pickup' ? 'to_be_picked_up' : 'to_be_sent');
    },
    confirm_pickup: ({ orderId, confirmUnpaid }) => {
      const r = orderRow(orderId);
      checkPaid(r, confirmUnpaid);
      fulfil(r, 'picked_up');
    },
    send_ready_for_pickup: ({ orderId }) => outcome(orderRow(orderId), 'Votre commande vous attend en boutique'),
    tracking_url_for: ({ input }) => trackingUrl(input),
    open_tracking_link: ({ orderId, url }) => {
      if (!tracking.get(orderId)?.some((t) => t.url === url)) throw fail('invalid_input', { code: 'tracking_link_unknown' });
      window.open(url, '_blank', 'noopener');
    },
    save_custom_carriers: ({ carriers }) => {
      customCarriers = carriers;
      return customCarriers;
    },
    save_smtp_settings: ({ settings: s, password }) => {
      if (!s.host.trim()) throw refuse({ code: 'mail_invalid', reason: 'host_missing', value: null });
      // As the Rust side: a new server or user name forgets the password unless one is typed.
      const sameAccount = smtp.settings?.host === s.host && smtp.settings?.username === s.username;
      const passwordSet =
        password.action === 'replace' ? true : password.action === 'delete' ? false : smtp.password_set && sameAccount;
      smtp = {
        settings: s,
        password_set: passwordSet,
      };
      return smtp;
    },
    send_test_email: ({ to }) => {
      if (!smtp.settings) throw fail('invalid_input', { code: 'smtp_not_configured' });
      if (!to.includes('@')) throw refuse({ code: 'mail_invalid', reason: 'address_invalid', value: to });
    },
    get_settings: () => settings,
    save_settings: ({ settings: s }) => {
      const next = s as Settings;
      if (next.language !== null && next.language !== 'fr' && next.language !== 'en') {
        throw refuse({ code: 'unknown_language', value: String(next.language) });
      }
      if (next.sync_interval_secs < 5 || next.sync_interval_secs > 60) {
        throw fail('invalid_input', { code: 'sync_interval_out_of_range', value: next.sync_interval_secs, min: 5, max: 60 });
      }
      settings = { ...next };
      return settings;
    },
    list_shipping_rates: () => data().rates,
    // The fake has no file dialogs: an export "saves" to a fixed path, an import of
    // `?import=refused` is refused and any other applies the station name it carries.
    export_settings: () => '/home/camille/Documents/comptoir-settings-Poste-1.json',
    import_settings: () => {
      if (params.get('import') === 'refused') {
        throw fail('invalid_input', { code: 'settings_file_refused', reason: 'has_secret', detail: 'smtp.password' });
      }
      const changed = settings.station_name === 'Atelier' ? [] : (['station_name'] as const);
      settings = { ...settings, station_name: 'Atelier' };
      return { changed: [...changed], smtp_password_removed: false, rates_not_found: 0 };
    },
    set_shipping_rate_pickup: ({ id, isPickup }) => {
      const rate = data().rates.find((r) => r.id === id);
      if (!rate) throw missing(`shipping rate ${String(id)}`);
      rate.is_pickup = Boolean(isPickup);
      rate.pickup_set_by_merchant = true;
      return data().rates;
    },
    // The demo store keeps its fulfilment state to itself, as the app's does.
    sharing_status: () => ({ off: { code: 'sharing_in_demo' }, waiting: 0, conflicts: [] }),
    box_shipments: () => ({ on: boxesOn, orders: boxesOn ? 12 : 0 }),
    set_box_shipments: ({ on }) => {
      boxesOn = Boolean(on);
      return { on: boxesOn, orders: boxesOn ? 12 : 0 };
    },
    retry_sharing: () => ({ off: { code: 'sharing_in_demo' }, waiting: 0, conflicts: [] }),
    // Packing mode (README: Packing mode): one line per order, code EPI-001.
    packing_lookup: ({ scan }) => {
      const needle = String(scan).trim().toLowerCase();
      const found = data().orders.filter((o) => o.number.toLowerCase() === needle || o.id === scan);
      if (found.length === 0) throw refuse({ code: 'pack_no_match', scan: String(scan).trim() });
      return found.map((o) => ({
        order_id: o.id, number: o.number, customer_name: o.customer_name, created: o.created,
        queue: o.queue, delivery_kind: o.delivery_kind, matched_by: 'order_number' as const,
      }));
    },
    packing_queue: ({ since }) => {
      const ready = data().orders.filter((o) => o.queue === 'to_be_sent').sort((a, b) => a.created - b.created);
      const packed = data().orders.filter((o) => o.status === 'sent' || o.status === 'picked_up').length;
      return { remaining: ready.length, next_number: ready[0]?.number ?? null, packed_today: since > 0 ? packed : 0 };
    },
    packing_open: ({ orderId }) => {
      const detail = fakeOrderDetail(orderRow(orderId), account !== null);
      const lines = detail.order.lines.map((l, i) => ({
        number: i + 1, description: l.description, quantity: l.quantity, product_id: 'prod_fake',
        image: null, codes: ['EPI-001'],
      }));
      return { detail, lines };
    },
    packing_tick: ({ orderId, ticked, scan }) => {
      const r = orderRow(orderId);
      const quantity = r.item_count;
      const code = String(scan).trim();
      if (code.toUpperCase() !== 'EPI-001' && code !== '1') throw refuse({ code: 'pack_wrong_item', scan: code });
      const done = ticked[0] ?? 0;
      if (done >= quantity) throw refuse({ code: 'pack_too_many', line: 1, quantity });
      return { ticked: [done + 1], line: 1, complete: done + 1 >= quantity };
    },
    packing_override: ({ reason }) => {
      if (!String(reason).trim()) throw refuse({ code: 'pack_reason_missing' });
    },
    product_codes: () => productCodes,
    link_product_code: ({ code, productId }) => {
      const c = String(code).trim();
      if (!c) throw refuse({ code: 'product_code_invalid', max: 64 });
      productCodes.linked = [{ code: c, product_id: productId, product_name: 'Bougie parfumée Figuier', created_at: now() }, ...productCodes.linked];
      return productCodes;
    },
    unlink_product_code: ({ code }) => {
      productCodes.linked = productCodes.linked.filter((l) => l.code !== code);
      return productCodes;
    },
    save_product_code_keys: ({ keys }) => {
      const list = String(keys).split(',').map((k) => k.trim().toLowerCase()).filter(Boolean);
      if (list.length === 0) throw refuse({ code: 'product_code_keys_invalid', max: 10 });
      productCodes.keys = list;
      return productCodes;
    },
  };

  async function drive(script: string) {
    const byId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);
    for (const step of script.split(',')) {
      const at = step.indexOf(':');
      const verb = step.slice(0, at);
      const arg = step.slice(at + 1);
      if (verb === 'click') byId(arg)?.click();
      else if (verb === 'focus') byId(arg)?.focus();
      else if (verb === 'wait') await sleep(Number(arg));
      else if (verb === 'press') {
        const el = document.activeElement ?? document.body;
        el.dispatchEvent(new KeyboardEvent('keydown', { key: arg, bubbles: true, cancelable: true }));
      } else if (verb === 'type') {
        const [id, ...text] = arg.split('=');
        const el = byId(id) as HTMLInputElement | null;
        if (el) {
          el.value = text.join('=');
          el.dispatchEvent(new Event('input', { bubbles: true }));
        }
      }
      await sleep(50);
    }
  }

  return {
    async invoke<K extends CommandName>(cmd: K, args: CommandArgs<K>): Promise<CommandResult<K>> {
      await sleep(60 + Math.random() * 80);
      // Looked up by a name only known at run time: TypeScript cannot tie `K` to one entry.
      const handler = handlers[cmd] as ((a: CommandArgs<K>) => CommandResult<K> | Promise<CommandResult<K>>) | undefined;
      if (!handler) throw `command ${cmd} not found`;
      // Copy, as IPC would: the UI must not share objects with the backend.
      const result = await handler(args);
      return (result === undefined ? undefined : structuredClone(result)) as CommandResult<K>;
    },
    async listen<T>(event: string, handler: (payload: T) => void): Promise<Unlisten> {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      const h = handler as (p: unknown) => void;
      set.add(h);
      return () => set.delete(h);
    },
  };
}

/** An order detail built from a table row: one line per item, French VAT at 20 %. */
function fakeOrderDetail(r: OrderRow, connected: boolean): OrderDetail {
  const tax = Math.round(r.amount_total / 6);
  const shipping = r.delivery_kind === 'pickup' ? 0 : r.currency === 'jpy' ? 500 : 490;
  const subtotal = r.amount_total - shipping;
  const unit = Math.floor(subtotal / r.item_count);
  const contact = {
    name: r.customer_name,
    email: r.customer_email,
    phone: '+33 6 12 34 56 78',
    address: { line1: '12 rue des Lilas', line2: null, postal_code: '69003', city: 'Lyon', state: null, country: 'FR' },
    tax_ids: [],
  };
  const link = (url: string) =>
    connected ? { url, unavailable: null } : { url: null, unavailable: 'demo' as const };
  return {
    order: {
      id: r.id,
      source: 'checkout_session',
      number: r.number,
      created: r.created,
      livemode: false,
      customer_id: 'cus_fake',
      billing: contact,
      shipping: r.delivery_kind === 'pickup' ? null : contact,
      currency: r.currency,
      lines: [
        {
          description: 'Bougie parfumée Figuier',
          quantity: r.item_count,
          unit_amount: unit,
          amount_subtotal: subtotal,
          amount_discount: 0,
          amount_tax: tax,
          amount_total: subtotal,
          product_id: 'prod_fake',
        },
      ],
      amount_subtotal: subtotal,
      amount_discount: 0,
      amount_shipping: shipping,
      amount_tax: tax,
      amount_total: r.amount_total,
      discounts: [],
      taxes: [{ label: 'TVA', rate: '20', amount: tax }],
      shipping_rate_id: null,
      delivery_method: r.delivery_method,
      delivery_kind: r.delivery_kind,
      invoice_id: 'in_fake',
      invoice_pdf: 'https://pay.stripe.com/invoice/acct_fake/test_fake/pdf',
      hosted_invoice_url: null,
      payment_intent_id: 'pi_fake',
      locale: 'fr',
      payment: {
        state: r.payment_state,
        checkout_status: r.payment_state === 'processing' ? 'unpaid' : 'paid',
        method: r.payment_state === 'processing' ? 'sepa_debit' : 'card',
        amount: r.amount_total,
        amount_refunded:
          r.payment_state === 'refunded' ? r.amount_total : r.payment_state === 'partially_refunded' ? Math.round(r.amount_total / 4) : 0,
        refunded_at: r.payment_state.endsWith('refunded') ? r.created + 2 * 86400 : null,
        failure: null,
        dispute:
          r.payment_state === 'disputed'
            ? { id: 'dp_fake', status: 'needs_response', reason: 'product_not_received', amount: r.amount_total, due_by: r.created + 9 * 86400 }
            : null,
      },
      custom_fields:
        r.created % 4 === 0
          ? [
              { key: 'messagecadeau', label: 'Message cadeau', kind: 'text', value: 'Joyeux anniversaire Maman, avec tout notre amour' },
              { key: 'emballage', label: 'Emballage', kind: 'dropdown', value: 'Boîte cadeau' },
              { key: 'instructionslivraison', label: 'Instructions de livraison', kind: 'text', value: null },
            ]
          : [],
    },
    status: r.status,
    fulfilment: null,
    history: [],
    emails: [],
    shipping_same_as_billing: r.delivery_kind !== 'pickup',
    invoice_pdf: link('https://pay.stripe.com/invoice/acct_fake/test_fake/pdf'),
    invoice_dashboard: link('https://dashboard.stripe.com/test/invoices/in_fake'),
    payment_dashboard: link('https://dashboard.stripe.com/test/payments/pi_fake'),
  };
}
