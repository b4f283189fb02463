{# The median of an expression, in the dialect of the engine the model's SQL runs on. #}
{% macro median(expression) -%}
{%- if target.type == 'hive' -%}
percentile({{ expression }}, 0.5)
{%- elif target.type == 'sqlserver' -%}
{{ raise_error('median() has no aggregate form on SQL Server: compute the model on the lake') }}
{%- else -%}
median({{ expression }})
{%- endif -%}
{%- endmacro %}
