-- View: the count-back key of every driver and constructor after every round of a season.
-- Answers: how entrants level on points are split (the FIA count-back: most wins, then most
--   second places, ...). The key lists the entrant's classified places so far, best first, each
--   as 999 - place in 3 digits ("998997" = a 1st and a 2nd): comparing keys as strings, the
--   greater is ahead in the count-back (a better place wins at the first difference; with one
--   key a prefix of the other, the one with more finishes wins). Order by points DESC, then
--   coalesce(countback_key, '') DESC.
-- Parameters: none (filter on season and entrant in the query that uses the view).
-- Notes: classified Grand Prix places only (view entrant_results); a constructor counts every
--   car's. An entrant has a row for every round (of the calendar, or with results) from his
--   first classified finish on; before it, coalesce(countback_key, '') puts him behind every
--   entrant with a finish and level with the rest, as the count-back does.
CREATE OR REPLACE VIEW countback_by_round AS
WITH finishes AS (
    SELECT season, round, entrant, entrant_id, CAST(position_text AS integer) AS place
    FROM entrant_results
    WHERE regexp_like(position_text, '^[0-9]+$')
),
-- Every round of the calendar or with a result: a sprint run before its Grand Prix already
-- moves the standings, so its round needs a key too (read from table races rather than
-- sprint_results, which a lake of seasons before 2021 does not have).
rounds AS (
    SELECT CAST(season AS integer) AS season, round FROM races
    UNION
    SELECT CAST(season AS integer) AS season, round FROM results
)
SELECT
    r.season,
    r.round,
    f.entrant,
    f.entrant_id,
    array_join(array_agg(lpad(CAST(999 - f.place AS varchar), 3, '0') ORDER BY f.place), '')
        AS countback_key
FROM rounds AS r
JOIN finishes AS f ON f.season = r.season AND f.round <= r.round
GROUP BY r.season, r.round, f.entrant, f.entrant_id
