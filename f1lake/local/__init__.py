"""The local stack: the same code paths, with AWS played by moto and Postgres embedded."""
