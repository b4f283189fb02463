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
