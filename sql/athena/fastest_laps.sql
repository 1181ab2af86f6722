-- The fastest lap of each Grand Prix of a season: who set it, on which lap, how fast.
-- Answers: per race (round, race_name) the driver (driver_name, constructor_name), the lap
--   number (lap), the time as m:ss.mmm (fastest_lap_time) and in milliseconds, and the
--   average speed in km/h.
-- @param season integer  Championship year, e.g. 2023.
-- Notes: lap times exist from 2004 (none in the Ergast history before): earlier seasons have no
--   rows. The fastest is the lowest time (ties: the published rank, then driver_id).
WITH params AS (
    SELECT CAST(:season AS integer) AS season
),
ranked AS (
    SELECT
        round,
        race_name,
        driver_id,
        driver_name,
        constructor_name,
        fastest_lap_lap,
        fastest_lap_time_millis,
        fastest_lap_avg_speed_kph,
        row_number() OVER (
            PARTITION BY round
            ORDER BY fastest_lap_time_millis, fastest_lap_rank NULLS LAST, driver_id
        ) AS n
    FROM race_results
    WHERE season = (SELECT season FROM params) AND fastest_lap_time_millis IS NOT NULL
)
SELECT
    (SELECT season FROM params) AS season,
    round,
    race_name,
    driver_id,
    driver_name,
    constructor_name,
    fastest_lap_lap AS lap,
    CAST(CAST(floor(CAST(fastest_lap_time_millis AS double) / 60000) AS bigint) AS varchar)
        || ':'
        || lpad(
            CAST(
                CAST(floor(CAST(fastest_lap_time_millis % 60000 AS double) / 1000) AS bigint)
                AS varchar
            ),
            2,
            '0'
        )
        || '.'
        || lpad(CAST(fastest_lap_time_millis % 1000 AS varchar), 3, '0') AS fastest_lap_time,
    fastest_lap_time_millis,
    fastest_lap_avg_speed_kph AS avg_speed_kph
FROM ranked
WHERE n = 1
ORDER BY round
