-- The last `POST /v1/invoices/create_preview` answer per subscription, for offline viewing.
CREATE TABLE upcoming_invoices (
    subscription_id TEXT PRIMARY KEY NOT NULL,
    -- Unix seconds when Stripe was asked.
    fetched_at      INTEGER NOT NULL,
    raw             TEXT NOT NULL
);
