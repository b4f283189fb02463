BEGIN;
DELETE FROM "mart"."sales"
WHERE ("year_month" = '202108' AND "customer" = 'a');
INSERT INTO "mart"."sales" ("sale_id", "year_month", "amount", "customer")
SELECT "sale_id", "year_month", "amount", "customer"
FROM "mart"."sales__sluice_tmp_r1_3"
WHERE ("year_month" = '202108' AND "customer" = 'a');
COMMIT;
