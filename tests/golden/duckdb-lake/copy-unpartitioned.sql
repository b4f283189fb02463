COPY (
SELECT sale_id, amount, year_month
FROM source.production.sales
) TO '/lake-root/lake/clients/_staging_r1_1/data_0.parquet' (FORMAT parquet, RETURN_STATS true)
