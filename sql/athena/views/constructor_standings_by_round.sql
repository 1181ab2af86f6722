-- View: the constructors' championship after every round (1958 on), derived from results and
--   sprints by the rules of the era (view constructor_race_points).
-- Answers: standings progression: each constructor's points and wins after each round, and
--   its position then, as the official table numbers it.
-- Parameters: none (filter on season in the query that uses the view).
-- Notes:
--   - points apply the era's dropped scores (best N races, 1958-1978, view dropped_scores)
--     and the governing body's decisions (view championship_adjustments: 2007 McLaren
--     excluded, 2018 Force India and 2020 Racing Point deductions); points_scored is the plain
--     sum of every race so far, before both.
--   - position: one per constructor, by points, then the count-back over all its cars'
--     places, their running order and the name (view countback_by_round); a constructor
--     marked by a decision (position_text 'E') comes after every ranked one. position_text is
--     the position, or that mark.
--   - only the constructors the official table lists (countback_by_round.listed).
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
),
adjusted AS (
    SELECT
        t.season,
        t.round,
        t.constructor_id,
        t.points + coalesce(a.points, 0.0) AS points,
        t.points_scored,
        t.wins,
        a.position_text AS mark,
        c.countback_key,
        c.running_key,
        c.sort_name
    FROM totals AS t
    JOIN countback_by_round AS c
        ON c.season = t.season AND c.round = t.round AND c.entrant = 'constructor'
        AND c.entrant_id = t.constructor_id
    LEFT JOIN championship_adjustments AS a
        ON a.championship = 'constructors' AND a.season = t.season
        AND a.entrant_id = t.constructor_id AND t.round >= a.from_round
    WHERE c.listed
),
ranked AS (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY season, round
            ORDER BY CASE WHEN mark IS NULL THEN 0 ELSE 1 END, points DESC,
                countback_key DESC, running_key DESC, sort_name, constructor_id
        ) AS position
    FROM adjusted
)
SELECT
    r.season,
    r.round,
    r.position,
    coalesce(r.mark, CAST(r.position AS varchar)) AS position_text,
    r.constructor_id,
    r.points,
    r.points_scored,
    coalesce(c.points, 0.0) AS round_points,
    r.wins
FROM ranked AS r
LEFT JOIN constructor_race_points AS c
    ON c.season = r.season AND c.round = r.round AND c.constructor_id = r.constructor_id
