-- Sent messages by time: a report matched by address looks among the messages sent in the 30 days before it, newest
-- first (status = 'sent', sent_at in a span, ORDER BY sent_at DESC, id DESC LIMIT 20), and support reads the
-- deliveries of the last year the same way (status = 'sent', sent_at >= a day). Without it each of them read the whole
-- table.
CREATE INDEX yougotdata_message_sent ON yougotdata_message (sent_at, id) WHERE status = 'sent';
