-- Season driver standings computed from race results.
-- Answers: where each driver finished a season's drivers' championship: points, wins, podiums,
--   races started, ordered by points and then the FIA count-back (most wins, then most second
--   places, then most thirds, ...). Drivers level on points and on every place share a position.
-- @param season integer  Championship year, e.g. 2023.
-- Notes: points are summed as scored per race; seasons with dropped scores ("best N results",
--   before 1991) or other historical rules differ from the official table. Sprint points are
--   added by UNION ALL into the `scoring` CTE; sprint places never enter the count-back.
--   `season` is a Glue partition key (type string), hence the casts.
WITH params AS (
    SELECT CAST(:season AS integer) AS season
),
season_results AS (
    SELECT r.driver_id, r.driver_code, r.round, r.position_text, r.points
    FROM results AS r
    WHERE CAST(r.season AS integer) = (SELECT season FROM params)
),
-- Every points-scoring session of the season (Grand Prix now; sprints join here).
scoring AS (
    SELECT driver_id, points
    FROM season_results
),
-- Classified Grand Prix finishes only: position_text is a number, not R, D, E, W, F or N.
finishes AS (
    SELECT driver_id, CAST(position_text AS integer) AS place
    FROM season_results
    WHERE regexp_like(position_text, '^[0-9]+$')
),
places AS (
    SELECT DISTINCT place FROM finishes
),
place_counts AS (
    SELECT driver_id, place, count(*) AS n
    FROM finishes
    GROUP BY driver_id, place
),
entrants AS (
    SELECT driver_id, sum(points) AS points
    FROM scoring
    GROUP BY driver_id
),
-- One fixed-width key per driver: count of 1st places, of 2nd places, ... (3 digits each),
-- so comparing keys as strings is the count-back.
countback AS (
    SELECT
        e.driver_id,
        array_join(array_agg(lpad(CAST(coalesce(pc.n, 0) AS varchar), 3, '0') ORDER BY p.place), '')
            AS countback_key
    FROM entrants AS e
    CROSS JOIN places AS p
    LEFT JOIN place_counts AS pc ON pc.driver_id = e.driver_id AND pc.place = p.place
    GROUP BY e.driver_id
),
race_stats AS (
    SELECT
        driver_id,
        max(driver_code) AS driver_code,
        count(DISTINCT round) AS races,
        sum(CASE WHEN position_text = '1' THEN 1 ELSE 0 END) AS wins,
        sum(CASE WHEN position_text IN ('1', '2', '3') THEN 1 ELSE 0 END) AS podiums
    FROM season_results
    GROUP BY driver_id
)
SELECT
    (SELECT season FROM params) AS season,
    rank() OVER (ORDER BY e.points DESC, coalesce(c.countback_key, '') DESC) AS position,
    e.driver_id,
    rs.driver_code,
    e.points,
    coalesce(rs.wins, 0) AS wins,
    coalesce(rs.podiums, 0) AS podiums,
    coalesce(rs.races, 0) AS races
FROM entrants AS e
LEFT JOIN countback AS c ON c.driver_id = e.driver_id
LEFT JOIN race_stats AS rs ON rs.driver_id = e.driver_id
ORDER BY position, e.driver_id
