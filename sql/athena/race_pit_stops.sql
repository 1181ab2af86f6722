-- Pit stops of every Grand Prix of a season (when the lake has the pit_stops table, 2011 on).
-- Answers: one row per stop: driver, stop number, lap and stationary-plus-lane duration.
-- @param season integer  Championship year, e.g. 2023.
-- Notes: reads table pit_stops (season, round, driver_id, stop, lap, duration_millis); the
--   dashboards draw it only when the lake holds that table.
WITH params AS (
    SELECT CAST(:season AS integer) AS season
)
SELECT
    CAST(p.season AS integer) AS season,
    p.round,
    p.driver_id,
    ds.driver_name,
    ds.constructor_id,
    ds.constructor_name,
    p.stop,
    p.lap,
    CAST(p.duration_millis AS double) / 1000 AS duration_s
FROM pit_stops AS p
LEFT JOIN driver_seasons AS ds
    ON ds.season = CAST(p.season AS integer) AND ds.driver_id = p.driver_id
WHERE CAST(p.season AS integer) = (SELECT season FROM params)
ORDER BY p.round, p.lap, p.driver_id
