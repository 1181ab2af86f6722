-- Races of a season with results: the race selector's values (round and Grand Prix name).
-- Answers: one row per round run (results in the lake), in calendar order, with its winner.
-- @param season integer  Championship year, e.g. 2023.
WITH params AS (
    SELECT CAST(:season AS integer) AS season
)
SELECT
    season,
    round,
    max(race_name) AS race_name,
    max(race_date) AS race_date,
    max(circuit_name) AS circuit_name,
    max(CASE WHEN position_text = '1' THEN driver_name END) AS winner_name
FROM race_results
WHERE season = (SELECT season FROM params)
GROUP BY season, round
ORDER BY round
