-- View: the tie-break keys of every driver and constructor after every round of a season, and
--   whether the official table lists the entrant then.
-- Answers: how entrants level on points are ordered, as the official tables order them:
--   1. countback_key: the FIA count-back over classified Grand Prix places (most wins, then
--      most second places, ...): the places so far, best first, each as 999 - place in 3
--      digits ("998997" = a 1st and a 2nd). Compared as strings, the greater is ahead (a better
--      place wins at the first difference; with one key a prefix of the other, the one with
--      more finishes wins).
--   2. running_key: the same over the running order of every entry (position_order: a
--      retirement, a non-qualifier ranks by where it was classified in the race's order),
--      disqualified and excluded entries (D, E) left out: it orders drivers with no classified
--      finish (1985: Acheson, Baldi, Jones, Hesnault) and ties the count-back leaves.
--   3. sort_name (view entrant_results): fully tied entrants are listed alphabetically.
--   Order by points DESC, countback_key DESC, running_key DESC, sort_name, entrant_id.
--   listed: the official tables leave out an entrant whose every entry so far was
--   disqualified (1967 Wietzes, 1969 Pease, 1973 Redman; constructors 1961 Ferguson, 1969
--   Eagle-Climax) and, in 1992-2009, a driver with no classified finish so far (1992 Zanardi,
--   ..., 2007 Markus Winkelhock; before 1992 and from 2010 such drivers are listed). Measured
--   over the official tables 1950-2025, final and round by round; the seasons where no rule
--   reproduces them are listed in sql/athena/README.md (residual differences).
-- Parameters: none (filter on season and entrant in the query that uses the view).
-- Notes: Grand Prix entries only (view entrant_results); a constructor counts every car's. An
--   entrant has a row for every round (of the calendar, or with results) from his first entry
--   on.
CREATE OR REPLACE VIEW countback_by_round AS
WITH entries AS (
    SELECT
        season,
        round,
        entrant,
        entrant_id,
        sort_name,
        position_text,
        CASE WHEN regexp_like(position_text, '^[0-9]+$') THEN CAST(position_text AS integer) END
            AS place,
        CASE WHEN position_text NOT IN ('D', 'E') THEN position_order END AS running_place
    FROM entrant_results
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
    e.entrant,
    e.entrant_id,
    array_join(
        array_agg(
            CASE WHEN e.place IS NULL THEN '' ELSE lpad(CAST(999 - e.place AS varchar), 3, '0') END
            ORDER BY coalesce(e.place, 999)
        ),
        ''
    ) AS countback_key,
    array_join(
        array_agg(
            CASE
                WHEN e.running_place IS NULL THEN ''
                ELSE lpad(CAST(999 - e.running_place AS varchar), 3, '0')
            END
            ORDER BY coalesce(e.running_place, 999)
        ),
        ''
    ) AS running_key,
    max(e.sort_name) AS sort_name,
    (
        sum(CASE WHEN e.position_text <> 'D' THEN 1 ELSE 0 END) > 0
        AND (
            e.entrant = 'constructor' OR r.season NOT BETWEEN 1992 AND 2009
            OR count(e.place) > 0
        )
    ) AS listed
FROM rounds AS r
JOIN entries AS e ON e.season = r.season AND e.round <= r.round
GROUP BY r.season, r.round, e.entrant, e.entrant_id
