SET XACT_ABORT ON;
BEGIN TRANSACTION;
MERGE INTO [mart].[sales] WITH (HOLDLOCK) AS [sluice_target]
USING [mart].[sales__sluice_tmp_r1_3] AS [sluice_source]
    ON [sluice_source].[sale_id] = [sluice_target].[sale_id]
       AND [sluice_source].[year_month] = [sluice_target].[year_month]
WHEN MATCHED THEN UPDATE SET
    [sluice_target].[amount] = [sluice_source].[amount],
    [sluice_target].[customer] = [sluice_source].[customer]
WHEN NOT MATCHED BY TARGET THEN INSERT ([sale_id], [year_month], [amount], [customer])
    VALUES ([sluice_source].[sale_id], [sluice_source].[year_month], [sluice_source].[amount], [sluice_source].[customer]);
COMMIT TRANSACTION;
