-- View: each driver of each season with the name and team the dashboards show.
-- Answers: driver_name ("Forename Surname") and the constructor of his last Grand Prix of the
--   season (constructor_id, constructor_name), so a driver who changed teams is listed once.
-- Parameters: none (filter on season in the query that uses the view).
-- Notes: Grand Prix entries only (every sprint driver also raced the Grand Prix); a driver who
--   shared two cars in his last race (before 1979) gets the team of his second entry.
CREATE OR REPLACE VIEW driver_seasons AS
SELECT
    CAST(season AS integer) AS season,
    driver_id,
    max_by(driver_given_name || ' ' || driver_family_name, round * 10 + entry) AS driver_name,
    max_by(constructor_id, round * 10 + entry) AS constructor_id,
    max_by(constructor_name, round * 10 + entry) AS constructor_name
FROM results
GROUP BY CAST(season AS integer), driver_id
