-- The email outbox (DESIGN §3, §5). Every email is written here before any SMTP traffic, so a
-- crash, an offline machine or a refusing server never loses one. `message_id` is fixed at
-- enqueue time and sent as the Message-ID header on every attempt, so the rare resend after a
-- crash between "the server accepted it" and "we recorded that" is recognisable as a duplicate.

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id      TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    -- The order the email is about, if any; no foreign key, so a cached order that Stripe
    -- deletes never takes its sent emails with it.
    order_id        TEXT,
    -- A mailbox: "Name <address>" or a bare address.
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_at INTEGER NOT NULL,
    -- When the row was claimed for sending (crash recovery puts old claims back to pending).
    claimed_at      INTEGER,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
CREATE INDEX outbox_order ON outbox(order_id, created_at);
