EXEC [dw].sys.sp_executesql N'CREATE OR ALTER VIEW [mart].[sales] AS
SELECT 1 AS one';
