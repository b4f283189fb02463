{#
  A surrogate key from natural key columns: the md5 of their text joined with '|' (NULL as ''),
  as dbt_utils' generate_surrogate_key does. A dimension and the facts that reference it compute the
  same key from the same natural key, on whichever engine they run, with no lookup between them;
  md5() exists in DuckDB, MySQL, PostgreSQL and Hive/Spark.
#}
{% macro surrogate_key(columns) -%}
md5({% for c in columns %}coalesce(cast({{ c }} as varchar), ''){% if not loop.last %} || '|' || {% endif %}{% endfor %})
{%- endmacro %}

{#- The key of a date in dim_date: yyyymmdd as an integer. -#}
{% macro date_key(expression) -%}
cast(year({{ expression }}) * 10000 + month({{ expression }}) * 100 + day({{ expression }}) as integer)
{%- endmacro %}
