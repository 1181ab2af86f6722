"""The Lambda deployable: only the entry point; the logic lives in ``f1lake.processing``."""
