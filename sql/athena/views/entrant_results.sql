-- View: every Grand Prix result twice, once for its driver and once for its constructor.
-- Answers: per (season, round, entrant, entrant_id) the result's position_text and
--   position_order, entrant being 'driver' (entrant_id = driver_id) or 'constructor'
--   (entrant_id = constructor_id, every car of the team): so the count-back, the listing rule
--   and the race columns of the standings are written once for both championships (views
--   countback_by_round, grand_prix_tallies).
-- Parameters: none (filter on season and entrant in the query that uses the view).
-- Notes: Grand Prix only (sprint places count for points, never in the count-back); entries
--   without a constructor appear for their driver only. sort_name is the name the official
--   tables order fully tied entrants by: the driver's family name, the constructor's name,
--   lower case without accents ("de Terra" before "Schoeller", "Étancelin" as "etancelin").
--   Reads table results itself (not view scoring_results) so that
--   driver_standings_from_results and constructor_standings_from_results need no more than its
--   basic columns.
CREATE OR REPLACE VIEW entrant_results AS
SELECT CAST(season AS integer) AS season, round, 'driver' AS entrant, driver_id AS entrant_id,
    position_text, position_order,
    translate(lower(driver_family_name), 'áäàâãåçéèêëíìîïñóòôöõøúùûüý', 'aaaaaaceeeeiiiinoooooouuuuy')
        AS sort_name
FROM results
UNION ALL
SELECT CAST(season AS integer) AS season, round, 'constructor' AS entrant,
    constructor_id AS entrant_id, position_text, position_order,
    translate(lower(constructor_name), 'áäàâãåçéèêëíìîïñóòôöõøúùûüý', 'aaaaaaceeeeiiiinoooooouuuuy')
        AS sort_name
FROM results
WHERE constructor_id IS NOT NULL
