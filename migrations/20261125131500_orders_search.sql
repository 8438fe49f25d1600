-- Orders search and fast tabs. Additive: a denormalised `status` column on `orders`, kept in
-- step with `fulfilments` (local, authoritative) and the delivery kind by triggers, so the tab
-- counts and filters read one indexed column; and an FTS5 index over the customer's name and
-- email, the order number, the product names and the tracking numbers, whose rowid is the
-- order's rowid. `store::orders::upsert` rewrites an order's search row after writing its
-- lines; the triggers below cover tracking entries and deletions.

ALTER TABLE orders ADD COLUMN status TEXT;

UPDATE orders SET status = COALESCE(
    (SELECT f.status FROM fulfilments f WHERE f.order_id = orders.id),
    CASE delivery_kind WHEN 'pickup' THEN 'to_be_picked_up' ELSE 'to_be_sent' END);

CREATE INDEX orders_status_created ON orders(status, created DESC, id DESC);
CREATE INDEX orders_total ON orders(amount_total DESC, id DESC);
CREATE INDEX orders_status_total ON orders(status, amount_total DESC, id DESC);

CREATE TRIGGER orders_status_insert AFTER INSERT ON orders BEGIN
    UPDATE orders SET status = COALESCE(
        (SELECT f.status FROM fulfilments f WHERE f.order_id = NEW.id),
        CASE NEW.delivery_kind WHEN 'pickup' THEN 'to_be_picked_up' ELSE 'to_be_sent' END)
    WHERE id = NEW.id;
END;

CREATE TRIGGER orders_status_kind AFTER UPDATE OF delivery_kind ON orders BEGIN
    UPDATE orders SET status = COALESCE(
        (SELECT f.status FROM fulfilments f WHERE f.order_id = NEW.id),
        CASE NEW.delivery_kind WHEN 'pickup' THEN 'to_be_picked_up' ELSE 'to_be_sent' END)
    WHERE id = NEW.id;
END;

CREATE TRIGGER fulfilments_status_insert AFTER INSERT ON fulfilments BEGIN
    UPDATE orders SET status = NEW.status WHERE id = NEW.order_id;
END;

CREATE TRIGGER fulfilments_status_update AFTER UPDATE ON fulfilments BEGIN
    UPDATE orders SET status = CASE delivery_kind WHEN 'pickup' THEN 'to_be_picked_up' ELSE 'to_be_sent' END
    WHERE id = OLD.order_id AND OLD.order_id <> NEW.order_id;
    UPDATE orders SET status = NEW.status WHERE id = NEW.order_id;
END;

CREATE TRIGGER fulfilments_status_delete AFTER DELETE ON fulfilments BEGIN
    UPDATE orders SET status = CASE delivery_kind WHEN 'pickup' THEN 'to_be_picked_up' ELSE 'to_be_sent' END
    WHERE id = OLD.order_id;
END;

-- Accents fold away ("zoe" finds "Zoé"); the five text columns are searched. The status, date
-- and total ride along unindexed so a search counts, filters and sorts its matches without
-- reading the (wide) order rows; prefix indexes keep two- and three-letter prefixes quick.
CREATE VIRTUAL TABLE orders_search USING fts5(
    name, email, number, products, tracking,
    status UNINDEXED, created UNINDEXED, amount_total UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

INSERT INTO orders_search (rowid, name, email, number, products, tracking, status, created, amount_total)
SELECT o.rowid, o.customer_name, o.customer_email, o.number,
       (SELECT group_concat(l.description, ' ') FROM order_lines l WHERE l.order_id = o.id),
       (SELECT group_concat(COALESCE(t.number, '') || ' ' || COALESCE(t.carrier, ''), ' ')
          FROM tracking_entries t WHERE t.order_id = o.id),
       o.status, o.created, o.amount_total
FROM orders o;

CREATE TRIGGER orders_search_status AFTER UPDATE OF status ON orders
WHEN OLD.status IS NOT NEW.status BEGIN
    UPDATE orders_search SET status = NEW.status WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER orders_search_delete AFTER DELETE ON orders BEGIN
    DELETE FROM orders_search WHERE rowid = OLD.rowid;
END;

CREATE TRIGGER tracking_search_insert AFTER INSERT ON tracking_entries BEGIN
    UPDATE orders_search SET tracking = (
        SELECT group_concat(COALESCE(t.number, '') || ' ' || COALESCE(t.carrier, ''), ' ')
        FROM tracking_entries t WHERE t.order_id = NEW.order_id)
    WHERE rowid = (SELECT rowid FROM orders WHERE id = NEW.order_id);
END;

CREATE TRIGGER tracking_search_update AFTER UPDATE ON tracking_entries BEGIN
    UPDATE orders_search SET tracking = (
        SELECT group_concat(COALESCE(t.number, '') || ' ' || COALESCE(t.carrier, ''), ' ')
        FROM tracking_entries t WHERE t.order_id = NEW.order_id)
    WHERE rowid = (SELECT rowid FROM orders WHERE id = NEW.order_id);
END;

CREATE TRIGGER tracking_search_delete AFTER DELETE ON tracking_entries BEGIN
    UPDATE orders_search SET tracking = (
        SELECT group_concat(COALESCE(t.number, '') || ' ' || COALESCE(t.carrier, ''), ' ')
        FROM tracking_entries t WHERE t.order_id = OLD.order_id)
    WHERE rowid = (SELECT rowid FROM orders WHERE id = OLD.order_id);
END;

-- How many orders each status holds, kept by triggers so the tab counts are a read of four rows
-- whatever the size of the shop.
CREATE TABLE order_status_counts (
    status TEXT PRIMARY KEY NOT NULL,
    n      INTEGER NOT NULL
);

INSERT INTO order_status_counts (status, n)
SELECT status, COUNT(*) FROM orders WHERE status IS NOT NULL GROUP BY status;

CREATE TRIGGER orders_counts_update AFTER UPDATE OF status ON orders
WHEN OLD.status IS NOT NEW.status BEGIN
    UPDATE order_status_counts SET n = n - 1 WHERE status = OLD.status;
    INSERT INTO order_status_counts (status, n) SELECT NEW.status, 1 WHERE NEW.status IS NOT NULL
        ON CONFLICT(status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER orders_counts_delete AFTER DELETE ON orders WHEN OLD.status IS NOT NULL BEGIN
    UPDATE order_status_counts SET n = n - 1 WHERE status = OLD.status;
END;
