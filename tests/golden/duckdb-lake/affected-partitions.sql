SELECT DISTINCT CAST(s."year_month" AS VARCHAR) FROM "temp"."main"."sales_history__sluice_stg_r1_1" AS s
UNION
SELECT DISTINCT CAST(t."year_month" AS VARCHAR) FROM "lake"."lake"."sales_history" AS t
WHERE EXISTS (SELECT 1 FROM "temp"."main"."sales_history__sluice_stg_r1_1" AS s WHERE s."sale_id" = t."sale_id")
