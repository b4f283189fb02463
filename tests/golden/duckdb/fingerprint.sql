select cast(count(*) as varchar) || ':' || cast(coalesce(sum(hash(sluice_row)::HUGEINT) % 18446744073709551616, 0) as varchar) from "src"."app"."products" sluice_row
