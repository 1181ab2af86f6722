-- Check: no two entries of a Grand Prix or sprint share a finishing position or an order.
-- Why: position (the classified place, null when not classified) and position_order (the
--   order of the whole classification) identify a place; a repeat means duplicated rows.
-- @param season integer  Championship year to check, or NULL for every season.
-- Returns: one row per repeated (race, column, value) (empty = pass).
-- Exceptions: shared drives (until 1978 drivers could share one car; 1950s mostly): every
--   driver of a shared car is listed with the car's position and order, so a value repeated by
--   entries of ONE car (same constructor and car number) in a season before 1979 is allowed
--   (70 classified places in 37 races of 1950-1961 in the Ergast history). Nulls in position
--   (R, D, E, W, F, N entries) are skipped.
WITH params AS (
    SELECT CAST(:season AS integer) AS season
),
entries AS (
    SELECT CAST(season AS integer) AS season, round, 'race' AS session, position, position_order,
        constructor_id, car_number
    FROM results
    UNION ALL
    SELECT CAST(season AS integer) AS season, round, 'sprint' AS session, position,
        position_order, constructor_id, car_number
    FROM sprint_results
),
chosen AS (
    SELECT *
    FROM entries
    WHERE (SELECT season FROM params) IS NULL OR season = (SELECT season FROM params)
),
repeats AS (
    SELECT season, round, session, 'position' AS column_name, position AS value, count(*) AS n,
        count(DISTINCT coalesce(constructor_id, '?') || '#'
            || coalesce(CAST(car_number AS varchar), '?')) AS cars
    FROM chosen
    WHERE position IS NOT NULL
    GROUP BY season, round, session, position
    HAVING count(*) > 1
    UNION ALL
    SELECT season, round, session, 'position_order', position_order, count(*),
        count(DISTINCT coalesce(constructor_id, '?') || '#'
            || coalesce(CAST(car_number AS varchar), '?'))
    FROM chosen
    GROUP BY season, round, session, position_order
    HAVING count(*) > 1
)
SELECT
    season,
    round,
    session,
    column_name,
    value,
    n AS entries,
    column_name || ' ' || CAST(value AS varchar) || ' held by ' || CAST(n AS varchar)
        || ' entries' AS problem
FROM repeats
-- One shared car before 1979 is the documented exception; anything else is a duplicate.
WHERE NOT (season < 1979 AND cars = 1)
ORDER BY season, round, session, column_name, value
