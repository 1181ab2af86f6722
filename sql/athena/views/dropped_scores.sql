-- View: the "best N results" rules of the championships (dropped scores), per season.
-- Answers: how many results counted towards a championship; when split, the season was cut
--   after round split_after_round and the best best_first of the first part plus the best
--   best_second of the rest counted. Seasons not listed counted every result.
-- Parameters: none.
-- Notes: drivers 1950-1990, constructors 1958-1978 (from 1979 every constructor point counted).
--   A driver's results count one by one (two shared cars in one race are two results, as the
--   FIA counted them in 1956); a constructor's count race by race. Every rule here reproduces
--   the official final tables of 1950-1990 from the results (see checks/*_points_reconcile.sql).
CREATE OR REPLACE VIEW dropped_scores AS
WITH rules (first_season, last_season, split_after_round, best_first, best_second) AS (
    VALUES
        (1950, 1953, CAST(NULL AS integer), 4, CAST(NULL AS integer)),
        (1954, 1957, NULL, 5, NULL),
        (1958, 1958, NULL, 6, NULL),
        (1959, 1959, NULL, 5, NULL),
        (1960, 1960, NULL, 6, NULL),
        (1961, 1962, NULL, 5, NULL),
        (1963, 1965, NULL, 6, NULL),
        (1966, 1966, NULL, 5, NULL),
        (1967, 1967, 6, 5, 4),
        (1968, 1968, 6, 5, 5),
        (1969, 1969, 6, 5, 4),
        (1970, 1970, 7, 6, 5),
        (1971, 1971, 6, 5, 4),
        (1972, 1972, 6, 5, 5),
        (1973, 1974, 8, 7, 6),
        (1975, 1975, 7, 6, 6),
        (1976, 1976, 8, 7, 7),
        (1977, 1977, 9, 8, 7),
        (1978, 1978, 8, 7, 7),
        (1979, 1979, 7, 4, 4),
        (1980, 1980, 7, 5, 5),
        (1981, 1990, NULL, 11, NULL)
),
championships (championship, first_season, last_season) AS (
    VALUES ('drivers', 1950, 1990), ('constructors', 1958, 1978)
)
SELECT
    c.championship,
    s.season,
    r.split_after_round,
    r.best_first,
    r.best_second
FROM rules AS r
CROSS JOIN UNNEST(sequence(r.first_season, r.last_season)) AS s (season)
JOIN championships AS c ON s.season BETWEEN c.first_season AND c.last_season
