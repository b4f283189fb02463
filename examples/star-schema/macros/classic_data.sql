{#
  The Classic Models OLTP generator (after MySQL's sample database), for the embedded DuckDB
  source. Deterministic: rows are chosen by DuckDB's hash() and dated from fixed days, never from a
  clock, so the same arguments give the same database on any machine, date and time zone.
  Column names follow the sample's camelCase; the staging models rename them.

  `classic_generate(orders)` fills a new database (and leaves an existing one alone): orders from
  2024-01-01 to 2025-12-31. `classic_mutate(day, ...)` plays one day of the shop: a new customer, a
  customer who moves, products repriced, new orders dated `day` (one by the new customer), orders in
  process shipped and paid, a line's quantity changed, and cancelled orders deleted with their lines
  and payments. Run it with:
    sluice run-operation classic_mutate --connection source --args '{day: "2026-01-10"}'
#}
{% macro classic_generate(orders) %}
create schema if not exists classicmodels;

create table if not exists classicmodels.productlines as
select * from (values
  ('Classic Cars', 'Die-cast replicas of classic cars'),
  ('Motorcycles', 'Motorcycle models'),
  ('Planes', 'Aircraft models'),
  ('Ships', 'Ship models'),
  ('Trains', 'Train models'),
  ('Trucks and Buses', 'Truck and bus models'),
  ('Vintage Cars', 'Vintage car models')
) t(productLine, textDescription);

create table if not exists classicmodels.products as
select
  {{ classic_product_code('i') }} as productCode,
  'Model ' || i as productName,
  (['Classic Cars', 'Motorcycles', 'Planes', 'Ships', 'Trains', 'Trucks and Buses', 'Vintage Cars'])
    [1 + (hash(i, 'line') % 7)::int] as productLine,
  (['Autoart', 'Exoto', 'Gearbox', 'Highway 66', 'Min Lin', 'Welly'])
    [1 + (hash(i, 'vendor') % 6)::int] as productVendor,
  (hash(i, 'stock') % 9000)::int as quantityInStock,
  (10 + (hash(i, 'buy') % 9000) / 100.0)::decimal(10, 2) as buyPrice,
  (20 + (hash(i, 'buy') % 9000) / 50.0)::decimal(10, 2) as MSRP
from range(1, 61) t(i);

create table if not exists classicmodels.offices as
select i as officeCode, city, country
from (values (1, 'San Francisco', 'USA'), (2, 'Boston', 'USA'), (3, 'NYC', 'USA'), (4, 'Paris', 'France'),
             (5, 'Tokyo', 'Japan'), (6, 'Sydney', 'Australia'), (7, 'London', 'UK')) t(i, city, country);

create table if not exists classicmodels.employees as
select
  1000 + i as employeeNumber,
  'Last' || i as lastName,
  'First' || i as firstName,
  1 + (i % 7) as officeCode,
  case when i = 1 then null else 1001 end as reportsTo,
  case when i = 1 then 'President' else 'Sales Rep' end as jobTitle
from range(1, 21) t(i);

create table if not exists classicmodels.customers as
with placed as (
  select i, (['Madrid', 'Paris', 'Lyon', 'Berlin', 'NYC', 'Tokyo', 'Sydney', 'London'])
    [1 + (hash(i, 'city') % 8)::int] as city
  from range(1, 121) t(i)
)
select
  100 + i as customerNumber,
  'Customer ' || i as customerName,
  city,
  case city when 'Madrid' then 'Spain' when 'Paris' then 'France' when 'Lyon' then 'France'
    when 'Berlin' then 'Germany' when 'NYC' then 'USA' when 'Tokyo' then 'Japan'
    when 'Sydney' then 'Australia' else 'UK' end as country,
  1002 + (hash(i, 'rep') % 19)::int as salesRepEmployeeNumber,
  ((hash(i, 'credit') % 200) * 1000)::decimal(10, 2) as creditLimit
from placed;

create table if not exists classicmodels.orders as
select
  10100 + i as orderNumber,
  date '2024-01-01' + (hash(i, 'day') % 730)::int as orderDate,
  date '2024-01-01' + (hash(i, 'day') % 730)::int + 10 as requiredDate,
  case when hash(i, 'shipped') % 10 = 0 then null
       else date '2024-01-01' + (hash(i, 'day') % 730)::int + 1 + (hash(i, 'ship') % 6)::int end as shippedDate,
  case when hash(i, 'shipped') % 10 = 0 then 'In Process' else 'Shipped' end as status,
  100 + 1 + (hash(i, 'customer') % 120)::int as customerNumber
from range(1, {{ orders }} + 1) t(i);

create table if not exists classicmodels.orderdetails as
with lines as (
  select o.orderNumber, l.n as orderLineNumber,
         {{ classic_product_code("1 + (hash(o.orderNumber, l.n, 'p') % 60)::int") }} as productCode
  from classicmodels.orders o cross join range(1, 5) l(n)
  where l.n <= 1 + (hash(o.orderNumber, 'lines') % 4)::int
)
select l.orderNumber, l.productCode, 10 + (hash(l.orderNumber, l.orderLineNumber, 'q') % 40)::int as quantityOrdered,
       (p.MSRP * (0.8 + (hash(l.orderNumber, l.orderLineNumber, 'd') % 20) / 100.0))::decimal(10, 2) as priceEach,
       l.orderLineNumber
from lines l join classicmodels.products p using (productCode);

-- One payment per shipped order, by check, a few days after shipping.
create table if not exists classicmodels.payments as
select
  o.customerNumber,
  'CHK' || o.orderNumber as checkNumber,
  o.shippedDate + 3 as paymentDate,
  sum(d.quantityOrdered * d.priceEach)::decimal(12, 2) as amount
from classicmodels.orders o join classicmodels.orderdetails d using (orderNumber)
where o.shippedDate is not null
group by o.customerNumber, o.orderNumber, o.shippedDate;
{% endmacro %}

{% macro classic_mutate(day=none, seed=1, new_orders=20, shipped=10, cancelled=5) %}
{%- if not day -%}
{{ raise_error("classic_mutate needs the day it plays, e.g. --args '{day: \"2026-01-10\"}': "
  ~ "it never reads the clock") }}
{%- endif -%}
{%- set on_day = "cast('" ~ (day | replace("'", "''")) ~ "' as date)" -%}
-- A new customer, and one who moves: a dimension row added and one changed.
insert into classicmodels.customers
select max(customerNumber) + 1, 'Customer ' || (max(customerNumber) - 99), 'Lisbon', 'Portugal',
       1002 + (hash({{ seed }}, 'rep') % 19)::int, 50000.00
from classicmodels.customers;

update classicmodels.customers set city = 'Porto', country = 'Portugal'
where customerNumber = (select customerNumber from classicmodels.customers
                        order by hash(customerNumber, {{ seed }}, 'move'), customerNumber limit 1);

update classicmodels.products set MSRP = MSRP + 1, buyPrice = buyPrice + 0.5
where productCode in (select productCode from classicmodels.products
                      order by hash(productCode, {{ seed }}, 'price'), productCode limit 3);

-- New orders dated `day`, in process; the first is the new customer's.
insert into classicmodels.orders
select
  m.max_id + i, {{ on_day }}, {{ on_day }} + 10, null, 'In Process',
  case when i = 1 then m.newest_customer else 101 + (hash(i, {{ seed }}, 'customer') % 120)::int end
from range(1, {{ new_orders }} + 1) t(i)
cross join (select (select max(orderNumber) from classicmodels.orders) as max_id,
                   (select max(customerNumber) from classicmodels.customers) as newest_customer) m;

-- Their lines: the new orders are the ones without any.
insert into classicmodels.orderdetails
with lines as (
  select o.orderNumber, l.n as orderLineNumber,
         {{ classic_product_code("1 + (hash(o.orderNumber, l.n, 'p') % 60)::int") }} as productCode
  from classicmodels.orders o cross join range(1, 5) l(n)
  where l.n <= 1 + (hash(o.orderNumber, 'lines') % 4)::int
    and o.orderNumber not in (select orderNumber from classicmodels.orderdetails)
)
select l.orderNumber, l.productCode, 10 + (hash(l.orderNumber, l.orderLineNumber, 'q') % 40)::int,
       (p.MSRP * (0.8 + (hash(l.orderNumber, l.orderLineNumber, 'd') % 20) / 100.0))::decimal(10, 2),
       l.orderLineNumber
from lines l join classicmodels.products p using (productCode);

-- A line of an order still in process changes its quantity.
update classicmodels.orderdetails set quantityOrdered = quantityOrdered + 5
where orderNumber || '/' || orderLineNumber = (
  select d.orderNumber || '/' || d.orderLineNumber from classicmodels.orderdetails d
  join classicmodels.orders o using (orderNumber)
  where o.status = 'In Process' and o.orderDate < {{ on_day }}
  order by hash(d.orderNumber, d.orderLineNumber, {{ seed }}, 'qty'), d.orderNumber, d.orderLineNumber
  limit 1);

-- Orders in process from before `day` ship on it, and are paid three days later.
update classicmodels.orders set status = 'Shipped', shippedDate = {{ on_day }}
where orderNumber in (select orderNumber from classicmodels.orders
                      where status = 'In Process' and orderDate < {{ on_day }}
                      order by hash(orderNumber, {{ seed }}, 'ship'), orderNumber limit {{ shipped }});

insert into classicmodels.payments
select o.customerNumber, 'CHK' || o.orderNumber, o.shippedDate + 3,
       sum(d.quantityOrdered * d.priceEach)::decimal(12, 2)
from classicmodels.orders o join classicmodels.orderdetails d using (orderNumber)
where o.shippedDate = {{ on_day }}
  and 'CHK' || o.orderNumber not in (select checkNumber from classicmodels.payments)
group by o.customerNumber, o.orderNumber, o.shippedDate;

-- Shipped orders cancelled: deleted with their lines and payments (the orders last, as they
-- choose which).
{%- set cancelled_sql = "select orderNumber from classicmodels.orders where status = 'Shipped' "
  ~ "and orderDate < " ~ on_day ~ " order by hash(orderNumber, " ~ seed ~ ", 'cancel'), orderNumber "
  ~ "limit " ~ cancelled %}
delete from classicmodels.payments
where checkNumber in (select 'CHK' || orderNumber from ({{ cancelled_sql }}) c);
delete from classicmodels.orderdetails where orderNumber in ({{ cancelled_sql }});
delete from classicmodels.orders where orderNumber in ({{ cancelled_sql }});
{% endmacro %}

{#- The code of the product numbered `i` (1 to 60), in the sample's 'S10_1678' shape. -#}
{% macro classic_product_code(i) -%}
('S' || (10 + ({{ i }}) % 7) || '_' || (1000 + ({{ i }})))
{%- endmacro %}
