-- The console's order search and dashboard (GET /v1/console/orders, GET /v1/console/dashboard).
-- Search pages by keyset on (sort column, order_no), so every index a page walks ends in order_no
-- and hands rows over already sorted: merchant staff always filter by merchant_id, platform staff
-- may not. The two older indexes are replaced by the same columns plus order_no.
DROP INDEX orders_merchant_created;
CREATE INDEX orders_merchant_created ON orders (merchant_id, created_at, order_no);
CREATE INDEX orders_merchant_amount ON orders (merchant_id, amount, order_no);
CREATE INDEX orders_created ON orders (created_at, order_no);
CREATE INDEX orders_amount ON orders (amount, order_no);
-- A status can be rare (ABNORMAL, REFUNDED): walking a sort index to fill a page would read a
-- large part of the table, so status has its own indexes for the default sort. (Sorting one status
-- by amount walks the amount index, or sorts the status's rows when it is rare: every index here is
-- paid for by each payment's status change, so not every combination gets one.)
DROP INDEX orders_status_created;
CREATE INDEX orders_status_created ON orders (status, created_at, order_no);
CREATE INDEX orders_merchant_status_created ON orders (merchant_id, status, created_at, order_no);
-- Platform staff filter by kind (recharges and red packets may be a small share of all orders).
CREATE INDEX orders_kind_created ON orders (kind, created_at, order_no);
-- Exact look-ups without a merchant (platform staff); (merchant_id, out_trade_no) is already unique.
CREATE INDEX orders_out_trade_no ON orders (out_trade_no);
CREATE INDEX orders_channel_trade_no ON orders (channel_trade_no);
-- The dashboard sums payments by the business day they were paid in, and refunds by when they succeeded.
CREATE INDEX orders_merchant_paid ON orders (merchant_id, paid_at);
CREATE INDEX orders_paid ON orders (paid_at);
CREATE INDEX refunds_merchant_succeeded ON refunds (merchant_id, succeeded_at);
CREATE INDEX refunds_succeeded ON refunds (succeeded_at);
