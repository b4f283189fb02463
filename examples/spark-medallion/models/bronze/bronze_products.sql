-- A raw copy of app.products, as the lake keeps it for the silver layer.
select * from {{ source('app', 'products') }}
