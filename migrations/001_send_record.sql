-- What yougotdata did for one notification, one night and one mode. A row in status
-- 'sending' was written just before SMTP submission: if it stays so, the run died mid-send.
CREATE TABLE yougotdata_send (
  notification_id integer     NOT NULL,
  night           char(8)     NOT NULL,
  mode            text        NOT NULL CHECK (mode IN ('pi', 'check')),
  status          text        NOT NULL CHECK (status IN ('sending', 'sent', 'failed', 'invalid-selection', 'no-recipients')),
  selection       text,
  recipients_to   text[]      NOT NULL DEFAULT '{}',
  recipients_cc   text[]      NOT NULL DEFAULT '{}',
  accepted        text[]      NOT NULL DEFAULT '{}',
  refused         jsonb       NOT NULL DEFAULT '[]',
  rejected        text[]      NOT NULL DEFAULT '{}',
  files           text[]      NOT NULL DEFAULT '{}',
  message_id      text,
  error           text,
  attempts        integer     NOT NULL DEFAULT 0,
  first_at        timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz,
  PRIMARY KEY (notification_id, night, mode)
);

CREATE INDEX yougotdata_send_night ON yougotdata_send (night, mode);
