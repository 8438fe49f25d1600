-- Invoice PDFs kept on this computer for offline use (README: Architecture, Offline invoice
-- PDFs). One row per invoice whose PDF was downloaded, evicted for space, or failed; the files
-- themselves are in the data folder's `pdf-cache/`.
CREATE TABLE pdf_cache (
    invoice_id      TEXT PRIMARY KEY NOT NULL,
    -- The Stripe link the file came from: a new link (a voided or updated invoice) replaces it.
    url             TEXT NOT NULL,
    -- The invoice's creation time: the newest are kept, the oldest evicted first.
    created         INTEGER NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('cached', 'evicted', 'failed')),
    -- The file's name inside pdf-cache/ while cached.
    file            TEXT,
    bytes           INTEGER NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    last_error      TEXT,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX pdf_cache_state_created ON pdf_cache(state, created);
