{#
  The external tables over the landed files, as Hive's CREATE EXTERNAL TABLE declares them: the
  schema is declared here, the data stays in the files, and every query reads them as they are.
  Run by on_run_start before every build; models read them as sources, so sluice re-reads them on
  every build instead of trusting a copy (files change outside sluice, like any source).
#}
{% macro create_external_tables(dir) %}
{%- set d = dir | replace("'", "''") -%}
create schema if not exists landing;

create or replace view landing.customer as
select *
from read_csv('{{ d }}/customer.csv', header = true, columns = {
  'customer_id': 'integer',
  'first_name': 'varchar',
  'last_name': 'varchar',
  'email_address': 'varchar',
  'country_region': 'varchar',
  'modified_date': 'date'
});

create or replace view landing.sales_order_header as
select *
from read_csv('{{ d }}/sales_order_header.csv', header = true, columns = {
  'sales_order_id': 'integer',
  'order_date': 'date',
  'customer_id': 'integer',
  'ship_method': 'varchar',
  'freight': 'decimal(10, 2)'
});

-- Parquet carries its own schema.
create or replace view landing.sales_order_detail as
select sales_order_id, sales_order_detail_id, product_id, order_qty, unit_price
from read_parquet('{{ d }}/sales_order_detail.parquet');
{% endmacro %}

{#
  The same external tables on a Hive lake on a Spark Thrift Server (the `spark` target): Spark SQL's
  data-source tables over the landed files, EXTERNAL because each names its LOCATION, so dropping
  one to re-declare it leaves the file alone. The server reads the path itself, so it must be
  absolute (or a URI such as hdfs://…), not relative to where sluice runs.
#}
{% macro create_external_tables_hive(dir) %}
{%- if not (dir.startswith('/') or '://' in dir) -%}
{{ raise_error("on a Hive lake landing_dir must be an absolute path or a URI the server can read ('"
  ~ dir ~ "' is relative); pass it with --vars '{landing_dir: /abs/path/examples/hive-external/landing}'") }}
{%- endif -%}
{%- set d = dir | replace("'", "\\'") -%}
create database if not exists landing;

drop table if exists landing.customer;
create table landing.customer (
  customer_id int,
  first_name string,
  last_name string,
  email_address string,
  country_region string,
  modified_date date
) using csv options (header 'true') location '{{ d }}/customer.csv';

drop table if exists landing.sales_order_header;
create table landing.sales_order_header (
  sales_order_id int,
  order_date date,
  customer_id int,
  ship_method string,
  freight decimal(10, 2)
) using csv options (header 'true') location '{{ d }}/sales_order_header.csv';

-- Parquet carries its own schema.
drop table if exists landing.sales_order_detail;
create table landing.sales_order_detail using parquet location '{{ d }}/sales_order_detail.parquet';
{% endmacro %}
