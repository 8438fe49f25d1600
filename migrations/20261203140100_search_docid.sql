-- The search index's docid has one definition: the view `orders_docid` (README: Architecture,
-- Payment state). An order's docid sorts like (created, rowid) and carries its queue in its three
-- low bits: created * 2^31 + order rowid * 8 + queue (0 to be sent, 1 sent, 2 to be picked up,
-- 3 picked up, 4 awaiting payment, 5 on hold); order rowids must stay under 2^28. Each order keeps
-- the docid of its row in `orders_search` (`search_docid`), so the triggers find the row to move
-- or delete without computing the old one, and `store::orders` reads the view instead of
-- spelling the formula out.
CREATE VIEW orders_docid AS
SELECT o.rowid AS order_rowid, o.id AS id,
       min(max(o.created, -4294967296), 4294967295) * 2147483648 + o.rowid * 8
         + CASE o.queue WHEN 'to_be_sent' THEN 0 WHEN 'sent' THEN 1 WHEN 'to_be_picked_up' THEN 2
                        WHEN 'picked_up' THEN 3 WHEN 'awaiting_payment' THEN 4 ELSE 5 END AS docid
FROM orders o;

ALTER TABLE orders ADD COLUMN search_docid INTEGER;
-- The index rows were written with the same formula: only the orders learn their docid.
UPDATE orders SET search_docid = (SELECT d.docid FROM orders_docid d WHERE d.order_rowid = orders.rowid);

DROP TRIGGER IF EXISTS orders_search_move;
DROP TRIGGER IF EXISTS orders_search_delete;
DROP TRIGGER IF EXISTS tracking_search_insert;
DROP TRIGGER IF EXISTS tracking_search_update;
DROP TRIGGER IF EXISTS tracking_search_delete;

CREATE TRIGGER orders_search_move AFTER UPDATE OF created, status, payment_hold, amount_total ON orders
WHEN OLD.created IS NOT NEW.created OR OLD.queue IS NOT NEW.queue
    OR OLD.amount_total IS NOT NEW.amount_total BEGIN
    UPDATE orders_search SET
        rowid = (SELECT d.docid FROM orders_docid d WHERE d.order_rowid = NEW.rowid),
        amount_total = NEW.amount_total
    WHERE rowid = OLD.search_docid;
    UPDATE orders SET search_docid = (SELECT d.docid FROM orders_docid d WHERE d.order_rowid = NEW.rowid)
    WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER orders_search_delete AFTER DELETE ON orders BEGIN
    DELETE FROM orders_search WHERE rowid = OLD.search_docid;
END;

CREATE TRIGGER tracking_search_insert AFTER INSERT ON tracking_entries BEGIN
    UPDATE orders_search SET tracking = (
        SELECT group_concat(COALESCE(t.number, '') || ' ' || COALESCE(t.carrier, ''), ' ')
        FROM tracking_entries t WHERE t.order_id = NEW.order_id)
    WHERE rowid = (SELECT o.search_docid FROM orders o WHERE o.id = NEW.order_id);
END;

CREATE TRIGGER tracking_search_update AFTER UPDATE ON tracking_entries BEGIN
    UPDATE orders_search SET tracking = (
        SELECT group_concat(COALESCE(t.number, '') || ' ' || COALESCE(t.carrier, ''), ' ')
        FROM tracking_entries t WHERE t.order_id = NEW.order_id)
    WHERE rowid = (SELECT o.search_docid FROM orders o WHERE o.id = NEW.order_id);
END;

CREATE TRIGGER tracking_search_delete AFTER DELETE ON tracking_entries BEGIN
    UPDATE orders_search SET tracking = (
        SELECT group_concat(COALESCE(t.number, '') || ' ' || COALESCE(t.carrier, ''), ' ')
        FROM tracking_entries t WHERE t.order_id = OLD.order_id)
    WHERE rowid = (SELECT o.search_docid FROM orders o WHERE o.id = OLD.order_id);
END;
