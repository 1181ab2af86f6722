-- Check: every result's driver, constructor and race exist in the dimensions.
-- Why: dashboards join results to drivers, constructors and races; a result without its
--   dimension row silently drops out of every joined query. Drivers and constructors are
--   season-partitioned ("took part in that season"): the join is on season + id; races on
--   season + round.
-- @param season integer  Championship year to check, or NULL for every season.
-- Returns: one row per missing reference of a Grand Prix or sprint result (empty = pass).
-- Exceptions: none over 1950-2025. A result without a constructor_id (the API omits it on a
--   few historical entries) is reported: it cannot be joined either.
WITH params AS (
    SELECT CAST(:season AS integer) AS season
),
entries AS (
    SELECT season, round, session, driver_id, constructor_id
    FROM scoring_results
    WHERE (SELECT season FROM params) IS NULL OR season = (SELECT season FROM params)
),
missing AS (
    SELECT e.season, e.round, e.session, 'driver' AS dimension, e.driver_id AS id
    FROM entries AS e
    LEFT JOIN drivers AS d ON CAST(d.season AS integer) = e.season AND d.driver_id = e.driver_id
    WHERE d.driver_id IS NULL
    UNION ALL
    SELECT e.season, e.round, e.session, 'constructor', e.constructor_id
    FROM entries AS e
    LEFT JOIN constructors AS c
        ON CAST(c.season AS integer) = e.season AND c.constructor_id = e.constructor_id
    WHERE c.constructor_id IS NULL
    UNION ALL
    SELECT e.season, e.round, e.session, 'race', CAST(e.round AS varchar)
    FROM entries AS e
    LEFT JOIN races AS r ON CAST(r.season AS integer) = e.season AND r.round = e.round
    WHERE r.round IS NULL
)
SELECT
    season,
    round,
    session,
    dimension,
    id,
    count(*) AS results,
    dimension || ' ' || coalesce(id, '(none)') || ' missing from ' || dimension
        || 's of season ' || CAST(season AS varchar) AS problem
FROM missing
GROUP BY season, round, session, dimension, id
ORDER BY season, round, session, dimension, id
