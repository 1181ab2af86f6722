-- Champions by season: the drivers' champion and his team, and the constructors' champion.
-- Answers: one row per completed season, newest first; the constructors' columns are NULL
--   before 1958 (no constructors' championship).
-- Parameters: none (every completed season in the lake).
-- Notes: the derived championships after each season's last round (views
--   driver_standings_by_round, constructor_standings_by_round: the era's rules), counted once
--   every round of the season's calendar has run (view season_calendars), as in
--   alltime_championships.
WITH complete AS (
    SELECT season FROM season_calendars WHERE rounds_to_run = 0
),
last_rounds AS (
    SELECT season, max(round) AS round
    FROM driver_standings_by_round
    GROUP BY season
),
drivers AS (
    SELECT d.season, d.driver_id, d.points
    FROM driver_standings_by_round AS d
    JOIN last_rounds AS l ON l.season = d.season AND l.round = d.round
    JOIN complete AS c ON c.season = d.season
    WHERE d.position = 1
),
teams AS (
    SELECT t.season, t.constructor_id, t.points
    FROM constructor_standings_by_round AS t
    JOIN last_rounds AS l ON l.season = t.season AND l.round = t.round
    JOIN complete AS c ON c.season = t.season
    WHERE t.position = 1 AND t.season >= 1958
)
SELECT
    d.season,
    d.driver_id,
    ds.driver_name,
    ds.constructor_id AS driver_constructor_id,
    ds.constructor_name AS driver_constructor_name,
    d.points AS driver_points,
    t.constructor_id,
    cs.constructor_name,
    t.points AS constructor_points
FROM drivers AS d
LEFT JOIN driver_seasons AS ds ON ds.season = d.season AND ds.driver_id = d.driver_id
LEFT JOIN teams AS t ON t.season = d.season
LEFT JOIN constructor_seasons AS cs ON cs.season = t.season AND cs.constructor_id = t.constructor_id
ORDER BY d.season DESC, d.driver_id
