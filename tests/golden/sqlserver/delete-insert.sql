SET XACT_ABORT ON;
BEGIN TRANSACTION;
DELETE [sluice_target]
FROM [mart].[sales] AS [sluice_target]
WHERE EXISTS (
    SELECT 1 FROM [mart].[sales__sluice_tmp_r1_3] AS [sluice_source]
    WHERE [sluice_source].[sale_id] = [sluice_target].[sale_id]
);
INSERT INTO [mart].[sales] ([sale_id], [year_month], [amount], [customer])
SELECT [sale_id], [year_month], [amount], [customer]
FROM [mart].[sales__sluice_tmp_r1_3];
COMMIT TRANSACTION;
