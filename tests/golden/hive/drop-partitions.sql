ALTER TABLE `lake`.`sales_history` DROP IF EXISTS
  PARTITION (`year_month` = '202108', `region` = 'north'),
  PARTITION (`year_month` = '202111', `region` = 'o\'brien')
