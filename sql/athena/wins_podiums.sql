-- Wins, podiums and starts of every driver in a season's Grands Prix.
-- Answers: who won and who stood on the podium how often, out of how many starts.
-- @param season integer  Championship year, e.g. 2023.
-- Notes: Grands Prix only (a sprint win is no Grand Prix win). A start is any entry that did
--   not fail to qualify (F) or withdraw (W). Counted per race: a driver who shared two cars in
--   one race (before 1979) has one start and at most one win or podium there.
WITH params AS (
    SELECT CAST(:season AS integer) AS season
),
tally AS (
    SELECT
        driver_id,
        count_if(won) AS wins,
        count_if(podium) AS podiums,
        count(*) AS starts
    FROM driver_starts
    WHERE season = (SELECT season FROM params)
    GROUP BY driver_id
)
SELECT
    (SELECT season FROM params) AS season,
    t.driver_id,
    ds.driver_name,
    ds.constructor_name,
    t.wins,
    t.podiums,
    t.starts
FROM tally AS t
LEFT JOIN driver_seasons AS ds
    ON ds.season = (SELECT season FROM params) AND ds.driver_id = t.driver_id
ORDER BY t.wins DESC, t.podiums DESC, t.starts DESC, t.driver_id
