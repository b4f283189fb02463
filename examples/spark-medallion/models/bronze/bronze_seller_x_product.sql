-- A raw copy of app.seller_x_product, as the lake keeps it for the silver layer.
select * from {{ source('app', 'seller_x_product') }}
