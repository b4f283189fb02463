COPY (
SELECT sale_id, amount, year_month
FROM source.production.sales
) TO '/lake-root/lake/sales_history/_staging_r1_1' (FORMAT parquet, PARTITION_BY ("year_month"), RETURN_STATS true)
