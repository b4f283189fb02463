DELETE FROM [mart].[sales]
WHERE [year_month] IN (N'202108');
