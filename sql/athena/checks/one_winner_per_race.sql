-- Check: every Grand Prix and sprint with a classified finisher has exactly one winner.
-- Why: a missing or doubled winner means a truncated or duplicated classification (a page of
--   the API lost or read twice), and every wins count and standing would be wrong.
-- @param season integer  Championship year to check, or NULL for every season.
-- Returns: one row per violating race/sprint (empty = pass).
-- Exceptions: a shared drive (until 1978 drivers could share one car): every driver of the
--   winning car is listed at position 1 (1951 French GP Fagioli/Fangio, 1956 Argentine GP
--   Musso/Fangio, 1957 British GP Brooks/Moss). Winners are counted as cars (constructor + car
--   number), so a shared winning car is one winner.
WITH params AS (
    SELECT CAST(:season AS integer) AS season
),
classified AS (
    SELECT season, round, session, position, constructor_id, car_number
    FROM scoring_results
    WHERE (SELECT season FROM params) IS NULL OR season = (SELECT season FROM params)
)
SELECT
    season,
    round,
    session,
    count(DISTINCT CASE WHEN position = 1 THEN
        coalesce(constructor_id, '?') || '#' || coalesce(CAST(car_number AS varchar), '?') END)
        AS winners,
    'expected exactly one winning car among ' || CAST(count(position) AS varchar)
        || ' classified entries' AS problem
FROM classified
GROUP BY season, round, session
HAVING count(position) > 0
    AND count(DISTINCT CASE WHEN position = 1 THEN
        coalesce(constructor_id, '?') || '#' || coalesce(CAST(car_number AS varchar), '?') END) <> 1
ORDER BY season, round, session
