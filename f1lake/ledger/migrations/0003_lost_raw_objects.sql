-- A raw object the ledger pointed at is missing from the lake (a lake restored from an older
-- copy, a bucket emptied by hand). The reconciliation forgets the current ingestion, so the
-- next run fetches the race again, and logs why in the history.
ALTER TABLE ingestion_events DROP CONSTRAINT ingestion_events_event_check;
ALTER TABLE ingestion_events ADD CONSTRAINT ingestion_events_event_check
    CHECK (event IN ('ingested', 'processed', 'failed', 'skipped_unchanged', 'absent', 'lost'));
