-- View: each constructor's points from each Grand Prix (and sprint), by the rules of the era.
-- Answers: what a race was worth in the constructors' championship (1958 on).
-- Parameters: none.
-- Notes:
--   - 1958-1978: only the best-placed car of a constructor scored, the points of its place on
--     the era's scale (points_scale x race_points_factors); a shared drive or a fastest-lap
--     point of a driver does not change what the car earned for the constructor.
--   - 1979 on: every car's points (sprints included from 2021).
--   - The Indianapolis 500 (a championship round 1950-1960) never counted for constructors.
--   - Before 1958 there was no constructors' championship: no rows.
--   Dropped scores (best N races, 1958-1978) are applied by the standings, not here.
CREATE OR REPLACE VIEW constructor_race_points AS
WITH cars AS (
    SELECT s.*
    FROM scoring_results AS s
    JOIN races AS ra ON CAST(ra.season AS integer) = s.season AND ra.round = s.round
    WHERE s.season >= 1958
        AND s.constructor_id IS NOT NULL
        AND NOT (s.season <= 1960 AND ra.race_name LIKE 'Indianapolis 500%')
),
best_car AS (
    SELECT season, round, constructor_id, min(position) AS best_place
    FROM cars
    WHERE season < 1979 AND session = 'race'
    GROUP BY season, round, constructor_id
),
early AS (
    SELECT
        b.season,
        b.round,
        b.constructor_id,
        coalesce(ps.points, 0.0) * coalesce(f.factor, 1.0) AS points
    FROM best_car AS b
    LEFT JOIN points_scale AS ps
        ON ps.session = 'race'
        AND b.season BETWEEN ps.first_season AND ps.last_season
        AND ps.place = b.best_place
    LEFT JOIN race_points_factors AS f ON f.season = b.season AND f.round = b.round
),
modern AS (
    SELECT season, round, constructor_id, sum(points) AS points
    FROM cars
    WHERE season >= 1979
    GROUP BY season, round, constructor_id
),
wins AS (
    SELECT season, round, constructor_id, count(*) AS wins
    FROM cars
    WHERE session = 'race' AND position_text = '1'
    GROUP BY season, round, constructor_id
),
points AS (
    SELECT * FROM early
    UNION ALL
    SELECT * FROM modern
)
SELECT p.season, p.round, p.constructor_id, p.points, coalesce(w.wins, 0) AS wins
FROM points AS p
LEFT JOIN wins AS w
    ON w.season = p.season AND w.round = p.round AND w.constructor_id = p.constructor_id
