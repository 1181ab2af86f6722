-- The drivers' championship of a season (results plus sprints, by the rules of the era).
-- Answers: where each driver finished a season's drivers' championship, as the official table
--   lists it: position (position_text 'D' for a driver disqualified from the championship),
--   points counted (after the era's dropped scores and the governing body's decisions),
--   points scored (before both), wins, podiums, races. Ordered by points, then the FIA
--   count-back, the running order and the name (view countback_by_round); the official
--   table's own entrants only (a driver with no classified finish is left out from 1992).
--   driver_name is "Forename Surname", constructor_name his team at his last race (view
--   driver_seasons). adjustment: the decision that changed his entry (view
--   championship_adjustments), NULL for most. provisional: the season's calendar still has
--   rounds to run (view season_calendars), so the table is not final.
-- @param season integer  Championship year, e.g. 2023.
-- Notes: the season's final table is view final_standings, which driver_career, champions and
--   alltime_championships read too, so they agree with it. Equals the official table
--   (positions and points) in every season 1950-2025 but the residual differences listed in
--   sql/athena/README.md. A season in progress gives the standings after its last round with
--   results.
WITH params AS (
    SELECT CAST(:season AS integer) AS season
),
final AS (
    SELECT
        position, position_text, entrant_id AS driver_id, points, points_scored, wins, provisional
    FROM final_standings
    WHERE season = (SELECT season FROM params) AND entrant = 'driver'
),
tallies AS (
    SELECT entrant_id AS driver_id, races, podiums
    FROM grand_prix_tallies
    WHERE season = (SELECT season FROM params) AND entrant = 'driver'
),
adjustments AS (
    SELECT entrant_id AS driver_id, decision
    FROM championship_adjustments
    WHERE championship = 'drivers' AND season = (SELECT season FROM params)
)
SELECT
    (SELECT season FROM params) AS season,
    s.position,
    s.position_text,
    s.driver_id,
    ds.driver_name,
    ds.constructor_id,
    ds.constructor_name,
    s.points,
    s.points_scored,
    s.wins,
    coalesce(t.podiums, 0) AS podiums,
    coalesce(t.races, 0) AS races,
    a.decision AS adjustment,
    s.provisional
FROM final AS s
LEFT JOIN tallies AS t ON t.driver_id = s.driver_id
LEFT JOIN adjustments AS a ON a.driver_id = s.driver_id
LEFT JOIN driver_seasons AS ds
    ON ds.season = (SELECT season FROM params) AND ds.driver_id = s.driver_id
ORDER BY s.position
