SET XACT_ABORT ON;
BEGIN TRANSACTION;
IF OBJECT_ID(N'[dw].[mart].[sales]', N'V') IS NOT NULL DROP VIEW [dw].[mart].[sales];
IF OBJECT_ID(N'[dw].[mart].[sales]', N'U') IS NOT NULL
    EXEC [dw].sys.sp_rename N'[mart].[sales]', N'sales__sluice_old_r1_2', N'OBJECT';
EXEC [dw].sys.sp_rename N'[mart].[sales__sluice_stg_r1_1]', N'sales', N'OBJECT';
IF OBJECT_ID(N'[dw].[mart].[sales__sluice_old_r1_2]', N'U') IS NOT NULL DROP TABLE [dw].[mart].[sales__sluice_old_r1_2];
COMMIT TRANSACTION;
