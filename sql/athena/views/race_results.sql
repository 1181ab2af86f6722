-- View: every Grand Prix result with the names analysts read: race, circuit, driver_name
--   ("Forename Surname") and constructor_name, plus started/retired flags.
-- Answers: the one joined source of the season queries (season is an integer here).
-- Parameters: none (filter on season in the query that uses the view).
-- Notes:
--   - started: not F (failed to qualify) and not W (withdrawn before the start), so a starter
--     is classified, retired (R), disqualified (D), excluded (E) or not classified (N).
--   - retired: position_text R, a DNF; its cause is `status` (view status_categories).
--   - Grand Prix only: sprints are in sprint_results (and, for points, view scoring_results).
CREATE OR REPLACE VIEW race_results AS
SELECT
    CAST(r.season AS integer) AS season,
    r.round,
    ra.race_name,
    ra.race_date,
    ra.circuit_id,
    ra.circuit_name,
    ra.country,
    r.entry,
    r.driver_id,
    r.driver_given_name || ' ' || r.driver_family_name AS driver_name,
    r.constructor_id,
    r.constructor_name,
    r.car_number,
    r.grid,
    r.position,
    r.position_order,
    r.position_text,
    r.points,
    r.laps,
    r.status,
    r.time_text,
    r.fastest_lap_rank,
    r.fastest_lap_lap,
    r.fastest_lap_time_millis,
    r.fastest_lap_avg_speed_kph,
    r.position_text NOT IN ('F', 'W') AS started,
    r.position_text = 'R' AS retired
FROM results AS r
LEFT JOIN races AS ra ON ra.season = r.season AND ra.round = r.round
