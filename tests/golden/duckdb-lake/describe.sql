DESCRIBE (
SELECT sale_id, amount, year_month
FROM source.production.sales
)
