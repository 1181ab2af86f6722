-- All-time pole positions: most poles (qualifying 1st) across every season in the lake.
-- Answers: every driver with a pole, ranked, with front-row starts and starts.
-- Parameters: none (every season in the lake).
-- Notes: pole = qualifying position 1, or grid 1 where the lake has no qualifying for the
--   race (view qualifying_positions), as in poles_front_rows.
WITH tally AS (
    SELECT
        driver_id,
        count(DISTINCT CASE WHEN qualifying_position = 1 THEN season * 100 + round END) AS poles,
        count(DISTINCT CASE WHEN grid IN (1, 2) THEN season * 100 + round END) AS front_rows,
        count(DISTINCT season * 100 + round) AS starts
    FROM qualifying_positions
    WHERE started
    GROUP BY driver_id
)
SELECT
    rank() OVER (ORDER BY t.poles DESC) AS rank,
    t.driver_id,
    n.driver_name,
    t.poles,
    t.front_rows,
    t.starts
FROM tally AS t
LEFT JOIN (
    SELECT driver_id, max_by(driver_name, season) AS driver_name
    FROM driver_seasons
    GROUP BY driver_id
) AS n ON n.driver_id = t.driver_id
WHERE t.poles > 0
ORDER BY t.poles DESC, t.front_rows DESC, t.driver_id
