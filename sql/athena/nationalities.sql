-- Drivers and winners by nationality, across every season in the lake.
-- Answers: one row per nationality: drivers who started a Grand Prix, how many of them won one,
--   and their Grand Prix wins; most drivers first.
-- Parameters: none (every season in the lake).
WITH nationality AS (
    SELECT driver_id, max(driver_nationality) AS nationality
    FROM drivers
    WHERE driver_nationality IS NOT NULL
    GROUP BY driver_id
),
careers AS (
    SELECT driver_id, sum(CASE WHEN won THEN 1 ELSE 0 END) AS wins
    FROM driver_starts
    GROUP BY driver_id
)
SELECT
    n.nationality,
    count(*) AS drivers,
    sum(CASE WHEN c.wins > 0 THEN 1 ELSE 0 END) AS winners,
    sum(c.wins) AS wins
FROM careers AS c
JOIN nationality AS n ON n.driver_id = c.driver_id
GROUP BY n.nationality
ORDER BY count(*) DESC, n.nationality
