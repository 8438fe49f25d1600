-- What the cached PDF was made from besides its link (README: Architecture, Offline invoice
-- PDFs): the invoice's number, status and amounts when it was downloaded. Stripe keeps an
-- invoice's PDF link when the invoice is voided or paid, so a change here, like a new link,
-- downloads the PDF again on the next pass.
ALTER TABLE pdf_cache ADD COLUMN version TEXT NOT NULL DEFAULT '';
