-- A revision, as the history shows it: an object (race or season, per endpoint) ingested again
-- with a payload hash that differs from the one before it (a forced re-fetch of the same payload
-- is not one). Each row is a revised object before and after: hashes, raw objects, when, and
-- the run that found it.
CREATE VIEW result_revisions AS
SELECT season, round, endpoint,
       before_sha256, payload_sha256 AS after_sha256,
       before_raw_key, raw_key AS after_raw_key,
       before_at, occurred_at AS after_at,
       dag_id, dag_run_id
FROM (
    SELECT e.*,
           lag(payload_sha256) OVER w AS before_sha256,
           lag(raw_key) OVER w AS before_raw_key,
           lag(occurred_at) OVER w AS before_at
    FROM ingestion_events e
    WHERE event = 'ingested'
    WINDOW w AS (PARTITION BY season, round, endpoint ORDER BY occurred_at, id)
) ingested
WHERE before_sha256 IS NOT NULL AND before_sha256 <> payload_sha256;
COMMENT ON VIEW result_revisions IS
    'Objects whose payload changed between two ingestions: before and after (f1lake ledger).';
