-- Comptoir's local store. Cached Stripe objects keep typed columns for what is filtered and
-- sorted on, plus their raw JSON. Fulfilment state lives in its own tables and is never
-- overwritten by a sync. Migrations are additive only.

CREATE TABLE customers (
    id               TEXT PRIMARY KEY NOT NULL,
    deleted          INTEGER NOT NULL DEFAULT 0,
    name             TEXT,
    email            TEXT,
    phone            TEXT,
    preferred_locale TEXT,
    created          INTEGER NOT NULL,
    livemode         INTEGER NOT NULL DEFAULT 0,
    raw              TEXT NOT NULL
);
CREATE INDEX customers_email ON customers(email);

CREATE TABLE shipping_rates (
    id            TEXT PRIMARY KEY NOT NULL,
    display_name  TEXT NOT NULL,
    amount        INTEGER,
    currency      TEXT,
    active        INTEGER NOT NULL,
    raw           TEXT NOT NULL
);

-- The merchant's own choice of which rates are pickups; absent = guessed from the name.
CREATE TABLE pickup_rates (
    shipping_rate_id TEXT PRIMARY KEY NOT NULL,
    is_pickup        INTEGER NOT NULL
);

CREATE TABLE orders (
    id                 TEXT PRIMARY KEY NOT NULL,
    source             TEXT NOT NULL CHECK (source IN ('checkout_session', 'invoice')),
    number             TEXT NOT NULL,
    created            INTEGER NOT NULL,
    livemode           INTEGER NOT NULL,
    customer_id        TEXT,
    customer_name      TEXT,
    customer_email     TEXT,
    currency           TEXT NOT NULL,
    amount_subtotal    INTEGER NOT NULL,
    amount_discount    INTEGER NOT NULL,
    amount_shipping    INTEGER NOT NULL,
    amount_tax         INTEGER NOT NULL,
    amount_total       INTEGER NOT NULL,
    item_count         INTEGER NOT NULL,
    has_shipping_address INTEGER NOT NULL,
    shipping_rate_id   TEXT,
    delivery_method    TEXT,
    delivery_kind      TEXT NOT NULL CHECK (delivery_kind IN ('delivery', 'pickup')),
    invoice_id         TEXT,
    payment_intent_id  TEXT,
    -- The mapped order (billing, shipping, lines, discounts, taxes) as JSON.
    detail             TEXT NOT NULL,
    raw                TEXT NOT NULL
);
CREATE INDEX orders_created ON orders(created DESC, id DESC);
CREATE INDEX orders_invoice ON orders(invoice_id);
CREATE INDEX orders_customer ON orders(customer_id);

CREATE TABLE order_lines (
    order_id        TEXT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    description     TEXT NOT NULL,
    quantity        INTEGER NOT NULL,
    unit_amount     INTEGER,
    amount_subtotal INTEGER NOT NULL,
    amount_discount INTEGER NOT NULL,
    amount_tax      INTEGER NOT NULL,
    amount_total    INTEGER NOT NULL,
    PRIMARY KEY (order_id, position)
);

CREATE TABLE invoices (
    id                 TEXT PRIMARY KEY NOT NULL,
    number             TEXT,
    customer_id        TEXT,
    subscription_id    TEXT,
    status             TEXT,
    currency           TEXT NOT NULL,
    total              INTEGER NOT NULL,
    amount_paid        INTEGER NOT NULL,
    amount_due         INTEGER NOT NULL,
    created            INTEGER NOT NULL,
    invoice_pdf        TEXT,
    hosted_invoice_url TEXT,
    raw                TEXT NOT NULL
);
CREATE INDEX invoices_subscription ON invoices(subscription_id, created DESC);

CREATE TABLE subscriptions (
    id                   TEXT PRIMARY KEY NOT NULL,
    customer_id          TEXT,
    status               TEXT NOT NULL,
    product_name         TEXT,
    currency             TEXT NOT NULL,
    amount               INTEGER NOT NULL,
    interval             TEXT NOT NULL,
    interval_count       INTEGER NOT NULL,
    start_date           INTEGER NOT NULL,
    current_period_end   INTEGER,
    cancel_at            INTEGER,
    cancel_at_period_end INTEGER NOT NULL,
    ended_at             INTEGER,
    created              INTEGER NOT NULL,
    -- The mapped subscription as JSON.
    detail               TEXT NOT NULL,
    raw                  TEXT NOT NULL
);
CREATE INDEX subscriptions_created ON subscriptions(created DESC, id DESC);

-- Sync cursors: one row per full-sync list ('full:customers' …) and one for the events feed.
CREATE TABLE sync_cursors (
    name       TEXT PRIMARY KEY NOT NULL,
    cursor     TEXT,
    -- For the events feed: the created time of the cursor event, to detect a >30-day gap.
    cursor_created INTEGER,
    complete   INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

-- Local, authoritative fulfilment state. A row exists once someone acted on the order.
CREATE TABLE fulfilments (
    order_id     TEXT PRIMARY KEY NOT NULL REFERENCES orders(id),
    status       TEXT NOT NULL CHECK (status IN ('to_be_sent', 'sent', 'to_be_picked_up', 'picked_up')),
    sent_at      INTEGER,
    picked_up_at INTEGER,
    staff        TEXT,
    station      TEXT,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX fulfilments_status ON fulfilments(status);

CREATE TABLE tracking_entries (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id   TEXT NOT NULL REFERENCES orders(id),
    carrier    TEXT,
    number     TEXT,
    url        TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX tracking_entries_order ON tracking_entries(order_id);

-- Append-only history of every fulfilment action.
CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id TEXT NOT NULL,
    at       INTEGER NOT NULL,
    action   TEXT NOT NULL,
    staff    TEXT,
    station  TEXT,
    detail   TEXT
);
CREATE INDEX audit_log_order ON audit_log(order_id, at);
