-- Up to when the bounces a run read were told in its digest: the next run's digest starts there, so a run that was
-- stopped, failed or could not send its digest leaves its bounces to the next one.
ALTER TABLE yougotdata_run ADD COLUMN bounces_told_until timestamptz;
