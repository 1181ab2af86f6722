-- Points each driver scored at each circuit of a season (Grand Prix plus sprint).
-- Answers: where the points came from: per round and circuit, every driver who scored there
--   and how many points (as scored; the era's dropped scores are not applied).
-- @param season integer  Championship year, e.g. 2023.
-- Notes: drivers who scored nothing at a circuit are left out; sprint points count at the
--   circuit of their weekend.
WITH params AS (
    SELECT CAST(:season AS integer) AS season
),
scored AS (
    SELECT round, driver_id, sum(points) AS points
    FROM scoring_results
    WHERE season = (SELECT season FROM params)
    GROUP BY round, driver_id
    HAVING sum(points) > 0
),
calendar AS (
    SELECT round, race_name, circuit_id, circuit_name, country
    FROM races
    WHERE CAST(season AS integer) = (SELECT season FROM params)
)
SELECT
    (SELECT season FROM params) AS season,
    s.round,
    c.race_name,
    c.circuit_id,
    c.circuit_name,
    c.country,
    s.driver_id,
    ds.driver_name,
    ds.constructor_id,
    ds.constructor_name,
    s.points
FROM scored AS s
LEFT JOIN calendar AS c ON c.round = s.round
LEFT JOIN driver_seasons AS ds
    ON ds.season = (SELECT season FROM params) AND ds.driver_id = s.driver_id
ORDER BY s.round, s.points DESC, s.driver_id
