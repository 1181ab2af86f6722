-- View: each constructor of each season with the name the dashboards show.
-- Answers: constructor_name per (season, constructor_id), the constructors' counterpart of view
--   driver_seasons, so the team queries do not each group results for a name.
-- Parameters: none (filter on season in the query that uses the view).
-- Notes: Grand Prix entries only; entries without a constructor (a few historical ones) are left
--   out. Should a constructor's name change within a season, the greatest name is shown.
CREATE OR REPLACE VIEW constructor_seasons AS
SELECT
    CAST(season AS integer) AS season,
    constructor_id,
    max(constructor_name) AS constructor_name
FROM results
WHERE constructor_id IS NOT NULL
GROUP BY CAST(season AS integer), constructor_id
