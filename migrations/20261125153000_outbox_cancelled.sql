-- Outbox emails can be cancelled (DESIGN §3, §5): "Mark as not sent" cancels the order's shipping
-- email that no sender has claimed yet, so it never goes out with a wrong tracking link.
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt with the same
-- columns and rows (ids kept), plus `cancelled_at`:
--   - on a `cancelled` row, when it was cancelled;
--   - on a `sending` row, a cancellation asked for while a sender held it: if that attempt does
--     not end with the server's acceptance, the email becomes `cancelled` instead of being
--     tried again.
-- Nothing references `outbox` (no foreign key, trigger or view), so the rebuild is safe inside
-- the migration's transaction.

CREATE TABLE outbox_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id      TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    order_id        TEXT,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_at INTEGER NOT NULL,
    claimed_at      INTEGER,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    cancelled_at    INTEGER
);

INSERT INTO outbox_new (id, message_id, kind, order_id, recipient, subject, text_body, html_body,
                        state, attempts, last_error, next_attempt_at, claimed_at, created_at,
                        sent_at)
SELECT id, message_id, kind, order_id, recipient, subject, text_body, html_body,
       state, attempts, last_error, next_attempt_at, claimed_at, created_at, sent_at
FROM outbox;

DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;

CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
CREATE INDEX outbox_order ON outbox(order_id, created_at);
