SET XACT_ABORT ON;
BEGIN TRANSACTION;
IF OBJECT_ID(N'[mart].[sales]', N'V') IS NOT NULL DROP VIEW [mart].[sales];
IF OBJECT_ID(N'[mart].[sales]', N'U') IS NOT NULL
    EXEC sp_rename N'[mart].[sales]', N'sales__sluice_old_r1_2', N'OBJECT';
EXEC sp_rename N'[mart].[sales__sluice_stg_r1_1]', N'sales', N'OBJECT';
IF OBJECT_ID(N'[mart].[sales__sluice_old_r1_2]', N'U') IS NOT NULL DROP TABLE [mart].[sales__sluice_old_r1_2];
COMMIT TRANSACTION;
