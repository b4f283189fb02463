BEGIN;
DELETE FROM "mart"."sales" AS "sluice_target"
USING "mart"."sales__sluice_tmp_r1_3" AS "sluice_source"
WHERE "sluice_source"."sale_id" = "sluice_target"."sale_id"
  AND "sluice_source"."year_month" = "sluice_target"."year_month";
INSERT INTO "mart"."sales" ("sale_id", "year_month", "amount", "customer")
SELECT "sale_id", "year_month", "amount", "customer"
FROM "mart"."sales__sluice_tmp_r1_3";
COMMIT;
