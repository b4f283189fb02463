-- The marketplace's customers, for the features: where each order's customer lives.
{{ config(materialized='table') }}
select customer_id, customer_unique_id, customer_city, customer_state
from {{ source('olist', 'customers') }}
