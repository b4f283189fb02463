IF OBJECT_ID(N'[mart].[sales]', N'U') IS NOT NULL DROP TABLE [mart].[sales];
IF OBJECT_ID(N'[mart].[sales]', N'V') IS NOT NULL DROP VIEW [mart].[sales];
