-- View: every Grand Prix retirement (DNF) with its cause and the kind of cause.
-- Answers: why cars retired (cause = the finishing status: Engine, Collision, ...) and whether
--   it was the car's fault: category mechanical, accident, tyre, driver or other.
-- Parameters: none (filter on season in the query that uses the view).
-- Notes:
--   - A DNF is position_text R (retired). Not classified (N), disqualified (D), excluded (E),
--     withdrawn (W) and failed to qualify (F) are not DNFs.
--   - The non-mechanical statuses are listed below; every other retirement status (Engine,
--     Gearbox, Hydraulics, Power Unit, ... over 100 in the Ergast history) is mechanical. A
--     lap count ("+11 Laps") says nothing about the cause: other.
CREATE OR REPLACE VIEW retirements AS
WITH not_mechanical (status, category) AS (
    VALUES
        ('Accident', 'accident'), ('Collision', 'accident'), ('Collision damage', 'accident'),
        ('Spun off', 'accident'), ('Fatal accident', 'accident'), ('Damage', 'accident'),
        ('Debris', 'accident'), ('Broken wing', 'accident'), ('Front wing', 'accident'),
        ('Puncture', 'tyre'), ('Tyre', 'tyre'),
        ('Physical', 'driver'), ('Driver unwell', 'driver'), ('Illness', 'driver'),
        ('Injury', 'driver'), ('Injured', 'driver'), ('Eye injury', 'driver'),
        ('Retired', 'other'), ('Withdrew', 'other'), ('Not restarted', 'other'),
        ('Out of fuel', 'other'), ('Stalled', 'other'), ('Fuel rig', 'other'),
        ('Refuelling', 'other'), ('Safety', 'other'), ('Safety concerns', 'other')
)
SELECT
    r.season,
    r.round,
    r.entry,
    r.driver_id,
    r.driver_name,
    r.constructor_id,
    r.constructor_name,
    r.laps,
    r.status AS cause,
    coalesce(
        n.category, CASE WHEN r.status LIKE '+%' THEN 'other' ELSE 'mechanical' END
    ) AS category
FROM race_results AS r
LEFT JOIN not_mechanical AS n ON n.status = r.status
WHERE r.retired
