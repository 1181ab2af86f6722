-- View: Grands Prix that paid other than full points, with the reason.
-- Answers: the multiplier on a race's points scale (half points when less than 60%, or 75%, of
--   the distance was run; double points at the 2014 finale).
-- Parameters: none.
-- Notes: found in the data (winner's points against the era's scale over 1950-2025) and matched
--   with the FIA's decisions. A race missing here is checked against full points.
CREATE OR REPLACE VIEW race_points_factors AS
SELECT season, round, factor, reason
FROM (
    VALUES
        (1975, 4, 0.5, 'Spanish GP stopped after the Stommelen crash, under 60% run'),
        (1975, 12, 0.5, 'Austrian GP stopped for rain, under 60% run'),
        (1984, 6, 0.5, 'Monaco GP stopped for rain, under 60% run'),
        (1991, 16, 0.5, 'Australian GP stopped for rain after 14 laps'),
        (2009, 2, 0.5, 'Malaysian GP stopped for rain, under 75% run'),
        (2014, 19, 2.0, 'Abu Dhabi GP: double points at the season finale (2014 rule)'),
        (2021, 12, 0.5, 'Belgian GP: two laps behind the safety car, half points')
) AS t (season, round, factor, reason)
