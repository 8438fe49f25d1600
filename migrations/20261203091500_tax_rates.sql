-- The account's tax rates ("TVA 20 %"), listed by the full sync and kept by `tax_rate.*`
-- events. An invoice names its rates by id only (`total_taxes[].tax_rate_details.tax_rate`),
-- so the sync reads their names from here when it maps a one-off invoice's VAT.
CREATE TABLE tax_rates (
    id           TEXT PRIMARY KEY NOT NULL,
    display_name TEXT,
    percentage   REAL,
    inclusive    INTEGER,
    raw          TEXT NOT NULL
);
