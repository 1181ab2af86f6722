-- Every driver's career head-to-head against each teammate, in qualifying and in races.
-- Answers: one row per driver and teammate: the seasons they shared a team, the last team, and
--   how often each was ahead in qualifying and at the finish (both ways, so each driver of a
--   pair has his own row).
-- Parameters: none (every season in the lake; the dashboards pick one driver).
-- Notes: from view teammate_duels (qualifying position, else the grid; finishing order of
--   starters), which lists each pair once per season: here it is unfolded both ways.
WITH both_ways AS (
    SELECT
        season, session, constructor_name, driver_id, teammate_id, teammate_name, races,
        driver_ahead AS ahead, teammate_ahead AS behind
    FROM teammate_duels
    UNION ALL
    SELECT
        season, session, constructor_name, teammate_id AS driver_id, driver_id AS teammate_id,
        driver_name AS teammate_name, races, teammate_ahead AS ahead, driver_ahead AS behind
    FROM teammate_duels
)
SELECT
    driver_id,
    teammate_id,
    max(teammate_name) AS teammate_name,
    max_by(constructor_name, season) AS constructor_name,
    min(season) AS first_season,
    max(season) AS last_season,
    sum(CASE WHEN session = 'qualifying' THEN ahead ELSE 0 END) AS qualifying_ahead,
    sum(CASE WHEN session = 'qualifying' THEN behind ELSE 0 END) AS qualifying_behind,
    sum(CASE WHEN session = 'race' THEN ahead ELSE 0 END) AS race_ahead,
    sum(CASE WHEN session = 'race' THEN behind ELSE 0 END) AS race_behind,
    sum(CASE WHEN session = 'race' THEN races ELSE 0 END) AS races
FROM both_ways
GROUP BY driver_id, teammate_id
ORDER BY driver_id, min(season), teammate_id
