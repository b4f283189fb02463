IF OBJECT_ID(N'[mart].[sales__sluice_stg_r1_1]', N'U') IS NOT NULL DROP TABLE [mart].[sales__sluice_stg_r1_1];
IF OBJECT_ID(N'[mart].[sales__sluice_stg_r1_1]', N'V') IS NOT NULL DROP VIEW [mart].[sales__sluice_stg_r1_1];
CREATE TABLE [mart].[sales__sluice_stg_r1_1] (
    [sale_id] BIGINT NULL,
    [amount] NVARCHAR(64) NULL,
    [customer] NVARCHAR(200) NULL,
    [sold_on] DATE NULL,
    [loaded_at] DATETIME2(6) NULL,
    [is_return] BIT NULL,
    [receipt] VARBINARY(MAX) NULL
);
