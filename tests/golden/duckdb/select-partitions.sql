SELECT * FROM (
SELECT sale_id, amount, year_month FROM "source"."production"."sales"
) AS sluice_partitioned
WHERE (CAST("country" AS VARCHAR) = 'PT' AND CAST("year_month" AS VARCHAR) = '202108')
