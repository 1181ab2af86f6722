-- Champions by season: the drivers' champion and his team, and the constructors' champion.
-- Answers: one row per completed season, newest first; the constructors' columns are NULL
--   before 1958 (no constructors' championship).
-- Parameters: none (every completed season in the lake).
-- Notes: the champions of view final_standings (champion: first in the season's final table,
--   as standings and team_standings list it, once every round of the season's calendar has
--   run), the titles driver_career and alltime_championships count.
WITH drivers AS (
    SELECT season, entrant_id AS driver_id, points
    FROM final_standings
    WHERE entrant = 'driver' AND champion
),
teams AS (
    SELECT season, entrant_id AS constructor_id, points
    FROM final_standings
    WHERE entrant = 'constructor' AND champion
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
