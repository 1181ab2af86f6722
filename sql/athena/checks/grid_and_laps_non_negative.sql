-- Check: grid and laps are never negative (nor missing) in Grand Prix and sprint results.
-- Why: grid 0 means a pit-lane start and laps 0 a retirement on the first lap, but a negative
--   value is a parsing error that would corrupt averages and reliability figures.
-- @param season integer  Championship year to check, or NULL for every season.
-- Returns: one row per violating result (empty = pass).
-- Exceptions: none over 1950-2025.
WITH params AS (
    SELECT CAST(:season AS integer) AS season
),
entries AS (
    SELECT CAST(season AS integer) AS season, round, 'race' AS session, driver_id, entry, grid,
        laps
    FROM results
    UNION ALL
    SELECT CAST(season AS integer) AS season, round, 'sprint' AS session, driver_id, entry, grid,
        laps
    FROM sprint_results
)
SELECT
    season,
    round,
    session,
    driver_id,
    entry,
    grid,
    laps,
    CASE
        WHEN grid IS NULL OR grid < 0 THEN 'grid ' || coalesce(CAST(grid AS varchar), 'missing')
        ELSE 'laps ' || coalesce(CAST(laps AS varchar), 'missing')
    END AS problem
FROM entries
WHERE ((SELECT season FROM params) IS NULL OR season = (SELECT season FROM params))
    AND (grid IS NULL OR grid < 0 OR laps IS NULL OR laps < 0)
ORDER BY season, round, session, driver_id, entry
