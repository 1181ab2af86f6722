-- Every driver's career by season: team, championship position and points, wins, podiums, poles.
-- Answers: one row per driver per season he started (or entered) a Grand Prix, with "Champion"
--   in title for the seasons he won the drivers' championship.
-- Parameters: none (every season in the lake; the dashboards pick one driver).
-- Notes: position and points are the derived championship after the season's last round
--   (view driver_standings_by_round: the era's rules; drivers level on points and wins share
--   a place, no count-back on lower places, unlike standings.sql); a title counts only once every round of
--   the season's calendar has run (view season_calendars), as in alltime_championships.
WITH last_rounds AS (
    SELECT season, max(round) AS round
    FROM driver_standings_by_round
    GROUP BY season
),
final AS (
    SELECT d.season, d.driver_id, d.position, d.points, c.rounds_to_run = 0 AS complete
    FROM driver_standings_by_round AS d
    JOIN last_rounds AS l ON l.season = d.season AND l.round = d.round
    LEFT JOIN season_calendars AS c ON c.season = d.season
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
    coalesce(f.points, 0.0) AS points,
    coalesce(s.starts, 0) AS starts,
    coalesce(s.wins, 0) AS wins,
    coalesce(s.podiums, 0) AS podiums,
    coalesce(p.poles, 0) AS poles,
    CASE WHEN f.position = 1 AND f.complete THEN 'Champion' ELSE '' END AS title
FROM driver_seasons AS ds
LEFT JOIN final AS f ON f.season = ds.season AND f.driver_id = ds.driver_id
LEFT JOIN starts AS s ON s.season = ds.season AND s.driver_id = ds.driver_id
LEFT JOIN poles AS p ON p.season = ds.season AND p.driver_id = ds.driver_id
ORDER BY ds.driver_id, ds.season
