-- One big table: one row per order line with the fields of its order, buyer, seller and product,
-- and the product's categories (its first one by id, and all of them by name).
with product_categories as (
  select
    pc.product_id,
    min(c.category_name) filter (where c.category_id = first_id.category_id) as primary_category,
    string_agg(c.category_name, ', ' order by c.category_name) as category_names
  from {{ ref('product_x_category') }} pc
  join {{ ref('dim_category') }} c on c.category_id = pc.category_id
  join (
    select product_id, min(category_id) as category_id from {{ ref('product_x_category') }} group by product_id
  ) first_id on first_id.product_id = pc.product_id
  group by pc.product_id
)
select
  i.order_item_id,
  i.order_id,
  i.line_number,
  i.quantity,
  i.base_price,
  i.tax,
  i.revenue,
  o.order_ts,
  o.order_date,
  o.status as order_status,
  o.buyer_id,
  b.username as buyer_username,
  b.membership as buyer_membership,
  i.seller_id,
  s.username as seller_username,
  s.rating as seller_rating,
  i.product_id,
  p.product_name,
  p.price as product_price,
  pc.primary_category,
  pc.category_names
from {{ ref('fact_order_items') }} i
join {{ ref('fact_orders') }} o on o.order_id = i.order_id
join {{ ref('dim_buyer') }} b on b.buyer_id = o.buyer_id
join {{ ref('dim_seller') }} s on s.seller_id = i.seller_id
join {{ ref('dim_product') }} p on p.product_id = i.product_id
left join product_categories pc on pc.product_id = i.product_id
