-- The send record. Three tables, written at different moments:
--  * yougotdata_message: one row per message, written as 'sending' just BEFORE SMTP submission
--    and set to 'sent' (or 'failed') after; a row left 'sending' means the run died mid-send.
--  * yougotdata_file: one row per file announced, written in the same transaction that marks
--    its message 'sent'. A file is new for a notification until it has a row here.
--  * yougotdata_night: the outcome of the latest check of one night for one notification, for
--    support and for skipping look-back nights checked and fully announced less than an hour ago.
CREATE TABLE yougotdata_message (
  id              bigserial   PRIMARY KEY,
  notification_id integer     NOT NULL,
  night           char(8)     NOT NULL,
  mode            text        NOT NULL CHECK (mode IN ('pi', 'check')),
  status          text        NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
  message_id      text        NOT NULL,
  follows_up      bigint      REFERENCES yougotdata_message (id),
  selection       text        NOT NULL,
  recipients_to   text[]      NOT NULL,
  recipients_cc   text[]      NOT NULL,
  accepted        text[]      NOT NULL DEFAULT '{}',
  refused         jsonb       NOT NULL DEFAULT '[]',
  files           text[]      NOT NULL,
  error           text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz
);
CREATE INDEX yougotdata_message_night ON yougotdata_message (notification_id, mode, night);

CREATE TABLE yougotdata_file (
  notification_id integer     NOT NULL,
  mode            text        NOT NULL,
  filename        text        NOT NULL,
  night           char(8)     NOT NULL,
  message         bigint      NOT NULL REFERENCES yougotdata_message (id),
  announced_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (notification_id, mode, filename)
);
CREATE INDEX yougotdata_file_night ON yougotdata_file (mode, night);

CREATE TABLE yougotdata_night (
  notification_id integer     NOT NULL,
  night           char(8)     NOT NULL,
  mode            text        NOT NULL CHECK (mode IN ('pi', 'check')),
  status          text        NOT NULL,
  selection       text,
  files           integer     NOT NULL DEFAULT 0,
  rejected        text[]      NOT NULL DEFAULT '{}',
  error           text,
  complete        boolean     NOT NULL,
  checked_at      timestamptz NOT NULL,
  PRIMARY KEY (notification_id, night, mode)
);
CREATE INDEX yougotdata_night_checked ON yougotdata_night (mode, night, checked_at);
