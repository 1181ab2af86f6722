-- Check: no Grand Prix or sprint paid more points than its era allowed, in total or to one
--   driver.
-- Why: points come straight from the source; a wrong scale, a doubled row or a unit slip would
--   inflate every standing built on them. The maximum of a session is its era's points scale
--   (view points_scale) plus the era's fastest-lap bonus, times the race's factor (view
--   race_points_factors: half points, the 2014 double-points finale); one driver can earn at
--   most the winner's points plus the bonus.
-- @param season integer  Championship year to check, or NULL for every season.
-- Returns: one row per session that paid too much (empty = pass).
-- Eras of the fastest-lap bonus (race only): 1950-1959 one point, shared between drivers who set
--   the same time (1954 British GP: 1/7 each); 2019-2024 one point if classified in the top ten;
--   none otherwise (and none in sprints).
-- Exceptions: none needed over 1950-2025. Shared drives (before 1979) split the points of one
--   place, so they never exceed the place's value; a driver sharing two cars adds both shares,
--   still under the winner's value plus the bonus.
WITH params AS (
    SELECT CAST(:season AS integer) AS season
),
fastest_lap_bonus (first_season, last_season, session, bonus) AS (
    VALUES (1950, 1959, 'race', 1.0), (2019, 2024, 'race', 1.0)
),
limits AS (
    SELECT
        s.season,
        s.round,
        s.session,
        sum(s.points) AS paid,
        max(s.points) AS paid_one_entry
    FROM scoring_results AS s
    WHERE (SELECT season FROM params) IS NULL OR s.season = (SELECT season FROM params)
    GROUP BY s.season, s.round, s.session
),
driver_best AS (
    SELECT season, round, session, max(points) AS paid_one_driver
    FROM (
        SELECT season, round, session, driver_id, sum(points) AS points
        FROM scoring_results
        WHERE (SELECT season FROM params) IS NULL OR season = (SELECT season FROM params)
        GROUP BY season, round, session, driver_id
    ) AS per_driver
    GROUP BY season, round, session
),
allowed AS (
    SELECT
        l.season,
        l.round,
        l.session,
        l.paid,
        b.paid_one_driver,
        coalesce(f.factor, 1.0) AS factor,
        coalesce(fl.bonus, 0.0) AS bonus,
        (
            SELECT coalesce(sum(ps.points), 0.0)
            FROM points_scale AS ps
            WHERE ps.session = l.session AND l.season BETWEEN ps.first_season AND ps.last_season
        ) AS scale_total,
        (
            SELECT coalesce(max(ps.points), 0.0)
            FROM points_scale AS ps
            WHERE ps.session = l.session AND l.season BETWEEN ps.first_season AND ps.last_season
        ) AS scale_winner
    FROM limits AS l
    JOIN driver_best AS b ON b.season = l.season AND b.round = l.round AND b.session = l.session
    LEFT JOIN race_points_factors AS f
        ON l.session = 'race' AND f.season = l.season AND f.round = l.round
    LEFT JOIN fastest_lap_bonus AS fl
        ON fl.session = l.session AND l.season BETWEEN fl.first_season AND fl.last_season
),
judged AS (
    SELECT
        *,
        (scale_total + bonus) * factor AS max_total,
        (scale_winner + bonus) * factor AS max_one_driver
    FROM allowed
)
SELECT
    season,
    round,
    session,
    paid,
    max_total,
    paid_one_driver,
    max_one_driver,
    CASE
        WHEN paid > max_total + 1e-6
            THEN 'paid ' || CAST(paid AS varchar) || ' points in total, era maximum '
                || CAST(max_total AS varchar)
        ELSE 'one driver scored ' || CAST(paid_one_driver AS varchar) || ', era maximum '
            || CAST(max_one_driver AS varchar)
    END AS problem
FROM judged
WHERE paid > max_total + 1e-6 OR paid_one_driver > max_one_driver + 1e-6
ORDER BY season, round, session
