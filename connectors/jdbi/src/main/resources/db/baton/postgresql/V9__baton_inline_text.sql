-- H2 only (it keeps short CLOB values in the row from V9 on); PostgreSQL keeps TEXT in the row up to its TOAST
-- threshold anyway. This script keeps both databases at the same schema version.
SELECT 1;
