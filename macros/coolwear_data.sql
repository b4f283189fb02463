{#
  The CoolWearPT data generator, for the embedded DuckDB source. Deterministic: the same arguments
  give the same rows. `coolwear_generate` fills a new source database (and leaves an existing one
  alone); `coolwear_mutate` changes it the way the shop's application does between pipeline runs:
  new sales, updated sales (some moved to another month) and deleted sales recorded in `removed`.
  Run it with: sluice run-operation coolwear_mutate --connection source --args '{seed: 1}'

  "Now" is the var `coolwear_now` when it is set (a timestamp such as '2026-06-15 10:00:00', which
  tests pin so that their data does not move with the calendar), else the engine's own clock.
  With a pinned clock, each later mutation needs a later `coolwear_now`: the build reads only changes
  stamped after the last one it loaded.
#}

{#- The generator's "now" as a DuckDB TIMESTAMP: the pinned `coolwear_now`, else the engine's clock. -#}
{% macro coolwear_now() -%}
  {%- set pinned = var('coolwear_now', none) -%}
  {%- if pinned -%}
    cast('{{ pinned | replace("'", "''") }}' as timestamp)
  {%- else -%}
    now()::timestamp
  {%- endif -%}
{%- endmacro %}

{#- Today for data checks, on any engine: the date of the pinned `coolwear_now`, else current_date. -#}
{% macro coolwear_today() -%}
  {%- set pinned = var('coolwear_now', none) -%}
  {%- if pinned -%}
    cast(cast('{{ pinned | replace("'", "''") }}' as timestamp) as date)
  {%- else -%}
    current_date
  {%- endif -%}
{%- endmacro %}

{% macro coolwear_generate(sales) %}
create schema if not exists production;

create table if not exists production.clients as
select
  i as client_id,
  'Client ' || i as client_name,
  (['PT', 'ES', 'FR', 'DE', 'IT', 'NL', 'BE', 'IE', 'AT', 'PL'])[1 + (hash(i, 'country') % 10)::int] as country,
  date '2020-01-01' + (hash(i, 'since') % 365)::int as client_since
from range(1, {{ (sales // 20) if sales >= 200 else 10 }} + 1) t(i);

create table if not exists production.products as
select
  i as product_id,
  'Product ' || i as product_name,
  (['T-shirts', 'Jeans', 'Jackets', 'Shoes', 'Hats', 'Socks'])[1 + (hash(i, 'category') % 6)::int] as category,
  (5 + (hash(i, 'price') % 20000) / 100.0)::decimal(10, 2) as unit_price
from range(1, 201) t(i);

create table if not exists production.sales as
with generated as (
  select
    i as sale_id,
    1 + (hash(i, 'client') % {{ (sales // 20) if sales >= 200 else 10 }})::int as client_id,
    1 + (hash(i, 'product') % 200)::int as product_id,
    date '2021-01-01' + (hash(i, 'day') % 1095)::int as sale_date,
    1 + (hash(i, 'quantity') % 5)::int as quantity
  from range(1, {{ sales }} + 1) t(i)
)
select g.*, p.unit_price, (g.sale_date + interval 9 hour)::timestamp as update_date
from generated g join production.products p using (product_id);

create table if not exists production.removed (
  sale_id bigint not null,
  removed_date timestamp not null,
  year_month integer not null
);
{% endmacro %}

{% macro coolwear_mutate(seed=1, new_sales=200, updated_sales=100, deleted_sales=20) %}
-- New sales, dated today by the generator's clock (see coolwear_now above).
insert into production.sales
select
  m.max_id + i as sale_id,
  1 + (hash(i, {{ seed }}, 'client') % (select count(*) from production.clients))::int as client_id,
  p.product_id,
  {{ coolwear_today() }} - (hash(i, {{ seed }}, 'age') % 3)::int as sale_date,
  1 + (hash(i, {{ seed }}, 'quantity') % 5)::int as quantity,
  p.unit_price,
  {{ coolwear_now() }} as update_date
from range(1, {{ new_sales }} + 1) t(i)
cross join (select max(sale_id) as max_id from production.sales) m
join production.products p on p.product_id = 1 + (hash(i, {{ seed }}, 'product') % 200)::int;

-- Updated sales, among the last 60 days of sales (old sales rarely change): a new quantity, and
-- every third one moved 45 days back, into another month.
update production.sales
set quantity = quantity + 1,
    sale_date = case when sale_id % 3 = 0 then sale_date - 45 else sale_date end,
    update_date = {{ coolwear_now() }}
where sale_id in (
  select sale_id from production.sales
  where sale_date > (select max(sale_date) - 60 from production.sales where sale_date <= {{ coolwear_today() }} - 3)
  order by hash(sale_id, {{ seed }}, 'update') limit {{ updated_sales }}
);

-- Deleted sales, among the last 60 days too, recorded with the partition they lived in.
insert into production.removed
select sale_id, {{ coolwear_now() }}, (year(sale_date) * 100 + month(sale_date))::int
from production.sales
where sale_date > (select max(sale_date) - 60 from production.sales where sale_date <= {{ coolwear_today() }} - 3)
order by hash(sale_id, {{ seed }}, 'delete')
limit {{ deleted_sales }};

delete from production.sales where sale_id in (
  select sale_id from production.removed where removed_date = (select max(removed_date) from production.removed)
);
{% endmacro %}
