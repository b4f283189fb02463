IF OBJECT_ID(N'[mart].[sales__sluice_stg_r1_1]', N'U') IS NOT NULL DROP TABLE [mart].[sales__sluice_stg_r1_1];
IF OBJECT_ID(N'[mart].[sales__sluice_stg_r1_1]', N'V') IS NOT NULL DROP VIEW [mart].[sales__sluice_stg_r1_1];
-- monthly sales, newest first
WITH s AS (SELECT sale_id, amount, sold_on FROM [source].[sales] WHERE note <> 'it''s (odd)'),
m (sale_id, ym) AS (SELECT sale_id, FORMAT(sold_on, 'yyyyMM') FROM s)
SELECT *
INTO [mart].[sales__sluice_stg_r1_1]
FROM (
SELECT s.sale_id, m.ym AS year_month, s.amount, N'x' AS customer
FROM s JOIN m ON m.sale_id = s.sale_id
ORDER BY s.sale_id
OFFSET 0 ROWS
) AS [sluice_src];
