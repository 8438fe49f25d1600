-- The outbox's last failure as a problem (a code with its parameters, JSON), which the window
-- words in the merchant's language; `last_error` keeps the English sentence for the log.
-- Rows failed before this column read as "failed earlier" (README: Architecture, Errors).
ALTER TABLE outbox ADD COLUMN last_problem TEXT;
