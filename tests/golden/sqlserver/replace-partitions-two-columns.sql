SET XACT_ABORT ON;
BEGIN TRANSACTION;
DELETE FROM [mart].[sales]
WHERE ([year_month] = N'202108' AND [customer] = N'a')
   OR ([year_month] = N'202111' AND [customer] = N'b''c');
INSERT INTO [mart].[sales] ([sale_id], [year_month], [amount], [customer])
SELECT [sale_id], [year_month], [amount], [customer]
FROM [mart].[sales__sluice_tmp_r1_3]
WHERE ([year_month] = N'202108' AND [customer] = N'a')
   OR ([year_month] = N'202111' AND [customer] = N'b''c');
COMMIT TRANSACTION;
