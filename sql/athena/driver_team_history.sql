-- A driver's teams over his career: every spell with a constructor, in order (SCD type 2).
-- Answers: per spell (view driver_teams): spell, constructor_name, first_season/first_round to
--   last_season/last_round, races, car_numbers (as text: '1, 33'), valid_from and valid_to
--   (dates: from his first race for the team to his first race for the next one; NULL after his
--   latest race), is_latest.
-- @param driver varchar  driverId or full name, any case: hamilton, 'Fernando Alonso' (NULL: all).
-- Notes: a return to a team is a new spell; before 1979 a race shared with a second team's car
--   appears in both teams' spells.
WITH params AS (
    SELECT lower(CAST(:driver AS varchar)) AS driver
)
SELECT
    driver_id, driver_name, spell, constructor_id, constructor_name, first_season, first_round,
    last_season, last_round, races, array_join(car_numbers, ', ') AS car_numbers, valid_from,
    valid_to, is_latest
FROM driver_teams
WHERE (SELECT driver FROM params) IS NULL
    OR lower(driver_id) = (SELECT driver FROM params)
    OR lower(driver_name) = (SELECT driver FROM params)
ORDER BY driver_id, spell
