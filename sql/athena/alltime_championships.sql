-- All-time drivers' champions: most world titles across every season in the lake.
-- Answers: every drivers' champion, ranked by titles, with the seasons he won them.
-- Parameters: none (every completed season in the lake).
-- Notes: the champion of a season is the leader of the derived championship after its last
--   round (view driver_standings_by_round: results plus sprints, the era's dropped scores, the
--   governing body's decisions; by points, then the count-back), counted only once every round
--   of the season's published calendar has been run (view season_calendars): a season in
--   progress has no champion yet.
WITH last_rounds AS (
    SELECT season, max(round) AS round
    FROM driver_standings_by_round
    GROUP BY season
),
complete AS (
    SELECT season FROM season_calendars WHERE rounds_to_run = 0
),
champions AS (
    SELECT d.season, d.driver_id
    FROM driver_standings_by_round AS d
    JOIN last_rounds AS l ON l.season = d.season AND l.round = d.round
    JOIN complete AS c ON c.season = d.season
    WHERE d.position = 1
),
tally AS (
    SELECT
        c.driver_id,
        max(ds.driver_name) AS driver_name,
        count(*) AS championships,
        array_join(array_agg(CAST(c.season AS varchar) ORDER BY c.season), ', ') AS seasons,
        min(c.season) AS first_title_season,
        max(c.season) AS last_title_season
    FROM champions AS c
    LEFT JOIN driver_seasons AS ds ON ds.season = c.season AND ds.driver_id = c.driver_id
    GROUP BY c.driver_id
)
SELECT
    rank() OVER (ORDER BY championships DESC) AS rank,
    driver_id,
    driver_name,
    championships,
    seasons,
    first_title_season,
    last_title_season
FROM tally
ORDER BY championships DESC, first_title_season, driver_id
