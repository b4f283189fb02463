CREATE OR REPLACE VIEW "lake"."lake"."sales_history" AS
SELECT CAST(NULL AS BIGINT) AS "sale_id", CAST(NULL AS DECIMAL(18,2)) AS "amount", CAST(NULL AS DATE) AS "sale_date", CAST(NULL AS INTEGER) AS "year_month"
WHERE false
