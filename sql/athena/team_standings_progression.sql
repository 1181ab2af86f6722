-- The constructors' championship after each round of a season: cumulative points and position.
-- Answers: how the constructors' title unfolded: for every round each constructor's points so
--   far (by the rules of the era, view constructor_race_points, and the governing body's
--   decisions, view championship_adjustments), its points that round, wins so far and
--   position then (position_text 'E' once excluded from the championship; 1958 on: there was
--   no constructors' championship before).
-- @param season integer  Championship year, e.g. 2023 (the championship exists from 1958).
-- Notes: position and the constructors listed come from view constructor_standings_by_round
--   (points, then the count-back over all its cars' places, their running order and the name
--   so far), so the last round equals team_standings.sql.
WITH params AS (
    SELECT CAST(:season AS integer) AS season
),
progress AS (
    SELECT round, position, position_text, constructor_id, points, round_points, wins
    FROM constructor_standings_by_round
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
    p.constructor_id,
    cs.constructor_name,
    p.points,
    p.round_points,
    p.wins
FROM progress AS p
LEFT JOIN constructor_seasons AS cs
    ON cs.season = (SELECT season FROM params) AND cs.constructor_id = p.constructor_id
LEFT JOIN calendar AS cal ON cal.round = p.round
ORDER BY p.round, p.position
