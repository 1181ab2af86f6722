-- Season driver standings computed from race results.
-- Answers: where each driver finished a season's drivers' championship: points, wins, podiums,
--   races started, ordered by points, then the FIA count-back (most wins, then most second
--   places, ...), the running order and the name, one position each (view countback_by_round,
--   as the official tables number them).
-- @param season integer  Championship year, e.g. 2023.
-- Notes: points are summed as scored per race; seasons with dropped scores ("best N results",
--   before 1991) or other historical rules differ from the official table. Sprint points are
--   added by UNION ALL into the `scoring` CTE; sprint places never enter the count-back. Wins,
--   podiums, races and the tie-break keys: view grand_prix_tallies, as in standings.sql. Every
--   driver with a result is listed, and no governing-body decision is applied (standings.sql
--   does both).
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
    SELECT entrant_id AS driver_id, races, wins, podiums, countback_key, running_key, sort_name
    FROM grand_prix_tallies
    WHERE season = (SELECT season FROM params) AND entrant = 'driver'
)
SELECT
    (SELECT season FROM params) AS season,
    row_number() OVER (
        ORDER BY e.points DESC, t.countback_key DESC, t.running_key DESC, t.sort_name,
            e.driver_id
    ) AS position,
    e.driver_id,
    c.driver_code,
    e.points,
    coalesce(t.wins, 0) AS wins,
    coalesce(t.podiums, 0) AS podiums,
    coalesce(t.races, 0) AS races
FROM entrants AS e
LEFT JOIN codes AS c ON c.driver_id = e.driver_id
LEFT JOIN tallies AS t ON t.driver_id = e.driver_id
ORDER BY position
