SELECT c.[name], t.[name] AS [type_name], c.[max_length], c.[precision], c.[scale]
FROM sys.columns AS c
JOIN sys.types AS t ON t.[user_type_id] = c.[system_type_id]
WHERE c.[object_id] = OBJECT_ID(N'[mart].[sales]')
ORDER BY c.[column_id];
