SELECT * FROM (
SELECT sale_id, amount, year_month FROM "source"."production"."sales"
) AS sluice_partitioned
WHERE ("country" = 'PT' AND "year_month" = '202108')
