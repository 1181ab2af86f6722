-- The drivers' championship after each round of a season: cumulative points and position.
-- Answers: how the title fight unfolded: for every round (Grand Prix, with its sprint) each
--   driver's points so far (after the era's dropped scores and the governing body's decisions,
--   view championship_adjustments), the points he scored that round, his wins so far and his
--   position then (position_text 'D' once disqualified from the championship), from his first
--   race on.
-- @param season integer  Championship year, e.g. 2023.
-- Notes: position and the drivers listed come from view driver_standings_by_round (points,
--   then the count-back, the running order and the name so far), so the last round equals
--   standings.sql; driver_name and constructor_name as in standings.sql (view driver_seasons).
WITH params AS (
    SELECT CAST(:season AS integer) AS season
),
progress AS (
    SELECT round, position, position_text, driver_id, points, round_points, wins
    FROM driver_standings_by_round
    WHERE season = (SELECT season FROM params)
),
calendar AS (
    SELECT round, race_name
    FROM races
    WHERE CAST(season AS integer) = (SELECT season FROM params)
)
SELECT
    (SELECT season FROM params) AS season,
    p.round,
    cal.race_name,
    p.position,
    p.position_text,
    p.driver_id,
    ds.driver_name,
    ds.constructor_id,
    ds.constructor_name,
    p.points,
    p.round_points,
    p.wins
FROM progress AS p
LEFT JOIN calendar AS cal ON cal.round = p.round
LEFT JOIN driver_seasons AS ds
    ON ds.season = (SELECT season FROM params) AND ds.driver_id = p.driver_id
ORDER BY p.round, p.position
