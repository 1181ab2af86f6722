-- Reliability of each constructor in a season: starts, finishes, DNFs and mechanical DNFs.
-- Answers: how often each constructor's cars reached the flag (finish_rate = finishes / starts)
--   and how many retirements were the car's fault (mechanical_dnfs).
-- @param season integer  Championship year, e.g. 2023.
-- Notes: counted per car start (a start: not F, not W). A finish is a classified result (a
--   numeric position); a DNF is a retirement (R, view retirements, whose category says
--   mechanical or not). Disqualified, excluded and not-classified cars are neither.
WITH params AS (
    SELECT CAST(:season AS integer) AS season
),
starts AS (
    SELECT constructor_id, round, entry, driver_id, position
    FROM race_results
    WHERE season = (SELECT season FROM params) AND started AND constructor_id IS NOT NULL
),
dnfs AS (
    SELECT
        constructor_id,
        count(*) AS dnfs,
        sum(CASE WHEN category = 'mechanical' THEN 1 ELSE 0 END) AS mechanical_dnfs
    FROM retirements
    WHERE season = (SELECT season FROM params) AND constructor_id IS NOT NULL
    GROUP BY constructor_id
),
tally AS (
    SELECT constructor_id, count(*) AS starts, count(position) AS finishes
    FROM starts
    GROUP BY constructor_id
)
SELECT
    (SELECT season FROM params) AS season,
    t.constructor_id,
    n.constructor_name,
    t.starts,
    t.finishes,
    coalesce(d.dnfs, 0) AS dnfs,
    coalesce(d.mechanical_dnfs, 0) AS mechanical_dnfs,
    round(CAST(t.finishes AS double) / t.starts, 3) AS finish_rate
FROM tally AS t
LEFT JOIN dnfs AS d ON d.constructor_id = t.constructor_id
LEFT JOIN constructor_seasons AS n
    ON n.season = (SELECT season FROM params) AND n.constructor_id = t.constructor_id
ORDER BY finish_rate DESC, t.constructor_id
