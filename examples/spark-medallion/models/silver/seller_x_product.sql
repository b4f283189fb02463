-- Bridge: the products each seller offers (a product may have several sellers).
select seller_id, product_id from {{ ref('bronze_seller_x_product') }}
