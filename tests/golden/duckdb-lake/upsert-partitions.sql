SELECT * FROM "lake"."lake"."sales_history" AS t
WHERE ((t."year_month" = '202101')
   OR (t."year_month" IS NULL))
  AND NOT EXISTS (SELECT 1 FROM "temp"."main"."sales_history__sluice_stg_r1_1" AS s WHERE s."sale_id" = t."sale_id")
UNION ALL BY NAME
SELECT * FROM "temp"."main"."sales_history__sluice_stg_r1_1"
