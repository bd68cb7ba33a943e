-- Night outcomes are recorded once per archive request, not once per night: with look-back nights one `nightrange=`
-- search covers several nights, and a row per night wrote the same request four times (migrations/003_night_url.sql).
-- yougotdata_outcome: one row per request a run made for a notification, or per decision made without one (the
-- selection refused, the run stopped first); `outcomes` holds what each night it covered came to, in the order asked
-- (the run's night first): [{"night":"YYYYMMDD","status":…,"files":N,"error":…|null,"complete":bool}].
-- Rows are only added: a night's latest outcome is the newest row covering it.
CREATE TABLE yougotdata_outcome (
  id              bigserial   PRIMARY KEY,
  notification_id integer     NOT NULL,
  mode            text        NOT NULL CHECK (mode IN ('pi', 'check')),
  url             text,
  selection       text,
  rejected        text[]      NOT NULL DEFAULT '{}',
  nights          char(8)[]   NOT NULL,
  outcomes        jsonb       NOT NULL,
  checked_at      timestamptz NOT NULL
);
-- `why`: one notification's outcomes; a run's look-back: the outcomes of the last hour.
CREATE INDEX yougotdata_outcome_notification ON yougotdata_outcome (notification_id, mode, checked_at);
CREATE INDEX yougotdata_outcome_recent ON yougotdata_outcome (mode, checked_at);

-- Each earlier row is the outcome of the one night it describes.
INSERT INTO yougotdata_outcome (notification_id, mode, url, selection, rejected, nights, outcomes, checked_at)
SELECT notification_id, mode, url, selection, rejected, ARRAY[night],
       jsonb_build_array(jsonb_build_object('night', night, 'status', status, 'files', files, 'error', error, 'complete', complete)),
       checked_at
  FROM yougotdata_night
 ORDER BY checked_at;

DROP TABLE yougotdata_night;
