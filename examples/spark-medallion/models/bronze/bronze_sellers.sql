-- A raw copy of app.sellers, as the lake keeps it for the silver layer.
select * from {{ source('app', 'sellers') }}
