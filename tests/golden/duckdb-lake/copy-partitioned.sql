COPY (
SELECT sale_id, amount, year_month
FROM source.production.sales
) TO '/lake-root/lake/sales_history/_staging_r1_1' (FORMAT parquet, PARTITION_BY ("year_month"), WRITE_PARTITION_COLUMNS true, FILENAME_PATTERN 'data_{uuid}', RETURN_STATS true)
