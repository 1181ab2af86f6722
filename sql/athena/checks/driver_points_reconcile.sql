-- Check: each season's drivers' points derived from results and sprints equal the official
--   drivers' standings (table driver_standings) after the same round.
-- Why: the derived standings (views driver_standings_by_round, standings.sql) are what
--   analysts read; the official table proves both the ingested results and the rules applied.
-- Source variant (docs/source_variants.md): Jolpica gives the excluded 2007 McLaren 0
--   constructors' points where the Ergast data keeps 218; an official row marked D or E on 0
--   points reconciles with any derived total, a D or E row on any other total must match.
-- @param season integer  Championship year to check, or NULL for every season.
-- Returns: one row per driver whose points differ (empty = pass); a driver on 0 points may be
--   absent from either table (they list non-scorers by different rules) and is no violation.
-- Rules of the era applied, so they are not exceptions (view dropped_scores): only the best N
--   results counted in 1950-1990 (e.g. best 4 of 7 in 1950, 5 of the first 6 plus 4 of the last
--   5 in 1967, best 11 of 16 in 1988: Prost scored 105, counted 87, Senna champion on 90);
--   shared drives before 1958 split the points of the car and count as separate results.
-- Governing-body decisions: applied by the derived standings (view championship_adjustments:
--   1997 Michael Schumacher, disqualified from the championship for the Jerez collision, keeps
--   his 78 points and is marked 'D'), so the check holds them to the official table too.
--   Not decisions on the table:
--   - 1994 Schumacher (disqualified at Silverstone and Spa), 1984 Tyrrell (results annulled),
--     2005-2025 disqualifications: the results themselves carry 0 points (position_text D/E).
-- Exceptions: none over 1950-2025 (the official table is compared at its own last round, so a
--   season in progress whose standings lag its results is compared up to that round).
WITH params AS (
    SELECT CAST(:season AS integer) AS season
),
official AS (
    SELECT CAST(season AS integer) AS season, round, driver_id, points, position_text
    FROM driver_standings AS o
    WHERE (
        (SELECT season FROM params) IS NULL
        OR CAST(season AS integer) = (SELECT season FROM params)
    )
        AND round = (
            SELECT max(o2.round) FROM driver_standings AS o2 WHERE o2.season = o.season
        )
),
derived AS (
    SELECT d.season, d.round, d.driver_id, d.points
    FROM driver_standings_by_round AS d
    JOIN (SELECT DISTINCT season, round FROM official) AS r
        ON r.season = d.season AND r.round = d.round
)
SELECT
    coalesce(o.season, d.season) AS season,
    coalesce(o.round, d.round) AS round,
    coalesce(o.driver_id, d.driver_id) AS driver_id,
    d.points AS derived_points,
    o.points AS official_points,
    CASE
        WHEN o.driver_id IS NULL THEN 'not in the official standings'
        WHEN d.driver_id IS NULL THEN 'in the official standings but has no results'
        ELSE 'derived ' || CAST(d.points AS varchar) || ' <> official '
            || CAST(o.points AS varchar)
    END AS problem
FROM official AS o
FULL OUTER JOIN derived AS d
    ON d.season = o.season AND d.round = o.round AND d.driver_id = o.driver_id
-- The two tables list non-scorers by different rules (view countback_by_round; the seasons
-- where they differ are residual differences of the standings): a 0 missing from either is no
-- violation.
WHERE (
    (o.driver_id IS NULL AND d.points <> 0)
    OR (d.driver_id IS NULL AND o.points <> 0)
    OR abs(o.points - d.points) > 1e-6
)
    -- A source that zeroes an excluded entrant (D, E on 0 points) reconciles with any total.
    AND NOT coalesce(
        o.position_text IN ('D', 'E') AND o.points = 0 AND d.driver_id IS NOT NULL, false
    )
ORDER BY season, driver_id
