-- Packing mode (README: Packing mode).
--
-- `products`: the account's products, as the sync lists them, so that a packed line shows its
-- picture and the codes its product carries in its metadata (`sku`, `barcode`, `ean`, `gtin` by
-- default; the keys read are a setting). Codes are read from `metadata` when an order is opened,
-- so a key changed in Settings applies at once.
CREATE TABLE products (
    id       TEXT PRIMARY KEY NOT NULL,
    name     TEXT,
    -- The product's first image (`images[0]`), kept only when it is an https link to Stripe's
    -- file host (the window's content policy allows no other).
    image    TEXT,
    -- The product's metadata, as JSON (an object of strings).
    metadata TEXT NOT NULL DEFAULT '{}',
    raw      TEXT NOT NULL
);

-- Codes linked once in Settings by scanning them: a product without a code in Stripe, or a
-- supplier's barcode the shop never typed into Stripe. One product per code.
CREATE TABLE product_codes (
    code       TEXT PRIMARY KEY NOT NULL COLLATE NOCASE,
    product_id TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX product_codes_product ON product_codes(product_id);

-- The scan field's exact lookups: order number, invoice number, tracking number (trimmed,
-- case-insensitive); a Checkout Session id is the order's primary key.
CREATE INDEX orders_number_nocase ON orders(number COLLATE NOCASE);
CREATE INDEX invoices_number_nocase ON invoices(number COLLATE NOCASE);
CREATE INDEX tracking_entries_number ON tracking_entries(number COLLATE NOCASE);
-- Today's packed count: orders sent or picked up since local midnight.
CREATE INDEX fulfilments_sent_at ON fulfilments(sent_at);
CREATE INDEX fulfilments_picked_up_at ON fulfilments(picked_up_at);
