-- The fastest laps of every Grand Prix of a season, fastest first (2004 on).
-- Answers: one row per round and driver with a timed fastest lap: its rank in the race, the
--   lap, the time (m:ss.mmm) and the average speed.
-- @param season integer  Championship year, e.g. 2023.
WITH params AS (
    SELECT CAST(:season AS integer) AS season
),
ranked AS (
    SELECT
        round,
        driver_id,
        driver_name,
        constructor_id,
        constructor_name,
        fastest_lap_lap,
        fastest_lap_time_millis,
        fastest_lap_avg_speed_kph,
        row_number() OVER (
            PARTITION BY round ORDER BY fastest_lap_time_millis, driver_id
        ) AS lap_rank
    FROM race_results
    WHERE season = (SELECT season FROM params) AND fastest_lap_time_millis IS NOT NULL
)
SELECT
    (SELECT season FROM params) AS season,
    round,
    lap_rank,
    driver_id,
    driver_name,
    constructor_id,
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
        || lpad(CAST(fastest_lap_time_millis % 1000 AS varchar), 3, '0') AS lap_time,
    fastest_lap_time_millis,
    fastest_lap_avg_speed_kph AS avg_speed_kph
FROM ranked
ORDER BY round, lap_rank
