-- Payment state. An order may go out only when it is paid (or needs no payment): a SEPA debit
-- still processing, a failed payment, a full refund or an open dispute hold it back.
--
-- * `payments`: what Stripe says of each PaymentIntent (its status, its latest charge's refunds
--   and failure), written by the sync from the expanded PaymentIntent of a session and from
--   payment, charge and refund events.
-- * `disputes`: the account's disputes (listed by the full sync, kept current by
--   `charge.dispute.*` events), found back by their PaymentIntent.
-- * `orders.payment_state` / `orders.payment_hold`: the order's computed state (the rule is in
--   `payments.rs`) and, when it holds the order back, the queue it waits in
--   ('awaiting_payment' or 'on_hold'). The mapped state with its amounts and dates rides in
--   the order's `detail` JSON.
-- * `orders.queue`: the tab an order sits in. A shipped or collected order stays Sent or Picked
--   up whatever its payment does (a later refund is shown, not hidden); an order not yet out
--   waits in its payment hold when it has one, else in its fulfilment status.
--
-- The search index's docid now carries the queue in its three low bits (it carried the status
-- in two), and the tab counts are kept per queue. Both are derived data, rebuilt here.

CREATE TABLE payments (
    payment_intent_id TEXT PRIMARY KEY NOT NULL,
    -- The PaymentIntent's status: processing, succeeded, requires_payment_method, canceled…
    status            TEXT,
    -- The payment method type: card, sepa_debit, customer_balance…
    method            TEXT,
    amount            INTEGER NOT NULL,
    amount_received   INTEGER NOT NULL,
    charge_id         TEXT,
    amount_refunded   INTEGER NOT NULL DEFAULT 0,
    -- When the newest refund was made, when known (refund events, the refunds list).
    refunded_at       INTEGER,
    -- Why the last attempt failed, in Stripe's words.
    failure           TEXT,
    updated_at        INTEGER NOT NULL,
    raw               TEXT NOT NULL
);

CREATE TABLE disputes (
    id                TEXT PRIMARY KEY NOT NULL,
    payment_intent_id TEXT,
    charge_id         TEXT,
    status            TEXT NOT NULL,
    reason            TEXT,
    amount            INTEGER NOT NULL,
    currency          TEXT,
    due_by            INTEGER,
    created           INTEGER NOT NULL,
    raw               TEXT NOT NULL
);
CREATE INDEX disputes_payment ON disputes(payment_intent_id, created DESC);
CREATE INDEX disputes_charge ON disputes(charge_id);

ALTER TABLE orders ADD COLUMN payment_state TEXT NOT NULL DEFAULT 'paid';
ALTER TABLE orders ADD COLUMN payment_hold TEXT
    CHECK (payment_hold IS NULL OR payment_hold IN ('awaiting_payment', 'on_hold'));
ALTER TABLE orders ADD COLUMN queue TEXT GENERATED ALWAYS AS (
    CASE WHEN status IS NULL THEN NULL
         WHEN status IN ('sent', 'picked_up') THEN status
         ELSE COALESCE(payment_hold, status) END) VIRTUAL;
CREATE INDEX orders_payment ON orders(payment_intent_id);
CREATE INDEX orders_queue_created ON orders(queue, created DESC, id DESC);
CREATE INDEX orders_queue_total ON orders(queue, amount_total DESC, id DESC);

-- Tab counts per queue.
DROP TRIGGER IF EXISTS orders_counts_update;
DROP TRIGGER IF EXISTS orders_counts_delete;
DROP TABLE IF EXISTS order_status_counts;
CREATE TABLE order_queue_counts (
    queue TEXT PRIMARY KEY NOT NULL,
    n     INTEGER NOT NULL
);
INSERT INTO order_queue_counts (queue, n)
SELECT queue, COUNT(*) FROM orders WHERE queue IS NOT NULL GROUP BY queue;

CREATE TRIGGER orders_queue_counts_update AFTER UPDATE OF status, payment_hold ON orders
WHEN OLD.queue IS NOT NEW.queue BEGIN
    UPDATE order_queue_counts SET n = n - 1 WHERE queue = OLD.queue;
    INSERT INTO order_queue_counts (queue, n) SELECT NEW.queue, 1 WHERE NEW.queue IS NOT NULL
        ON CONFLICT(queue) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER orders_queue_counts_delete AFTER DELETE ON orders WHEN OLD.queue IS NOT NULL BEGIN
    UPDATE order_queue_counts SET n = n - 1 WHERE queue = OLD.queue;
END;

-- The search index, re-keyed: docid = created * 2^31 + order rowid * 8 + queue (0 to be sent,
-- 1 sent, 2 to be picked up, 3 picked up, 4 awaiting payment, 5 on hold). The order is found
-- back by `(docid & 2147483647) >> 3`; order rowids must stay under 2^28. The same expression
-- is spelled out in `store::orders` (`DOCID`): keep them in step.
DROP TRIGGER IF EXISTS orders_search_move;
DROP TRIGGER IF EXISTS orders_search_delete;
DROP TRIGGER IF EXISTS tracking_search_insert;
DROP TRIGGER IF EXISTS tracking_search_update;
DROP TRIGGER IF EXISTS tracking_search_delete;
DELETE FROM orders_search;

INSERT INTO orders_search (rowid, name, email, number, products, tracking, amount_total)
SELECT min(max(o.created, -4294967296), 4294967295) * 2147483648 + o.rowid * 8
         + CASE o.queue WHEN 'to_be_sent' THEN 0 WHEN 'sent' THEN 1 WHEN 'to_be_picked_up' THEN 2
                        WHEN 'picked_up' THEN 3 WHEN 'awaiting_payment' THEN 4 ELSE 5 END,
       o.customer_name, o.customer_email, o.number,
       (SELECT group_concat(l.description, ' ') FROM order_lines l WHERE l.order_id = o.id),
       (SELECT group_concat(COALESCE(t.number, '') || ' ' || COALESCE(t.carrier, ''), ' ')
          FROM tracking_entries t WHERE t.order_id = o.id),
       o.amount_total
FROM orders o;

INSERT INTO orders_search (orders_search) VALUES ('optimize');

CREATE TRIGGER orders_search_move AFTER UPDATE OF created, status, payment_hold, amount_total ON orders
WHEN OLD.created IS NOT NEW.created OR OLD.queue IS NOT NEW.queue
    OR OLD.amount_total IS NOT NEW.amount_total BEGIN
    UPDATE orders_search SET
        rowid = min(max(NEW.created, -4294967296), 4294967295) * 2147483648 + NEW.rowid * 8
            + CASE NEW.queue WHEN 'to_be_sent' THEN 0 WHEN 'sent' THEN 1 WHEN 'to_be_picked_up' THEN 2
                             WHEN 'picked_up' THEN 3 WHEN 'awaiting_payment' THEN 4 ELSE 5 END,
        amount_total = NEW.amount_total
    WHERE rowid = min(max(OLD.created, -4294967296), 4294967295) * 2147483648 + OLD.rowid * 8
            + CASE OLD.queue WHEN 'to_be_sent' THEN 0 WHEN 'sent' THEN 1 WHEN 'to_be_picked_up' THEN 2
                             WHEN 'picked_up' THEN 3 WHEN 'awaiting_payment' THEN 4 ELSE 5 END;
END;

CREATE TRIGGER orders_search_delete AFTER DELETE ON orders BEGIN
    DELETE FROM orders_search
    WHERE rowid = min(max(OLD.created, -4294967296), 4294967295) * 2147483648 + OLD.rowid * 8
            + CASE OLD.queue WHEN 'to_be_sent' THEN 0 WHEN 'sent' THEN 1 WHEN 'to_be_picked_up' THEN 2
                             WHEN 'picked_up' THEN 3 WHEN 'awaiting_payment' THEN 4 ELSE 5 END;
END;

CREATE TRIGGER tracking_search_insert AFTER INSERT ON tracking_entries BEGIN
    UPDATE orders_search SET tracking = (
        SELECT group_concat(COALESCE(t.number, '') || ' ' || COALESCE(t.carrier, ''), ' ')
        FROM tracking_entries t WHERE t.order_id = NEW.order_id)
    WHERE rowid = (
        SELECT min(max(o.created, -4294967296), 4294967295) * 2147483648 + o.rowid * 8
            + CASE o.queue WHEN 'to_be_sent' THEN 0 WHEN 'sent' THEN 1 WHEN 'to_be_picked_up' THEN 2
                           WHEN 'picked_up' THEN 3 WHEN 'awaiting_payment' THEN 4 ELSE 5 END
        FROM orders o WHERE o.id = NEW.order_id);
END;

CREATE TRIGGER tracking_search_update AFTER UPDATE ON tracking_entries BEGIN
    UPDATE orders_search SET tracking = (
        SELECT group_concat(COALESCE(t.number, '') || ' ' || COALESCE(t.carrier, ''), ' ')
        FROM tracking_entries t WHERE t.order_id = NEW.order_id)
    WHERE rowid = (
        SELECT min(max(o.created, -4294967296), 4294967295) * 2147483648 + o.rowid * 8
            + CASE o.queue WHEN 'to_be_sent' THEN 0 WHEN 'sent' THEN 1 WHEN 'to_be_picked_up' THEN 2
                           WHEN 'picked_up' THEN 3 WHEN 'awaiting_payment' THEN 4 ELSE 5 END
        FROM orders o WHERE o.id = NEW.order_id);
END;

CREATE TRIGGER tracking_search_delete AFTER DELETE ON tracking_entries BEGIN
    UPDATE orders_search SET tracking = (
        SELECT group_concat(COALESCE(t.number, '') || ' ' || COALESCE(t.carrier, ''), ' ')
        FROM tracking_entries t WHERE t.order_id = OLD.order_id)
    WHERE rowid = (
        SELECT min(max(o.created, -4294967296), 4294967295) * 2147483648 + o.rowid * 8
            + CASE o.queue WHEN 'to_be_sent' THEN 0 WHEN 'sent' THEN 1 WHEN 'to_be_picked_up' THEN 2
                           WHEN 'picked_up' THEN 3 WHEN 'awaiting_payment' THEN 4 ELSE 5 END
        FROM orders o WHERE o.id = OLD.order_id);
END;
