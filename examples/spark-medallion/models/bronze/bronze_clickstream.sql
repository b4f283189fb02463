-- A raw copy of app.clickstream, as the lake keeps it for the silver layer.
select * from {{ source('app', 'clickstream') }}
