-- The fastest laps of every Grand Prix of a season, fastest first (2004 on).
-- Answers: one row per round and driver with a timed fastest lap: its rank in the race, the
--   lap, the time (m:ss.mmm) and the average speed.
-- @param season integer  Championship year, e.g. 2023.
-- Notes: view fastest_lap_times (ties: the published rank, then driver_id), as fastest_laps.
WITH params AS (
    SELECT CAST(:season AS integer) AS season
)
SELECT
    (SELECT season FROM params) AS season,
    round,
    lap_rank,
    driver_id,
    driver_name,
    constructor_id,
    constructor_name,
    lap,
    lap_time,
    fastest_lap_time_millis,
    avg_speed_kph
FROM fastest_lap_times
WHERE season = (SELECT season FROM params)
ORDER BY round, lap_rank
