-- View: each driver's and constructor's Grand Prix record in a season: races, wins, podiums and
--   the count-back key after the season's last round.
-- Answers: the race columns and the tie-break of the season standings (standings,
--   team_standings, *_standings_from_results), written once for both championships.
-- Parameters: none (filter on season and entrant in the query that uses the view).
-- Notes: Grand Prix entries only (view entrant_results). races = rounds entered (any result);
--   wins and podiums count entries (a constructor's every car; a driver who shared two cars on
--   the podium of one race has two). countback_key, running_key, sort_name and listed: the
--   tie-break keys and the listing rule after the season's last round (view
--   countback_by_round).
CREATE OR REPLACE VIEW grand_prix_tallies AS
WITH tallies AS (
    SELECT
        season,
        entrant,
        entrant_id,
        count(DISTINCT round) AS races,
        sum(CASE WHEN position_text = '1' THEN 1 ELSE 0 END) AS wins,
        sum(CASE WHEN position_text IN ('1', '2', '3') THEN 1 ELSE 0 END) AS podiums
    FROM entrant_results
    GROUP BY season, entrant, entrant_id
),
season_keys AS (
    SELECT
        season,
        entrant,
        entrant_id,
        max_by(countback_key, round) AS countback_key,
        max_by(running_key, round) AS running_key,
        max_by(sort_name, round) AS sort_name,
        max_by(listed, round) AS listed
    FROM countback_by_round
    GROUP BY season, entrant, entrant_id
)
SELECT
    t.season,
    t.entrant,
    t.entrant_id,
    t.races,
    t.wins,
    t.podiums,
    k.countback_key,
    k.running_key,
    k.sort_name,
    k.listed
FROM tallies AS t
LEFT JOIN season_keys AS k
    ON k.season = t.season AND k.entrant = t.entrant AND k.entrant_id = t.entrant_id
