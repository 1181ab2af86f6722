-- A season's calendar: every round of its published schedule, run and still to run.
-- Answers: one row per round in calendar order, with the Grand Prix, its date and circuit,
--   whether it has been run (results in the lake) and, once run, its winner; the rounds with
--   run = false are the ones still to come of a season in progress.
-- @param season integer  Championship year, e.g. 2025.
WITH params AS (
    SELECT CAST(:season AS integer) AS season
),
winners AS (
    SELECT round, max(CASE WHEN position_text = '1' THEN driver_name END) AS winner_name
    FROM race_results
    WHERE season = (SELECT season FROM params)
    GROUP BY round
)
SELECT
    s.season,
    s.round,
    s.race_name,
    s.race_date,
    s.circuit_name,
    s.country,
    s.run,
    w.winner_name
FROM schedule AS s
LEFT JOIN winners AS w ON w.round = s.round
WHERE s.season = (SELECT season FROM params)
ORDER BY s.round
