-- Bounces (docs/sending.md#the-token): with BOUNCE_ADDRESS set, each envelope recipient gets the message in its own
-- SMTP transaction, whose envelope sender's token names the row and the recipient's position in
-- recipients_to ++ recipients_cc ++ recipients_bcc (Bcc is in the envelope only, so it is kept here).
-- relay: what the relay answered to each transaction it accepted, [{"recipients":[…],"reply":"250 2.0.0 Ok: queued
-- as 4XyZ","queueId":"4XyZ"}]; Postfix names that queue id in the bounces it writes.
ALTER TABLE yougotdata_message
  ADD COLUMN recipients_bcc text[] NOT NULL DEFAULT '{}',
  ADD COLUMN relay jsonb NOT NULL DEFAULT '[]';
CREATE INDEX yougotdata_message_relay ON yougotdata_message USING gin (relay jsonb_path_ops);
