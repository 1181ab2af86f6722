-- View: the drivers' championship after every round, derived from results and sprints.
-- Answers: standings progression: each driver's points and wins after each round of a season,
--   from his first race on, and his position then.
-- Parameters: none (filter on season in the query that uses the view).
-- Notes:
--   - points apply the era's dropped scores (view dropped_scores: the best N results so far,
--     per part of a split season), so they equal the official table round by round;
--     points_scored is the plain sum of every result so far.
--   - position: by points, then wins (the full count-back: view countback_by_round, applied by
--     standings.sql and standings_progression.sql).
--   - Governing-body adjustments (exclusions, deductions) are not applied; see
--     checks/driver_points_reconcile.sql for the list.
CREATE OR REPLACE VIEW driver_standings_by_round AS
WITH rounds AS (
    SELECT DISTINCT season, round FROM scoring_results
),
entrants AS (
    SELECT season, driver_id, min(round) AS first_round
    FROM scoring_results
    GROUP BY season, driver_id
),
grid AS (
    SELECT r.season, r.round, e.driver_id
    FROM rounds AS r
    JOIN entrants AS e ON e.season = r.season AND r.round >= e.first_round
),
-- Every result so far at each round, ranked within its part of the season for dropped scores.
so_far AS (
    SELECT
        g.season,
        g.round,
        g.driver_id,
        s.points,
        s.session,
        s.position_text,
        d.best_first,
        d.best_second,
        CASE WHEN s.round > d.split_after_round THEN 2 ELSE 1 END AS part,
        row_number() OVER (
            PARTITION BY g.season, g.round, g.driver_id,
                CASE WHEN s.round > d.split_after_round THEN 2 ELSE 1 END
            ORDER BY s.points DESC
        ) AS rank_in_part
    FROM grid AS g
    JOIN scoring_results AS s
        ON s.season = g.season AND s.driver_id = g.driver_id AND s.round <= g.round
    LEFT JOIN dropped_scores AS d ON d.championship = 'drivers' AND d.season = g.season
),
totals AS (
    SELECT
        season,
        round,
        driver_id,
        sum(
            CASE
                WHEN best_first IS NULL THEN points
                WHEN part = 1 AND rank_in_part <= best_first THEN points
                WHEN part = 2 AND rank_in_part <= best_second THEN points
                ELSE 0.0
            END
        ) AS points,
        sum(points) AS points_scored,
        sum(CASE WHEN session = 'race' AND position_text = '1' THEN 1 ELSE 0 END) AS wins
    FROM so_far
    GROUP BY season, round, driver_id
),
this_round AS (
    SELECT season, round, driver_id, sum(points) AS round_points
    FROM scoring_results
    GROUP BY season, round, driver_id
)
SELECT
    t.season,
    t.round,
    rank() OVER (PARTITION BY t.season, t.round ORDER BY t.points DESC, t.wins DESC) AS position,
    t.driver_id,
    t.points,
    t.points_scored,
    coalesce(tr.round_points, 0.0) AS round_points,
    t.wins
FROM totals AS t
LEFT JOIN this_round AS tr
    ON tr.season = t.season AND tr.round = t.round AND tr.driver_id = t.driver_id
