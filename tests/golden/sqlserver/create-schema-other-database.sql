IF NOT EXISTS (SELECT 1 FROM [dw].sys.schemas WHERE [name] = N'mart')
    EXEC [dw].sys.sp_executesql N'CREATE SCHEMA [mart]';
