-- Check: the lake holds what the ledger says it does: every race the ledger took as run has
--   its results, and every race or season object the ledger records as processed has rows
--   in its table (a season's drivers and constructors once it has a completed race). A round
--   of the schedule with nothing else ingested is still to run: no results are expected.
-- Why: every other check passes on an empty lake (no rows, no violation); this one cannot. It
--   catches a season planned as complete whose results the API never had (an unrun round 1
--   taken as run), a ledger that says processed while the lake lost the file, a crawl that
--   missed a partition.
-- @param season integer  Championship year to check, or NULL for every season.
-- The ledger's list comes in as the VALUES table ledger_manifest (season, round, table_name;
--   round 0 for a season-scoped table): the engine cannot reach the ledger's PostgreSQL, so
--   the check runner (f1lake.checks.manifest) puts the ledger's rows in place of the
--   placeholder line below; without a ledger the check is skipped, never passed.
-- Returns: one row per (season, round, table) the ledger expects and the lake lacks
--   (empty = pass).
-- Exceptions: none.
WITH params AS (
    SELECT CAST(:season AS integer) AS season
),
ledger_manifest (season, round, table_name) AS (
    VALUES (0, 0, '') -- @manifest ledger_manifest
),
lake AS (
    SELECT 'races' AS table_name, CAST(season AS integer) AS season, round, count(*) AS n_rows
    FROM races GROUP BY season, round
    UNION ALL
    SELECT 'results', CAST(season AS integer), round, count(*)
    FROM results GROUP BY season, round
    UNION ALL
    SELECT 'sprint_results', CAST(season AS integer), round, count(*)
    FROM sprint_results GROUP BY season, round
    UNION ALL
    SELECT 'qualifying', CAST(season AS integer), round, count(*)
    FROM qualifying GROUP BY season, round
    UNION ALL
    SELECT 'driver_standings', CAST(season AS integer), round, count(*)
    FROM driver_standings GROUP BY season, round
    UNION ALL
    SELECT 'constructor_standings', CAST(season AS integer), round, count(*)
    FROM constructor_standings GROUP BY season, round
    UNION ALL
    SELECT 'pit_stops', CAST(season AS integer), round, count(*)
    FROM pit_stops GROUP BY season, round
    UNION ALL
    SELECT 'laps', CAST(season AS integer), round, count(*)
    FROM laps GROUP BY season, round
    UNION ALL
    SELECT 'drivers', CAST(season AS integer), 0, count(*) FROM drivers GROUP BY season
    UNION ALL
    SELECT 'constructors', CAST(season AS integer), 0, count(*) FROM constructors GROUP BY season
    UNION ALL
    SELECT 'circuits', CAST(season AS integer), 0, count(*) FROM circuits GROUP BY season
    UNION ALL
    SELECT 'status', CAST(season AS integer), 0, count(*) FROM status GROUP BY season
)
SELECT
    m.season,
    m.round,
    m.table_name,
    'the ledger holds ' || m.table_name || ' of season ' || CAST(m.season AS varchar)
        || CASE WHEN m.round > 0 THEN ' round ' || CAST(m.round AS varchar) ELSE '' END
        || '; the lake has no rows' AS problem
FROM ledger_manifest AS m
LEFT JOIN lake AS l
    ON l.table_name = m.table_name AND l.season = m.season AND l.round = m.round
WHERE m.season > 0
    AND ((SELECT season FROM params) IS NULL OR m.season = (SELECT season FROM params))
    AND l.n_rows IS NULL
ORDER BY m.season, m.round, m.table_name
