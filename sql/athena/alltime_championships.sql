-- All-time drivers' champions: most world titles across every season in the lake.
-- Answers: every drivers' champion, ranked by titles, with the seasons he won them.
-- Parameters: none (every completed season in the lake).
-- Notes: a title is a champion of view final_standings (first in the season's final table, as
--   standings lists it, once every round of the season's published calendar has run): a
--   season in progress has no champion yet; champions and driver_career count the same titles.
WITH champions AS (
    SELECT season, entrant_id AS driver_id
    FROM final_standings
    WHERE entrant = 'driver' AND champion
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
