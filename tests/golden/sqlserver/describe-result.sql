SELECT [name], [system_type_name], [precision], [scale]
FROM sys.dm_exec_describe_first_result_set(N'-- monthly sales, newest first
WITH s AS (SELECT sale_id, amount, sold_on FROM [source].[sales] WHERE note <> ''it''''s (odd)''),
m (sale_id, ym) AS (SELECT sale_id, FORMAT(sold_on, ''yyyyMM'') FROM s)
SELECT s.sale_id, m.ym AS year_month, s.amount, N''x'' AS customer
FROM s JOIN m ON m.sale_id = s.sale_id
ORDER BY s.sale_id;', NULL, 0)
ORDER BY [column_ordinal];
