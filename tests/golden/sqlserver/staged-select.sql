SELECT [sale_id], CAST([amount] AS DECIMAL(38,10)) AS [amount], [customer], [sold_on], [loaded_at], [is_return], [receipt]
FROM [mart].[sales__sluice_stg_r1_1]
