-- Airflow's metadata database beside the f1lake ledger, in the compose PostgreSQL.
CREATE DATABASE airflow OWNER f1lake;
