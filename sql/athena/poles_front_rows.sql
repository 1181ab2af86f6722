-- Pole positions and front-row starts of every driver in a season.
-- Answers: who qualified fastest (poles) and who started from the front row (front_rows: grid
--   1 or 2), out of how many starts.
-- @param season integer  Championship year, e.g. 2023.
-- Notes: a pole is qualifying position 1 (view qualifying_positions: the qualifying table
--   from 1994, the starting grid for races without qualifying data), so a pole sitter with a
--   grid penalty keeps his pole but not his front-row start. Front row = the first two grid
--   slots (the 1950s grids put three or four cars abreast).
WITH params AS (
    SELECT CAST(:season AS integer) AS season
),
entries AS (
    SELECT round, driver_id, qualifying_position, grid
    FROM qualifying_positions
    WHERE season = (SELECT season FROM params) AND started
),
tally AS (
    SELECT
        driver_id,
        count(DISTINCT CASE WHEN qualifying_position = 1 THEN round END) AS poles,
        count(DISTINCT CASE WHEN grid IN (1, 2) THEN round END) AS front_rows,
        count(DISTINCT round) AS starts
    FROM entries
    GROUP BY driver_id
)
SELECT
    (SELECT season FROM params) AS season,
    t.driver_id,
    ds.driver_name,
    ds.constructor_name,
    t.poles,
    t.front_rows,
    t.starts
FROM tally AS t
LEFT JOIN driver_seasons AS ds
    ON ds.season = (SELECT season FROM params) AND ds.driver_id = t.driver_id
ORDER BY t.poles DESC, t.front_rows DESC, t.starts DESC, t.driver_id
