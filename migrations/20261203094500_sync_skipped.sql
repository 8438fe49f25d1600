-- Stripe objects a sync could not read (the mapping refused them): kept by kind and id so the
-- next sync fetches them again, and counted in the sync's report until one succeeds.
CREATE TABLE sync_skipped (
    kind  TEXT NOT NULL,
    id    TEXT NOT NULL,
    error TEXT NOT NULL,
    at    INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
);
