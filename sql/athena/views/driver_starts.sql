-- View: one row per driver per Grand Prix he started, with whether he won and made the podium.
-- Answers: the base of the wins, podiums and starts counts (wins_podiums, alltime_wins,
--   alltime_podiums), so each counts rows instead of de-duplicating shared cars itself.
-- Parameters: none (filter on season in the query that uses the view).
-- Notes: a start is an entry not F (failed to qualify) nor W (withdrawn), view race_results. A
--   driver who shared two cars in one race (before 1979) has one start there, won if either
--   car won (a shared winning car credits each of its drivers) and on the podium if either car
--   was.
CREATE OR REPLACE VIEW driver_starts AS
SELECT
    season,
    round,
    driver_id,
    max(driver_name) AS driver_name,
    bool_or(position_text = '1') AS won,
    bool_or(position_text IN ('1', '2', '3')) AS podium
FROM race_results
WHERE started
GROUP BY season, round, driver_id
