-- Bridge: the categories of each product (a product may have several).
select product_id, category_id from {{ ref('bronze_product_x_category') }}
