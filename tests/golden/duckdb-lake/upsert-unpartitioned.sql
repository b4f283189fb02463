SELECT * FROM "lake"."lake"."sales_history" AS t
WHERE NOT EXISTS (SELECT 1 FROM "temp"."main"."sales_history__sluice_stg_r1_1" AS s WHERE s."sale_id" = t."sale_id" AND s."line" = t."line")
UNION ALL BY NAME
SELECT * FROM "temp"."main"."sales_history__sluice_stg_r1_1"
