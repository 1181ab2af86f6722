-- View: the teammates' head-to-heads of every season, in qualifying and in the race.
-- Answers: for every pair of drivers of one constructor placed in the same races (view
--   teammate_places), the races compared and how many times each was ahead. One row per pair
--   and session: driver is the one ahead more often (level: the first by driver_id), teammate
--   the other. Named queries teammate_qualifying and teammate_race pick a season and a session.
-- Parameters: none (filter on season and session in the query that uses the view).
-- Notes: a team that ran three or more drivers gives one row per pair that shared a race; names
--   as in views driver_seasons and constructor_seasons.
CREATE OR REPLACE VIEW teammate_duels AS
WITH pairs AS (
    SELECT
        a.season,
        a.session,
        a.constructor_id,
        a.driver_id,
        b.driver_id AS teammate_id,
        count(*) AS races,
        sum(CASE WHEN a.place < b.place THEN 1 ELSE 0 END) AS driver_ahead,
        sum(CASE WHEN b.place < a.place THEN 1 ELSE 0 END) AS teammate_ahead
    FROM teammate_places AS a
    JOIN teammate_places AS b
        ON b.season = a.season AND b.session = a.session AND b.round = a.round
        AND b.constructor_id = a.constructor_id AND b.driver_id <> a.driver_id
    GROUP BY a.season, a.session, a.constructor_id, a.driver_id, b.driver_id
)
SELECT
    p.season,
    p.session,
    p.constructor_id,
    c.constructor_name,
    p.driver_id,
    dd.driver_name,
    p.teammate_id,
    td.driver_name AS teammate_name,
    p.races,
    p.driver_ahead,
    p.teammate_ahead
FROM pairs AS p
LEFT JOIN constructor_seasons AS c
    ON c.season = p.season AND c.constructor_id = p.constructor_id
LEFT JOIN driver_seasons AS dd ON dd.season = p.season AND dd.driver_id = p.driver_id
LEFT JOIN driver_seasons AS td ON td.season = p.season AND td.driver_id = p.teammate_id
WHERE p.driver_ahead > p.teammate_ahead
    OR (p.driver_ahead = p.teammate_ahead AND p.driver_id < p.teammate_id)
