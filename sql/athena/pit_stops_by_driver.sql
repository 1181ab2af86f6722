-- Pit stops per driver and team in a season: how often each stopped and how quickly.
-- Answers: per driver and constructor (a driver who changed teams has a row for each):
--   driver_name, constructor_name, races (Grands Prix with a stop), stops, stops_per_race,
--   fastest_seconds, avg_seconds (stops under a minute), long_stops (a minute or more: red-flag
--   waits and repairs).
-- @param season integer  Championship year, e.g. 2023 (pit stops exist from 2011).
-- Notes: durations are pit entry to exit (view pit_stop_details). Team totals: pit_stops_by_team.
WITH params AS (
    SELECT CAST(:season AS integer) AS season
)
SELECT
    season,
    driver_id,
    driver_name,
    constructor_id,
    constructor_name,
    count(DISTINCT round) AS races,
    count(*) AS stops,
    round(CAST(count(*) AS double) / count(DISTINCT round), 2) AS stops_per_race,
    min(duration_seconds) AS fastest_seconds,
    round(avg(duration_seconds) FILTER (WHERE NOT long_stop), 3) AS avg_seconds,
    count(*) FILTER (WHERE long_stop) AS long_stops
FROM pit_stop_details
WHERE season = (SELECT season FROM params)
GROUP BY season, driver_id, driver_name, constructor_id, constructor_name
ORDER BY stops DESC, driver_name, constructor_name
