-- View: who drove for whom: one row per spell of a driver at a constructor (SCD type 2).
-- Answers: each unbroken run of a driver's Grands Prix for one constructor: driver_name,
--   constructor_id, constructor_name (at the spell's last race), spell (the driver's 1st, 2nd...
--   spell, in time order), first_season/first_round and last_season/last_round, races (Grands
--   Prix entered, starts or not), car_numbers (the numbers he raced, ascending), valid_from (date
--   of the spell's first race), valid_to (date of his first race for his next team: the end,
--   exclusive; NULL after his latest race), last_race_date, is_latest (his latest spell).
-- Parameters: none (filter on driver_id or constructor_id, and on the seasons, in the query).
-- Notes: a spell ends when the driver enters a Grand Prix for another constructor, so a return
--   is a new spell (Alonso at Renault 2003-2006, McLaren 2007, Renault again 2008-2009). Before
--   1979 a driver could drive two cars of two teams in one race: both spells include that race.
--   A spell is "valid" over time, not per race: Hamilton's McLaren spell (2007-2012) is valid
--   from 2007-03-18 to 2013-03-17, when his Mercedes spell begins. Entries without a
--   constructor (a few early ones) are left out.
CREATE OR REPLACE VIEW driver_teams AS
WITH entries AS (
    SELECT
        CAST(season AS integer) AS season,
        round,
        CAST(season AS integer) * 100 + round AS race_key,
        race_date,
        driver_id,
        driver_given_name || ' ' || driver_family_name AS driver_name,
        constructor_id,
        constructor_name,
        car_number
    FROM results
    WHERE constructor_id IS NOT NULL
),
driver_races AS (
    -- each driver's Grands Prix in order, with the date of his next one
    SELECT driver_id, race_key, lead(race_date) OVER (
        PARTITION BY driver_id ORDER BY race_key) AS next_race_date
    FROM (SELECT DISTINCT driver_id, race_key, race_date FROM entries)
),
numbered AS (
    -- gaps and islands: a driver's n-th race minus his n-th race for this team is constant
    -- over an unbroken spell
    SELECT
        *,
        dense_rank() OVER (PARTITION BY driver_id ORDER BY race_key)
        - dense_rank() OVER (PARTITION BY driver_id, constructor_id ORDER BY race_key) AS island
    FROM entries
),
spells AS (
    SELECT
        driver_id,
        max_by(driver_name, race_key) AS driver_name,
        constructor_id,
        max_by(constructor_name, race_key) AS constructor_name,
        min(race_key) AS first_key,
        max(race_key) AS last_key,
        min(season) AS first_season,
        min_by(round, race_key) AS first_round,
        max(season) AS last_season,
        max_by(round, race_key) AS last_round,
        count(DISTINCT race_key) AS races,
        array_sort(array_distinct(array_agg(car_number) FILTER (WHERE car_number IS NOT NULL)))
            AS car_numbers,
        min(race_date) AS valid_from,
        max(race_date) AS last_race_date
    FROM numbered
    GROUP BY driver_id, constructor_id, island
)
SELECT
    s.driver_id,
    s.driver_name,
    s.constructor_id,
    s.constructor_name,
    CAST(row_number() OVER (PARTITION BY s.driver_id ORDER BY s.first_key, s.constructor_id)
        AS integer) AS spell,
    s.first_season,
    s.first_round,
    s.last_season,
    s.last_round,
    CAST(s.races AS integer) AS races,
    s.car_numbers,
    s.valid_from,
    r.next_race_date AS valid_to,
    s.last_race_date,
    s.last_key = max(s.last_key) OVER (PARTITION BY s.driver_id) AS is_latest
FROM spells AS s
JOIN driver_races AS r ON r.driver_id = s.driver_id AND r.race_key = s.last_key
