-- Fulfilment state shared between stations through Stripe metadata (README: Stations).
--
-- `stripe_writes` is the durable outbox of metadata writes, like `outbox` for emails: an action
-- is applied locally at once and its write waits here until Stripe has it. Writes go out in id
-- order; `idempotency_key` is sent with every attempt, so a retry never applies twice, and it
-- is also the write's token (`comptoir_write` in the metadata), by which a station recognises
-- its own write when it reads the object back.
--   - pending: not on Stripe yet (offline, or waiting for its turn);
--   - done: on Stripe and read back unchanged after the settle delay;
--   - conflict: another station acted on the order first; its state was applied here instead
--     and the emails that waited for this write were cancelled;
--   - skipped: nothing to write to, or the key may not write (sharing off): the local action
--     stands and its emails go.
CREATE TABLE stripe_writes (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id        TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'done', 'conflict', 'skipped')),
    -- The shared state to write, as JSON.
    payload         TEXT NOT NULL,
    -- The write token of the shared state the action started from (NULL: none yet).
    base_token      TEXT,
    idempotency_key TEXT NOT NULL UNIQUE,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    -- The last refusal or failure, as a problem (JSON with its code).
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    finished_at     INTEGER
);
CREATE INDEX stripe_writes_pending ON stripe_writes(state, id);
CREATE INDEX stripe_writes_order ON stripe_writes(order_id, id);

-- The write token of the shared state this station last wrote or applied for the order.
ALTER TABLE fulfilments ADD COLUMN shared_token TEXT;

-- An email that waits for a Stripe write (the shipping email waits until this station's
-- "Sent" is on Stripe unchallenged, so two stations never both email the customer).
ALTER TABLE outbox ADD COLUMN after_write INTEGER;
