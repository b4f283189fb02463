CREATE TEMP TABLE "sales_history__sluice_stg_r1_1" AS
SELECT sale_id, amount, year_month
FROM source.production.sales
