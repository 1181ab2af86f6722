-- View: the constructors' championship after every round (1958 on), derived from results and
--   sprints by the rules of the era (view constructor_race_points).
-- Answers: standings progression: each constructor's points and wins after each round.
-- Parameters: none (filter on season in the query that uses the view).
-- Notes:
--   - points apply the era's dropped scores (best N races, 1958-1978, view dropped_scores);
--     points_scored is the plain sum of every race so far.
--   - position: by points, then wins (the full count-back: view countback_by_round, applied by
--     team_standings.sql and team_standings_progression.sql).
--   - Governing-body adjustments (2007 McLaren exclusion, 2018 Force India, 2020 Racing Point)
--     are not applied; see checks/constructor_points_reconcile.sql for the list.
CREATE OR REPLACE VIEW constructor_standings_by_round AS
WITH rounds AS (
    SELECT DISTINCT season, round FROM constructor_race_points
),
entrants AS (
    SELECT season, constructor_id, min(round) AS first_round
    FROM constructor_race_points
    GROUP BY season, constructor_id
),
grid AS (
    SELECT r.season, r.round, e.constructor_id
    FROM rounds AS r
    JOIN entrants AS e ON e.season = r.season AND r.round >= e.first_round
),
so_far AS (
    SELECT
        g.season,
        g.round,
        g.constructor_id,
        c.points,
        c.wins,
        d.best_first,
        d.best_second,
        CASE WHEN c.round > d.split_after_round THEN 2 ELSE 1 END AS part,
        row_number() OVER (
            PARTITION BY g.season, g.round, g.constructor_id,
                CASE WHEN c.round > d.split_after_round THEN 2 ELSE 1 END
            ORDER BY c.points DESC
        ) AS rank_in_part
    FROM grid AS g
    JOIN constructor_race_points AS c
        ON c.season = g.season AND c.constructor_id = g.constructor_id AND c.round <= g.round
    LEFT JOIN dropped_scores AS d ON d.championship = 'constructors' AND d.season = g.season
),
totals AS (
    SELECT
        season,
        round,
        constructor_id,
        sum(
            CASE
                WHEN best_first IS NULL THEN points
                WHEN part = 1 AND rank_in_part <= best_first THEN points
                WHEN part = 2 AND rank_in_part <= best_second THEN points
                ELSE 0.0
            END
        ) AS points,
        sum(points) AS points_scored,
        sum(wins) AS wins
    FROM so_far
    GROUP BY season, round, constructor_id
)
SELECT
    t.season,
    t.round,
    rank() OVER (PARTITION BY t.season, t.round ORDER BY t.points DESC, t.wins DESC) AS position,
    t.constructor_id,
    t.points,
    t.points_scored,
    coalesce(c.points, 0.0) AS round_points,
    t.wins
FROM totals AS t
LEFT JOIN constructor_race_points AS c
    ON c.season = t.season AND c.round = t.round AND c.constructor_id = t.constructor_id
