-- The seasons in the lake, newest first, with the number of Grands Prix that have results.
-- Answers: which seasons can be queried (the dashboards' season selector).
-- Parameters: none.
-- Notes: a season counts once it has Grand Prix results; a season in progress shows the races
--   run so far.
SELECT CAST(season AS integer) AS season, count(DISTINCT round) AS races
FROM results
GROUP BY CAST(season AS integer)
ORDER BY season DESC
