-- A raw copy of app.users, as the lake keeps it for the silver layer.
select * from {{ source('app', 'users') }}
