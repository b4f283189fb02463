SET XACT_ABORT ON;
BEGIN TRANSACTION;
DELETE FROM [mart].[sales]
WHERE [year_month] IN (N'202108', N'202111');
INSERT INTO [mart].[sales] ([sale_id], [year_month], [amount], [customer])
SELECT [sale_id], [year_month], [amount], [customer]
FROM [mart].[sales__sluice_tmp_r1_3]
WHERE [year_month] IN (N'202108', N'202111');
COMMIT TRANSACTION;
