-- View: the governing body's decisions that change a championship table after the results:
--   disqualifications and exclusions from a championship, and points deductions.
-- Answers: per (championship, season, entrant_id) from which round the standings show the
--   decision, the points it adds (negative: deducted), the mark the official table prints in
--   place of the position ('D' disqualified, 'E' excluded; NULL: ranked as usual), the
--   decision in a sentence and its source.
-- Parameters: none.
-- Notes: the one list of these decisions: the standings views (driver_standings_by_round,
--   constructor_standings_by_round), hence standings, team_standings, their progressions,
--   alltime_championships and the dashboard, and the points checks all read it. A marked
--   entrant keeps its points and is listed after every ranked one, as the official table
--   lists it. Results annulled race by race (1994 Schumacher at Silverstone and Spa, 1984
--   Tyrrell, later disqualifications) carry 0 points in the results themselves: not here.
CREATE OR REPLACE VIEW championship_adjustments AS
SELECT championship, season, entrant_id, from_round, points, position_text, decision, source
FROM (
    VALUES
        (
            'drivers', 1997, 'michael_schumacher', 17, 0.0, 'D',
            'Disqualified from the 1997 drivers'' championship for causing the collision with '
            || 'Villeneuve at the European GP (Jerez); his results and 78 points stand',
            'FIA World Motor Sport Council, decision of 11 November 1997'
        ),
        (
            'constructors', 2007, 'mclaren', 1, 0.0, 'E',
            'Excluded from the 2007 constructors'' championship for holding Ferrari technical '
            || 'information; the table keeps its 218 points',
            'FIA World Motor Sport Council, decision of 13 September 2007'
        ),
        (
            'constructors', 2018, 'force_india', 13, -59.0, CAST(NULL AS varchar),
            'Force India''s 59 points of rounds 1-12 forfeited: the team, sold in '
            || 'administration, re-entered as Racing Point Force India from the Belgian GP '
            || '(round 13) with zero points; Ergast keeps one constructor id for both entries',
            'FIA, entry of Racing Point Force India, 23 August 2018'
        ),
        (
            'constructors', 2020, 'racing_point', 5, -15.0, NULL,
            'Racing Point deducted 15 points for the brake ducts of its RP20 (Renault protests '
            || 'from the Styrian GP on); shown from the 70th Anniversary GP (round 5)',
            'FIA stewards, decision of 7 August 2020 (upheld by the FIA Court of Appeal)'
        )
) AS t (championship, season, entrant_id, from_round, points, position_text, decision, source)
