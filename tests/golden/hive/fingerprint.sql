select concat(cast(count(*) as string), ':', cast(coalesce(sum(cast(hash(*) as decimal(38,0))), 0) as string)) from `app`.`products`
