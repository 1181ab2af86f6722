-- View: each season's published calendar against the rounds run so far.
-- Answers: per season the rounds of its calendar, the rounds run (with results) and the rounds
--   still to run: a season is complete, its champion crowned and its standings final, only
--   when rounds_to_run is 0.
-- Parameters: none.
-- Notes: the calendar is table races, a round is run once it has results: a round of races
--   without results is still to run (view schedule lists them). The DAGs write every round of
--   the schedule the API publishes, run or not, so over a lake they fed a season in progress
--   has rounds to run until its last round's results are in. A race cancelled after its
--   calendar was published stays in races and keeps its season provisional
--   (docs/source_variants.md).
CREATE OR REPLACE VIEW season_calendars AS
WITH calendar AS (
    SELECT CAST(season AS integer) AS season, count(DISTINCT round) AS rounds
    FROM races
    GROUP BY CAST(season AS integer)
),
run AS (
    SELECT CAST(season AS integer) AS season, count(DISTINCT round) AS rounds_run
    FROM results
    GROUP BY CAST(season AS integer)
)
SELECT
    c.season,
    c.rounds,
    coalesce(r.rounds_run, 0) AS rounds_run,
    greatest(c.rounds - coalesce(r.rounds_run, 0), 0) AS rounds_to_run
FROM calendar AS c
LEFT JOIN run AS r ON r.season = c.season
