-- The processed_races ledger: schedule knowledge, current ingestion per (race, endpoint), and an
-- append-only history. Runs inside one transaction (the migrator opens it): no BEGIN/COMMIT here.

CREATE FUNCTION f1lake_touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

CREATE FUNCTION f1lake_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$;

-- One row per race of the schedule.
CREATE TABLE processed_races (
    season      smallint    NOT NULL CHECK (season BETWEEN 1950 AND 2999),
    round       smallint    NOT NULL CHECK (round BETWEEN 1 AND 99),
    race_name   text        NOT NULL CHECK (btrim(race_name) <> ''),
    race_date   date        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (season, round),
    CHECK (extract(year FROM race_date) BETWEEN season - 1 AND season + 1)
);
CREATE INDEX processed_races_race_date_idx ON processed_races (race_date);
CREATE TRIGGER processed_races_touch BEFORE UPDATE ON processed_races
    FOR EACH ROW EXECUTE FUNCTION f1lake_touch_updated_at();
COMMENT ON TABLE processed_races IS
    'One row per race of the schedule (f1lake ledger); ingestions hang off it per endpoint.';

-- The current (newest) ingestion of each (race, endpoint); endpoint is a name from
-- f1lake/endpoints.py, so a new endpoint needs no schema change.
CREATE TABLE race_ingestions (
    season          smallint    NOT NULL,
    round           smallint    NOT NULL,
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
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (season, round, endpoint),
    FOREIGN KEY (season, round) REFERENCES processed_races (season, round)
        ON UPDATE CASCADE ON DELETE RESTRICT,
    -- the raw key is the object of exactly this (endpoint, season, round)
    CHECK (starts_with(raw_key, endpoint || '/season=' || season || '/round='
                       || CASE WHEN round < 10 THEN '0' ELSE '' END || round || '/')),
    CHECK (position(left(payload_sha256, 12) IN raw_key) > 0),
    CHECK (CASE state
        WHEN 'ingested'  THEN processed_at IS NULL AND failed_at IS NULL AND error IS NULL
        WHEN 'processed' THEN processed_at IS NOT NULL AND failed_at IS NULL AND error IS NULL
        WHEN 'failed'    THEN failed_at IS NOT NULL AND processed_at IS NULL
                              AND btrim(coalesce(error, '')) <> ''
    END)
);
-- Work queues (pending, failed) stay small: index only the rows not yet processed.
CREATE INDEX race_ingestions_open_idx ON race_ingestions (state, season, round)
    WHERE state <> 'processed';
CREATE INDEX race_ingestions_endpoint_idx ON race_ingestions (endpoint, season);
CREATE TRIGGER race_ingestions_touch BEFORE UPDATE ON race_ingestions
    FOR EACH ROW EXECUTE FUNCTION f1lake_touch_updated_at();
COMMENT ON TABLE race_ingestions IS
    'Current raw object per (race, endpoint): newest by ingestion time, never regressed.';

-- What happened when: every fact reported to the ledger, including the ones that did not
-- change the current row (applied = false: out-of-order ingestions, stale outcomes).
-- No foreign key to processed_races: an outcome may be reported before the race is known,
-- and a log must accept facts rather than lose them.
CREATE TABLE ingestion_events (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    season          smallint    NOT NULL CHECK (season BETWEEN 1950 AND 2999),
    round           smallint    NOT NULL CHECK (round BETWEEN 1 AND 99),
    endpoint        text        NOT NULL CHECK (endpoint ~ '^[a-z][a-z_]*$'),
    event           text        NOT NULL
                                CHECK (event IN ('ingested', 'processed', 'failed',
                                                 'skipped_unchanged')),
    applied         boolean     NOT NULL,
    raw_key         text,
    payload_sha256  text        CHECK (payload_sha256 ~ '^[0-9a-f]{64}$'),
    error           text,
    dag_id          text,
    dag_run_id      text,
    occurred_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (event = 'skipped_unchanged' OR raw_key IS NOT NULL),
    CHECK ((event = 'failed') = (error IS NOT NULL))
);
CREATE INDEX ingestion_events_race_idx ON ingestion_events (season, round, endpoint, id);
CREATE INDEX ingestion_events_raw_key_idx ON ingestion_events (raw_key);
CREATE INDEX ingestion_events_dag_run_idx ON ingestion_events (dag_id, dag_run_id)
    WHERE dag_run_id IS NOT NULL;
-- each raw object enters the history once, however often its ingestion is re-reported
CREATE UNIQUE INDEX ingestion_events_ingested_once_idx ON ingestion_events (raw_key)
    WHERE event = 'ingested';
CREATE TRIGGER ingestion_events_append_only BEFORE UPDATE OR DELETE ON ingestion_events
    FOR EACH ROW EXECUTE FUNCTION f1lake_refuse_change();
COMMENT ON TABLE ingestion_events IS
    'Append-only history of the ledger: ingested, processed, failed, skipped_unchanged.';
