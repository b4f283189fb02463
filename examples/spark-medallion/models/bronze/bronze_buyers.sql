-- A raw copy of app.buyers, as the lake keeps it for the silver layer.
select * from {{ source('app', 'buyers') }}
