-- Season constructor standings computed from race results.
-- Answers: where each constructor finished a season's constructors' championship: points of all
--   its cars, wins, podiums, races entered, ordered by points and then the count-back over all
--   its cars' places (most wins, then most second places, ...).
-- @param season integer  Championship year, e.g. 2023 (the championship exists from 1958).
-- Notes: sums every car's points; before 1979 only the best-placed car scored and scores were
--   dropped, so early seasons differ from the official table. Sprint points are added by
--   UNION ALL into the `scoring` CTE. `season` is a Glue partition key (type string).
WITH params AS (
    SELECT CAST(:season AS integer) AS season
),
season_results AS (
    SELECT r.constructor_id, r.round, r.position_text, r.points
    FROM results AS r
    WHERE CAST(r.season AS integer) = (SELECT season FROM params)
),
-- Every points-scoring session of the season (Grand Prix now; sprints join here).
scoring AS (
    SELECT constructor_id, points
    FROM season_results
),
finishes AS (
    SELECT constructor_id, CAST(position_text AS integer) AS place
    FROM season_results
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
entrants AS (
    SELECT constructor_id, sum(points) AS points
    FROM scoring
    GROUP BY constructor_id
),
countback AS (
    SELECT
        e.constructor_id,
        array_join(array_agg(lpad(CAST(coalesce(pc.n, 0) AS varchar), 3, '0') ORDER BY p.place), '')
            AS countback_key
    FROM entrants AS e
    CROSS JOIN places AS p
    LEFT JOIN place_counts AS pc ON pc.constructor_id = e.constructor_id AND pc.place = p.place
    GROUP BY e.constructor_id
),
race_stats AS (
    SELECT
        constructor_id,
        count(DISTINCT round) AS races,
        sum(CASE WHEN position_text = '1' THEN 1 ELSE 0 END) AS wins,
        sum(CASE WHEN position_text IN ('1', '2', '3') THEN 1 ELSE 0 END) AS podiums
    FROM season_results
    GROUP BY constructor_id
)
SELECT
    (SELECT season FROM params) AS season,
    rank() OVER (ORDER BY e.points DESC, coalesce(c.countback_key, '') DESC) AS position,
    e.constructor_id,
    e.points,
    coalesce(rs.wins, 0) AS wins,
    coalesce(rs.podiums, 0) AS podiums,
    coalesce(rs.races, 0) AS races
FROM entrants AS e
LEFT JOIN countback AS c ON c.constructor_id = e.constructor_id
LEFT JOIN race_stats AS rs ON rs.constructor_id = e.constructor_id
ORDER BY position, e.constructor_id
