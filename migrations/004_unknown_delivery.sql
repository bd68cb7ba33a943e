-- 'unknown': the whole message went to the mail server and its reply never came (a timeout, a connection lost after
-- the final dot), so it may have been delivered. Not announced: the next run sends it once more, never the same run.
ALTER TABLE yougotdata_message DROP CONSTRAINT yougotdata_message_status_check;
ALTER TABLE yougotdata_message ADD CONSTRAINT yougotdata_message_status_check
  CHECK (status IN ('sending', 'sent', 'failed', 'unknown'));
-- The run that sends such a message again finds it by mode and night; the few rows in this state stay in a small index.
CREATE INDEX yougotdata_message_unknown ON yougotdata_message (mode, night) WHERE status = 'unknown';
