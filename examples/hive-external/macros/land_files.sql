{#
  Writes the landed files under `dir`: customers and order headers as CSV, order details as
  Parquet, the way an upstream job drops them on HDFS. Deterministic (DuckDB's hash() over fixed
  ranges and days, no clock), so its output is the files shipped in landing/. Regenerate them with:
    sluice run-operation land_files --connection lake --project-dir examples/hive-external \
      --args '{dir: "/absolute/path/to/examples/hive-external/landing"}'
#}
{% macro land_files(dir=none) %}
{%- if not dir -%}
{{ raise_error("land_files needs the folder to write, e.g. --args '{dir: \"/abs/path/landing\"}'") }}
{%- endif -%}
{%- set d = dir | replace("'", "''") -%}
copy (
  select
    i as customer_id,
    'First' || i as first_name,
    'Last' || i as last_name,
    'customer' || i || '@example.com' as email_address,
    (['United States', 'Canada', 'United Kingdom', 'France', 'Germany', 'Australia'])
      [1 + (hash(i, 'country') % 6)::int] as country_region,
    date '2020-01-01' + (hash(i, 'since') % 700)::int as modified_date
  from range(1, 61) t(i)
  order by i
) to '{{ d }}/customer.csv' (format csv, header true);

copy (
  select
    70000 + i as sales_order_id,
    date '2022-01-01' + (hash(i, 'day') % 365)::int as order_date,
    1 + (hash(i, 'customer') % 60)::int as customer_id,
    (['Ground', 'Air', 'Sea'])[1 + (hash(i, 'ship') % 3)::int] as ship_method,
    ((hash(i, 'freight') % 5000) / 100.0)::decimal(10, 2) as freight
  from range(1, 301) t(i)
  order by i
) to '{{ d }}/sales_order_header.csv' (format csv, header true);

copy (
  select
    70000 + o as sales_order_id,
    (o - 1) * 4 + l as sales_order_detail_id,
    1 + (hash(o, l, 'product') % 40)::int as product_id,
    1 + (hash(o, l, 'qty') % 5)::int as order_qty,
    (5 + (hash(o, l, 'price') % 30000) / 100.0)::decimal(10, 2) as unit_price
  from range(1, 301) t(o), range(1, 5) s(l)
  where l <= 1 + hash(o, 'lines') % 4
  order by 1, 2
) to '{{ d }}/sales_order_detail.parquet' (format parquet);
{% endmacro %}
