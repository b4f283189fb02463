select cast(count(*) as varchar) || ':' || coalesce(cast(bit_xor(hash(sluice_row)) as varchar), '0') from "src"."app"."products" sluice_row
