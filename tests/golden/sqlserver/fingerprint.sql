select cast(count_big(*) as varchar(20)) + ':' + cast(((coalesce(sum(cast(h.row_hash as decimal(38,0))), 0) % 18446744073709551616) + 18446744073709551616) % 18446744073709551616 as varchar(20))
from [app].[products] as sluice_row
cross apply (select cast(substring(hashbytes('SHA2_256', (select sluice_row.* for json path, without_array_wrapper, include_null_values)), 1, 8) as bigint) as row_hash) as h
