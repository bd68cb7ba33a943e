-- One row per run of `send`, so "did cron run?" is answered from the database.
CREATE TABLE yougotdata_run (
  id          bigserial   PRIMARY KEY,
  started_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  night       char(8)     NOT NULL,
  mode        text        NOT NULL,
  dry_run     boolean     NOT NULL,
  host        text        NOT NULL,
  pid         integer     NOT NULL,
  totals      jsonb,
  exit_code   integer
);

CREATE INDEX yougotdata_run_started ON yougotdata_run (started_at);
