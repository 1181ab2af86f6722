"""The raw layer: immutable per-race Ergast JSON inside a metadata envelope."""
