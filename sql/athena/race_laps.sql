-- Lap chart of every Grand Prix of a season (when the lake has the laps table, 1996 on).
-- Answers: one row per driver per lap: his running position after that lap.
-- @param season integer  Championship year, e.g. 2023.
-- Notes: reads table laps (season, round, lap, driver_id, position); the dashboards draw it
--   only when the lake holds that table.
WITH params AS (
    SELECT CAST(:season AS integer) AS season
)
SELECT
    CAST(l.season AS integer) AS season,
    l.round,
    l.lap,
    l.driver_id,
    ds.driver_name,
    ds.constructor_id,
    l.position
FROM laps AS l
LEFT JOIN driver_seasons AS ds
    ON ds.season = CAST(l.season AS integer) AND ds.driver_id = l.driver_id
WHERE CAST(l.season AS integer) = (SELECT season FROM params)
ORDER BY l.round, l.lap, l.position
