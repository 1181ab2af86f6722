-- Retirements of every Grand Prix of a season: who retired, on which lap, and why.
-- Answers: one row per retirement (position text R) per round, latest retirement first.
-- @param season integer  Championship year, e.g. 2023.
WITH params AS (
    SELECT CAST(:season AS integer) AS season
)
SELECT
    season,
    round,
    driver_id,
    driver_name,
    constructor_id,
    constructor_name,
    laps,
    cause,
    category
FROM retirements
WHERE season = (SELECT season FROM params)
ORDER BY round, laps DESC, driver_id
