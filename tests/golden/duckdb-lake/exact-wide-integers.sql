SELECT * REPLACE (CAST("amount" AS DECIMAL(38,0)) AS "amount", CAST("year_month" AS DECIMAL(38,0)) AS "year_month") FROM (
SELECT sale_id, amount, year_month
FROM source.production.sales
) AS sluice_exact
