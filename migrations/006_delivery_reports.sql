-- What comes back after the relay took a message (docs/commands.md#bounce), written by `yougotdata bounce`:
--  * yougotdata_report: one row per report read (a bounce, a delay warning, an auto-reply, a complaint, or mail that
--    is none of these), under its identity (a hash of its Message-ID and body), so a second reading of the same
--    report, by any route, adds nothing. `raw` keeps the message for a person when it matched nothing, its token
--    was forged, or it is no report about a delivery (at most 1 MiB of it); `matched_by` says how it was matched to
--    the send record, or 'forged'.
--  * yougotdata_delivery_event: one row per recipient per matched report: what the report says about the address
--    the job sent to. Deleted with its report after the retention the README names.
CREATE TABLE yougotdata_report (
  id          bigserial   PRIMARY KEY,
  identity    text        NOT NULL UNIQUE,
  message_id  text,
  kind        text        NOT NULL
              CHECK (kind IN ('bounce', 'delay', 'auto-reply', 'complaint', 'not-a-bounce', 'unreadable')),
  matched_by  text        CHECK (matched_by IN ('token', 'envelope-id', 'message-id', 'queue-id', 'address', 'forged')),
  send_id     bigint      REFERENCES yougotdata_message (id) ON DELETE SET NULL,
  source      text        NOT NULL,
  reported_at timestamptz,
  read_at     timestamptz NOT NULL DEFAULT now(),
  size        bigint      NOT NULL,
  problems    jsonb       NOT NULL DEFAULT '[]',
  kept        boolean     NOT NULL,
  raw         bytea
);
CREATE INDEX yougotdata_report_read ON yougotdata_report (read_at);

CREATE TABLE yougotdata_delivery_event (
  report          bigint      NOT NULL REFERENCES yougotdata_report (id) ON DELETE CASCADE,
  -- The address as the job sent to it; final_recipient is where delivery failed (another one after forwarding).
  address         text        NOT NULL,
  final_recipient text        NOT NULL,
  send_id         bigint      REFERENCES yougotdata_message (id) ON DELETE SET NULL,
  action          text        NOT NULL CHECK (action IN ('failed', 'delayed', 'auto-replied', 'complained')),
  status          text,
  reply_code      text,
  class           text        CHECK (class IN ('dead-address', 'mailbox-full', 'policy', 'spam-block', 'expired', 'other')),
  hard            boolean     NOT NULL,
  diagnostic      text,
  remote_mta      text,
  occurred_at     timestamptz NOT NULL,
  PRIMARY KEY (report, final_recipient)
);
CREATE INDEX yougotdata_delivery_event_address ON yougotdata_delivery_event (lower(address), occurred_at);
CREATE INDEX yougotdata_delivery_event_occurred ON yougotdata_delivery_event (occurred_at);

-- Reports name the message by its Message-ID (or the ENVID made from it).
CREATE INDEX yougotdata_message_message_id ON yougotdata_message (message_id);
