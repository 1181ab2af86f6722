-- The fastest lap of each Grand Prix of a season: who set it, on which lap, how fast.
-- Answers: per race (round, race_name) the driver (driver_name, constructor_name), the lap
--   number (lap), the time as m:ss.mmm (fastest_lap_time) and in milliseconds, and the
--   average speed in km/h.
-- @param season integer  Championship year, e.g. 2023.
-- Notes: lap times exist from 2004 (none in the Ergast history before): earlier seasons have no
--   rows. The fastest is the lowest time (ties: the published rank, then driver_id).
WITH params AS (
    SELECT CAST(:season AS integer) AS season
)
SELECT
    (SELECT season FROM params) AS season,
    round,
    race_name,
    driver_id,
    driver_name,
    constructor_name,
    lap,
    lap_time AS fastest_lap_time,
    fastest_lap_time_millis,
    avg_speed_kph
FROM fastest_lap_times
WHERE season = (SELECT season FROM params) AND lap_rank = 1
ORDER BY round
