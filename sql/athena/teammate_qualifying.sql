-- Teammates' qualifying head-to-head in a season: who out-qualified whom, how often.
-- Answers: for every pair of drivers of one constructor who both qualified for the same races,
--   the races compared and how many times each qualified ahead. One row per pair: driver is
--   the one ahead more often (level: the first by driver_id), teammate the other.
-- @param season integer  Championship year, e.g. 2023.
-- Notes: qualifying position as in view qualifying_positions (the qualifying table from 1994,
--   else the starting grid). A team that ran three or more drivers gives one row per pair that
--   shared a race; entries without a qualifying position (no time set) are left out.
WITH params AS (
    SELECT CAST(:season AS integer) AS season
),
entries AS (
    SELECT DISTINCT round, constructor_id, driver_id, qualifying_position AS place
    FROM qualifying_positions
    WHERE season = (SELECT season FROM params)
        AND constructor_id IS NOT NULL AND qualifying_position IS NOT NULL
),
duels AS (
    SELECT
        a.constructor_id,
        a.driver_id,
        b.driver_id AS teammate_id,
        count(*) AS races,
        sum(CASE WHEN a.place < b.place THEN 1 ELSE 0 END) AS driver_ahead,
        sum(CASE WHEN b.place < a.place THEN 1 ELSE 0 END) AS teammate_ahead
    FROM entries AS a
    JOIN entries AS b
        ON b.round = a.round AND b.constructor_id = a.constructor_id
        AND b.driver_id <> a.driver_id
    GROUP BY a.constructor_id, a.driver_id, b.driver_id
),
names AS (
    SELECT constructor_id, max(constructor_name) AS constructor_name
    FROM race_results
    WHERE season = (SELECT season FROM params)
    GROUP BY constructor_id
)
SELECT
    (SELECT season FROM params) AS season,
    d.constructor_id,
    n.constructor_name,
    d.driver_id,
    dd.driver_name,
    d.teammate_id,
    td.driver_name AS teammate_name,
    d.races,
    d.driver_ahead,
    d.teammate_ahead
FROM duels AS d
LEFT JOIN names AS n ON n.constructor_id = d.constructor_id
LEFT JOIN driver_seasons AS dd
    ON dd.season = (SELECT season FROM params) AND dd.driver_id = d.driver_id
LEFT JOIN driver_seasons AS td
    ON td.season = (SELECT season FROM params) AND td.driver_id = d.teammate_id
WHERE d.driver_ahead > d.teammate_ahead
    OR (d.driver_ahead = d.teammate_ahead AND d.driver_id < d.teammate_id)
ORDER BY n.constructor_name, d.constructor_id, d.driver_id, d.teammate_id
