-- Lap-by-lap positions of one Grand Prix: where every driver ran at the end of each lap.
-- Answers: per lap and driver: position, driver_name, constructor_id/_name, lap_seconds (the lap's
--   time) and gap_seconds (behind the leader at the end of the lap, from the summed lap times).
-- @param season integer  Championship year, e.g. 2023 (lap times exist from 1996).
-- @param round integer  Round of the season, e.g. 1 (NULL: every round).
-- Notes: needs lap times, which are ingested only when asked for (`f1lake backfill --laps`).
--   The gap sums the source's lap times, so it can be off by a few hundredths from the official
--   intervals.
WITH params AS (
    SELECT CAST(:season AS integer) AS season, CAST(:round AS integer) AS round
),
timed AS (
    SELECT
        l.round,
        l.lap,
        l.driver_id,
        l.position,
        l.time_millis,
        sum(l.time_millis) OVER (PARTITION BY l.round, l.driver_id ORDER BY l.lap)
            AS elapsed_millis
    FROM laps AS l
    WHERE CAST(l.season AS integer) = (SELECT season FROM params)
        AND ((SELECT round FROM params) IS NULL OR l.round = (SELECT round FROM params))
)
SELECT
    (SELECT season FROM params) AS season,
    t.round,
    t.lap,
    t.position,
    t.driver_id,
    rr.driver_name,
    rr.constructor_id,
    rr.constructor_name,
    CAST(t.time_millis AS double) / 1000 AS lap_seconds,
    CAST(
        t.elapsed_millis - min(t.elapsed_millis) OVER (PARTITION BY t.round, t.lap) AS double
    ) / 1000 AS gap_seconds
FROM timed AS t
LEFT JOIN race_results AS rr
    ON rr.season = (SELECT season FROM params)
    AND rr.round = t.round
    AND rr.driver_id = t.driver_id
    AND rr.entry = 1
ORDER BY t.round, t.lap, t.position, t.driver_id
