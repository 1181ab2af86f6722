-- View: each driver's points, wins, podiums and races per season, for every season.
-- Answers: the season totals dashboards chart and filter (season is an integer here).
-- Parameters: none (filter on season in the query that uses the view).
-- Notes: points summed as scored per race (no dropped scores); sprint points join the `scoring`
--   CTE by UNION ALL.
CREATE OR REPLACE VIEW driver_season_points AS
WITH scoring AS (
    SELECT CAST(season AS integer) AS season, driver_id, points
    FROM results
),
season_points AS (
    SELECT season, driver_id, sum(points) AS points
    FROM scoring
    GROUP BY season, driver_id
),
race_stats AS (
    SELECT
        CAST(season AS integer) AS season,
        driver_id,
        max(driver_code) AS driver_code,
        count(DISTINCT round) AS races,
        sum(CASE WHEN position_text = '1' THEN 1 ELSE 0 END) AS wins,
        sum(CASE WHEN position_text IN ('1', '2', '3') THEN 1 ELSE 0 END) AS podiums
    FROM results
    GROUP BY CAST(season AS integer), driver_id
)
SELECT
    sp.season,
    sp.driver_id,
    rs.driver_code,
    sp.points,
    coalesce(rs.wins, 0) AS wins,
    coalesce(rs.podiums, 0) AS podiums,
    coalesce(rs.races, 0) AS races
FROM season_points AS sp
LEFT JOIN race_stats AS rs ON rs.season = sp.season AND rs.driver_id = sp.driver_id
