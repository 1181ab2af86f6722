-- Season constructor standings computed from race results.
-- Answers: where each constructor finished a season's constructors' championship: points of all
--   its cars, wins, podiums, races entered, ordered by points, then the count-back over all
--   its cars' places (most wins, then most second places, ...), their running order and the
--   name, one position each (view countback_by_round).
-- @param season integer  Championship year, e.g. 2023 (the championship exists from 1958).
-- Notes: sums every car's points; before 1979 only the best-placed car scored and scores were
--   dropped, so early seasons differ from the official table. Sprint points are added by
--   UNION ALL into the `scoring` CTE. `season` is a Glue partition key (type string). Wins,
--   podiums, races and the tie-break keys: view grand_prix_tallies, as in team_standings.sql.
--   Every constructor with a result is listed, and no governing-body decision is applied
--   (team_standings.sql does both).
WITH params AS (
    SELECT CAST(:season AS integer) AS season
),
-- Every points-scoring session of the season (Grand Prix now; sprints join here).
scoring AS (
    SELECT r.constructor_id, r.points
    FROM results AS r
    WHERE CAST(r.season AS integer) = (SELECT season FROM params)
),
entrants AS (
    SELECT constructor_id, sum(points) AS points
    FROM scoring
    GROUP BY constructor_id
),
tallies AS (
    SELECT entrant_id AS constructor_id, races, wins, podiums, countback_key, running_key, sort_name
    FROM grand_prix_tallies
    WHERE season = (SELECT season FROM params) AND entrant = 'constructor'
)
SELECT
    (SELECT season FROM params) AS season,
    row_number() OVER (
        ORDER BY e.points DESC, t.countback_key DESC, t.running_key DESC, t.sort_name,
            e.constructor_id
    ) AS position,
    e.constructor_id,
    e.points,
    coalesce(t.wins, 0) AS wins,
    coalesce(t.podiums, 0) AS podiums,
    coalesce(t.races, 0) AS races
FROM entrants AS e
LEFT JOIN tallies AS t ON t.constructor_id = e.constructor_id
ORDER BY position
