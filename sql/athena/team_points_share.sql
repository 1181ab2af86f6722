-- The top teams' share of the points scored in each decade, in percent.
-- Answers: one row per decade and team for the ten teams with the highest share in any decade.
-- Parameters: none (every season in the lake).
-- Notes: Grand Prix points as scored (view race_results), all drivers of a team summed, as a
--   share of every point scored that decade, so decades with different scales compare.
WITH points AS (
    SELECT
        season - season % 10 AS decade,
        constructor_id,
        max(constructor_name) AS constructor_name,
        sum(points) AS points
    FROM race_results
    WHERE constructor_id IS NOT NULL
    GROUP BY season - season % 10, constructor_id
),
shares AS (
    SELECT
        decade,
        constructor_id,
        constructor_name,
        points,
        100 * points / nullif(sum(points) OVER (PARTITION BY decade), 0) AS share_pct
    FROM points
),
top_teams AS (
    SELECT constructor_id
    FROM shares
    GROUP BY constructor_id
    ORDER BY max(share_pct) DESC, constructor_id
    LIMIT 10
)
SELECT s.decade, s.constructor_id, s.constructor_name, s.points, round(s.share_pct, 1) AS share_pct
FROM shares AS s
JOIN top_teams AS t ON t.constructor_id = s.constructor_id
ORDER BY s.decade, s.share_pct DESC
