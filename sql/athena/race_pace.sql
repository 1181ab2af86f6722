-- Race pace in one Grand Prix: each driver's typical green-flag lap, not just his fastest.
-- Answers: per driver: driver_name, constructor_id/_name, finish (classification order), laps,
--   best_lap_seconds, clean_laps and pace_seconds (the average of his clean laps), and
--   pace_gap_seconds (behind the best pace of the race).
-- @param season integer  Championship year, e.g. 2023 (lap times exist from 1996).
-- @param round integer  Round of the season, e.g. 1 (NULL: every round).
-- Notes: a clean lap is not the first lap, not a lap on which the driver pitted or the lap after
--   (in- and out-laps, from pit_stops, 2011 on), and within 107% of his own best lap (leaves
--   out safety-car and red-flag laps). Needs lap times (`f1lake backfill --laps`).
WITH params AS (
    SELECT CAST(:season AS integer) AS season, CAST(:round AS integer) AS round
),
race_laps AS (
    SELECT
        l.round,
        l.driver_id,
        l.lap,
        l.time_millis,
        min(l.time_millis) OVER (PARTITION BY l.round, l.driver_id) AS best_millis
    FROM laps AS l
    WHERE CAST(l.season AS integer) = (SELECT season FROM params)
        AND ((SELECT round FROM params) IS NULL OR l.round = (SELECT round FROM params))
        AND l.time_millis IS NOT NULL
),
pit_laps AS (
    SELECT DISTINCT p.round, p.driver_id, p.lap + k.shift AS lap
    FROM pit_stops AS p
    CROSS JOIN (VALUES 0, 1) AS k (shift)
    WHERE CAST(p.season AS integer) = (SELECT season FROM params)
        AND ((SELECT round FROM params) IS NULL OR p.round = (SELECT round FROM params))
),
paced AS (
    SELECT
        l.round,
        l.driver_id,
        count(*) AS laps,
        min(l.time_millis) AS best_millis,
        count(*) FILTER (WHERE l.lap > 1 AND pl.lap IS NULL
            AND l.time_millis <= 1.07 * l.best_millis) AS clean_laps,
        avg(l.time_millis) FILTER (WHERE l.lap > 1 AND pl.lap IS NULL
            AND l.time_millis <= 1.07 * l.best_millis) AS pace_millis
    FROM race_laps AS l
    LEFT JOIN pit_laps AS pl
        ON pl.round = l.round AND pl.driver_id = l.driver_id AND pl.lap = l.lap
    GROUP BY l.round, l.driver_id
)
SELECT
    (SELECT season FROM params) AS season,
    p.round,
    p.driver_id,
    rr.driver_name,
    rr.constructor_id,
    rr.constructor_name,
    rr.position_order AS finish,
    p.laps,
    CAST(p.best_millis AS double) / 1000 AS best_lap_seconds,
    p.clean_laps,
    round(p.pace_millis / 1000, 3) AS pace_seconds,
    round((p.pace_millis - min(p.pace_millis) OVER (PARTITION BY p.round)) / 1000, 3)
        AS pace_gap_seconds
FROM paced AS p
LEFT JOIN race_results AS rr
    ON rr.season = (SELECT season FROM params)
    AND rr.round = p.round
    AND rr.driver_id = p.driver_id
    AND rr.entry = 1
ORDER BY p.round, p.pace_millis NULLS LAST, p.driver_id
