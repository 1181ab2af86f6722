-- The constructors' championship after each round of a season: cumulative points and position.
-- Answers: how the constructors' title unfolded: for every round each constructor's points so
--   far (by the rules of the era, view constructor_race_points), its points that round, wins so
--   far and position then (1958 on: there was no constructors' championship before).
-- @param season integer  Championship year, e.g. 2023 (the championship exists from 1958).
-- Notes: position is by points, then the count-back over all its cars' Grand Prix places so
--   far, so the last round equals team_standings.sql (points, wins and position).
WITH params AS (
    SELECT CAST(:season AS integer) AS season
),
progress AS (
    SELECT round, constructor_id, points, round_points, wins
    FROM constructor_standings_by_round
    WHERE season = (SELECT season FROM params)
),
finishes AS (
    SELECT round, constructor_id, CAST(position_text AS integer) AS place
    FROM scoring_results
    WHERE season = (SELECT season FROM params) AND session = 'race'
        AND constructor_id IS NOT NULL
        AND regexp_like(position_text, '^[0-9]+$')
),
places AS (
    SELECT DISTINCT place FROM finishes
),
place_counts AS (
    SELECT p.round, p.constructor_id, pl.place, count(f.place) AS n
    FROM progress AS p
    CROSS JOIN places AS pl
    LEFT JOIN finishes AS f
        ON f.constructor_id = p.constructor_id AND f.place = pl.place AND f.round <= p.round
    GROUP BY p.round, p.constructor_id, pl.place
),
countback AS (
    SELECT
        round,
        constructor_id,
        array_join(array_agg(lpad(CAST(n AS varchar), 3, '0') ORDER BY place), '')
            AS countback_key
    FROM place_counts
    GROUP BY round, constructor_id
),
names AS (
    SELECT constructor_id, max(constructor_name) AS constructor_name
    FROM results
    WHERE CAST(season AS integer) = (SELECT season FROM params)
    GROUP BY constructor_id
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
    n.constructor_name,
    p.points,
    p.round_points,
    p.wins
FROM progress AS p
LEFT JOIN countback AS c ON c.round = p.round AND c.constructor_id = p.constructor_id
LEFT JOIN names AS n ON n.constructor_id = p.constructor_id
LEFT JOIN calendar AS cal ON cal.round = p.round
ORDER BY p.round, position, p.constructor_id
