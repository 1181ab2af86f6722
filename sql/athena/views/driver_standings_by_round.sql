-- View: the drivers' championship after every round, derived from results and sprints.
-- Answers: standings progression: each driver's points and wins after each round of a season,
--   from his first race on, and his position then, as the official table numbers it.
-- Parameters: none (filter on season in the query that uses the view).
-- Notes:
--   - points apply the era's dropped scores (view dropped_scores: the best N results so far,
--     per part of a split season) and the governing body's decisions (view
--     championship_adjustments), so they equal the official table round by round;
--     points_scored is the plain sum of every result so far, before both.
--   - position: one per driver, as the official tables number them: by points, then the
--     count-back, the running order and the name (view countback_by_round); a driver marked
--     by a decision (position_text 'D') comes after every ranked one. position_text is the
--     position, or that mark.
--   - only the drivers the official table lists (countback_by_round.listed).
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
),
adjusted AS (
    SELECT
        t.season,
        t.round,
        t.driver_id,
        t.points + coalesce(a.points, 0.0) AS points,
        t.points_scored,
        t.wins,
        a.position_text AS mark,
        c.countback_key,
        c.running_key,
        c.sort_name
    FROM totals AS t
    JOIN countback_by_round AS c
        ON c.season = t.season AND c.round = t.round AND c.entrant = 'driver'
        AND c.entrant_id = t.driver_id
    LEFT JOIN championship_adjustments AS a
        ON a.championship = 'drivers' AND a.season = t.season AND a.entrant_id = t.driver_id
        AND t.round >= a.from_round
    WHERE c.listed
),
ranked AS (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY season, round
            ORDER BY CASE WHEN mark IS NULL THEN 0 ELSE 1 END, points DESC,
                countback_key DESC, running_key DESC, sort_name, driver_id
        ) AS position
    FROM adjusted
)
SELECT
    r.season,
    r.round,
    r.position,
    coalesce(r.mark, CAST(r.position AS varchar)) AS position_text,
    r.driver_id,
    r.points,
    r.points_scored,
    coalesce(tr.round_points, 0.0) AS round_points,
    r.wins
FROM ranked AS r
LEFT JOIN this_round AS tr
    ON tr.season = r.season AND tr.round = r.round AND tr.driver_id = r.driver_id
