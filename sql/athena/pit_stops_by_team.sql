-- Pit stops per team in a season: how many its cars made and how quick its crew was.
-- Answers: per constructor: constructor_name, drivers (who stopped), stops, fastest_seconds,
--   avg_seconds (stops under a minute), long_stops (a minute or more: red-flag waits and
--   repairs), fastest_driver (who made its fastest stop).
-- @param season integer  Championship year, e.g. 2023 (pit stops exist from 2011).
-- Notes: durations are pit entry to exit (view pit_stop_details); ordered by the average.
WITH params AS (
    SELECT CAST(:season AS integer) AS season
)
SELECT
    season,
    constructor_id,
    constructor_name,
    count(DISTINCT driver_id) AS drivers,
    count(*) AS stops,
    min(duration_seconds) AS fastest_seconds,
    round(avg(duration_seconds) FILTER (WHERE NOT long_stop), 3) AS avg_seconds,
    count(*) FILTER (WHERE long_stop) AS long_stops,
    min_by(driver_name, duration_millis) AS fastest_driver
FROM pit_stop_details
WHERE season = (SELECT season FROM params)
GROUP BY season, constructor_id, constructor_name
ORDER BY avg_seconds NULLS LAST, constructor_name
