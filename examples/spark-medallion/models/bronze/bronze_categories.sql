-- A raw copy of app.categories, as the lake keeps it for the silver layer.
select * from {{ source('app', 'categories') }}
