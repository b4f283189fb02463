-- Order lines with their product's weight and category and their seller's state, for the features.
{{ config(materialized='table') }}
select
  i.order_id,
  i.order_item_id,
  i.price,
  i.freight_value,
  p.product_category_name,
  p.product_weight_g,
  i.seller_id,
  s.seller_state
from {{ source('olist', 'order_items') }} i
join {{ source('olist', 'products') }} p on p.product_id = i.product_id
join {{ source('olist', 'sellers') }} s on s.seller_id = i.seller_id
