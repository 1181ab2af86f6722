-- The fastest pit stops of a season: the 20 quickest, who made them, where and on which lap.
-- Answers: rank (ties share it), round, race_name, driver_name, constructor_name, lap, stop
--   (the driver's n-th stop of the race), duration_seconds and duration_millis (pit entry to
--   exit, as the source times it).
-- @param season integer  Championship year, e.g. 2023 (pit stops exist from 2011).
-- Notes: the duration is the time in the pit lane, not the stationary time a team announces.
--   Red-flag waits (16:44.718) are stops too but never among the fastest. More than 20 rows
--   when stops tie on the 20th place.
WITH params AS (
    SELECT CAST(:season AS integer) AS season
),
ranked AS (
    SELECT
        *,
        rank() OVER (ORDER BY duration_millis) AS rank
    FROM pit_stop_details
    WHERE season = (SELECT season FROM params) AND duration_millis IS NOT NULL
)
SELECT
    season, rank, round, race_name, driver_id, driver_name, constructor_name, lap, stop,
    duration_seconds, duration_millis
FROM ranked
WHERE rank <= 20
ORDER BY rank, round, driver_id, stop
