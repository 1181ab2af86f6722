-- The constructors' championship of a season (results plus sprints, by the rules of the era).
-- Answers: where each constructor finished a season's constructors' championship (1958 on):
--   points counted (best-placed car only before 1979, dropped scores 1958-1978, Indianapolis
--   500 excluded: view constructor_race_points), points scored, wins, podiums, races; ordered by
--   points, then the count-back over all its cars' Grand Prix places.
-- @param season integer  Championship year, e.g. 2023 (the championship exists from 1958).
-- Notes: equals the official table for 1958-2025 except the adjustments listed in
--   checks/constructor_points_reconcile.sql (2018 Force India, 2020 Racing Point, 1958 Maserati,
--   1967 Cooper-Maserati); the 2007 exclusion of McLaren is not applied (the official table
--   keeps its points and marks it E).
WITH params AS (
    SELECT CAST(:season AS integer) AS season
),
last_round AS (
    SELECT max(round) AS round
    FROM constructor_standings_by_round
    WHERE season = (SELECT season FROM params)
),
standing AS (
    SELECT constructor_id, points, points_scored, wins
    FROM constructor_standings_by_round
    WHERE season = (SELECT season FROM params) AND round = (SELECT round FROM last_round)
),
races_run AS (
    SELECT constructor_id, position_text, round
    FROM scoring_results
    WHERE season = (SELECT season FROM params) AND session = 'race'
        AND constructor_id IS NOT NULL
),
finishes AS (
    SELECT constructor_id, CAST(position_text AS integer) AS place
    FROM races_run
    WHERE regexp_like(position_text, '^[0-9]+$')
),
places AS (
    SELECT DISTINCT place FROM finishes
),
place_counts AS (
    SELECT constructor_id, place, count(*) AS n
    FROM finishes
    GROUP BY constructor_id, place
),
countback AS (
    SELECT
        s.constructor_id,
        array_join(array_agg(lpad(CAST(coalesce(pc.n, 0) AS varchar), 3, '0') ORDER BY p.place), '')
            AS countback_key
    FROM standing AS s
    CROSS JOIN places AS p
    LEFT JOIN place_counts AS pc ON pc.constructor_id = s.constructor_id AND pc.place = p.place
    GROUP BY s.constructor_id
),
names AS (
    SELECT constructor_id, max(constructor_name) AS constructor_name
    FROM results
    WHERE CAST(season AS integer) = (SELECT season FROM params)
    GROUP BY constructor_id
),
race_stats AS (
    SELECT
        constructor_id,
        count(DISTINCT round) AS races,
        sum(CASE WHEN position_text IN ('1', '2', '3') THEN 1 ELSE 0 END) AS podiums
    FROM races_run
    GROUP BY constructor_id
)
SELECT
    (SELECT season FROM params) AS season,
    rank() OVER (ORDER BY s.points DESC, coalesce(c.countback_key, '') DESC) AS position,
    s.constructor_id,
    n.constructor_name,
    s.points,
    s.points_scored,
    s.wins,
    coalesce(rs.podiums, 0) AS podiums,
    coalesce(rs.races, 0) AS races
FROM standing AS s
LEFT JOIN countback AS c ON c.constructor_id = s.constructor_id
LEFT JOIN race_stats AS rs ON rs.constructor_id = s.constructor_id
LEFT JOIN names AS n ON n.constructor_id = s.constructor_id
ORDER BY position, s.constructor_id
