-- The drivers' championship of a season (results plus sprints, by the rules of the era).
-- Answers: where each driver finished a season's drivers' championship: points counted
--   (after the era's dropped scores), points scored, wins, podiums, races; ordered by points,
--   then the FIA count-back (most wins, then most second places, ...: Grand Prix places only;
--   view grand_prix_tallies, with podiums and races).
--   driver_name is "Forename Surname", constructor_name his team at his last race (view
--   driver_seasons). The official table is `driver_standings`; this query derives it.
-- @param season integer  Championship year, e.g. 2023.
-- Notes: equals the official table for every season 1950-2025 (checks/driver_points_reconcile
--   .sql); the 1997 exclusion of Michael Schumacher is not applied (the official table keeps
--   his points and marks him D). A season in progress gives the standings after its last
--   round with results.
WITH params AS (
    SELECT CAST(:season AS integer) AS season
),
-- Flags the season's last round in one pass over the view (a max subquery reads it twice).
by_round AS (
    SELECT round, max(round) OVER () AS last_round, driver_id, points, points_scored, wins
    FROM driver_standings_by_round
    WHERE season = (SELECT season FROM params)
),
standing AS (
    SELECT driver_id, points, points_scored, wins
    FROM by_round
    WHERE round = last_round
),
tallies AS (
    SELECT entrant_id AS driver_id, races, podiums, countback_key
    FROM grand_prix_tallies
    WHERE season = (SELECT season FROM params) AND entrant = 'driver'
)
SELECT
    (SELECT season FROM params) AS season,
    rank() OVER (ORDER BY s.points DESC, coalesce(t.countback_key, '') DESC) AS position,
    s.driver_id,
    ds.driver_name,
    ds.constructor_id,
    ds.constructor_name,
    s.points,
    s.points_scored,
    s.wins,
    coalesce(t.podiums, 0) AS podiums,
    coalesce(t.races, 0) AS races
FROM standing AS s
LEFT JOIN tallies AS t ON t.driver_id = s.driver_id
LEFT JOIN driver_seasons AS ds
    ON ds.season = (SELECT season FROM params) AND ds.driver_id = s.driver_id
ORDER BY position, s.driver_id
