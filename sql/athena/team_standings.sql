-- The constructors' championship of a season (results plus sprints, by the rules of the era).
-- Answers: where each constructor finished a season's constructors' championship (1958 on), as
--   the official table lists it: position (position_text 'E' for a constructor excluded from
--   the championship), points counted (best-placed car only before 1979, dropped scores
--   1958-1978, Indianapolis 500 excluded: view constructor_race_points; the governing body's
--   decisions: view championship_adjustments), points scored (before dropped scores and
--   decisions), wins, podiums, races. Ordered by points, then the count-back over all its
--   cars' Grand Prix places, their running order and the name (view countback_by_round).
--   adjustment: the decision that changed its entry, NULL for most. provisional: the season's
--   calendar still has rounds to run (view season_calendars).
-- @param season integer  Championship year, e.g. 2023 (the championship exists from 1958).
-- Notes: the season's final table is view final_standings, which champions reads too. Equals
--   the official table (positions and points) in every season 1958-2025 but the
--   residual differences listed in sql/athena/README.md (1958 Maserati and 1967
--   Cooper-Maserati are source differences in points).
WITH params AS (
    SELECT CAST(:season AS integer) AS season
),
final AS (
    SELECT
        position,
        position_text,
        entrant_id AS constructor_id,
        points,
        points_scored,
        wins,
        provisional
    FROM final_standings
    WHERE season = (SELECT season FROM params) AND entrant = 'constructor'
),
tallies AS (
    SELECT entrant_id AS constructor_id, races, podiums
    FROM grand_prix_tallies
    WHERE season = (SELECT season FROM params) AND entrant = 'constructor'
),
adjustments AS (
    SELECT entrant_id AS constructor_id, decision
    FROM championship_adjustments
    WHERE championship = 'constructors' AND season = (SELECT season FROM params)
)
SELECT
    (SELECT season FROM params) AS season,
    s.position,
    s.position_text,
    s.constructor_id,
    cs.constructor_name,
    s.points,
    s.points_scored,
    s.wins,
    coalesce(t.podiums, 0) AS podiums,
    coalesce(t.races, 0) AS races,
    a.decision AS adjustment,
    s.provisional
FROM final AS s
LEFT JOIN tallies AS t ON t.constructor_id = s.constructor_id
LEFT JOIN adjustments AS a ON a.constructor_id = s.constructor_id
LEFT JOIN constructor_seasons AS cs
    ON cs.season = (SELECT season FROM params) AND cs.constructor_id = s.constructor_id
ORDER BY s.position
