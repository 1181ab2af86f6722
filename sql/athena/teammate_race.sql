-- Teammates' race head-to-head in a season: who finished ahead of whom, how often.
-- Answers: for every pair of drivers of one constructor who both started the same Grands Prix,
--   the races compared and how many times each finished ahead (by the order of the
--   classification, so a finisher is ahead of a retirement and the longer-running retirement
--   ahead of the shorter). One row per pair: driver is the one ahead more often (level: the
--   first by driver_id), teammate the other.
-- @param season integer  Championship year, e.g. 2023.
-- Notes: starts only (not F, not W); a team that ran three or more drivers gives one row per
--   pair that shared a race. A driver's best entry counts when he shared two cars (before 1979).
--   The pairing and counting is view teammate_duels (session 'race'), shared with
--   teammate_qualifying.
WITH params AS (
    SELECT CAST(:season AS integer) AS season
)
SELECT
    season, constructor_id, constructor_name, driver_id, driver_name,
    teammate_id, teammate_name, races, driver_ahead, teammate_ahead
FROM teammate_duels
WHERE season = (SELECT season FROM params) AND session = 'race'
ORDER BY constructor_name, constructor_id, driver_id, teammate_id
