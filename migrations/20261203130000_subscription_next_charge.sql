-- Each subscription's next charge, computed in Rust (`subscriptions::next_charge`, the one
-- definition of the rule) and stored when the subscription is written, so the table sorts by it
-- without a second definition in SQL. Rows written before this column are filled in by Rust
-- when the store is next opened by the app (`next_charge_known = 0` marks them).
ALTER TABLE subscriptions ADD COLUMN next_charge INTEGER;
ALTER TABLE subscriptions ADD COLUMN next_charge_known INTEGER NOT NULL DEFAULT 0;
CREATE INDEX subscriptions_next_charge ON subscriptions (next_charge IS NULL, next_charge, id);
