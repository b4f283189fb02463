DELETE FROM "mart"."main"."sales" AS t
WHERE EXISTS (SELECT 1 FROM "mart"."main"."sales__sluice_stg_r1_1" AS s WHERE s."sale_id" = t."sale_id" AND s."line" = t."line")
