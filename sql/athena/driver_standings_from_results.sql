-- Season driver standings computed from race results.
-- Answers: where each driver finished a season's drivers' championship: points, wins, podiums,
--   races started, ordered by points and then the FIA count-back (most wins, then most second
--   places, then most thirds, ...). Drivers level on points and on every place share a position.
-- @param season integer  Championship year, e.g. 2023.
-- Notes: points are summed as scored per race; seasons with dropped scores ("best N results",
--   before 1991) or other historical rules differ from the official table. Sprint points are
--   added by UNION ALL into the `scoring` CTE; sprint places never enter the count-back. Wins,
--   podiums, races and the count-back key: view grand_prix_tallies, as in standings.sql.
--   `season` is a Glue partition key (type string), hence the casts.
WITH params AS (
    SELECT CAST(:season AS integer) AS season
),
season_results AS (
    SELECT r.driver_id, r.driver_code, r.points
    FROM results AS r
    WHERE CAST(r.season AS integer) = (SELECT season FROM params)
),
-- Every points-scoring session of the season (Grand Prix now; sprints join here).
scoring AS (
    SELECT driver_id, points
    FROM season_results
),
entrants AS (
    SELECT driver_id, sum(points) AS points
    FROM scoring
    GROUP BY driver_id
),
codes AS (
    SELECT driver_id, max(driver_code) AS driver_code
    FROM season_results
    GROUP BY driver_id
),
tallies AS (
    SELECT entrant_id AS driver_id, races, wins, podiums, countback_key
    FROM grand_prix_tallies
    WHERE season = (SELECT season FROM params) AND entrant = 'driver'
)
SELECT
    (SELECT season FROM params) AS season,
    rank() OVER (ORDER BY e.points DESC, coalesce(t.countback_key, '') DESC) AS position,
    e.driver_id,
    c.driver_code,
    e.points,
    coalesce(t.wins, 0) AS wins,
    coalesce(t.podiums, 0) AS podiums,
    coalesce(t.races, 0) AS races
FROM entrants AS e
LEFT JOIN codes AS c ON c.driver_id = e.driver_id
LEFT JOIN tallies AS t ON t.driver_id = e.driver_id
ORDER BY position, e.driver_id
