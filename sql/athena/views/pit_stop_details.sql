-- View: every pit stop with the race, driver and team names analysts read.
-- Answers: pit_stops joined to race_results: race_name, driver_name, constructor_id and
--   constructor_name of the driver's car, duration_seconds, and long_stop (a minute or more in
--   the pit lane: a red-flag wait or a repair, kept but left out of averages).
-- Parameters: none (filter on season in the query that uses the view).
-- Notes: pit stops exist from 2011 in the source. A stop's team is the team of the driver's
--   Grand Prix entry (one entry per driver per race since 1979).
CREATE OR REPLACE VIEW pit_stop_details AS
SELECT
    CAST(p.season AS integer) AS season,
    p.round,
    rr.race_name,
    p.driver_id,
    rr.driver_name,
    rr.constructor_id,
    rr.constructor_name,
    p.stop,
    p.lap,
    p.time_of_day,
    p.duration_millis,
    p.duration_text,
    CAST(p.duration_millis AS double) / 1000 AS duration_seconds,
    p.duration_millis >= 60000 AS long_stop
FROM pit_stops AS p
LEFT JOIN race_results AS rr
    ON rr.season = CAST(p.season AS integer)
    AND rr.round = p.round
    AND rr.driver_id = p.driver_id
    AND rr.entry = 1
