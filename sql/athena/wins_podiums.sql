-- Wins, podiums and starts of every driver in a season's Grands Prix.
-- Answers: who won and who stood on the podium how often, out of how many starts.
-- @param season integer  Championship year, e.g. 2023.
-- Notes: Grands Prix only (a sprint win is no Grand Prix win). A start is any entry that did
--   not fail to qualify (F) or withdraw (W). Counted per race: a driver who shared two cars in
--   one race (before 1979) has one start and at most one win or podium there.
WITH params AS (
    SELECT CAST(:season AS integer) AS season
),
starts AS (
    SELECT round, driver_id, position_text
    FROM race_results
    WHERE season = (SELECT season FROM params) AND started
),
tally AS (
    SELECT
        driver_id,
        count(DISTINCT CASE WHEN position_text = '1' THEN round END) AS wins,
        count(DISTINCT CASE WHEN position_text IN ('1', '2', '3') THEN round END) AS podiums,
        count(DISTINCT round) AS starts
    FROM starts
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
