-- A raw copy of app.product_x_category, as the lake keeps it for the silver layer.
select * from {{ source('app', 'product_x_category') }}
