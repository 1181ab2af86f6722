-- Every driver's career by season: team, championship position and points, wins, podiums, poles.
-- Answers: one row per driver per season he started (or entered) a Grand Prix, with "Champion"
--   in title for the seasons he won the drivers' championship.
-- Parameters: none (every season in the lake; the dashboards pick one driver).
-- Notes: position, position_text ('D': disqualified from the championship, 1997 Schumacher),
--   points (counted, as the official table) and the title are the season's row of view
--   final_standings, the table standings.sql lists: count-back, the governing body's
--   decisions, and a title only once every round of the season's calendar has run. A
--   driver the official table leaves out has no position and 0 points.
WITH final AS (
    SELECT season, entrant_id AS driver_id, position, position_text, points, champion
    FROM final_standings
    WHERE entrant = 'driver'
),
starts AS (
    SELECT
        season,
        driver_id,
        count(*) AS starts,
        sum(CASE WHEN won THEN 1 ELSE 0 END) AS wins,
        sum(CASE WHEN podium THEN 1 ELSE 0 END) AS podiums
    FROM driver_starts
    GROUP BY season, driver_id
),
poles AS (
    SELECT
        season,
        driver_id,
        count(DISTINCT CASE WHEN qualifying_position = 1 THEN round END) AS poles
    FROM qualifying_positions
    WHERE started
    GROUP BY season, driver_id
)
SELECT
    ds.season,
    ds.driver_id,
    ds.driver_name,
    ds.constructor_id,
    ds.constructor_name,
    f.position,
    f.position_text,
    coalesce(f.points, 0.0) AS points,
    coalesce(s.starts, 0) AS starts,
    coalesce(s.wins, 0) AS wins,
    coalesce(s.podiums, 0) AS podiums,
    coalesce(p.poles, 0) AS poles,
    CASE WHEN f.champion THEN 'Champion' ELSE '' END AS title
FROM driver_seasons AS ds
LEFT JOIN final AS f ON f.season = ds.season AND f.driver_id = ds.driver_id
LEFT JOIN starts AS s ON s.season = ds.season AND s.driver_id = ds.driver_id
LEFT JOIN poles AS p ON p.season = ds.season AND p.driver_id = ds.driver_id
ORDER BY ds.driver_id, ds.season
