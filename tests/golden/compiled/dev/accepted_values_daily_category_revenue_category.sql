select "category" as value_field, count(*) as n_records
from "mart"."main"."daily_category_revenue" tested
where "category" is not null and "category" not in ('T-shirts', 'Jeans', 'Jackets', 'Shoes', 'Hats', 'Socks')
group by "category"
