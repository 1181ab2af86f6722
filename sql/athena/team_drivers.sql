-- Who drove for a team in a season: its drivers, their races and their spell with the team.
-- Answers: per driver who entered a Grand Prix for the constructor in the season: driver_name,
--   races, first_round and last_round of the season with the team, car_numbers ('1, 33'), his
--   whole spell there (spell_from_season to spell_to_season, spell_races) from view driver_teams.
-- @param season integer  Championship year, e.g. 2019.
-- @param constructor varchar  constructorId or name, any case: ferrari, 'Red Bull' (NULL: all).
-- Notes: a driver who also raced for another team that season is listed here for his races
--   with this one; team_drivers for the other team lists the rest.
WITH params AS (
    SELECT CAST(:season AS integer) AS season, lower(CAST(:constructor AS varchar)) AS team
),
entries AS (
    SELECT *
    FROM race_results
    WHERE season = (SELECT season FROM params)
        AND ((SELECT team FROM params) IS NULL
            OR lower(constructor_id) = (SELECT team FROM params)
            OR lower(constructor_name) = (SELECT team FROM params))
),
season_drivers AS (
    SELECT
        season,
        constructor_id,
        max_by(constructor_name, round) AS constructor_name,
        driver_id,
        max_by(driver_name, round) AS driver_name,
        count(DISTINCT round) AS races,
        min(round) AS first_round,
        max(round) AS last_round,
        array_join(
            array_sort(array_distinct(array_agg(car_number) FILTER (WHERE car_number IS NOT NULL))),
            ', '
        ) AS car_numbers
    FROM entries
    GROUP BY season, constructor_id, driver_id
)
SELECT
    d.season,
    d.constructor_id,
    d.constructor_name,
    d.driver_id,
    d.driver_name,
    d.races,
    d.first_round,
    d.last_round,
    d.car_numbers,
    t.first_season AS spell_from_season,
    t.last_season AS spell_to_season,
    t.races AS spell_races
FROM season_drivers AS d
LEFT JOIN driver_teams AS t
    ON t.driver_id = d.driver_id
    AND t.constructor_id = d.constructor_id
    AND d.season * 100 + d.first_round BETWEEN t.first_season * 100 + t.first_round
        AND t.last_season * 100 + t.last_round
ORDER BY d.constructor_name, d.first_round, d.races DESC, d.driver_name
