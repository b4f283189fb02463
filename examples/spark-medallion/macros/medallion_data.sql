{#
  The Rainforest app database generator, for the embedded DuckDB source. Deterministic: the same
  arguments give the same rows on any machine, date, hour and time zone (timestamps are offsets from
  fixed instants, chosen by DuckDB's hash(), never by a clock).

  `medallion_generate(orders)` fills a new app database (and leaves an existing one alone): orders
  fall between 2026-01-01 and 2026-02-28 and are stamped `updated_at = order_ts`.
  `medallion_mutate(day, ...)` changes it the way the shop's application does between two daily
  loads: new orders placed on `day` with their items, and updated orders from the 30 days before it
  (a new status, every fourth order's timestamp corrected one day back, so it moves to another
  partition, and its first item's quantity raised). Everything it writes is stamped `day 18:00:00`;
  each later mutation needs a later day, since a build reads only changes stamped after the last
  one it loaded. Run it with:
    sluice run-operation medallion_mutate --connection source --args '{day: "2026-03-05"}'
#}

{% macro medallion_generate(orders) %}
{%- set buyers = (orders // 10) if orders >= 200 else 20 -%}
create schema if not exists app;

create table if not exists app.users as
select
  i as user_id,
  'user' || i as username,
  'user' || i || '@example.com' as email,
  timestamp '2025-06-01 00:00:00' + to_seconds((hash(i, 'created') % (180 * 86400))::bigint) as created_ts
from range(1, {{ buyers }} + 20 + 1) t(i);

create table if not exists app.buyers as
select
  i as buyer_id,
  i as user_id,
  (['free', 'plus', 'prime'])[1 + (hash(i, 'tier') % 3)::int] as membership,
  timestamp '2025-12-01 00:00:00' + to_seconds((hash(i, 'first') % (30 * 86400))::bigint) as first_time_purchased_ts
from range(1, {{ buyers }} + 1) t(i);

create table if not exists app.sellers as
select
  i as seller_id,
  {{ buyers }} + i as user_id,
  (1 + hash(i, 'rating') % 50 / 10.0)::decimal(3, 1) as rating,
  timestamp '2025-06-01 00:00:00' + to_seconds((hash(i, 'since') % (180 * 86400))::bigint) as first_time_sold_ts
from range(1, 21) t(i);

create table if not exists app.categories as
select i as category_id, (['Books', 'Electronics', 'Garden', 'Kitchen', 'Sports', 'Toys', 'Beauty', 'Music'])[i] as name
from range(1, 9) t(i);

create table if not exists app.products as
select
  i as product_id,
  'Product ' || i as name,
  'The description of product ' || i as description,
  (5 + (hash(i, 'price') % 50000) / 100.0)::decimal(10, 2) as price
from range(1, 101) t(i);

-- Every product has one category, every third a second one.
create table if not exists app.product_x_category as
select i as product_id, 1 + (hash(i, 'category') % 8)::int as category_id from range(1, 101) t(i)
union all
select i, 1 + ((hash(i, 'category') + 1) % 8)::int from range(1, 101) t(i) where i % 3 = 0;

-- Every product has one seller, every second product a second one.
create table if not exists app.seller_x_product as
select 1 + (hash(i, 'seller') % 20)::int as seller_id, i as product_id from range(1, 101) t(i)
union all
select 1 + ((hash(i, 'seller') + 1) % 20)::int, i from range(1, 101) t(i) where i % 2 = 0;

create table if not exists app.orders as
with placed as (
  select i as order_id, timestamp '2026-01-01 00:00:00' + to_seconds((hash(i, 'ts') % (59 * 86400))::bigint) as order_ts
  from range(1, {{ orders }} + 1) t(i)
)
select
  order_id,
  1 + (hash(order_id, 'buyer') % {{ buyers }})::int as buyer_id,
  order_ts,
  (['placed', 'shipped', 'delivered'])[1 + (hash(order_id, 'status') % 3)::int] as status,
  order_ts as updated_at
from placed;

{{ medallion_items("select order_id, order_ts from app.orders") }}

-- Impressions, views and checkouts of buyers; a checkout names the order it placed.
create table if not exists app.clickstream as
with events as (
  select i as event_id, (['impression', 'view', 'checkout'])[1 + (hash(i, 'type') % 3)::int] as event_type
  from range(1, 3 * {{ orders }} + 1) t(i)
)
select
  e.event_id,
  e.event_type,
  1 + (hash(e.event_id, 'user') % {{ buyers }})::int as user_id,
  1 + (hash(e.event_id, 'product') % 100)::int as product_id,
  case when e.event_type = 'checkout' then 1 + (hash(e.event_id, 'order') % {{ orders }})::int end as order_id,
  timestamp '2026-01-01 00:00:00' + to_seconds((hash(e.event_id, 'ts') % (59 * 86400))::bigint) as event_ts
from events e;
{% endmacro %}

{#- Items (one to three per order) of the orders `orders_sql` selects (order_id, order_ts); each line
    is sold by the first seller of its product, at the product's price. The first call creates the
    table, later calls (the mutation's new orders) add to it. -#}
{% macro medallion_items(orders_sql, create=true) %}
{% if create %}create table if not exists app.order_items as{% else %}insert into app.order_items{% endif %}
with lines as (
  select o.order_id, o.order_ts, l.line_number,
         1 + (hash(o.order_id, l.line_number, 'product') % 100)::int as product_id
  from ({{ orders_sql }}) o
  cross join range(1, 4) l(line_number)
  where l.line_number <= 1 + (hash(o.order_id, 'lines') % 3)::int
)
select
  l.order_id * 10 + l.line_number as order_item_id,
  l.order_id,
  l.line_number,
  l.product_id,
  (select min(sp.seller_id) from app.seller_x_product sp where sp.product_id = l.product_id) as seller_id,
  1 + (hash(l.order_id, l.line_number, 'quantity') % 4)::int as quantity,
  p.price as base_price,
  round(p.price * 0.1, 2)::decimal(10, 2) as tax,
  l.order_ts as created_ts,
  l.order_ts as updated_at
from lines l
join app.products p on p.product_id = l.product_id;
{% endmacro %}

{% macro medallion_mutate(day=none, seed=1, new_orders=50, updated_orders=30) %}
{%- if not day -%}
{{ raise_error("medallion_mutate needs the day it runs on, e.g. --args '{day: \"2026-03-05\"}': "
  ~ "it never reads the clock") }}
{%- endif -%}
{%- set stamp = "(cast('" ~ (day | replace("'", "''")) ~ "' as date) + interval 18 hour)" -%}
-- New orders placed on the day, before the 18:00 load, with their items.
insert into app.orders
select
  m.max_id + i as order_id,
  1 + (hash(i, {{ seed }}, 'buyer') % (select count(*) from app.buyers))::int as buyer_id,
  cast('{{ day }}' as date) + to_seconds((hash(i, {{ seed }}, 'ts') % (18 * 3600))::bigint) as order_ts,
  'placed' as status,
  {{ stamp }} as updated_at
from range(1, {{ new_orders }} + 1) t(i)
cross join (select max(order_id) as max_id from app.orders) m;

{%- set new_orders_sql = "select order_id, order_ts from app.orders "
  ~ "where order_id not in (select order_id from app.order_items)" %}
{{ medallion_items(new_orders_sql, create=false) }}

-- Updated orders among the 30 days before the day: delivered, every fourth one's timestamp
-- corrected one day back (into another daily partition).
update app.orders
set status = 'delivered',
    order_ts = case when order_id % 4 = 0 then order_ts - interval 1 day else order_ts end,
    updated_at = {{ stamp }}
where order_id in (
  select order_id from app.orders
  where order_ts < cast('{{ day }}' as date) and order_ts >= cast('{{ day }}' as date) - interval 30 day
  order by hash(order_id, {{ seed }}, 'update') limit {{ updated_orders }}
);

-- The first item of each updated order gets one more unit.
update app.order_items
set quantity = quantity + 1, updated_at = {{ stamp }}
where line_number = 1 and order_id in (
  select order_id from app.orders where updated_at = {{ stamp }} and order_ts < cast('{{ day }}' as date)
);
{% endmacro %}
