-- View: where each Grand Prix entry qualified, for every race of every season.
-- Answers: qualifying_position (1 = pole) and grid (where the car started) per entry; the base
--   of poles and the teammates' qualifying head-to-head.
-- Parameters: none (filter on season in the query that uses the view).
-- Notes: qualifying_position is the qualifying classification (table qualifying, 1994 on)
--   where the race has one, else the starting grid (grid 0, a pit-lane start, is NULL): the
--   Ergast history has no qualifying rows before 1994 nor for many races of 1996-2002. A grid
--   penalty therefore moves a driver's grid, not his qualifying position, in races with
--   qualifying data. NULL: did not set a time (or started from the pit lane, without data).
CREATE OR REPLACE VIEW qualifying_positions AS
WITH timed AS (
    SELECT DISTINCT season, round FROM qualifying
)
SELECT
    CAST(r.season AS integer) AS season,
    r.round,
    r.entry,
    r.driver_id,
    r.constructor_id,
    r.grid,
    CASE WHEN t.round IS NOT NULL THEN q.position ELSE nullif(r.grid, 0) END
        AS qualifying_position,
    r.position_text NOT IN ('F', 'W') AS started
FROM results AS r
LEFT JOIN timed AS t ON t.season = r.season AND t.round = r.round
LEFT JOIN qualifying AS q
    ON q.season = r.season AND q.round = r.round AND q.driver_id = r.driver_id
    AND q.entry = r.entry
