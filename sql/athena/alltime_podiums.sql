-- All-time podium finishers: most Grand Prix podiums across every season in the lake.
-- Answers: every driver who finished a Grand Prix in the top three, ranked by podiums, with
--   wins, starts and the seasons of his first and last podium.
-- Parameters: none (every season in the lake).
-- Notes: counted once per race (a driver who shared two cars on the podium of one race, before
--   1979, has one podium there); a start is any entry not F (failed to qualify) or W.
WITH tally AS (
    SELECT
        driver_id,
        max_by(driver_name, season * 100 + round) AS driver_name,
        count_if(podium) AS podiums,
        count_if(won) AS wins,
        count(*) AS starts,
        min(CASE WHEN podium THEN season END) AS first_podium_season,
        max(CASE WHEN podium THEN season END) AS last_podium_season
    FROM driver_starts
    GROUP BY driver_id
)
SELECT
    rank() OVER (ORDER BY podiums DESC) AS rank,
    driver_id,
    driver_name,
    podiums,
    wins,
    starts,
    first_podium_season,
    last_podium_season
FROM tally
WHERE podiums > 0
ORDER BY podiums DESC, driver_id
