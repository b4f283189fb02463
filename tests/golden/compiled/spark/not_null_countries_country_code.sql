select *
from `coolwear`.`countries` tested
where `country_code` is null
