-- View: every round of each season's published calendar, with whether it has been run.
-- Answers: per (season, round) the Grand Prix, its date, start time and circuit, and run:
--   true once the round has results in the lake, false while it is still to come.
-- Parameters: none.
-- Notes: the calendar is table races, which holds every round of the schedule the API
--   publishes, run or not (the DAGs write a round's entry again only when it moves). Whether a
--   round has been run is a fact of table results, so it is derived here rather than stored
--   in races: a stored flag would need the schedule entry rewritten after every race and could
--   disagree with the results. A race cancelled after its calendar was published stays in
--   races as written (docs/source_variants.md), so it reads as still to run.
CREATE OR REPLACE VIEW schedule AS
WITH run AS (
    SELECT DISTINCT CAST(season AS integer) AS season, round
    FROM results
)
SELECT
    CAST(r.season AS integer) AS season,
    r.round,
    r.race_name,
    r.race_date,
    r.race_time,
    r.circuit_id,
    r.circuit_name,
    r.locality,
    r.country,
    x.round IS NOT NULL AS run
FROM races AS r
LEFT JOIN run AS x ON x.season = CAST(r.season AS integer) AND x.round = r.round
