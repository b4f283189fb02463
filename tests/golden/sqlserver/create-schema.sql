IF NOT EXISTS (SELECT 1 FROM sys.schemas WHERE [name] = N'mart')
    EXEC(N'CREATE SCHEMA [mart]');
