-- Places gained from the grid to the finish by every driver over a season's Grands Prix.
-- Answers: who climbed through the field: classified finishes counted (races), places gained
--   in all (positions_gained: grid slot minus finishing place, negative = lost), per race on
--   average (avg_gained) and at best (best_gain).
-- @param season integer  Championship year, e.g. 2023.
-- Notes: classified finishes only (a retirement gains nothing). A pit-lane start (grid 0) counts
--   from the back of the grid: the number of starters of that race.
WITH params AS (
    SELECT CAST(:season AS integer) AS season
),
starters AS (
    SELECT round, count(*) AS cars
    FROM race_results
    WHERE season = (SELECT season FROM params) AND started
    GROUP BY round
),
finishes AS (
    SELECT
        r.driver_id,
        CASE WHEN r.grid > 0 THEN r.grid ELSE s.cars END - r.position AS gained
    FROM race_results AS r
    JOIN starters AS s ON s.round = r.round
    WHERE r.season = (SELECT season FROM params) AND r.started AND r.position IS NOT NULL
),
tally AS (
    SELECT
        driver_id,
        count(*) AS races,
        sum(gained) AS positions_gained,
        round(avg(CAST(gained AS double)), 2) AS avg_gained,
        max(gained) AS best_gain
    FROM finishes
    GROUP BY driver_id
)
SELECT
    (SELECT season FROM params) AS season,
    t.driver_id,
    ds.driver_name,
    ds.constructor_id,
    ds.constructor_name,
    t.races,
    t.positions_gained,
    t.avg_gained,
    t.best_gain
FROM tally AS t
LEFT JOIN driver_seasons AS ds
    ON ds.season = (SELECT season FROM params) AND ds.driver_id = t.driver_id
ORDER BY t.positions_gained DESC, t.driver_id
