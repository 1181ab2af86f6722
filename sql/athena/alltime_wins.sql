-- All-time Grand Prix winners: most wins across every season in the lake.
-- Answers: every driver who won a Grand Prix, ranked by wins, with starts and the seasons of
--   his first and last win.
-- Parameters: none (every season in the lake).
-- Notes: a shared winning car (1950s) credits each of its drivers; a start is any entry that
--   did not fail to qualify (F) or withdraw (W), counted once per race.
WITH tally AS (
    SELECT
        driver_id,
        max_by(driver_name, season * 100 + round) AS driver_name,
        count_if(won) AS wins,
        count(*) AS starts,
        min(CASE WHEN won THEN season END) AS first_win_season,
        max(CASE WHEN won THEN season END) AS last_win_season
    FROM driver_starts
    GROUP BY driver_id
)
SELECT
    rank() OVER (ORDER BY wins DESC) AS rank,
    driver_id,
    driver_name,
    wins,
    starts,
    first_win_season,
    last_win_season
FROM tally
WHERE wins > 0
ORDER BY wins DESC, driver_id
