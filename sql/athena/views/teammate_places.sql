-- View: where each driver placed at every Grand Prix, in qualifying and in the race, to compare
--   with his teammates (view teammate_duels).
-- Answers: per (season, session, round, constructor_id, driver_id) the place: session
--   'qualifying' = the qualifying position (view qualifying_positions: the qualifying table from
--   1994, else the starting grid), session 'race' = the order of the classification
--   (position_order: a finisher ahead of a retirement, a long-running retirement ahead of a
--   short one).
-- Parameters: none (filter on season and session in the query that uses the view).
-- Notes: entries without a constructor, and qualifying entries without a position (no time set),
--   are left out. Race: starts only (not F, not W), a driver's best entry when he shared two cars
--   (before 1979); qualifying keeps each distinct position of such a driver.
CREATE OR REPLACE VIEW teammate_places AS
WITH qualifying_places AS (
    SELECT DISTINCT season, round, constructor_id, driver_id, qualifying_position AS place
    FROM qualifying_positions
    WHERE constructor_id IS NOT NULL AND qualifying_position IS NOT NULL
),
race_places AS (
    SELECT season, round, constructor_id, driver_id, min(position_order) AS place
    FROM race_results
    WHERE started AND constructor_id IS NOT NULL
    GROUP BY season, round, constructor_id, driver_id
)
SELECT season, 'qualifying' AS session, round, constructor_id, driver_id, place
FROM qualifying_places
UNION ALL
SELECT season, 'race' AS session, round, constructor_id, driver_id, place
FROM race_places
