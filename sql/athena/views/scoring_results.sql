-- View: every points-scoring classification, Grand Prix and sprint, one row per entry.
-- Answers: the one source of points for standings and checks (season is an integer here).
-- Parameters: none.
-- Notes: `session` is 'race' or 'sprint'; only Grand Prix places enter count-backs and wins.
--   `entry` separates the two cars one driver drove in a race before 1979; two drivers who
--   shared one car have the same car_number, constructor and position.
CREATE OR REPLACE VIEW scoring_results AS
SELECT
    CAST(season AS integer) AS season,
    round,
    'race' AS session,
    entry,
    driver_id,
    constructor_id,
    car_number,
    position,
    position_text,
    points
FROM results
UNION ALL
SELECT
    CAST(season AS integer) AS season,
    round,
    'sprint' AS session,
    entry,
    driver_id,
    constructor_id,
    car_number,
    position,
    position_text,
    points
FROM sprint_results
