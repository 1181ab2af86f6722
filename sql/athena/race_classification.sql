-- Race classification of every Grand Prix of a season: finishing order, status, gap, points.
-- Answers: one row per entry per round in finishing order (position_order), with the grid, the
--   published gap to the winner (the winner's total time; "+N laps" when lapped and the
--   published time is absent; the status for a retirement) and the positions gained.
-- @param season integer  Championship year, e.g. 2023.
-- Notes: pos is the published position text (R retired, D disqualified, W withdrawn...);
--   finish is NULL for an unclassified entry; a pit-lane start (grid 0) gains nothing.
WITH params AS (
    SELECT CAST(:season AS integer) AS season
),
entries AS (
    SELECT r.*, max(r.laps) OVER (PARTITION BY r.round) AS winner_laps
    FROM race_results AS r
    WHERE r.season = (SELECT season FROM params)
)
SELECT
    e.season,
    e.round,
    e.race_name,
    e.position_order,
    e.position_text AS pos,
    e.driver_id,
    e.driver_name,
    e.constructor_id,
    e.constructor_name,
    e.grid,
    e.position AS finish,
    e.laps,
    e.status,
    CASE
        WHEN e.time_text IS NOT NULL AND e.time_text <> '' THEN e.time_text
        WHEN e.position IS NOT NULL AND e.laps < e.winner_laps
            THEN '+' || CAST(e.winner_laps - e.laps AS varchar)
            || CASE WHEN e.winner_laps - e.laps = 1 THEN ' lap' ELSE ' laps' END
        ELSE e.status
    END AS gap,
    e.points,
    CASE WHEN e.grid > 0 AND e.position IS NOT NULL THEN e.grid - e.position END
        AS positions_gained
FROM entries AS e
ORDER BY e.round, e.position_order, e.entry
