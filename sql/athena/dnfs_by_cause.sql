-- Retirements (DNFs) of a season's Grands Prix by cause.
-- Answers: what ended races: each cause (the finishing status: Engine, Collision, ...), its
--   kind (mechanical, accident, tyre, driver, other) and how many DNFs it caused.
-- @param season integer  Championship year, e.g. 2023.
-- Notes: a DNF is a retirement (position_text R, view retirements); not classified, withdrawn
--   and disqualified entries are not DNFs.
WITH params AS (
    SELECT CAST(:season AS integer) AS season
)
SELECT
    (SELECT season FROM params) AS season,
    cause,
    category,
    count(*) AS dnfs
FROM retirements
WHERE season = (SELECT season FROM params)
GROUP BY cause, category
ORDER BY dnfs DESC, cause
