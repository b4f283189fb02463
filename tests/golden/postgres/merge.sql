BEGIN;
MERGE INTO "mart"."sales" AS "sluice_target"
USING "mart"."sales__sluice_tmp_r1_3" AS "sluice_source"
ON "sluice_source"."sale_id" = "sluice_target"."sale_id"
WHEN MATCHED THEN UPDATE SET
  "year_month" = "sluice_source"."year_month",
  "amount" = "sluice_source"."amount",
  "customer" = "sluice_source"."customer"
WHEN NOT MATCHED THEN INSERT ("sale_id", "year_month", "amount", "customer")
  VALUES ("sluice_source"."sale_id", "sluice_source"."year_month", "sluice_source"."amount", "sluice_source"."customer");
COMMIT;
