-- View: the points each classified place earned, per era and session (Grand Prix or sprint).
-- Answers: how many points a place was worth in a season; the base of the constructors' scoring
--   before 1979 and of the era maximum check. Fastest-lap bonuses are in the max check.
-- Parameters: none.
-- Notes: last_season 9999 = still in force. Sources: the FIA sporting regulations of each era;
--   checked against every Ergast result 1950-2025 (see checks/points_within_era_maximum.sql).
CREATE OR REPLACE VIEW points_scale AS
SELECT first_season, last_season, session, place, points
FROM (
    VALUES
        (1950, 1959, 'race', 1, 8.0), (1950, 1959, 'race', 2, 6.0), (1950, 1959, 'race', 3, 4.0),
        (1950, 1959, 'race', 4, 3.0), (1950, 1959, 'race', 5, 2.0),
        (1960, 1960, 'race', 1, 8.0), (1960, 1960, 'race', 2, 6.0), (1960, 1960, 'race', 3, 4.0),
        (1960, 1960, 'race', 4, 3.0), (1960, 1960, 'race', 5, 2.0), (1960, 1960, 'race', 6, 1.0),
        (1961, 1990, 'race', 1, 9.0), (1961, 1990, 'race', 2, 6.0), (1961, 1990, 'race', 3, 4.0),
        (1961, 1990, 'race', 4, 3.0), (1961, 1990, 'race', 5, 2.0), (1961, 1990, 'race', 6, 1.0),
        (1991, 2002, 'race', 1, 10.0), (1991, 2002, 'race', 2, 6.0), (1991, 2002, 'race', 3, 4.0),
        (1991, 2002, 'race', 4, 3.0), (1991, 2002, 'race', 5, 2.0), (1991, 2002, 'race', 6, 1.0),
        (2003, 2009, 'race', 1, 10.0), (2003, 2009, 'race', 2, 8.0), (2003, 2009, 'race', 3, 6.0),
        (2003, 2009, 'race', 4, 5.0), (2003, 2009, 'race', 5, 4.0), (2003, 2009, 'race', 6, 3.0),
        (2003, 2009, 'race', 7, 2.0), (2003, 2009, 'race', 8, 1.0),
        (2010, 9999, 'race', 1, 25.0), (2010, 9999, 'race', 2, 18.0), (2010, 9999, 'race', 3, 15.0),
        (2010, 9999, 'race', 4, 12.0), (2010, 9999, 'race', 5, 10.0), (2010, 9999, 'race', 6, 8.0),
        (2010, 9999, 'race', 7, 6.0), (2010, 9999, 'race', 8, 4.0), (2010, 9999, 'race', 9, 2.0),
        (2010, 9999, 'race', 10, 1.0),
        (2021, 2021, 'sprint', 1, 3.0), (2021, 2021, 'sprint', 2, 2.0),
        (2021, 2021, 'sprint', 3, 1.0),
        (2022, 9999, 'sprint', 1, 8.0), (2022, 9999, 'sprint', 2, 7.0),
        (2022, 9999, 'sprint', 3, 6.0), (2022, 9999, 'sprint', 4, 5.0),
        (2022, 9999, 'sprint', 5, 4.0), (2022, 9999, 'sprint', 6, 3.0),
        (2022, 9999, 'sprint', 7, 2.0), (2022, 9999, 'sprint', 8, 1.0)
) AS t (first_season, last_season, session, place, points)
