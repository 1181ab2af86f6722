-- Teammates' qualifying head-to-head in a season: who out-qualified whom, how often.
-- Answers: for every pair of drivers of one constructor who both qualified for the same races,
--   the races compared and how many times each qualified ahead. One row per pair: driver is
--   the one ahead more often (level: the first by driver_id), teammate the other.
-- @param season integer  Championship year, e.g. 2023.
-- Notes: qualifying position as in view qualifying_positions (the qualifying table from 1994,
--   else the starting grid). A team that ran three or more drivers gives one row per pair that
--   shared a race; entries without a qualifying position (no time set) are left out. The
--   pairing and counting is view teammate_duels (session 'qualifying'), shared with teammate_race.
WITH params AS (
    SELECT CAST(:season AS integer) AS season
)
SELECT
    season, constructor_id, constructor_name, driver_id, driver_name,
    teammate_id, teammate_name, races, driver_ahead, teammate_ahead
FROM teammate_duels
WHERE season = (SELECT season FROM params) AND session = 'qualifying'
ORDER BY constructor_name, constructor_id, driver_id, teammate_id
