-- The constructors' championship of a season (results plus sprints, by the rules of the era).
-- Answers: where each constructor finished a season's constructors' championship (1958 on):
--   points counted (best-placed car only before 1979, dropped scores 1958-1978, Indianapolis
--   500 excluded: view constructor_race_points), points scored, wins, podiums, races; ordered by
--   points, then the count-back over all its cars' Grand Prix places (view grand_prix_tallies,
--   with podiums and races).
-- @param season integer  Championship year, e.g. 2023 (the championship exists from 1958).
-- Notes: equals the official table for 1958-2025 except the adjustments listed in
--   checks/constructor_points_reconcile.sql (2018 Force India, 2020 Racing Point, 1958 Maserati,
--   1967 Cooper-Maserati); the 2007 exclusion of McLaren is not applied (the official table
--   keeps its points and marks it E).
WITH params AS (
    SELECT CAST(:season AS integer) AS season
),
-- Flags the season's last round in one pass over the view (a max subquery reads it twice).
by_round AS (
    SELECT round, max(round) OVER () AS last_round, constructor_id, points, points_scored, wins
    FROM constructor_standings_by_round
    WHERE season = (SELECT season FROM params)
),
standing AS (
    SELECT constructor_id, points, points_scored, wins
    FROM by_round
    WHERE round = last_round
),
tallies AS (
    SELECT entrant_id AS constructor_id, races, podiums, countback_key
    FROM grand_prix_tallies
    WHERE season = (SELECT season FROM params) AND entrant = 'constructor'
)
SELECT
    (SELECT season FROM params) AS season,
    rank() OVER (ORDER BY s.points DESC, coalesce(t.countback_key, '') DESC) AS position,
    s.constructor_id,
    cs.constructor_name,
    s.points,
    s.points_scored,
    s.wins,
    coalesce(t.podiums, 0) AS podiums,
    coalesce(t.races, 0) AS races
FROM standing AS s
LEFT JOIN tallies AS t ON t.constructor_id = s.constructor_id
LEFT JOIN constructor_seasons AS cs
    ON cs.season = (SELECT season FROM params) AND cs.constructor_id = s.constructor_id
ORDER BY position, s.constructor_id
