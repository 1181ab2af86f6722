-- The drivers' championship of a season (results plus sprints, by the rules of the era).
-- Answers: where each driver finished a season's drivers' championship: points counted
--   (after the era's dropped scores), points scored, wins, podiums, races; ordered by points,
--   then the FIA count-back (most wins, then most second places, ...: Grand Prix places only).
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
last_round AS (
    SELECT max(round) AS round
    FROM driver_standings_by_round
    WHERE season = (SELECT season FROM params)
),
standing AS (
    SELECT driver_id, points, points_scored, wins
    FROM driver_standings_by_round
    WHERE season = (SELECT season FROM params) AND round = (SELECT round FROM last_round)
),
races_run AS (
    SELECT driver_id, position, position_text, round
    FROM scoring_results
    WHERE season = (SELECT season FROM params) AND session = 'race'
),
finishes AS (
    SELECT driver_id, CAST(position_text AS integer) AS place
    FROM races_run
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
-- One fixed-width key per driver: count of 1st places, of 2nd places, ... (3 digits each),
-- so comparing keys as strings is the count-back.
countback AS (
    SELECT
        s.driver_id,
        array_join(array_agg(lpad(CAST(coalesce(pc.n, 0) AS varchar), 3, '0') ORDER BY p.place), '')
            AS countback_key
    FROM standing AS s
    CROSS JOIN places AS p
    LEFT JOIN place_counts AS pc ON pc.driver_id = s.driver_id AND pc.place = p.place
    GROUP BY s.driver_id
),
race_stats AS (
    SELECT
        driver_id,
        count(DISTINCT round) AS races,
        sum(CASE WHEN position_text IN ('1', '2', '3') THEN 1 ELSE 0 END) AS podiums
    FROM races_run
    GROUP BY driver_id
)
SELECT
    (SELECT season FROM params) AS season,
    rank() OVER (ORDER BY s.points DESC, coalesce(c.countback_key, '') DESC) AS position,
    s.driver_id,
    ds.driver_name,
    ds.constructor_id,
    ds.constructor_name,
    s.points,
    s.points_scored,
    s.wins,
    coalesce(rs.podiums, 0) AS podiums,
    coalesce(rs.races, 0) AS races
FROM standing AS s
LEFT JOIN countback AS c ON c.driver_id = s.driver_id
LEFT JOIN race_stats AS rs ON rs.driver_id = s.driver_id
LEFT JOIN driver_seasons AS ds
    ON ds.season = (SELECT season FROM params) AND ds.driver_id = s.driver_id
ORDER BY position, s.driver_id
