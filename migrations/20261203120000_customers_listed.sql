-- Customers a full sync no longer finds (README: Architecture, Privacy). `listed_in` is the
-- full sync (its end time, fixed across a resume) whose customer list last carried the
-- customer. After the lists, the customers that sync did not see are read one by one: a
-- deleted one is recorded as such, and its personal data is erased (`store::erasure`).
ALTER TABLE customers ADD COLUMN listed_in INTEGER;
