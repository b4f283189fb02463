SELECT "sale_id", CAST("amount" AS DECIMAL(18,2)) AS "amount", CAST("sold_on" AS DATE) AS "sold_on" FROM "mart"."main"."sales__sluice_stg_r1_1"
