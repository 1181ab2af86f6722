-- The drivers' championship after each round of a season: cumulative points and position.
-- Answers: how the title fight unfolded: for every round (Grand Prix, with its sprint) each
--   driver's points so far (after the era's dropped scores), the points he scored that round,
--   his wins so far and his position then, from his first race on.
-- @param season integer  Championship year, e.g. 2023.
-- Notes: position is by points, then the count-back over the Grand Prix places so far (view
--   countback_by_round), so the last round equals standings.sql (points, wins and position);
--   driver_name and constructor_name as in standings.sql (view driver_seasons).
WITH params AS (
    SELECT CAST(:season AS integer) AS season
),
progress AS (
    SELECT round, driver_id, points, round_points, wins
    FROM driver_standings_by_round
    WHERE season = (SELECT season FROM params)
),
countback AS (
    SELECT round, entrant_id AS driver_id, countback_key
    FROM countback_by_round
    WHERE season = (SELECT season FROM params) AND entrant = 'driver'
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
    p.driver_id,
    ds.driver_name,
    ds.constructor_name,
    p.points,
    p.round_points,
    p.wins
FROM progress AS p
LEFT JOIN countback AS c ON c.round = p.round AND c.driver_id = p.driver_id
LEFT JOIN calendar AS cal ON cal.round = p.round
LEFT JOIN driver_seasons AS ds
    ON ds.season = (SELECT season FROM params) AND ds.driver_id = p.driver_id
ORDER BY p.round, position, p.driver_id
