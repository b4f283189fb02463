select cast(count_big(*) as varchar(20)) + ':' + cast(coalesce(checksum_agg(binary_checksum(*)), 0) as varchar(20)) from [app].[products]
