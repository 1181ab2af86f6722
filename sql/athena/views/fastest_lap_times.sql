-- View: every timed fastest lap of a Grand Prix, ranked within its race, as m:ss.mmm.
-- Answers: lap_rank (1 = the race's fastest lap: by time, then the published rank, then
--   driver_id), lap and lap_time text, from view race_results (2004 on; NULL before).
-- Parameters: none (filter on season in the query that uses the view).
CREATE OR REPLACE VIEW fastest_lap_times AS
SELECT
    season,
    round,
    race_name,
    driver_id,
    driver_name,
    constructor_id,
    constructor_name,
    fastest_lap_lap AS lap,
    row_number() OVER (
        PARTITION BY season, round
        ORDER BY fastest_lap_time_millis, fastest_lap_rank NULLS LAST, driver_id
    ) AS lap_rank,
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
FROM race_results
WHERE fastest_lap_time_millis IS NOT NULL
