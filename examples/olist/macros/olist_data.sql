{#
  The Olist-shaped marketplace generator, for the embedded DuckDB source: customers, sellers,
  products, orders, order_items, order_payments and order_reviews with the dataset's column names.
  Deterministic: rows are chosen by DuckDB's hash() and timed from fixed instants, never from a
  clock, so the same arguments give the same database on any machine, date and time zone.

  `olist_generate(orders)` fills a new database (and leaves an existing one alone): orders purchased
  from 2018-01-01 to 2018-02-28, as of a snapshot taken 2018-03-03 00:00:00 (what was delivered by
  then is delivered, the rest shipped), every row stamped `updated_at` with that snapshot.
  `olist_mutate(hour, ...)` plays one hour of the marketplace: orders purchased in the hour before
  `hour` (with items and a payment), and shipped orders delivered and reviewed; everything it writes
  is stamped `hour`. Each later mutation needs a later hour. Run it with:
    sluice run-operation olist_mutate --connection source --args '{hour: "2018-03-05 10:00:00"}'
#}

{% macro olist_generate(orders) %}
{%- set customers = (orders // 2) if orders >= 100 else 50 -%}
create schema if not exists olist;

create table if not exists olist.customers as
with placed as (
  select i, (['SP', 'RJ', 'MG', 'RS', 'PR', 'BA'])[1 + (hash(i, 'state') % 6)::int] as customer_state
  from range(1, {{ customers }} + 1) t(i)
)
select
  'c' || i as customer_id,
  'u' || (1 + hash(i, 'unique') % {{ customers // 2 + 1 }}) as customer_unique_id,
  lpad(cast(1000 + hash(i, 'zip') % 90000 as varchar), 5, '0') as customer_zip_code_prefix,
  customer_state || ' city ' || (hash(i, 'city') % 5) as customer_city,
  customer_state
from placed;

create table if not exists olist.sellers as
select
  's' || i as seller_id,
  (['SP', 'RJ', 'MG', 'RS', 'PR', 'BA'])[1 + (hash(i, 'state') % 6)::int] as seller_state
from range(1, 41) t(i);

create table if not exists olist.products as
select
  'p' || i as product_id,
  (['bed_bath_table', 'health_beauty', 'sports_leisure', 'furniture_decor', 'computers_accessories', 'housewares'])
    [1 + (hash(i, 'cat') % 6)::int] as product_category_name,
  (100 + hash(i, 'weight') % 5000)::int as product_weight_g
from range(1, 201) t(i);

create table if not exists olist.orders as
with placed as (
  select
    'o' || i as order_id,
    'c' || (1 + hash(i, 'customer') % {{ customers }}) as customer_id,
    timestamp '2018-01-01 00:00:00' + to_seconds((hash(i, 'ts') % (59 * 86400))::bigint) as purchase_ts,
    hash(i, 'approve') % 36000 as approve_s,
    1 + hash(i, 'carrier') % 3 as carrier_days,
    2 + hash(i, 'deliver') % 12 as deliver_days
  from range(1, {{ orders }} + 1) t(i)
),
timed as (
  select *,
    purchase_ts + to_seconds(approve_s::bigint) as approved_at,
    purchase_ts + to_seconds(approve_s::bigint) + to_days(carrier_days::int) as carrier_at,
    purchase_ts + to_seconds(approve_s::bigint) + to_days((carrier_days + deliver_days)::int) as delivered_at
  from placed
)
select
  order_id,
  customer_id,
  case when delivered_at < timestamp '2018-03-03 00:00:00' then 'delivered'
       when carrier_at < timestamp '2018-03-03 00:00:00' then 'shipped' else 'approved' end as order_status,
  purchase_ts as order_purchase_timestamp,
  approved_at as order_approved_at,
  case when carrier_at < timestamp '2018-03-03 00:00:00' then carrier_at end as order_delivered_carrier_date,
  case when delivered_at < timestamp '2018-03-03 00:00:00' then delivered_at end as order_delivered_customer_date,
  cast(purchase_ts as date) + 15 as order_estimated_delivery_date,
  timestamp '2018-03-03 00:00:00' as updated_at
from timed;

{{ olist_order_lines("select order_id from olist.orders", "timestamp '2018-03-03 00:00:00'", create=true) }}

-- A review for every delivered order, a day after delivery.
create table if not exists olist.order_reviews as
select
  'r' || substr(order_id, 2) as review_id,
  order_id,
  1 + (hash(order_id, 'score') % 5)::int as review_score,
  order_delivered_customer_date + interval 1 day as review_creation_date,
  timestamp '2018-03-03 00:00:00' as updated_at
from olist.orders
where order_delivered_customer_date is not null;
{% endmacro %}

{#- Items (one to three) and a payment (in one or two parts) of the orders `orders_sql` selects,
    stamped `stamp`. `create` makes the tables (the first fill); otherwise the rows are added. -#}
{% macro olist_order_lines(orders_sql, stamp, create=false) %}
{% if create %}create table if not exists olist.order_items as{% else %}insert into olist.order_items{% endif %}
select
  o.order_id,
  l.n::int as order_item_id,
  'p' || (1 + hash(o.order_id, l.n, 'product') % 200) as product_id,
  's' || (1 + hash(o.order_id, l.n, 'seller') % 40) as seller_id,
  (10 + (hash(o.order_id, l.n, 'price') % 50000) / 100.0)::decimal(10, 2) as price,
  (5 + (hash(o.order_id, l.n, 'freight') % 4000) / 100.0)::decimal(10, 2) as freight_value,
  {{ stamp }} as updated_at
from ({{ orders_sql }}) o
cross join range(1, 4) l(n)
where l.n <= 1 + hash(o.order_id, 'lines') % 3;

{% if create %}create table if not exists olist.order_payments as{% else %}insert into olist.order_payments{% endif %}
with totals as (
  select i.order_id, sum(i.price + i.freight_value) as total
  from olist.order_items i where i.order_id in (select order_id from ({{ orders_sql }}) o)
  group by i.order_id
)
select
  t.order_id,
  p.n::int as payment_sequential,
  case when p.n = 2 then 'voucher' else (['credit_card', 'boleto', 'debit_card'])
    [1 + (hash(t.order_id, 'pay') % 3)::int] end as payment_type,
  case when p.n = 1 then 1 + (hash(t.order_id, 'inst') % 6)::int else 1 end as payment_installments,
  case when hash(t.order_id, 'split') % 4 = 0
       then (case when p.n = 1 then t.total - round(t.total / 4, 2) else round(t.total / 4, 2) end)
       else t.total end::decimal(12, 2) as payment_value,
  {{ stamp }} as updated_at
from totals t
cross join range(1, 3) p(n)
where p.n = 1 or hash(t.order_id, 'split') % 4 = 0;
{% endmacro %}

{% macro olist_mutate(hour=none, seed=1, new_orders=40, delivered=30) %}
{%- if not hour -%}
{{ raise_error("olist_mutate needs the hour it runs at, e.g. --args '{hour: \"2018-03-05 10:00:00\"}': "
  ~ "it never reads the clock") }}
{%- endif -%}
{%- set stamp = "cast('" ~ (hour | replace("'", "''")) ~ "' as timestamp)" -%}
-- Orders purchased in the hour before, approved ten minutes later.
insert into olist.orders
select
  'o' || (m.max_id + i) as order_id,
  'c' || (1 + hash(i, {{ seed }}, 'customer') % (select count(*) from olist.customers)) as customer_id,
  'approved' as order_status,
  {{ stamp }} - interval 1 hour + to_seconds((hash(i, {{ seed }}, 'ts') % 3000)::bigint) as order_purchase_timestamp,
  {{ stamp }} - interval 1 hour + to_seconds((hash(i, {{ seed }}, 'ts') % 3000)::bigint + 600) as order_approved_at,
  null::timestamp as order_delivered_carrier_date,
  null::timestamp as order_delivered_customer_date,
  cast({{ stamp }} as date) + 15 as order_estimated_delivery_date,
  {{ stamp }} as updated_at
from range(1, {{ new_orders }} + 1) t(i)
cross join (select max(cast(substr(order_id, 2) as integer)) as max_id from olist.orders) m;

{%- set new_orders_sql = "select order_id from olist.orders "
  ~ "where order_status = 'approved' and updated_at = " ~ stamp %}
{{ olist_order_lines(new_orders_sql, stamp) }}

-- Shipped orders delivered two hours ago, and reviewed now.
update olist.orders
set order_status = 'delivered', order_delivered_customer_date = {{ stamp }} - interval 2 hour, updated_at = {{ stamp }}
where order_id in (
  select order_id from olist.orders where order_status = 'shipped'
  order by hash(order_id, {{ seed }}, 'deliver') limit {{ delivered }}
);

insert into olist.order_reviews
select
  'r' || substr(order_id, 2),
  order_id,
  1 + (hash(order_id, 'score') % 5)::int,
  {{ stamp }},
  {{ stamp }}
from olist.orders
where updated_at = {{ stamp }} and order_status = 'delivered';
{% endmacro %}
