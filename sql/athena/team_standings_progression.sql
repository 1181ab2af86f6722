-- The constructors' championship after each round of a season: cumulative points and position.
-- Answers: how the constructors' title unfolded: for every round each constructor's points so
--   far (by the rules of the era, view constructor_race_points), its points that round, wins so
--   far and position then (1958 on: there was no constructors' championship before).
-- @param season integer  Championship year, e.g. 2023 (the championship exists from 1958).
-- Notes: position is by points, then the count-back over all its cars' Grand Prix places so
--   far (view countback_by_round), so the last round equals team_standings.sql (points, wins
--   and position).
WITH params AS (
    SELECT CAST(:season AS integer) AS season
),
progress AS (
    SELECT round, constructor_id, points, round_points, wins
    FROM constructor_standings_by_round
    WHERE season = (SELECT season FROM params)
),
countback AS (
    SELECT round, entrant_id AS constructor_id, countback_key
    FROM countback_by_round
    WHERE season = (SELECT season FROM params) AND entrant = 'constructor'
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
    rank() OVER (
        PARTITION BY p.round ORDER BY p.points DESC, coalesce(c.countback_key, '') DESC
    ) AS position,
    p.constructor_id,
    cs.constructor_name,
    p.points,
    p.round_points,
    p.wins
FROM progress AS p
LEFT JOIN countback AS c ON c.round = p.round AND c.constructor_id = p.constructor_id
LEFT JOIN constructor_seasons AS cs
    ON cs.season = (SELECT season FROM params) AND cs.constructor_id = p.constructor_id
LEFT JOIN calendar AS cal ON cal.round = p.round
ORDER BY p.round, position, p.constructor_id
