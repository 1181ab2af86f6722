-- View: each season's drivers' and constructors' championship as the official table lists it
--   after the season's last round with results, and who holds the title.
-- Answers: per (season, entrant, entrant_id), entrant 'driver' or 'constructor' (1958 on):
--   position, position_text ('D' or 'E' for a decision, view championship_adjustments),
--   points counted, points scored, wins, provisional (the season's calendar still has rounds
--   to run, view season_calendars) and champion (position 1 of a season with no round to run).
-- Parameters: none (filter on season and entrant in the query that uses the view).
-- Notes: the one source of a season's final table and its title: standings, team_standings,
--   driver_career, champions and alltime_championships all read it, so a place, its points
--   and a title agree everywhere. Positions and points are those of the standings views
--   (driver_standings_by_round, constructor_standings_by_round: the era's rules, the
--   count-back, the decisions).
CREATE OR REPLACE VIEW final_standings AS
WITH by_round AS (
    SELECT
        season,
        round,
        max(round) OVER (PARTITION BY season) AS last_round,
        'driver' AS entrant,
        driver_id AS entrant_id,
        position,
        position_text,
        points,
        points_scored,
        wins
    FROM driver_standings_by_round
    UNION ALL
    SELECT
        season,
        round,
        max(round) OVER (PARTITION BY season) AS last_round,
        'constructor' AS entrant,
        constructor_id AS entrant_id,
        position,
        position_text,
        points,
        points_scored,
        wins
    FROM constructor_standings_by_round
),
calendar AS (
    SELECT season, rounds_to_run > 0 AS provisional FROM season_calendars
)
SELECT
    s.season,
    s.entrant,
    s.entrant_id,
    s.position,
    s.position_text,
    s.points,
    s.points_scored,
    s.wins,
    coalesce(c.provisional, false) AS provisional,
    s.position_text = '1' AND NOT coalesce(c.provisional, false) AS champion
FROM by_round AS s
LEFT JOIN calendar AS c ON c.season = s.season
WHERE s.round = s.last_round
