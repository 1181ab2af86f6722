-- Season-scoped endpoints (the dimensions drivers, constructors, circuits, status: one raw
-- object per season) and the fact that a race has no data for an endpoint (a weekend without a
-- sprint), so a plan stops asking for it. processed_races stays one row per race; the history
-- stays append-only and now also logs season-scoped facts (round NULL) and absences.

-- The current (newest) ingestion of each (season, endpoint) of a season-scoped endpoint.
CREATE TABLE season_ingestions (
    season          smallint    NOT NULL CHECK (season BETWEEN 1950 AND 2999),
    endpoint        text        NOT NULL CHECK (endpoint ~ '^[a-z][a-z_]*$'),
    raw_key         text        NOT NULL UNIQUE,
    payload_sha256  text        NOT NULL CHECK (payload_sha256 ~ '^[0-9a-f]{64}$'),
    state           text        NOT NULL DEFAULT 'ingested'
                                CHECK (state IN ('ingested', 'processed', 'failed')),
    error           text,
    ingested_at     timestamptz NOT NULL,
    processed_at    timestamptz,
    failed_at       timestamptz,
    dag_id          text,
    dag_run_id      text,
    pages           integer     CHECK (pages >= 1),
    requests        integer     CHECK (requests >= 1),
    -- the season's last completed round when this payload was fetched or last found unchanged:
    -- a current season's dimension is refetched once a later round has been run
    through_round   smallint    CHECK (through_round BETWEEN 1 AND 99),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (season, endpoint),
    -- the raw key is the season-level object of exactly this (endpoint, season)
    CHECK (starts_with(raw_key, endpoint || '/season=' || season || '/' || endpoint || '-'
                                || season || '-')),
    CHECK (position(left(payload_sha256, 12) IN raw_key) > 0),
    CHECK (CASE state
        WHEN 'ingested'  THEN processed_at IS NULL AND failed_at IS NULL AND error IS NULL
        WHEN 'processed' THEN processed_at IS NOT NULL AND failed_at IS NULL AND error IS NULL
        WHEN 'failed'    THEN failed_at IS NOT NULL AND processed_at IS NULL
                              AND btrim(coalesce(error, '')) <> ''
    END)
);
CREATE INDEX season_ingestions_open_idx ON season_ingestions (state, season)
    WHERE state <> 'processed';
CREATE TRIGGER season_ingestions_touch BEFORE UPDATE ON season_ingestions
    FOR EACH ROW EXECUTE FUNCTION f1lake_touch_updated_at();
COMMENT ON TABLE season_ingestions IS
    'Current raw object per (season, endpoint) of a season-scoped endpoint (the dimensions).';

-- A completed race the API has no data for at an endpoint (no sprint that weekend, no
-- qualifying in the early years): asked once, then known. An ingestion of the same race and
-- endpoint removes the row (data appeared after all).
CREATE TABLE race_absences (
    season      smallint    NOT NULL,
    round       smallint    NOT NULL,
    endpoint    text        NOT NULL CHECK (endpoint ~ '^[a-z][a-z_]*$'),
    checked_at  timestamptz NOT NULL DEFAULT now(),
    dag_id      text,
    dag_run_id  text,
    PRIMARY KEY (season, round, endpoint),
    FOREIGN KEY (season, round) REFERENCES processed_races (season, round)
        ON UPDATE CASCADE ON DELETE RESTRICT
);
COMMENT ON TABLE race_absences IS
    'Completed races an endpoint has no data for (e.g. no sprint): not asked for again.';

-- History: season-scoped facts have no round; an absence has no raw key.
ALTER TABLE ingestion_events ALTER COLUMN round DROP NOT NULL;
ALTER TABLE ingestion_events DROP CONSTRAINT ingestion_events_event_check;
ALTER TABLE ingestion_events ADD CONSTRAINT ingestion_events_event_check
    CHECK (event IN ('ingested', 'processed', 'failed', 'skipped_unchanged', 'absent'));
ALTER TABLE ingestion_events DROP CONSTRAINT ingestion_events_check;
ALTER TABLE ingestion_events ADD CONSTRAINT ingestion_events_raw_key_check
    CHECK (event IN ('skipped_unchanged', 'absent') OR raw_key IS NOT NULL);
ALTER TABLE ingestion_events ADD CONSTRAINT ingestion_events_absent_has_round_check
    CHECK (event <> 'absent' OR round IS NOT NULL);
